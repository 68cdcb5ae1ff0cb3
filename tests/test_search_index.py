"""Search records and the Pagefind index built from listing data (no browser)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from search_helpers import TODAY, days, opportunity, project, write

from pasdeporte import search, search_records
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
    # Missing rent sorts last when cheapest come first; the surface falls back to the maximum.
    assert record.sort["loyer"] == search_records.SORT_MISSING["loyer"]
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
    write(content, "a", opportunity(Reference="op-a"))
    write(content, "b", opportunity(Reference="op-b", Commune="85191"))
    write(content, "c", project(Reference="pr-c"))
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
