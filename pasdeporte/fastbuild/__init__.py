"""Fast Pelican builds: parallel cached Markdown, parallel rendering, write-if-changed outputs.

A Pelican plugin (`register()`): it applies to whatever pages the theme and other plugins
produce, since it works at the level of Pelican's reader and writer. `build.build_site`
enables it; `incremental` and `watch` are the everyday entry points.
"""

from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager
from pathlib import Path

import jinja2.runtime
from jinja2 import FileSystemBytecodeCache
from pelican import signals

from pasdeporte.fastbuild import outputs, paths, readcache, reader, shortcuts, urls, writer
from pasdeporte.site.textfmt import escape_text

# Figures of the last run in this process (read by the CLI's progress and the benchmark).
last_run: dict = {}
# Young-generation threshold during a run: the build allocates millions of long-lived objects,
# and each default-sized collection would walk them again (about 1 s at 10,000 listings).
GC_THRESHOLD = 50_000
_saved_gc: list[tuple] = []


@contextmanager
def tuned_collector():
    """The run's young-generation threshold (GC_THRESHOLD) for a whole build.

    Before Pelican starts, converting and checking every listing (and, in the processes
    forked meanwhile, indexing them) allocate as much: with the default threshold, collections
    took 0.2 s of the conversion at 10,000 listings, on the way to every other step.
    """
    saved = gc.get_threshold()
    gc.set_threshold(max(GC_THRESHOLD, saved[0]), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def initialized(pelican) -> None:
    """Signal receiver: no template reload checks, start tracking produced files."""
    env = dict(pelican.settings.get("JINJA_ENVIRONMENT") or {})
    # Templates do not change during a build: skip Jinja's per-render freshness checks.
    env["auto_reload"] = False
    if "bytecode_cache" not in env:
        # Compiled templates kept between builds (Jinja checks each one's source): compiling
        # the theme took 0.1 s of every build.
        folder = paths.cache_dir(pelican.settings) / "jinja"
        folder.mkdir(parents=True, exist_ok=True)
        env["bytecode_cache"] = FileSystemBytecodeCache(os.fspath(folder))
    pelican.settings["JINJA_ENVIRONMENT"] = env
    urls.thaw()  # a previous run that failed half-way must not leave stale URLs
    restore_gc()
    _saved_gc.append(gc.get_threshold())
    gc.set_threshold(max(GC_THRESHOLD, gc.get_threshold()[0]), *gc.get_threshold()[1:])
    last_run.clear()
    last_run["started"] = time.perf_counter()
    outputs.start()


# Taxonomies whose pages a site may not write, with the setting that names their files.
TAXONOMIES = (("authors", "AUTHOR_SAVE_AS"), ("categories", "CATEGORY_SAVE_AS"),
              ("tags", "TAG_SAVE_AS"))


def unwritten_taxonomies(generator) -> None:
    """Signal receiver (article_generator_finalized): forget taxonomies that have no pages.

    Before writing (or not) each author, category or tag page, Pelican scans every article
    for each article of it: quadratic, about 0.4 s per taxonomy at 10,000 listings and 100
    times more at 100,000. The template context keeps its own copy of the lists.
    """
    for attribute, setting in TAXONOMIES:
        if not generator.settings.get(setting):
            setattr(generator, attribute, type(getattr(generator, attribute))())


_paused: list[bool] = []


def pause_gc(_generator) -> None:
    """Signal receiver (article_generator_init): no collection until the contexts are built.

    Until contexts_ready, the build adds long-lived objects (articles, views, pages, matches):
    collections find no garbage there, only walk them (0.2 s at 10,000 listings), and
    contexts_ready freezes them all before collecting again.
    """
    if gc.isenabled():
        gc.disable()
        _paused.append(True)


def _resume_gc() -> None:
    while _paused:
        _paused.pop()
        gc.enable()


def contexts_ready(_generators) -> None:
    """Signal receiver (all_generators_finalized): what exists now lives until the end of the run.

    Frozen objects are skipped by the collector, here and in the forked renderers.
    """
    readcache.release()
    gc.freeze()
    _resume_gc()


def restore_gc(keep_frozen: bool = False) -> None:
    """Undo a run's collector settings (also after a failed run).

    `keep_frozen` leaves what the run froze (its site) out of the collector's sight until the
    next run starts: the first full collection over it took 3 s at 100,000 listings, wasted
    in a process that ends with the build (a long-lived one makes it when its next run begins).
    """
    _resume_gc()
    if not keep_frozen:
        gc.unfreeze()
    if _saved_gc:
        gc.set_threshold(*_saved_gc.pop())


def finalized(pelican) -> None:
    """Signal receiver: render the queued pages, then delete outputs that disappeared."""
    try:
        pages = writer.flush_current()
        # Still with the build's collector settings: listing the outputs makes an entry per
        # file, and a full collection over the heap of 100,000 listings took 3 s.
        cleanup = outputs.finish(pelican.settings, Path(pelican.output_path))
    finally:
        urls.thaw()
        restore_gc(keep_frozen=True)
    store = readcache.store_for(pelican.settings) if readcache._STORES else None
    last_run.update(pages, **cleanup)
    if store is not None:
        last_run.update(sources=store.stats["files"], converted=store.stats["rendered"])
    last_run["seconds"] = time.perf_counter() - last_run["started"]


def install_escape() -> None:
    """Templates compiled from now on escape their output with `escape_text`.

    Compiled templates take `escape` from jinja2.runtime; `escape_text` gives the same text
    without wrapping each piece of a page in `Markup` (a sixth of rendering a page).
    """
    jinja2.runtime.escape = escape_text


def register() -> None:
    """Pelican entry point."""
    install_escape()
    urls.install()
    shortcuts.install()
    signals.initialized.connect(initialized)
    signals.readers_init.connect(reader.readers_init)
    signals.get_writer.connect(writer.get_writer)
    signals.article_generator_init.connect(pause_gc)
    signals.article_generator_finalized.connect(unwritten_taxonomies)
    signals.all_generators_finalized.connect(outputs.note_generators)
    signals.all_generators_finalized.connect(urls.freeze)
    signals.all_generators_finalized.connect(contexts_ready)
    signals.finalized.connect(finalized)
