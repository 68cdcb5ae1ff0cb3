"""Build the Pagefind search index from listing data (not from the themed HTML).

Each indexable listing becomes a minimal HTML page in a temporary folder, laid out at its
public URL, and the bundled Pagefind binary indexes that folder once into `output/pagefind/`.
One binary run is faster than the Python API, whose reply loop sleeps 0.1 s per record
(pagefind#976), and it keeps the theme's navigation out of the index by construction.

A first query must stay under 200 KB at 10,000 listings (issue 4). Pagefind's metadata file
holds every sort key of every page and is loaded before any query, so the index carries only
the default sort (date); surface and rent live in `tris.json`, which the search page fetches
only when a visitor picks one of those sorts. The files every query loads (metadata, WebAssembly)
are then gzipped again with zopfli: same content, 10-15 % fewer bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from datetime import date
from html import escape
from pathlib import Path
from urllib.parse import unquote

from pasdeporte import validate
from pasdeporte.search_records import Record, cached_records, listing_record

BUNDLE_DIR = "pagefind"
SORT_TABLE = "tris.json"
# Sorts done in the browser from SORT_TABLE rather than by Pagefind.
TABLE_SORTS = ("surface", "loyer")
# Pagefind's gzipped files start, once inflated, with this signature.
SIGNATURE = b"pagefind_dcd"
# Loaded by every query, whatever the words: worth the extra compression time.
RECOMPRESSED = ("pagefind.*.pf_meta", "wasm.fr.pagefind")


class SearchIndexError(RuntimeError):
    """Pagefind failed to build the index."""


def pagefind_binary() -> Path:
    """Path of the Pagefind binary shipped in the `pagefind_bin` wheel."""
    from pagefind_bin import get_executable

    return Path(get_executable())


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def date_order(records: Iterable[Record]) -> list[Record]:
    """Records newest first; the same day in URL order, so that every build ranks alike."""
    return sorted(records, key=lambda record: (-record.sort["date"], record.url))


def record_html(record: Record, sort: dict[str, int] | None = None) -> str:
    """The page Pagefind reads for one record: meta, filters and sorts in <head>, text in <body>."""
    head = [f'<meta data-pagefind-meta="{_attr(k)}[content]" content="{_attr(v)}">'
            for k, v in record.meta.items()]
    head += [f'<meta data-pagefind-filter="{_attr(k)}[content]" content="{_attr(v)}">'
             for k, values in record.filters.items() for v in values]
    head += [f'<meta data-pagefind-sort="{_attr(k)}[content]" content="{_attr(v)}">'
             for k, v in (sort or {}).items()]
    # Body first so that an excerpt without a query starts with the description, not the title.
    details = "".join(f"<p>{escape(text)}</p>" for text in record.text)
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{escape(record.title)}</title>{''.join(head)}</head>"
        f"<body><main data-pagefind-body>{record.body}{details}"
        f"<h1>{escape(record.title)}</h1></main></body></html>"
    )


def write_pages(records: Iterable[Record], folder: Path) -> int:
    """Write each record's page at its URL path under `folder`; return how many were written.

    The only Pagefind sort is `date`: the record's rank, newest first (0), so that ties have
    a fixed order and the search page sorts it ascending.
    """
    count = 0
    for rank, record in enumerate(date_order(records)):
        target = folder / record.url.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(record_html(record, {"date": rank}), encoding="utf-8")
        count += 1
    return count


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


def finish_bundle(records: list[Record], fresh: Path, old: Path) -> None:
    """Add the sort table to a new bundle and shrink the files every query loads."""
    table = sort_table(records, page_ids(fresh))
    (fresh / SORT_TABLE).write_text(json.dumps(table, separators=(",", ":")), "utf-8")
    for path in fresh.glob(RECOMPRESSED[0]):
        recompress(path)
    # zopfli takes 0.9 s on the WebAssembly: reuse the last build's or the cached copy.
    wasm = fresh / RECOMPRESSED[1]
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


def run_pagefind(site: Path, bundle: Path) -> None:
    """Index the pages under `site` into `bundle` with the bundled binary (French stemming)."""
    result = subprocess.run(
        [str(pagefind_binary()), "--site", str(site), "--output-path", str(bundle),
         "--force-language", "fr", "--silent"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind a échoué : {result.stdout}{result.stderr}".strip())


# Pages Pagefind reads are written to memory when it has room: 10x faster than to disk.
SCRATCH = Path("/dev/shm")  # noqa: S108 (only a parent for mkdtemp)
SCRATCH_MIN_FREE = 1 << 30


def records_from_content(content: Path, today: date | None = None,
                         cache: Path | None = None) -> list[Record]:
    """Records of every listing under `content` that belongs in the index.

    With `cache` (a file), a listing whose bytes, path, indexing code and day are unchanged
    reuses its record from the previous build instead of being parsed and rendered again.
    """
    today = today or date.today()
    files = validate.listing_files(Path(content))
    if cache is None:
        found = [listing_record(path, today) for path in files]
    else:
        found = cached_records(files, today, cache)
    return [record for record in found if record is not None]


def scratch_dir() -> str | None:
    """A folder in memory for temporary pages if there is one with room, else the default."""
    try:
        info = os.statvfs(SCRATCH)
    except OSError:
        return None
    roomy = info.f_bavail * info.f_frsize >= SCRATCH_MIN_FREE
    return str(SCRATCH) if roomy and os.access(SCRATCH, os.W_OK) else None


def index_records(records: Iterable[Record], output: Path) -> int:
    """Replace `output/pagefind/` with an index of `records`; return how many were indexed."""
    bundle, records = Path(output) / BUNDLE_DIR, list(records)
    with (tempfile.TemporaryDirectory(prefix="pasdeporte-pages-", dir=scratch_dir()) as pages,
          tempfile.TemporaryDirectory(prefix="pasdeporte-search-") as tmp):
        site, fresh = Path(pages) / "site", Path(tmp) / "bundle"
        site.mkdir()
        count = write_pages(records, site)
        if count == 0:
            # Pagefind refuses to index nothing. A page with one made-up word and no filter
            # keeps the bundle (and the UI) valid: no real query or browse can reach it.
            (site / "vide.html").write_text(
                '<html lang="fr"><body><main data-pagefind-body>pasdeporteindexvide</main>'
                "</body></html>", "utf-8")
        run_pagefind(site, fresh)
        finish_bundle(records, fresh, bundle)
        # Swap only once the new index is complete, so a failed run leaves the old one usable.
        if bundle.exists():
            shutil.rmtree(bundle)
        shutil.move(str(fresh), str(bundle))
    return count


def index_site(content: Path, output: Path, today: date | None = None,
               cache: Path | None = None) -> int:
    """Index the listings of `content` into `output/pagefind/`; return how many were indexed."""
    return index_records(records_from_content(content, today, cache), output)
