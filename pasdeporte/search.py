"""Build the Pagefind search index from listing data (not from the themed HTML).

Each indexable listing becomes a minimal HTML page in a temporary folder, laid out at its
public URL, and the bundled Pagefind binary indexes that folder into a bundle in scratch memory,
which `search_bundle.sync_bundle` then copies over `output/pagefind/`, changed files only.
One binary run is faster than the Python API, whose reply loop sleeps 0.1 s per record
(pagefind#976), and it keeps the theme's navigation out of the index by construction.

A first query must stay under 200 KB at 10,000 listings (issue 4). Pagefind's metadata file
holds every sort key of every page and is loaded before any query, so the index carries only
the default sort (date); surface and rent live in `tris.json`, which the search page fetches
only when a visitor picks one of those sorts. The files every query loads (metadata, WebAssembly)
are then gzipped again with zopfli: same content, 10-15 % fewer bytes.

Pagefind holds every page's words in memory while it indexes (about 90 KB a page), so beyond
`lot_size()` pages the index is split into lots, indexed one after the other: the newest pages
in the main bundle, older ones in `pagefind/lots/N/` (N = 0 for the oldest), each of exactly
`lot_size()` pages counted from the oldest, so that publishing a listing changes the main bundle
only; a lot whose pages did not change is not indexed again. `lots.json` lists them for the
search page, which merges them (Pagefind's `mergeIndex`).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from html import escape
from pathlib import Path

from pasdeporte import search_bundle, validate
from pasdeporte.search_bundle import (  # noqa: F401 (the module's public names, used by tests)
    RECOMPRESSED,
    SIGNATURE,
    SORT_TABLE,
    TABLE_SORTS,
    SearchIndexError,
    date_order,
    finish_bundle,
    recompress,
)
from pasdeporte.search_records import Record, cached_records, listing_record

BUNDLE_DIR = "pagefind"
LOTS_DIR = "lots"
LOTS_FILE = "lots.json"
# About 1 GB for Pagefind with pages like the synthetic corpus' (~85 KB a page at 5,800 pages),
# and 10,000 listings stay one bundle, as the first-query budget was measured.
LOT_SIZE = 12_000


def lot_size() -> int:
    """Most pages per Pagefind run (`PASDEPORTE_SEARCH_LOT` overrides, e.g. for tests)."""
    return max(1, int(os.environ.get("PASDEPORTE_SEARCH_LOT") or LOT_SIZE))


def pagefind_binary() -> Path:
    """Path of the Pagefind binary shipped in the `pagefind_bin` wheel."""
    from pagefind_bin import get_executable

    return Path(get_executable())


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


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


def lot_pages(records: Iterable[Record]) -> list[tuple[str, str]]:
    """(path under the site folder, HTML) of each record's page, newest first.

    The only Pagefind sort is `date`: the record's rank, newest first (0), so that ties have
    a fixed order and the search page sorts it ascending.
    """
    return [(f"{record.url.strip('/')}/index.html", record_html(record, {"date": rank}))
            for rank, record in enumerate(date_order(records))]


def write_pages(pages: list[tuple[str, str]], folder: Path) -> int:
    """Write `lot_pages` under `folder`, each at its URL path; return how many were written."""
    for path, html in pages:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    return len(pages)


PAGEFIND_OPTIONS = ("--force-language", "fr", "--silent")


def run_pagefind(site: Path, bundle: Path, meanwhile: Iterable[Callable[[], object]] = (),
                 one_core: bool = False) -> None:
    """Index the pages under `site` into `bundle` with the bundled binary (French stemming).

    The `meanwhile` tasks run while Pagefind works, which leaves this process idle. With
    `one_core`, Pagefind's threads all run on one core (see `_on_one_core`).
    """
    with _on_one_core(one_core):
        process = subprocess.Popen(  # noqa: S603 (our own binary and paths)
            [str(pagefind_binary()), "--site", str(site), "--output-path", str(bundle),
             *PAGEFIND_OPTIONS],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
    try:
        for task in meanwhile:
            task()
    finally:
        stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SearchIndexError(f"Pagefind a échoué : {stdout}{stderr}".strip())


@contextmanager
def _on_one_core(active: bool) -> Iterator[None]:
    """Start processes meanwhile on one core (they inherit this thread's CPU set), if `active`.

    Pagefind's threads on both cores of a 2-core machine took 0.3 CPU-s more (system time:
    memory handed back and forth between cores) from the site's renderers; on one core it
    ends later, still before them in a full build of 10,000 listings: 0.27 s faster (4 of 4
    paired runs). Where the index is what the build waits for (a publish), it is left alone.
    """
    cores = os.sched_getaffinity(0) if active and hasattr(os, "sched_setaffinity") else None
    try:
        if cores is not None and len(cores) > 1:
            os.sched_setaffinity(0, {max(cores)})
        else:
            cores = None
    except OSError:  # a sandbox that refuses it: Pagefind runs as usual
        cores = None
    try:
        yield
    finally:
        if cores is not None:
            os.sched_setaffinity(0, cores)


# Pages Pagefind reads, and the bundle it writes (but a first one: `new_bundle_dir`), go to
# memory when it has room: writing thousands of small files to disk costs 3-4 s more at 10,000
# listings.
SCRATCH = Path("/dev/shm")  # noqa: S108 (only a parent for mkdtemp)
SCRATCH_MIN_FREE = 1 << 30


def records_from_content(content: Path, today: date | None = None,
                         cache: Path | None = None, known: dict | None = None,
                         later: list | None = None) -> list[Record]:
    """Records of every listing under `content` that belongs in the index.

    With `cache` (a file), a listing whose bytes, path, indexing code and day are unchanged
    reuses its record from the previous build instead of being parsed and rendered again;
    `known` and `later` are those of `cached_records`.
    """
    today = today or date.today()
    files = validate.listing_files(Path(content))
    if cache is None:
        found = [listing_record(path, today) for path in files]
    else:
        found = cached_records(files, today, cache, known, later)
    return [record for record in found if record is not None]


def scratch_dir() -> str | None:
    """A folder in memory for temporary pages if there is one with room, else the default."""
    try:
        info = os.statvfs(SCRATCH)
    except OSError:
        return None
    roomy = info.f_bavail * info.f_frsize >= SCRATCH_MIN_FREE
    return str(SCRATCH) if roomy and os.access(SCRATCH, os.W_OK) else None


def split_lots(ordered: list[Record], size: int) -> list[tuple[str, list[Record]]]:
    """(folder in the bundle, records) of each Pagefind run, newest first; "" is the main one.

    Lots are cut from the oldest record, so that a new listing only changes the main bundle.
    """
    extra = max(0, len(ordered) - 1) // size
    main = len(ordered) - extra * size
    lots = [("", ordered[:main])]
    for number in reversed(range(extra)):
        start = main + (extra - 1 - number) * size
        lots.append((f"{LOTS_DIR}/{number}", ordered[start:start + size]))
    return lots


def lot_key(pages: list[tuple[str, str]]) -> str:
    """Hash of a lot's pages, Pagefind's version and the code that finishes a bundle."""
    version = importlib.metadata.version("pagefind_bin")
    digest = hashlib.sha256(" ".join((version, *PAGEFIND_OPTIONS)).encode())
    digest.update(inspect.getsource(search_bundle).encode("utf-8"))
    for path, html in pages:
        digest.update(f"{path}\0{html}\0".encode())
    return digest.hexdigest()


def build_lot(records: list[Record], pages: list[tuple[str, str]], fresh: Path,
              live: Path, main: bool, meanwhile: Iterable[Callable[[], object]] = (),
              one_core: bool = False) -> None:
    """Index one lot's pages into the bundle folder `fresh` (which must not exist yet)."""
    with tempfile.TemporaryDirectory(prefix="pasdeporte-pages-", dir=scratch_dir()) as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        if not write_pages(pages, site):
            # Pagefind refuses to index nothing. A page with one made-up word and no filter
            # keeps the bundle (and the UI) valid: no real query or browse can reach it.
            (site / "vide.html").write_text(
                '<html lang="fr"><body><main data-pagefind-body>pasdeporteindexvide</main>'
                "</body></html>", "utf-8")
        run_pagefind(site, fresh, meanwhile, one_core)
    finish_bundle(records, fresh, live, main=main)


def index_records(records: Iterable[Record], output: Path,
                  ready: Callable[[], bool] | None = None,
                  meanwhile: Iterable[Callable[[], object]] = (), one_core: bool = False) -> int:
    """Bring `output/pagefind/` to an index of `records`; return how many were indexed.

    `meanwhile` tasks run during the first Pagefind run (see `run_pagefind`). `one_core`
    (a build whose site takes longer than its index) applies to an index of one lot: one of
    several lots, run one after the other, is what such a build waits for.

    `ready()`, if given, is asked just before the new index replaces the old one: False
    leaves `output/` untouched (and returns 0).
    """
    bundle, ordered = Path(output) / BUNDLE_DIR, date_order(records)
    lots, unchanged = split_lots(ordered, lot_size()), []
    one_core = one_core and len(lots) == 1
    first = new_bundle_dir(bundle)
    with tempfile.TemporaryDirectory(prefix=".pasdeporte-search-", dir=first or scratch_dir()
                                     ) as tmp:
        fresh = Path(tmp) / "bundle"
        # One Pagefind run at a time: memory, not cores, is what runs out first.
        for folder, part in lots:
            pages = lot_pages(part)
            if not folder:
                build_lot(part, pages, fresh, bundle, main=True, meanwhile=meanwhile,
                          one_core=one_core)
                continue
            key, known = lot_key(pages), bundle / folder / search_bundle.LOT_KEY
            if known.is_file() and known.read_text("utf-8") == key and (
                    bundle / folder / search_bundle.ENTRY).is_file():
                unchanged.append(folder)
                continue
            build_lot(part, pages, fresh / folder, bundle / folder, main=False)
            (fresh / folder / search_bundle.LOT_KEY).write_text(key, "utf-8")
        listed = {"lots": [f"{folder}/" for folder, _ in lots[1:]]}
        (fresh / LOTS_FILE).write_text(json.dumps(listed, separators=(",", ":")), "utf-8")
        if ready is not None and not ready():
            return 0
        # Only once every lot is complete, so a failed run leaves the old index usable.
        if not (first and _move_in(fresh, bundle)):
            search_bundle.sync_bundle(fresh, bundle, keep=unchanged)
    return len(ordered)


def new_bundle_dir(bundle: Path) -> str | None:
    """Where to make a first bundle (none at `bundle` yet) so that it can be moved in whole.

    Copying 6,000 files out of memory took the last half-second of a first build at 10,000
    listings; made on the same disk, the bundle is renamed into place instead. None if there
    is a bundle already (its unchanged files are kept: `sync_bundle`) or no writable folder.
    """
    if bundle.exists():
        return None
    # The output folder itself, or its parent while Pelican has not made it yet.
    folder = bundle.parent if bundle.parent.is_dir() else bundle.parent.parent
    return os.fspath(folder) if folder.is_dir() and os.access(folder, os.W_OK) else None


def _move_in(fresh: Path, bundle: Path) -> bool:
    """Rename `fresh` to `bundle` if there is still no bundle; False if that cannot be done."""
    try:
        bundle.parent.mkdir(parents=True, exist_ok=True)
        if bundle.exists():  # made by another build meanwhile: merge as usual
            return False
        os.rename(fresh, bundle)
    except OSError:  # another file system after all (the output folder is a mount point)
        return False
    return True


def index_site(content: Path, output: Path, today: date | None = None,
               cache: Path | None = None, ready: Callable[[], bool] | None = None,
               known: dict | None = None, one_core: bool = False) -> int:
    """Index the listings of `content` into `output/pagefind/`; return how many were indexed."""
    later: list = []  # the record cache is saved while Pagefind works
    records = records_from_content(content, today, cache, known, later)
    return index_records(records, output, ready, meanwhile=later, one_core=one_core)
