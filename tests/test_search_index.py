"""Search records and the Pagefind index built from listing data (no browser)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from pathlib import Path

import pytest
from search_helpers import TODAY, days, opportunity, project, write

from pasdeporte import search, search_records
from pasdeporte.search_bundle import sync_bundle as search_bundle_sync
from pasdeporte.search_records import RENT_BANDS, SURFACE_BANDS, band, bands_between


def load_corpus():
    """bench/corpus.py, which is run from the repository root and not installed."""
    path = Path(__file__).resolve().parent.parent / "bench" / "corpus.py"
    spec = importlib.util.spec_from_file_location("bench_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("value", "expected"), [
    (0, "< 50 m²"), (49.9, "< 50 m²"), (50, "50-100 m²"), (99, "50-100 m²"),
    (100, "100-200 m²"), (200, "> 200 m²"), (5000, "> 200 m²"),
])
def test_surface_band(value, expected):
    assert band(value, SURFACE_BANDS) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (0, "< 300 €"), (299, "< 300 €"), (300, "300-600 €"), (600, "600-1 000 €"),
    (999, "600-1 000 €"), (1000, "> 1 000 €"),
])
def test_rent_band(value, expected):
    assert band(value, RENT_BANDS) == expected


@pytest.mark.parametrize(("low", "high", "expected"), [
    (60, 120, ["50-100 m²", "100-200 m²"]),
    (30, 40, ["< 50 m²"]),
    (150, None, ["100-200 m²", "> 200 m²"]),
    (None, 50, ["< 50 m²", "50-100 m²"]),
    (250, 400, ["> 200 m²"]),
])
def test_project_surface_bands(low, high, expected):
    assert bands_between(low, high, SURFACE_BANDS) == expected


@pytest.mark.parametrize("fields", [
    {"State": "pourvue"}, {"State": "retiree"}, {"Expires": days(-1)},
], ids=["pourvue", "retiree", "expired"])
def test_closed_or_expired_listing_has_no_record(tmp_path, fields):
    path = write(tmp_path, "closed", opportunity(**fields))
    assert search_records.listing_record(path, TODAY) is None


@pytest.mark.parametrize("fields", [
    {"State": "en-discussion"}, {"Expires": days(0)}, {"Expires": days(30)},
])
def test_open_listing_has_a_record(tmp_path, fields):
    path = write(tmp_path, "open", opportunity(**fields))
    assert search_records.listing_record(path, TODAY) is not None


def test_invalid_listing_has_no_record(tmp_path):
    path = write(tmp_path, "bad", opportunity(Sector="99.99Z"))
    assert search_records.listing_record(path, TODAY) is None


def test_opportunity_record(tmp_path):
    path = write(tmp_path, "pornic-boulangerie", opportunity(Surface="85", Rent="1200"),
                 body="Le fournil *attend* son boulanger.")
    record = search_records.listing_record(path, TODAY)
    assert record.url == "/opportunites/pornic-boulangerie/"
    assert record.filters == {
        "annonce": ["Opportunité"], "type": ["La commune recherche un commerce"],
        "secteur": ["Industries alimentaires"], "surface": ["50-100 m²"],
        "loyer": ["> 1 000 €"], "bien": ["Local commercial"],
        "departement": ["Loire-Atlantique (44)"], "region": ["Pays de la Loire"],
    }
    assert record.meta["commune"] == "Pornic"
    assert record.meta["loyer"] == "1\u202f200 € / mois"
    assert record.sort == {"date": int(days(-10).replace("-", "")), "surface": 85, "loyer": 1200}
    assert "<em>attend</em>" in record.body


def test_project_record_covers_its_territories(tmp_path):
    meta = project(Territories="reg-52, 200067346", Surface_min=None, Surface_max="40")
    record = search_records.listing_record(write(tmp_path, "p", meta), TODAY)
    # A whole région: every département of Pays de la Loire, and no other.
    assert record.filters["departement"] == [
        "Loire-Atlantique (44)", "Maine-et-Loire (49)", "Mayenne (53)", "Sarthe (72)",
        "Vendée (85)",
    ]
    assert record.filters["region"] == ["Pays de la Loire"]
    assert record.filters["surface"] == ["< 50 m²"]
    assert "loyer" not in record.filters and "bien" not in record.filters
    # No rent: no value (sorted last by the page); the surface falls back to the maximum.
    assert record.sort["loyer"] is None
    assert record.sort["surface"] == 40


def test_record_html_escapes_listing_values(tmp_path):
    meta = opportunity(Title='Un "titre" <img src=x onerror=alert(1)>',
                       Equipment="Four </main><script>alert(1)</script>")
    record = search_records.listing_record(write(tmp_path, "x", meta), TODAY)
    html = search.record_html(record)
    assert "<img" not in html and "<script>" not in html
    assert 'content="Un &quot;titre&quot; &lt;img' in html


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    """Three live listings, one pourvue, one expired, indexed into a temp output folder."""
    root = tmp_path_factory.mktemp("search-index")
    content, output = root / "content", root / "output"
    write(content, "a", opportunity(Reference="op-a", Date=days(-10), Surface="85", Rent="450"))
    write(content, "b", opportunity(Reference="op-b", Commune="85191", Date=days(-10),
                                    Surface="120", Rent=None))
    write(content, "c", project(Reference="pr-c", Date=days(-5)))
    write(content, "d", opportunity(Reference="op-d", State="pourvue"))
    write(content, "e", opportunity(Reference="op-e", Expires=days(-3)))
    count = search.index_site(content, output)
    return count, output / "pagefind"


def test_index_holds_only_live_listings(small_index):
    count, bundle = small_index
    assert count == 3
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert entry["languages"]["fr"]["page_count"] == 3
    assert (bundle / "pagefind.js").is_file()
    fragments = list((bundle / "fragment").glob("*.pf_fragment"))
    assert len(fragments) == 3


def test_reindex_replaces_the_old_bundle(small_index, tmp_path):
    _, bundle = small_index
    output = tmp_path / "out"
    (output / "pagefind" / "fragment").mkdir(parents=True)
    (output / "pagefind" / "fragment" / "stale.pf_fragment").write_bytes(b"old")
    assert search.index_records([], output) == 0
    assert not (output / "pagefind" / "fragment" / "stale.pf_fragment").exists()
    assert (output / "pagefind" / "pagefind.js").is_file()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("made", [False, True], ids=["no-output-yet", "empty-output"])
def test_first_index_is_moved_in_whole_and_same_as_a_synced_one(small_index, tmp_path, made,
                                                                 monkeypatch):
    content = small_index[1].parent.parent / "content"
    records = search.records_from_content(content)
    output = tmp_path / "site" / "out"
    output.parent.mkdir()
    if made:
        output.mkdir()
    synced = []
    monkeypatch.setattr(search.search_bundle, "sync_bundle",
                        lambda *a, **k: synced.append(a) or search_bundle_sync(*a, **k))
    assert search.index_records(records, output) == 3
    assert synced == []  # renamed into place, not copied
    assert sorted(p.name for p in output.parent.iterdir()) == ["out"]  # no temporary folder
    assert sorted(p.name for p in output.iterdir()) == ["pagefind"]
    # Indexed again over it, the bundle is synced and holds the same pages (Pagefind names
    # its filter and meta files differently on each run, as in test_fastbuild_incremental).
    first = _files(output / "pagefind" / "fragment")
    assert len(first) == 3
    assert search.index_records(records, output) == 3
    assert len(synced) == 1
    assert _files(output / "pagefind" / "fragment") == first
    entry = json.loads((output / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["fr"]["page_count"] == 3


def test_refused_first_index_leaves_nothing(small_index, tmp_path):
    content = small_index[1].parent.parent / "content"
    output = tmp_path / "out"
    output.mkdir()
    assert search.index_records(search.records_from_content(content), output,
                                ready=lambda: False) == 0
    assert list(output.iterdir()) == []


def test_pagefind_failure_is_reported(tmp_path, monkeypatch):
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(search, "pagefind_binary", lambda: Path(fake))
    with pytest.raises(search.SearchIndexError, match="boom"):
        search.index_records([], tmp_path / "out")
    assert not (tmp_path / "out" / "pagefind").exists()


def test_bundle_names_are_hashed(small_index):
    _, bundle = small_index
    assert any(re.fullmatch(r"pagefind\.fr_[0-9a-f]+\.pf_meta", p.name) for p in bundle.iterdir())


def test_corpus_is_valid_reproducible_and_varied(tmp_path):
    from pasdeporte import validate

    corpus = load_corpus()
    first = corpus.generate(tmp_path / "a", 80, seed=7, today=TODAY)
    again = corpus.generate(tmp_path / "b", 80, seed=7, today=TODAY)
    other = corpus.generate(tmp_path / "c", 80, seed=8, today=TODAY)
    assert len(first) == 80
    assert validate.errors(validate.check_files(first)) == []
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]
    records = search.records_from_content(tmp_path / "a", TODAY)
    assert 0 < len(records) < 80  # some listings are closed or expired
    assert len({r.filters["departement"][0] for r in records}) > 10
    live = corpus.generate(tmp_path / "d", 40, seed=7, today=TODAY, live=True)
    assert len(search.records_from_content(tmp_path / "d", TODAY)) == len(live)


def pages_sorts(site: Path) -> dict[str, list[tuple[str, str]]]:
    """URL → the data-pagefind-sort (key, value) pairs of each page written for Pagefind."""
    found = {}
    for page in site.rglob("index.html"):
        url = "/" + str(page.parent.relative_to(site)) + "/"
        found[url] = re.findall(r'data-pagefind-sort="(\w+)\[content\]" content="(\d+)"',
                                page.read_text("utf-8"))
    return found


def typed(meta: dict[str, str]) -> dict:
    from pasdeporte import schema

    return schema.typed(meta)


def test_pages_carry_only_the_date_sort_as_a_rank(tmp_path):
    records = [search_records.make_record(values, "", "opportunites", slug) for values, slug in (
        ({**typed(opportunity(Date=days(-3))), "surface": 300.0}, "b-old"),
        (typed(opportunity(Date=days(-1))), "z-new"),
        (typed(opportunity(Date=days(-3))), "a-old"),
    )]
    assert search.write_pages(search.lot_pages(records), tmp_path) == 3
    # Newest first; the same day in URL order. No surface or rent sort in Pagefind's index.
    assert pages_sorts(tmp_path) == {"/opportunites/z-new/": [("date", "0")],
                                     "/opportunites/a-old/": [("date", "1")],
                                     "/opportunites/b-old/": [("date", "2")]}


def test_sort_table_lists_pages_newest_first_with_their_values(small_index):
    _, bundle = small_index
    table = json.loads((bundle / search.SORT_TABLE).read_text())
    ids = table["pages"].split(" ")
    by_url = {url: page for page, url in fragment_urls(bundle).items()}
    # c (5 days) before a and b (10 days, URL order); b has no rent; the project no rent.
    assert ids == [by_url["/projets/c/"], by_url["/opportunites/a/"],
                   by_url["/opportunites/b/"]]
    assert table["surface"] == [60, 85, 120]
    assert table["loyer"] == [None, 450, None]


def fragment_urls(bundle: Path) -> dict[str, str]:
    """Page id → URL, read independently of pasdeporte.search from the fragment files."""
    found = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        found[path.stem] = json.loads(data[data.index(b"{"):])["url"]
    return found


def test_recompress_keeps_the_content_and_shrinks(tmp_path):
    content = b"pagefind_dcd" + json.dumps([[f"fr_{i * 7919:07x}", i % 97]
                                            for i in range(3000)]).encode()
    path = tmp_path / "pagefind.fr_x.pf_meta"
    path.write_bytes(gzip.compress(content, compresslevel=6))
    before = path.stat().st_size
    search.recompress(path)
    assert gzip.decompress(path.read_bytes()) == content
    assert path.stat().st_size < before


def test_recompress_reuses_the_previous_file_only_if_same_content(tmp_path):
    content = b"pagefind_dcd" + bytes(range(256)) * 200
    previous, fresh = tmp_path / "old.pagefind", tmp_path / "new.pagefind"
    previous.write_bytes(gzip.compress(content, 6))
    search.recompress(previous)
    fresh.write_bytes(gzip.compress(content, 6))
    search.recompress(fresh, [tmp_path / "missing.gz", previous])
    assert fresh.read_bytes() == previous.read_bytes()
    # Different content: the previous file must not be copied.
    fresh.write_bytes(gzip.compress(content + b"!", 6))
    search.recompress(fresh, [previous])
    assert gzip.decompress(fresh.read_bytes()) == content + b"!"


def test_recompressed_webassembly_is_cached_between_builds(tmp_path, monkeypatch):
    import zopfli.gzip

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    content = tmp_path / "content"
    write(content, "a", opportunity())
    search.index_site(content, tmp_path / "one")
    cached = list((tmp_path / "cache" / "pasdeporte").glob("pagefind-wasm.fr.pagefind-*.gz"))
    assert len(cached) == 1
    wasm = Path("pagefind") / "wasm.fr.pagefind"
    assert cached[0].read_bytes() == (tmp_path / "one" / wasm).read_bytes()
    # A second build into another folder copies the cached file instead of running zopfli.
    compressed, real = [], zopfli.gzip.compress
    monkeypatch.setattr(zopfli.gzip, "compress",
                        lambda data, **kw: compressed.append(data[:16]) or real(data, **kw))
    search.index_site(content, tmp_path / "two")
    assert (tmp_path / "two" / wasm).read_bytes() == cached[0].read_bytes()
    assert compressed == []  # zopfli only ever runs on the WebAssembly, and it was cached


def test_index_files_every_query_loads_are_recompressed(small_index):
    _, bundle = small_index
    for pattern in search.RECOMPRESSED:
        path = next(bundle.glob(pattern))
        content = gzip.decompress(path.read_bytes())
        assert content.startswith(search.SIGNATURE)
        # zopfli beats the best zlib level by 5 % on the WebAssembly (not always on tiny files).
        if len(content) > 50_000:
            assert path.stat().st_size < 0.97 * len(gzip.compress(content, 9)), path.name
