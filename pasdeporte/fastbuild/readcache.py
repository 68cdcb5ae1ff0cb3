"""The reader's cache and pool: every Markdown source converted once, kept by content hash.

Pelican reads files one by one and builds a new `Markdown()` per file. Here every source file
of the build is converted up front, in a process pool reusing one reader per worker, and each
result is kept under the hash of the file's bytes and of everything that can change the HTML
(settings, versions, extension source code), on disk in `SHARDS` files split by that hash, so
that a rebuild converts only the files that changed and rewrites only their shards.
`reader.FastMarkdownReader` then serves Pelican from memory.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import markdown
import pelican
from pelican.readers import MarkdownReader

from pasdeporte.fastbuild import filecache, paths, progress

if TYPE_CHECKING:
    from pasdeporte.fastbuild.reader import FastMarkdownReader

CACHE_FORMAT = 2  # bump when the shape of cached entries changes
# The cache is split by content hash, so that publishing a listing rewrites one small file.
SHARDS = 64
# Below this many cache misses, forking a pool costs more than it saves.
POOL_THRESHOLD = 48
# Settings that Pelican's Markdown reader or its metadata processors look at.
READER_SETTINGS = ("MARKDOWN", "FORMATTED_FIELDS", "TIMEZONE", "DEFAULT_LANG", "DEFAULT_DATE",
                   "DEFAULT_DATE_FORMAT", "SLUGIFY_SOURCE", "METADATA_PROCESSORS")

# One in-memory store per settings hash, shared by the several Readers of one Pelican run.
_STORES: dict[str, _Store] = {}


def settings_hash(settings: dict) -> str:
    """Hash of everything besides the file itself that can change what the reader returns."""
    # Pelican's reader completes MARKDOWN in place (adds the meta extension): hash it completed,
    # so that the key is the same before and after a reader was made with these settings.
    settings = {**settings, "MARKDOWN": copy.deepcopy(settings.get("MARKDOWN", {}))}
    MarkdownReader(settings)
    parts = [str(CACHE_FORMAT), pelican.__version__, markdown.__version__]
    parts += [f"{key}={settings.get(key)!r}" for key in READER_SETTINGS]
    for name in settings["MARKDOWN"].get("extensions", []):
        if isinstance(name, str):
            # A change in an extension's code (e.g. markdown_safe) must invalidate the cache.
            module = importlib.import_module(name.split(":", 1)[0])
            source = getattr(module, "__file__", None)
            parts.append(Path(source).read_text("utf-8") if source else name)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:20]


class _Store:
    """Rendered results of one settings hash: loaded from disk, filled by the pool, saved."""

    def __init__(self, settings: dict, key: str):
        # Readers complete MARKDOWN in place: keep that off the caller's settings, which the
        # build hashes (skip.inputs_key) before or after this store is prepared.
        self.settings = {**settings, "MARKDOWN": copy.deepcopy(settings.get("MARKDOWN", {}))}
        self.key = key
        self.folder = paths.cache_dir(settings) / f"reader-{key}"
        self.entries: dict[str, tuple] = {}  # content hash -> (content, metadata)
        self.by_path: dict[str, tuple[tuple, str]] = {}  # path -> (stat stamp, content hash)
        # path -> (content hash, what `extra` made of the file), for the files converted here.
        self.extras: dict[str, tuple[str, object]] = {}
        self.prepared = False
        self.stats = {"files": 0, "rendered": 0}

    def prepare(self, extra: Extra | None = None) -> None:
        """Hash every Markdown source under PATH and render the misses in parallel.

        `extra(path, text, content)`, if given, runs on each file converted, in the same
        process, so that other users of the file (validation, search) need not read it again.
        """
        self.prepared = True
        fresh = bool(self.settings.get("FASTBUILD_FRESH")) or not self.folder.is_dir()
        damaged = set() if fresh else self._load()
        sources = paths.markdown_sources(self.settings)
        missing: dict[str, str] = {}  # digest -> first path with it, filled by `todo`
        todo = self._misses(sources, missing)
        if fresh:
            # Every file is converted: the pool starts on the first ones while the others are
            # still being hashed (hashing 10,000 files first left a core idle for 0.17 s).
            progress.report(f"Conversion de {len(sources)} fichiers Markdown…")
            rendered = _render_all(self.settings, todo, len(sources), extra)
        else:
            todo = list(todo)  # the number of misses decides whether a pool pays
            progress.report(f"Lecture de {len(sources)} fichiers Markdown, "
                            f"{len(todo)} à convertir…")
            rendered = _render_all(self.settings, todo, len(todo), extra)
        self.stats = {"files": len(sources), "rendered": len(missing)}
        for (digest, path), (result, more) in zip(missing.items(), rendered, strict=True):
            if result is None:
                continue  # not convertible here: Pelican's own read reports it
            self.entries[digest] = result
            if more is not None:
                self.extras[path] = (digest, more)
        live = {digest for _stamp, digest in self.by_path.values()}
        stale = [digest for digest in self.entries if digest not in live]
        # Keep only live entries so the cache never outgrows the content.
        for digest in stale:
            del self.entries[digest]
        changed = range(SHARDS) if fresh else {_shard(d) for d in [*missing, *stale]} | damaged
        self._save(changed)

    def _misses(self, sources: list[str], missing: dict[str, str]) -> Iterator[str]:
        """Hash each source as it is taken; yield those to convert, recording them in `missing`."""
        for path in sources:
            digest, stamp = _digest(path)
            self.by_path[path] = (stamp, digest)
            if digest not in self.entries and digest not in missing:
                missing[digest] = path
                yield path

    def _load(self) -> set[int]:
        """Load every shard; return the numbers of those that could not be read."""
        damaged = set()
        for number in range(SHARDS):
            try:
                with open(self.folder / f"{number:02x}.pickle", "rb") as fh:
                    self.entries.update(pickle.load(fh))  # noqa: S301 (our own cache file)
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
                damaged.add(number)  # its files are converted again, and it is rewritten
        return damaged

    def _save(self, shards) -> None:
        """Rewrite the given shards of the cache (each atomically)."""
        shards = set(shards)
        if not shards:
            return
        parts: dict[int, dict] = {number: {} for number in shards}
        for digest, value in self.entries.items():
            part = parts.get(_shard(digest))
            if part is not None:
                part[digest] = value
        for number, part in parts.items():
            paths.atomic_pickle(self.folder / f"{number:02x}.pickle", part)

    def get(self, path: str) -> tuple | None:
        """The cached result for `path`, if the file is unchanged since `prepare`."""
        known = self.by_path.get(path)
        if known is None:
            return None
        stamp, digest = known
        if _stamp(path) != stamp:
            return None
        return self.entries.get(digest)


def _shard(digest: str) -> int:
    return int(digest[:4], 16) % SHARDS


def _stamp(path: str) -> tuple:
    info = os.stat(path)
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _digest(path: str) -> tuple[str, tuple]:
    stamp = _stamp(path)
    return filecache.path_digest(path), stamp


# More work on each converted file: (path, text, HTML content) -> anything picklable.
Extra = Callable[[str, str, str], object]
_WORKER: FastMarkdownReader | None = None
_EXTRA: Extra | None = None  # set before the pool forks, so workers inherit it


def _reader(settings: dict) -> FastMarkdownReader:
    from pasdeporte.fastbuild.reader import FastMarkdownReader  # it imports this module

    return FastMarkdownReader(settings, use_cache=False)


def _init_worker(settings: dict) -> None:
    global _WORKER
    _WORKER = _reader(settings)


def _convert(reader: FastMarkdownReader, path: str, extra: Extra | None) -> tuple:
    """((content, metadata), extra's result) of one file; (None, None) if it cannot be read."""
    try:
        result, text = reader.convert(path)
    except Exception:  # noqa: BLE001 (e.g. not UTF-8: validation reports it, then Pelican)
        return None, None
    return result, (extra(path, text, result[0]) if extra is not None else None)


def _render_one(path: str) -> tuple:
    return _convert(_WORKER, path, _EXTRA)


def _render_all(settings: dict, files: Iterable[str], count: int,
                extra: Extra | None = None) -> list[tuple]:
    """Convert `files` with one reused Markdown per process, on every core when worth it.

    `count` says how many files there are: `files` may be a generator, consumed as the
    workers need more.
    """
    global _EXTRA
    workers = paths.worker_count(settings)
    if count < POOL_THRESHOLD or workers < 2:
        reader = _reader(settings)
        return [_convert(reader, path, extra) for path in files]
    # Fork so that workers inherit settings and the loaded extensions without pickling.
    context = multiprocessing.get_context("fork")
    chunk = max(1, count // (workers * 8))
    _EXTRA = extra
    try:
        with context.Pool(workers, _init_worker, (settings,)) as pool:
            # imap takes the files as chunks fill up (map would list them all first).
            return list(pool.imap(_render_one, files, chunksize=chunk))
    finally:
        _EXTRA = None


def store_for(settings: dict, extra: Extra | None = None) -> _Store:
    """The prepared store of these settings (prepared once per process and settings).

    `extra` applies if the store is prepared by this call (see `_Store.prepare`).
    """
    key = settings_hash(settings)
    store = _STORES.get(key)
    if store is None or not store.prepared:
        store = _STORES[key] = _Store(settings, key)
        store.prepare(extra)
    return store


def cold(settings: dict) -> bool:
    """Whether preparing the store of these settings converts every file (no usable cache)."""
    if settings.get("FASTBUILD_FRESH"):
        return True
    return not (paths.cache_dir(settings) / f"reader-{settings_hash(settings)}").is_dir()


def release() -> None:
    """Free the rendered entries once Pelican has read every file (the stores stay prepared)."""
    for store in _STORES.values():
        store.entries = {}  # the contents live on in Pelican's objects; 120 MB at 100,000


def reset() -> None:
    """Forget the in-memory stores, so the next build re-checks every file (watch mode)."""
    _STORES.clear()
