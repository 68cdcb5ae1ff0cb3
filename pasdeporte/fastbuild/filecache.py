"""Per-file results kept between builds, keyed by the file's path and the hash of its bytes.

Validation and search records depend on one listing file plus code, reference data and the
day; `code_version` hashes all of those, and a cache made under another version is ignored.
A hit needs the same path and the same bytes, so an edited, renamed or new file is recomputed.
`validate` and `search` load this module only when given a cache.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import time
from pathlib import Path

from pasdeporte.fastbuild import paths

FORMAT = 1  # bump when the shape of the cache file changes


def code_version(modules: tuple[str, ...], data: tuple[Path, ...] = (), extra: str = "") -> str:
    """Hash of the modules' source files, the data files and `extra` (e.g. the day)."""
    digest = hashlib.sha256(f"{FORMAT}\0{extra}\0".encode())
    for name in modules:
        module = importlib.import_module(name)
        digest.update(name.encode() + b"\0" + Path(module.__file__).read_bytes() + b"\0")
    for path in data:
        digest.update(Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def file_digest(data: bytes) -> str:
    """Short hash of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# One build hashes each listing file for several caches: path -> (stat stamp, digest).
_digests: dict[str, tuple[tuple, str]] = {}
# Digest files read by this process (`load_digests`), the files asked for, and whether a
# digest was made since the last `save_digests`.
_loaded: set[str] = set()
_asked: set[str] = set()
_changed = [False]
# File times are coarse (a few ms): a file changed this recently when it was hashed may change
# again without a visible difference, so its digest is not kept (git's "racily clean" rule).
RACY_NS = 2_000_000_000


def path_digest(path: str | os.PathLike) -> str:
    """`file_digest` of the file at `path`, read once while its size, times and inode hold."""
    name = os.path.abspath(path)  # one entry however the path is spelled
    _asked.add(name)
    info = os.stat(name)
    stamp = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
    known = _digests.get(name)
    if known is not None and known[0] == stamp:
        return known[1]
    with open(name, "rb") as fh:
        digest = file_digest(fh.read())
    if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > RACY_NS:
        _digests[name] = (stamp, digest)
        _changed[0] = True
    return digest


def load_digests(file: Path) -> None:
    """Take the digests an earlier build kept in `file` (`save_digests`), once per process.

    `path_digest` then reads and hashes only the files whose stamp changed since: 0.15 s of
    each build process at 10,000 listings. A stamp holds the inode and change time, which no
    write leaves as they were, and racy entries were never kept.
    """
    name = os.fspath(file)
    if name in _loaded:
        return
    _loaded.add(name)
    try:
        with open(file, "rb") as fh:
            saved = pickle.load(fh)  # noqa: S301 (our own cache file)
        if saved["format"] == FORMAT:
            for path, entry in saved["digests"].items():
                _digests.setdefault(path, entry)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
            KeyError, TypeError, ValueError):
        return


def save_digests(file: Path) -> None:
    """Keep this process's digests in `file` for the next build, if it made new ones."""
    if not _changed[0]:
        return
    _changed[0] = False
    # Only files this process asked for: a deleted or moved file's digest is not kept.
    kept = {name: entry for name, entry in _digests.items() if name in _asked}
    try:
        paths.atomic_pickle(file, {"format": FORMAT, "digests": kept})
    except OSError:
        pass  # a read-only cache folder only costs the next build its hashing


class FileCache:
    """Results by (path, digest), for one version; only entries used this run are saved."""

    digest = staticmethod(file_digest)

    def __init__(self, file: Path, version: str):
        self.file, self.version = Path(file), version
        self.old: dict[str, tuple[str, object]] = {}
        self.new: dict[str, tuple[str, object]] = {}
        self.hits = self.misses = 0
        try:
            with open(self.file, "rb") as fh:
                saved = pickle.load(fh)  # noqa: S301 (our own cache file)
            if saved.get("version") == version:
                self.old = saved["entries"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                KeyError, TypeError, ValueError):
            self.old = {}

    def get(self, path: str, digest: str) -> tuple[bool, object]:
        """(True, value) if `path` with these bytes was seen before, else (False, None)."""
        found = self.old.get(path)
        if found is not None and found[0] == digest:
            self.new[path] = found
            self.hits += 1
            return True, found[1]
        self.misses += 1
        return False, None

    def put(self, path: str, digest: str, value: object) -> None:
        """Remember `value` for `path` with these bytes."""
        self.new[path] = (digest, value)

    def save(self) -> None:
        """Write the cache if anything changed (atomically: a reader never sees half of it)."""
        if self.misses == 0 and self.new.keys() == self.old.keys():
            return
        paths.atomic_pickle(self.file, {"version": self.version, "entries": self.new})

