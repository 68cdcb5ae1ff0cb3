"""Fast Pelican builds: parallel cached Markdown, parallel rendering, write-if-changed outputs.

A Pelican plugin (`register()`): it applies to whatever pages the theme and other plugins
produce, since it works at the level of Pelican's reader and writer. `build.build_site`
enables it; `incremental` and `watch` are the everyday entry points.
"""

from __future__ import annotations

import time
from pathlib import Path

from pelican import signals

from pasdeporte.fastbuild import outputs, reader, urls, writer

# Figures of the last run in this process (read by the CLI's progress and the benchmark).
last_run: dict = {}


def initialized(pelican) -> None:
    """Signal receiver: no template reload checks, start tracking produced files."""
    env = dict(pelican.settings.get("JINJA_ENVIRONMENT") or {})
    # Templates do not change during a build: skip Jinja's per-render freshness checks.
    env["auto_reload"] = False
    pelican.settings["JINJA_ENVIRONMENT"] = env
    urls.thaw()  # a previous run that failed half-way must not leave stale URLs
    last_run.clear()
    last_run["started"] = time.perf_counter()
    outputs.start()


def finalized(pelican) -> None:
    """Signal receiver: render the queued pages, then delete outputs that disappeared."""
    try:
        pages = writer.flush_current()
    finally:
        urls.thaw()
    store = reader.store_for(pelican.settings) if reader._STORES else None
    cleanup = outputs.finish(pelican.settings, Path(pelican.output_path))
    last_run.update(pages, **cleanup)
    if store is not None:
        last_run.update(sources=store.stats["files"], converted=store.stats["rendered"])
    last_run["seconds"] = time.perf_counter() - last_run["started"]


def register() -> None:
    """Pelican entry point."""
    urls.install()
    signals.initialized.connect(initialized)
    signals.readers_init.connect(reader.readers_init)
    signals.get_writer.connect(writer.get_writer)
    signals.all_generators_finalized.connect(outputs.note_generators)
    signals.all_generators_finalized.connect(urls.freeze)
    signals.finalized.connect(finalized)
