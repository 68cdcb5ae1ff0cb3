"""A Pagefind bundle after the binary ran: sort table, smaller files, and its sync into the site.

`finish_bundle` adds `tris.json` and recompresses what every query loads. `sync_bundle` then
copies a bundle built in scratch memory over the live `output/pagefind/`, writing only files that
are new or differ. Pagefind names its fragment, index, filter and metadata files after their
content, so they are written first, next to the old ones; the entry files that point at them
(`pagefind-entry.json`, `tris.json`, `lots.json`, ...) are replaced atomically afterwards, and
files of the old index are deleted last: a visitor searching during a publish reads either the
old index or the new one, never half of one, and a publish writes a few files, not thousands.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePath
from urllib.parse import unquote

import deflate

from pasdeporte.search_records import Record

SORT_TABLE = "tris.json"
# Sorts done in the browser from SORT_TABLE rather than by Pagefind.
TABLE_SORTS = ("surface", "loyer")
# Pagefind's gzipped files start, once inflated, with this signature.
SIGNATURE = b"pagefind_dcd"
# Loaded by every query, whatever the words: worth the extra compression time.
RECOMPRESSED = ("pagefind.*.pf_meta", "wasm.fr.pagefind")
# Folders of content-named files; with the metadata files, what an entry file points to.
CONTENT_DIRS = ("fragment", "index", "filter")
ENTRY = "pagefind-entry.json"
# In a secondary bundle: the hash of what it was built from, written after its entry, so that a
# bundle whose sync was cut short is never taken for up to date.
LOT_KEY = "pages.sha256"
# What a secondary bundle needs: the search page merges it with the main one's code (mergeIndex).
SECONDARY_FILES = (ENTRY, SORT_TABLE, LOT_KEY, *CONTENT_DIRS)


class SearchIndexError(RuntimeError):
    """Pagefind failed to build the index."""


def date_order(records: Iterable[Record]) -> list[Record]:
    """Records newest first; the same day in URL order, so that every build ranks alike."""
    return sorted(records, key=lambda record: (-record.sort["date"], record.url))


def read_pagefind_file(path: Path) -> bytes:
    """The content of a gzipped Pagefind file, without its signature."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise SearchIndexError(f"Fichier Pagefind inattendu : {path.name}")
    return data[len(SIGNATURE):]


def page_ids(bundle: Path) -> dict[str, str]:
    """URL → Pagefind page id (the name of its fragment, what the JS API calls `result.id`)."""
    return {unquote(json.loads(read_pagefind_file(path))["url"]): path.stem
            for path in (bundle / "fragment").glob("*.pf_fragment")}


def sort_table(records: Iterable[Record], ids: dict[str, str]) -> dict:
    """Page ids newest first and, aligned with them, each sort's values (None: unknown)."""
    ordered = [record for record in date_order(records) if record.url in ids]
    # One space-separated string: a third smaller than a JSON list once gzipped.
    table: dict = {"pages": " ".join(ids[record.url] for record in ordered)}
    for key in TABLE_SORTS:
        table[key] = [record.sort.get(key) for record in ordered]
    return table


def recompress(path: Path, reuse: Iterable[Path] = ()) -> None:
    """Gzip a Pagefind file again with zopfli, or copy a file of `reuse` with the same content."""
    import zopfli.gzip

    size, content = path.stat().st_size, gzip.decompress(path.read_bytes())
    for candidate in reuse:
        # Checked by content, so a stale or foreign file is never served in its place.
        if (candidate.is_file() and candidate.stat().st_size < size
                and gzip.decompress(candidate.read_bytes()) == content):
            shutil.copyfile(candidate, path)
            return
    smaller = zopfli.gzip.compress(content)
    if len(smaller) < size:
        path.write_bytes(smaller)


def wasm_cache(wasm: Path) -> Path:
    """Where a recompressed WebAssembly is kept between builds (it changes with Pagefind only)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(wasm.read_bytes()).hexdigest()[:32]
    return base / "pasdeporte" / f"pagefind-{wasm.name}-{digest}.gz"


def _recompress_wasm(wasm: Path, old: Path) -> None:
    # zopfli takes 0.9 s on the WebAssembly: reuse the last build's or the cached copy.
    cached = wasm_cache(wasm)
    recompress(wasm, (old / wasm.name, cached))
    if not cached.is_file():
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            shutil.copyfile(wasm, partial)
            partial.replace(cached)
        except OSError:
            pass  # a read-only home only costs the next build 0.9 s


def finish_bundle(records: list[Record], fresh: Path, old: Path, main: bool = True) -> None:
    """Add the sort table to a new bundle and shrink the files every query loads.

    A secondary bundle (`main=False`) keeps only what `mergeIndex` reads: no code, no UI.
    """
    table = sort_table(records, page_ids(fresh))
    (fresh / SORT_TABLE).write_text(json.dumps(table, separators=(",", ":")), "utf-8")
    for path in fresh.glob(RECOMPRESSED[0]):
        # Made again on every publish: libdeflate's strongest level, 3 % larger than zopfli's
        # (1.2 KB at 10,000 listings) in 9 ms instead of 270 ms.
        content = gzip.decompress(path.read_bytes())
        smaller = deflate.gzip_compress(content, 12)
        if len(smaller) < path.stat().st_size:
            path.write_bytes(smaller)
    if main:
        _recompress_wasm(fresh / RECOMPRESSED[1], old)
        return
    for path in fresh.iterdir():
        if path.name not in SECONDARY_FILES and not path.name.endswith(".pf_meta"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def is_content(relative: PurePath) -> bool:
    """True for a file named after its content, which no reader can see before an entry names it."""
    return relative.parent.name in CONTENT_DIRS or relative.suffix == ".pf_meta"


def _same(fresh: Path, live: Path) -> bool:
    try:
        return (live.stat().st_size == fresh.stat().st_size
                and live.read_bytes() == fresh.read_bytes())
    except OSError:
        return False


def _replace(fresh: Path, live: Path) -> None:
    live.parent.mkdir(parents=True, exist_ok=True)
    partial = live.with_name(f".{live.name}.{os.getpid()}.tmp")
    shutil.copyfile(fresh, partial)
    partial.replace(live)  # atomic: a reader gets the old file or the new one


def sync_bundle(fresh: Path, live: Path, keep: Iterable[str] = ()) -> dict[str, int]:
    """Make `live` hold exactly the files of `fresh`, except the folders `keep` left as they are.

    Returns how many files were written and deleted.
    """
    # Plain strings and os.walk: pathlib made this step 3 times slower at 6,000 files.
    files = sorted(_walk(os.fspath(fresh)))
    entries = [name for name in files if not is_content(PurePath(name))]
    # Deeper bundles (lots/N/) before the main one, and in each folder the entry file last.
    last = {ENTRY: 1, LOT_KEY: 2}
    entries.sort(key=lambda name: (-name.count("/"), last.get(name.rpartition("/")[2], 0),
                                   name))
    written = 0
    for relative in [name for name in files if is_content(PurePath(name))] + entries:
        if not _same(fresh / relative, live / relative):
            _replace(fresh / relative, live / relative)
            written += 1
    wanted, kept = set(files), tuple(f"{folder}/" for folder in keep)
    deleted = 0
    root = os.fspath(live)
    # Deepest first, so that a folder is empty by the time it is looked at.
    for dirpath, _dirnames, filenames in os.walk(root, topdown=False):
        relative_dir = os.path.relpath(dirpath, root)
        prefix = "" if relative_dir == "." else f"{relative_dir}/"
        if prefix and (prefix.startswith(kept) or prefix in kept):
            continue
        for name in filenames:
            relative = prefix + name
            if relative not in wanted and not relative.startswith(kept):
                os.unlink(os.path.join(dirpath, name))
                deleted += 1
        if prefix and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return {"written": written, "deleted": deleted}


def _walk(root: str) -> list[str]:
    """Paths of the files under `root`, relative to it, with "/" separators."""
    found = []
    for dirpath, _dirnames, filenames in os.walk(root):
        relative = os.path.relpath(dirpath, root)
        prefix = "" if relative == "." else f"{relative}/"
        found.extend(prefix + name for name in filenames)
    return found
