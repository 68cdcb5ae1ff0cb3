"""The fast path: Pelican with the fastbuild plugin, the search index beside it in parallel.

`build(content, output)` is what `build.build_site` runs. With `incremental=True` (the default)
it reuses the Markdown cache, writes only changed files, removes vanished ones, skips Pelican
when nothing it reads has changed (`skip`), and skips the search index when no listing
changed, or else reuses the unchanged listings' search records; the result is byte for byte
the output of a clean build of the same content (tests/test_fastbuild_incremental.py).
"""

from __future__ import annotations

import hashlib
import inspect
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from pasdeporte import validate
from pasdeporte.fastbuild import (
    filecache,
    listings,
    outputs,
    paths,
    progress,
    readcache,
    skip,
    writer,
)
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

    try:
        Pelican(with_plugin(settings)).run()
    except BaseException:
        fastbuild.restore_gc()  # a failed run must not leave the collector tuned for a build
        raise
    return dict(fastbuild.last_run)


def search_key(content: Path, today: date) -> str:
    """Hash of what the search index is made of: listing files, today, the indexing code."""
    from pasdeporte import search, search_bundle, search_records, validate

    # The lot size decides which bundle holds which listing.
    digest = hashlib.sha256(f"{today.isoformat()}\0{search.lot_size()}\0".encode())
    for module in (search, search_bundle, search_records):
        digest.update(inspect.getsource(module).encode("utf-8"))
    for path in validate.listing_files(Path(content)):
        digest.update(str(path.relative_to(content)).encode("utf-8") + b"\0")
        digest.update(filecache.path_digest(path).encode() + b"\0")
    return digest.hexdigest()


# Priority step of a publishing CLI process while its index process works (see `build`).
NICE_WHILE_INDEXING = 5
# Search records made while reading (listings.py), for the index process. That process is
# forked by its pool's first submit and inherits this; as an argument it would be pickled.
_records_made: dict | None = None


def _index(content: Path, output: Path, today: date, cache: Path, gate: tuple[int, int],
           stamp: Path, incremental: bool, one_core: bool) -> int | None:
    """Index `content` unless the index of `output` is of the same listings (then None).

    `one_core`: the site will take longer than the index (see `search.run_pagefind`).
    """
    from pasdeporte import search

    os.close(gate[1])  # the parent's end: only the parent decides
    key = search_key(content, today)
    if (incremental and (output / "pagefind").is_dir() and stamp.is_file()
            and stamp.read_text("utf-8") == key):
        return None

    verdicts = []

    def accepted() -> bool:
        # Blocks until the parent has checked the listings: b"1" to publish the new index.
        verdicts.append(os.read(gate[0], 1) == b"1")
        return verdicts[-1]

    indexed = search.index_site(content, output, today=today, cache=cache, ready=accepted,
                                known=_records_made, one_core=one_core)
    if verdicts == [True]:  # published: the next build may skip the index
        stamp.write_text(key, "utf-8")
    return indexed


def validation_cache(content: Path, output: Path) -> Path:
    """The file where `validate.check_files` keeps per-file results for this output."""
    from pasdeporte.build import pelican_settings

    return paths.cache_dir(pelican_settings(content, output)) / (
        f"validate-{paths.output_key(output)}.pickle")


def build(content: Path, output: Path, settings: dict, incremental: bool = True,
          check: Callable[[validate.Checked | None], bool] | None = None,
          yield_to_index: bool = False) -> dict:
    """Build the site and its search index; return figures (seconds, pages written, ...).

    `check(known)` (validation) runs while the index is being prepared; `known` holds the
    results already made while reading the files, or None. If it returns False, nothing is
    written (figures["refused"]). With `yield_to_index` (a process that ends with the build,
    such as the CLI), this process lowers its own priority once the index process is started:
    the index is then the longer of the two.
    """
    from pasdeporte import fastbuild

    # Listing files are hashed by several caches, in this process and the index's: files
    # unchanged since an earlier build keep its digests.
    digests = paths.cache_dir(settings) / "digests.pickle"
    filecache.load_digests(digests)
    with fastbuild.tuned_collector():
        try:
            return _build(Path(content).resolve(), Path(output).resolve(), settings,
                          incremental, check, yield_to_index)
        finally:
            filecache.save_digests(digests)


def _build(content: Path, output: Path, settings: dict, incremental: bool,
           check: Callable[[validate.Checked | None], bool] | None,
           yield_to_index: bool) -> dict:
    global _records_made
    start = time.perf_counter()
    if not incremental:
        # A full build converts every file again; the manifest still serves to remove leftovers.
        settings = {**settings, "FASTBUILD_FRESH": True}
    stamp = paths.cache_dir(settings) / f"search-{paths.output_key(output)}.txt"
    # The site and the index must agree on which listings have expired (PASDEPORTE_TODAY).
    today = build_date(settings)
    figures: dict = {}
    records = paths.cache_dir(settings) / f"records-{paths.output_key(output)}.pickle"
    if not incremental:
        records.unlink(missing_ok=True)  # a full build parses every listing again
    readcache.reset()  # files may have changed since a previous build in this process
    known_checks = known_records = None
    cold = readcache.cold(settings)
    if cold:
        # Every file is converted: do it before the index starts, and check each listing and
        # make its search record in the same pass (see listings.py).
        check_day = date.today()  # the validation's day, as `validate.check_files` takes it
        learn = listings.reader_extra(validate.listing_files(content), check_day, today)
        store = readcache.store_for(settings, learn)
        known_checks, known_records = listings.split(store.extras, check_day)
        store.extras = {}
    # The index is built from the listing files, not from Pelican's pages: run it beside Pelican
    # in a forked process, so both cores stay busy during Pelican's single-threaded stages.
    # It starts before the listings are checked, and writes its result only once they pass.
    gate = os.pipe()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        _records_made = known_records
        try:
            # The index process decides itself whether the index is up to date (search_key).
            # A cold build (a full one too) converts and renders everything: the site takes
            # longer than the index.
            pending = pool.submit(_index, content, output, today, records, gate, stamp,
                                  incremental, cold)
        finally:
            _records_made = known_records = None
        if yield_to_index:
            # Pagefind (the index process's threads) against this process and its renderers:
            # at equal priority, a publish's pages were ready a second before the index, and
            # a full build over an existing site 0.3 s before it. Into an empty folder, where
            # the pages cost more to write, it made no difference.
            os.nice(NICE_WHILE_INDEXING)
        site_key = skip.inputs_key(settings, today.isoformat())  # once the index is under way
        accepted = False
        try:
            accepted = check(known_checks) if check is not None else True
        finally:
            os.write(gate[1], b"1" if accepted else b"0")
            os.close(gate[1])
            os.close(gate[0])
        if not accepted:
            figures["refused"] = True
            return figures
        progress.report("Construction des pages, index de recherche en parallèle…")
        if incremental and skip.unchanged(settings, output, site_key):
            figures.update(pages=0, written=0, deleted=0, converted=0, site="inchangé")
        else:
            skip.forget(settings, output)
            writer.busy_cores = lambda: 0 if pending.done() else 1
            try:
                figures.update(run_pelican(settings))
            finally:
                writer.busy_cores = None
            # The files' sizes and times as the run's cleanup found them: not all read again.
            skip.remember(settings, output, site_key, outputs.last_stats())
        if not pending.done():
            progress.report("Pages prêtes ; fin de l'index de recherche…")
        indexed = pending.result()
        if indexed is not None:
            figures["indexed"] = indexed
    figures["search"] = "inchangé" if indexed is None else "reconstruit"
    figures["total_seconds"] = time.perf_counter() - start
    progress.report(f"Terminé en {figures['total_seconds']:.1f} s")
    return figures
