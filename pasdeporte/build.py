"""Build the public site: Pelican with the project's settings and theme, plus the search index."""

from __future__ import annotations

import logging
from collections.abc import Callable
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


def build_site(content: Path, output: Path, settings_file: Path = SETTINGS_FILE, *,
               incremental: bool = True, settings: dict | None = None,
               check: Callable[..., bool] | None = None, yield_to_index: bool = False) -> dict:
    """Build `content` into `output`: Pelican pages, then (in parallel) the search index.

    The fast path (pasdeporte.fastbuild) reuses cached Markdown, renders on every core and
    writes only changed files; `incremental=False` converts every file again. `settings`
    overrides individual Pelican settings. `check(known)` (validation) runs once the search
    index is under way; if it returns False, nothing is written and figures["refused"] is set.
    `yield_to_index` lowers this process's priority while the index is made (see fast.build).
    Returns the build's figures.
    """
    from pelican.log import init as init_logging

    from pasdeporte.fastbuild import incremental as fast

    init_logging(level=logging.WARNING)
    merged = {**pelican_settings(content, output, settings_file), **(settings or {})}
    # The search index is built from the listing data (issue 4), beside Pelican: see
    # fast.build, which calls search.index_site(content, output).
    return fast.build(content, output, merged, incremental=incremental, check=check,
                      yield_to_index=yield_to_index)
