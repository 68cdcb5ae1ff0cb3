"""Where the fast build keeps its caches, which sources it reads, how it writes safely."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from pelican.readers import MarkdownReader


def worker_count(settings: dict | None = None) -> int:
    """Processes to use: FASTBUILD_WORKERS, else $PASDEPORTE_BUILD_WORKERS, else usable cores."""
    value = (settings or {}).get("FASTBUILD_WORKERS") or os.environ.get("PASDEPORTE_BUILD_WORKERS")
    if value:
        return max(1, int(value))
    return len(os.sched_getaffinity(0))


def cache_dir(settings: dict) -> Path:
    """FASTBUILD_CACHE_PATH, else $PASDEPORTE_BUILD_CACHE, else `<CACHE_PATH>/fastbuild`."""
    default = Path(settings["CACHE_PATH"]) / "fastbuild"
    folder = Path(settings.get("FASTBUILD_CACHE_PATH") or os.environ.get("PASDEPORTE_BUILD_CACHE")
                  or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def output_key(output: str | os.PathLike) -> str:
    """A short stable name for an output folder, so that several outputs share one cache."""
    return hashlib.sha256(os.fsencode(Path(output).resolve())).hexdigest()[:16]


def markdown_sources(settings: dict) -> list[str]:
    """Markdown files under the article and page paths of PATH, as Pelican will name them."""
    root = Path(settings["PATH"])
    ignore = settings.get("IGNORE_FILES", [])
    extensions = tuple(f".{ext}" for ext in MarkdownReader.file_extensions)
    folders = {*settings.get("ARTICLE_PATHS", [""]), *settings.get("PAGE_PATHS", [])}
    found: set[str] = set()
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(root / folder, followlinks=True):
            dirnames[:] = [d for d in dirnames if not _ignored(d, ignore)]
            found.update(os.path.join(dirpath, name) for name in filenames
                         if name.endswith(extensions) and not _ignored(name, ignore))
    return sorted(found)


def _ignored(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one rename, so readers never see a half-written file."""
    _replace(path, lambda fh: fh.write(data))


def atomic_pickle(path: Path, value: object) -> None:
    """`atomic_write` of `value` pickled straight into the file, without a copy of its bytes."""
    # The record cache alone is 80 MB at 100,000 listings.
    _replace(path, lambda fh: pickle.dump(value, fh, pickle.HIGHEST_PROTOCOL))


def _replace(path: Path, write: Callable[[BinaryIO], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
