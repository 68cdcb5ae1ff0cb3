"""Build the Pagefind search index from listing data (not from the themed HTML).

Each indexable listing becomes a minimal HTML page in a temporary folder, laid out at its
public URL, and the bundled Pagefind binary indexes that folder once into `output/pagefind/`.
One binary run is faster than the Python API, whose reply loop sleeps 0.1 s per record
(pagefind#976), and it keeps the theme's navigation out of the index by construction.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from datetime import date
from html import escape
from pathlib import Path

from pasdeporte import validate
from pasdeporte.search_records import Record, listing_record

BUNDLE_DIR = "pagefind"


class SearchIndexError(RuntimeError):
    """Pagefind failed to build the index."""


def pagefind_binary() -> Path:
    """Path of the Pagefind binary shipped in the `pagefind_bin` wheel."""
    from pagefind_bin import get_executable

    return Path(get_executable())


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def record_html(record: Record) -> str:
    """The page Pagefind reads for one record: meta, filters and sorts in <head>, text in <body>."""
    head = [f'<meta data-pagefind-meta="{_attr(k)}[content]" content="{_attr(v)}">'
            for k, v in record.meta.items()]
    head += [f'<meta data-pagefind-filter="{_attr(k)}[content]" content="{_attr(v)}">'
             for k, values in record.filters.items() for v in values]
    head += [f'<meta data-pagefind-sort="{_attr(k)}[content]" content="{_attr(v)}">'
             for k, v in record.sort.items()]
    # Body first so that an excerpt without a query starts with the description, not the title.
    details = "".join(f"<p>{escape(text)}</p>" for text in record.text)
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{escape(record.title)}</title>{''.join(head)}</head>"
        f"<body><main data-pagefind-body>{record.body}{details}"
        f"<h1>{escape(record.title)}</h1></main></body></html>"
    )


def write_pages(records: Iterable[Record], folder: Path) -> int:
    """Write each record's page at its URL path under `folder`; return how many were written."""
    count = 0
    for record in records:
        target = folder / record.url.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(record_html(record), encoding="utf-8")
        count += 1
    return count


def run_pagefind(site: Path, bundle: Path) -> None:
    """Index the pages under `site` into `bundle` with the bundled binary (French stemming)."""
    result = subprocess.run(
        [str(pagefind_binary()), "--site", str(site), "--output-path", str(bundle),
         "--force-language", "fr", "--silent"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind a échoué : {result.stdout}{result.stderr}".strip())


def records_from_content(content: Path, today: date | None = None) -> list[Record]:
    """Records of every listing under `content` that belongs in the index."""
    today = today or date.today()
    found = (listing_record(path, today) for path in validate.listing_files(Path(content)))
    return [record for record in found if record is not None]


def index_records(records: Iterable[Record], output: Path) -> int:
    """Replace `output/pagefind/` with an index of `records`; return how many were indexed."""
    bundle = Path(output) / BUNDLE_DIR
    with tempfile.TemporaryDirectory(prefix="pasdeporte-search-") as tmp:
        site, fresh = Path(tmp) / "site", Path(tmp) / "bundle"
        site.mkdir()
        count = write_pages(records, site)
        if count == 0:
            # Pagefind refuses to index nothing. A page with one made-up word and no filter
            # keeps the bundle (and the UI) valid: no real query or browse can reach it.
            (site / "vide.html").write_text(
                '<html lang="fr"><body><main data-pagefind-body>pasdeporteindexvide</main>'
                "</body></html>", "utf-8")
        run_pagefind(site, fresh)
        # Swap only once the new index is complete, so a failed run leaves the old one usable.
        if bundle.exists():
            shutil.rmtree(bundle)
        shutil.move(str(fresh), str(bundle))
    return count


def index_site(content: Path, output: Path, today: date | None = None) -> int:
    """Index the listings of `content` into `output/pagefind/`; return how many were indexed."""
    return index_records(records_from_content(content, today), output)
