"""Skip the Pelican run when nothing it reads has changed since the last build of this output.

What a run reads: the content folder, the theme, the settings, the project's code and data
(plugins, settings helpers, reference data), the versions of Pelican and its libraries, and
the build date. `inputs_key` hashes all of them; the stamp also records the size and time of
every file the last run produced, so a touched or deleted output file forces a run too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from importlib import metadata as dist_metadata
from pathlib import Path

from pasdeporte.fastbuild import filecache, paths

ROOT = Path(__file__).resolve().parent.parent.parent
# The project's code and data a build can read (settings import from pasdeporte too).
CODE = (ROOT / "pasdeporte", ROOT / "pelicanconf.py")
LIBRARIES = ("pelican", "jinja2", "markdown", "markupsafe", "feedgenerator", "blinker",
             "python-dateutil", "unidecode")
# Settings that change how a run works, not what it produces.
NEUTRAL = ("FASTBUILD_FRESH", "FASTBUILD_WORKERS", "FASTBUILD_CACHE_PATH")
# Memory addresses in the repr of settings holding functions (Jinja filters) vary by process.
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _add_tree(digest, root: Path, by_bytes) -> None:
    if root.is_file():
        digest.update(os.fsencode(root) + b"\0" + root.read_bytes() + b"\0")
        return
    top = os.fspath(root).rstrip(os.sep) + os.sep
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames.sort()
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            # os.walk joins onto `root` as given: its relative path is the rest (relpath costs
            # 0.1 s over 10,000 listings).
            digest.update(os.fsencode(path.removeprefix(top)) + b"\0")
            if by_bytes(name):
                digest.update(filecache.path_digest(path).encode())
            else:  # large static files (photos): size and modification time
                info = os.stat(path)
                digest.update(f"{info.st_size} {info.st_mtime_ns}".encode())
            digest.update(b"\0")


def base_key(settings: dict, today: str) -> str:
    """Hash of everything a Pelican run of these settings reads, except the content folder."""
    digest = hashlib.sha256(f"{sys.version}\0{today}\0".encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={dist_metadata.version(name)}\0".encode())
        except dist_metadata.PackageNotFoundError:
            digest.update(f"{name}=absent\0".encode())
    text = repr(sorted((k, v) for k, v in settings.items() if k not in NEUTRAL))
    digest.update(ADDRESS.sub("", text).encode("utf-8") + b"\0")
    for path in CODE:
        _add_tree(digest, path, lambda _name: True)
    _add_tree(digest, Path(settings["THEME"]), lambda _name: True)
    return digest.hexdigest()


def inputs_key(settings: dict, today: str) -> str:
    """Hash of everything a Pelican run of these settings reads."""
    digest = hashlib.sha256(base_key(settings, today).encode())
    _add_tree(digest, Path(settings["PATH"]), lambda name: name.endswith((".md", ".markdown")))
    return digest.hexdigest()


def _stamp_file(settings: dict, output: Path) -> Path:
    return paths.cache_dir(settings) / f"site-{paths.output_key(output)}.json"


def _outputs(settings: dict, output: Path) -> dict[str, list[int]] | None:
    manifest = paths.cache_dir(settings) / f"manifest-{paths.output_key(output)}.txt"
    try:
        names = manifest.read_text("utf-8").splitlines()
    except FileNotFoundError:
        return None
    found = {}
    for name in names:
        try:
            info = os.stat(output / name)
        except FileNotFoundError:
            return None
        found[name] = [info.st_size, info.st_mtime_ns]
    return found


def unchanged(settings: dict, output: Path, key: str) -> bool:
    """Whether the last run on `output` had these inputs and its files are untouched."""
    try:
        stamp = json.loads(_stamp_file(settings, output).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return False
    if stamp.get("key") != key:
        return False  # decided without looking at every output file
    files = _outputs(settings, output)
    return files is not None and stamp.get("outputs") == files


def remember(settings: dict, output: Path, key: str,
             files: dict[str, list[int]] | None = None) -> None:
    """Record a successful run: its inputs and the files it left (`files`, if known).

    `files` maps each file of the manifest to its size and time, as `_outputs` reads them.
    """
    stamp = {"key": key, "outputs": files if files is not None else _outputs(settings, output)}
    paths.atomic_write(_stamp_file(settings, output), json.dumps(stamp).encode("utf-8"))


def forget(settings: dict, output: Path) -> None:
    """Drop the record (before a run, so a failed run is never taken as done)."""
    _stamp_file(settings, output).unlink(missing_ok=True)
