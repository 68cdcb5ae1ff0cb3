"""The fast path: Pelican with the fastbuild plugin, the search index beside it in parallel.

`build(content, output)` is what `build.build_site` runs. With `incremental=True` (the default)
it reuses the Markdown cache, writes only changed files, removes vanished ones and skips the
search index when nothing it is built from has changed; the result is byte for byte the
output of a clean build of the same content (tests/test_fastbuild_incremental.py).
"""

from __future__ import annotations

import hashlib
import inspect
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from pasdeporte.fastbuild import paths, progress
from pasdeporte.fastbuild import reader as fast_reader
from pasdeporte.site.plugin import build_date

PLUGIN = "pasdeporte.fastbuild"


def with_plugin(settings: dict) -> dict:
    """The settings with the fastbuild plugin enabled (once)."""
    plugins = list(settings.get("PLUGINS") or [])
    if PLUGIN not in plugins:
        plugins.append(PLUGIN)
    return {**settings, "PLUGINS": plugins}


def run_pelican(settings: dict) -> dict:
    """One Pelican run with the plugin; the plugin's figures for it."""
    from pelican import Pelican

    from pasdeporte import fastbuild

    fast_reader.reset()  # files may have changed since a previous run in this process
    Pelican(with_plugin(settings)).run()
    return dict(fastbuild.last_run)


def search_key(content: Path, today: date) -> str:
    """Hash of what the search index is made of: listing files, today, the indexing code."""
    from pasdeporte import search, search_records, validate

    digest = hashlib.sha256(today.isoformat().encode())
    for module in (search, search_records):
        digest.update(inspect.getsource(module).encode("utf-8"))
    for path in validate.listing_files(Path(content)):
        digest.update(str(path.relative_to(content)).encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _index(content: Path, output: Path, today: date) -> int:
    from pasdeporte import search

    return search.index_site(content, output, today=today)


def build(content: Path, output: Path, settings: dict, incremental: bool = True) -> dict:
    """Build the site and its search index; return figures (seconds, pages written, ...)."""
    content, output = Path(content).resolve(), Path(output).resolve()
    start = time.perf_counter()
    if not incremental:
        # A full build converts every file again; the manifest still serves to remove leftovers.
        settings = {**settings, "FASTBUILD_FRESH": True}
    stamp = paths.cache_dir(settings) / f"search-{paths.output_key(output)}.txt"
    # The site and the index must agree on which listings have expired (PASDEPORTE_TODAY).
    today = build_date(settings)
    key = search_key(content, today)
    fresh = (incremental and (output / "pagefind").is_dir() and stamp.is_file()
             and stamp.read_text("utf-8") == key)
    figures: dict = {}
    # The index is built from the listing files, not from Pelican's pages: run it beside Pelican
    # in a forked process, so both cores stay busy during Pelican's single-threaded stages.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        pending = None if fresh else pool.submit(_index, content, output, today)
        progress.report("Construction des pages…" if fresh else
                        "Construction des pages, index de recherche en parallèle…")
        figures.update(run_pelican(settings))
        if pending is not None:
            progress.report("Pages prêtes ; fin de l'index de recherche…")
            figures["indexed"] = pending.result()
            stamp.write_text(key, "utf-8")
    figures["search"] = "inchangé" if fresh else "reconstruit"
    figures["total_seconds"] = time.perf_counter() - start
    progress.report(f"Terminé en {figures['total_seconds']:.1f} s")
    return figures
