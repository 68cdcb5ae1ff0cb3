"""Markdown reading on all cores, with a persistent cache keyed by content and settings.

Pelican reads files one by one and builds a new `Markdown()` per file. This reader renders
every source file of the build up front, in a process pool, reusing one Markdown instance per
worker, and keeps each result under the hash of the file's bytes and of everything that can
change the HTML (settings, versions, extension source code). Pelican then gets its
`(content, metadata)` from memory, so a rebuild only converts the files that changed.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import multiprocessing
import os
import pickle
from pathlib import Path

import markdown
import pelican
from pelican.readers import DUPLICATES_DEFINITIONS_ALLOWED, MarkdownReader

from pasdeporte.fastbuild import filecache, paths, progress

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1  # bump when the shape of cached entries changes
# Below this many cache misses, forking a pool costs more than it saves.
POOL_THRESHOLD = 48
# Settings that Pelican's Markdown reader or its metadata processors look at.
READER_SETTINGS = ("MARKDOWN", "FORMATTED_FIELDS", "TIMEZONE", "DEFAULT_LANG", "DEFAULT_DATE",
                   "DEFAULT_DATE_FORMAT", "SLUGIFY_SOURCE", "METADATA_PROCESSORS")

# One in-memory store per settings hash, shared by the several Readers of one Pelican run.
_STORES: dict[str, _Store] = {}


def settings_hash(settings: dict) -> str:
    """Hash of everything besides the file itself that can change what the reader returns."""
    parts = [str(CACHE_FORMAT), pelican.__version__, markdown.__version__]
    parts += [f"{key}={settings.get(key)!r}" for key in READER_SETTINGS]
    for name in settings.get("MARKDOWN", {}).get("extensions", []):
        if isinstance(name, str):
            # A change in an extension's code (e.g. markdown_safe) must invalidate the cache.
            module = importlib.import_module(name.split(":", 1)[0])
            source = getattr(module, "__file__", None)
            parts.append(Path(source).read_text("utf-8") if source else name)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:20]


class _Store:
    """Rendered results of one settings hash: loaded from disk, filled by the pool, saved."""

    def __init__(self, settings: dict, key: str):
        self.settings, self.key = settings, key
        self.file = paths.cache_dir(settings) / f"reader-{key}.pickle"
        self.entries: dict[str, tuple] = {}  # content hash -> (content, metadata)
        self.by_path: dict[str, tuple[tuple, str]] = {}  # path -> (stat stamp, content hash)
        self.prepared = False
        self.stats = {"files": 0, "rendered": 0}

    def prepare(self) -> None:
        """Hash every Markdown source under PATH and render the misses in parallel."""
        self.prepared = True
        try:
            if self.settings.get("FASTBUILD_FRESH"):
                raise FileNotFoundError(self.file)
            with open(self.file, "rb") as fh:
                self.entries = pickle.load(fh)  # noqa: S301 (our own cache file)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            self.entries = {}
        sources = paths.markdown_sources(self.settings)
        missing: dict[str, str] = {}
        for path in sources:
            digest, stamp = _digest(path)
            self.by_path[path] = (stamp, digest)
            if digest not in self.entries:
                missing.setdefault(digest, path)
        self.stats = {"files": len(sources), "rendered": len(missing)}
        progress.report(f"Lecture de {len(sources)} fichiers Markdown, {len(missing)} à convertir…")
        rendered = _render_all(self.settings, list(missing.values()))
        for (digest, _path), result in zip(missing.items(), rendered, strict=True):
            self.entries[digest] = result
        live = {digest for _stamp, digest in self.by_path.values()}
        stale = len(self.entries) - len(live)
        if missing or stale:
            # Keep only live entries so the cache never outgrows the content.
            self.entries = {d: v for d, v in self.entries.items() if d in live}
            paths.atomic_write(self.file, pickle.dumps(self.entries, pickle.HIGHEST_PROTOCOL))

    def get(self, path: str) -> tuple | None:
        """The cached result for `path`, if the file is unchanged since `prepare`."""
        known = self.by_path.get(path)
        if known is None:
            return None
        stamp, digest = known
        if _stamp(path) != stamp:
            return None
        return self.entries.get(digest)


def _stamp(path: str) -> tuple:
    info = os.stat(path)
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _digest(path: str) -> tuple[str, tuple]:
    stamp = _stamp(path)
    return filecache.path_digest(path), stamp


_WORKER: FastMarkdownReader | None = None


def _init_worker(settings: dict) -> None:
    global _WORKER
    _WORKER = FastMarkdownReader(settings, use_cache=False)


def _render_one(path: str) -> tuple:
    return _WORKER.render(path)


def _render_all(settings: dict, files: list[str]) -> list[tuple]:
    """Render `files` with one reused Markdown per process, on every core when worth it."""
    workers = paths.worker_count(settings)
    if len(files) < POOL_THRESHOLD or workers < 2:
        reader = FastMarkdownReader(settings, use_cache=False)
        return [reader.render(path) for path in files]
    # Fork so that workers inherit settings and the loaded extensions without pickling.
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(files) // (workers * 8))
    with context.Pool(workers, _init_worker, (settings,)) as pool:
        return pool.map(_render_one, files, chunksize=chunk)


class FastMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, fed from the pre-rendered cache, one Markdown per process."""

    def __init__(self, settings: dict, use_cache: bool = True):
        super().__init__(settings)
        self.use_cache = use_cache
        self._store: _Store | None = None
        self._body_md = None
        self._meta_md = None

    def _converters(self):
        if self._body_md is None:
            self._body_md = markdown.Markdown(**self.settings["MARKDOWN"])
            # Formatted fields (Summary) must not be parsed for metadata: a second instance.
            self._meta_md = markdown.Markdown(**self.settings["MARKDOWN"])
            self._meta_md.preprocessors.deregister("meta")
        return self._body_md, self._meta_md

    def render(self, source_path: str) -> tuple:
        """Convert one file, the way MarkdownReader.read does, reusing the instances."""
        body_md, meta_md = self._converters()
        self._source_path = source_path
        body_md.reset()
        with open(source_path, encoding="utf-8") as fh:
            text = fh.read()
        content = body_md.convert(text.removeprefix("\ufeff"))
        # MarkdownReader._parse_metadata deregisters "meta" from self._md, which breaks reuse:
        # formatted fields go through the copy that already lacks it (same rules otherwise).
        meta_md.reset()
        self._md = meta_md
        return content, self._metadata(getattr(body_md, "Meta", {}))

    def _metadata(self, meta: dict) -> dict:
        formatted_fields = self.settings["FORMATTED_FIELDS"]
        output = {}
        for name, value in meta.items():
            name = name.lower()
            if name in formatted_fields:
                self._md.reset()
                output[name] = self.process_metadata(name, self._md.convert("\n".join(value)))
            elif not DUPLICATES_DEFINITIONS_ALLOWED.get(name, True) or len(value) == 1:
                output[name] = self.process_metadata(name, value[0])
            else:
                output[name] = self.process_metadata(name, value)
        return output

    def read(self, source_path: str) -> tuple:
        """Content and metadata of one file: from the cache when it holds this exact file."""
        if not self.use_cache:
            return self.render(source_path)
        if self._store is None or not self._store.prepared:
            self._store = store_for(self.settings)
        found = self._store.get(os.fspath(source_path))
        return found if found is not None else self.render(source_path)


def store_for(settings: dict) -> _Store:
    """The prepared store of these settings (prepared once per process and settings)."""
    key = settings_hash(settings)
    store = _STORES.get(key)
    if store is None or not store.prepared:
        store = _STORES[key] = _Store(settings, key)
        store.prepare()
    return store


def release() -> None:
    """Free the rendered entries once Pelican has read every file (the stores stay prepared)."""
    for store in _STORES.values():
        store.entries = {}  # the contents live on in Pelican's objects; 120 MB at 100,000


def reset() -> None:
    """Forget the in-memory stores, so the next build re-checks every file (watch mode)."""
    _STORES.clear()


def readers_init(readers) -> None:
    """Signal receiver: serve Markdown files with FastMarkdownReader."""
    for ext in MarkdownReader.file_extensions:
        if readers.reader_classes.get(ext) is MarkdownReader:
            readers.reader_classes[ext] = FastMarkdownReader
