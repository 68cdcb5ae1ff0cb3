"""Build the public site: Pelican with the project's settings and theme."""

from __future__ import annotations

import logging
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "pelicanconf.py"


def pelican_settings(content: Path, output: Path, settings_file: Path = SETTINGS_FILE) -> dict:
    """Pelican settings from `pelicanconf.py`, pointed at the given content and output folders."""
    from pelican.settings import read_settings

    return read_settings(
        str(settings_file),
        override={"PATH": str(Path(content).resolve()), "OUTPUT_PATH": str(Path(output).resolve())},
    )


def build_site(content: Path, output: Path, settings_file: Path = SETTINGS_FILE) -> None:
    """Run a Pelican build of `content` into `output`."""
    from pelican import Pelican
    from pelican.log import init as init_logging

    init_logging(level=logging.WARNING)
    Pelican(pelican_settings(content, output, settings_file)).run()
