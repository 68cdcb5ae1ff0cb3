"""The search page over an index split into lots (forced at 4 pages a lot), in headless Chromium."""

from __future__ import annotations

import json

import pytest
from search_helpers import (
    after,
    days,
    links,
    opportunity,
    option_count,
    project,
    result_count,
    search,
    show_filters,
    write,
)

from pasdeporte import build, search_bundle
from pasdeporte.static_server import serve

pytestmark = pytest.mark.browser
LOT_SIZE = "4"

# (slug, days old, commune, surface, rent, trade): live opportunities, two sharing a day.
OPPORTUNITIES = [
    ("pornic-boulangerie", 1, "44131", 85, 450, "boulangerie"),
    ("nantes-epicerie", 2, "44109", 120, None, "épicerie"),
    ("mans-boulangerie", 3, "72181", 40, 250, "boulangerie"),
    ("roche-fromagerie", 3, "85191", 60, 800, "fromagerie"),
    ("vannes-boulangerie", 5, "56260", None, None, "boulangerie"),
    ("quimper-cafe", 6, "29232", 200, 1200, "café"),
    ("rennes-boulangerie", 7, "35238", 150, 600, "boulangerie"),
    ("pornic-librairie", 8, "44131", 60, 300, "librairie"),
    ("nantes-boulangerie", 9, "44109", 300, 2000, "boulangerie"),
    ("mans-epicerie", 10, "72181", 45, 250, "épicerie"),
    ("roche-boulangerie", 11, "85191", 95, 500, "boulangerie"),
    ("vannes-cafe", 12, "56260", 75, 350, "café"),
]
# (slug, days old, territories, minimum and maximum surface, words)
PROJECTS = [
    ("boulanger-vendee", 4, "dep-85", 60, 120, "je cherche un fournil en Vendée"),
    ("epicier-bretagne", 13, "reg-53", None, None, "je cherche une épicerie en Bretagne"),
]
# Every listing's sector is a bakery's (10.71C): the bakeries alone speak of their oven.
WORD = "fournil"


def body(trade: str) -> str:
    return f"Reprenez {trade} du village{', fournil compris' if trade == 'boulangerie' else ''}."


def expected_rows() -> list[dict]:
    """Each live listing's URL, age, trade, département and sort values."""
    rows = [{"url": f"/opportunites/{slug}/", "age": age, "words": body(trade), "surface": surface,
             "loyer": rent, "dep": commune[:2]}
            for slug, age, commune, surface, rent, trade in OPPORTUNITIES]
    rows += [{"url": f"/projets/{slug}/", "age": age, "words": words, "loyer": None,
              "surface": low if low is not None else high, "dep": territories[-2:]}
             for slug, age, territories, low, high, words in PROJECTS]
    return rows


def by_date(rows: list[dict]) -> list[str]:
    """Newest first; the same day in URL order."""
    return [row["url"] for row in sorted(rows, key=lambda row: (row["age"], row["url"]))]


def by_value(rows: list[dict], key: str, direction: int) -> list[str]:
    """By `key` (direction -1: largest first), listings without a value last, ties newest first."""
    rank = {url: i for i, url in enumerate(by_date(rows))}
    return sorted(by_date(rows), key=lambda url: next(
        (row[key] is None, direction * (row[key] or 0), rank[url]) for row in rows
        if row["url"] == url))


@pytest.fixture(scope="module")
def lot_site(tmp_path_factory):
    """The listings above, one closed, built by `pasdeporte.build` in lots of 4, served."""
    root = tmp_path_factory.mktemp("search-lots")
    content = root / "content"
    for slug, age, commune, surface, rent, trade in OPPORTUNITIES:
        write(content, slug, opportunity(
            Title=f"{trade.capitalize()} ({slug})", Reference=f"op-{slug}", Commune=commune,
            Date=days(-age), Surface=str(surface) if surface else None,
            Rent=str(rent) if rent else None), body(trade))
    for slug, age, territories, low, high, words in PROJECTS:
        write(content, slug, project(
            Title=f"Projet {slug}", Reference=f"pr-{slug}", Date=days(-age),
            Territories=territories, Surface_min=str(low) if low else None,
            Surface_max=str(high) if high else None), f"Porteur de projet, {words}.")
    write(content, "brest-boulangerie", opportunity(
        Title="Boulangerie pourvue", Reference="op-pourvue", State="pourvue"), "Boulangerie.")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PASDEPORTE_SEARCH_LOT", LOT_SIZE)
        build.build_site(content, root / "output")
    with serve(root / "output") as base:
        yield base, root / "output" / "pagefind"


def all_links(page) -> list[str]:
    """Every result's link, clicking "Voir plus" until all are shown."""
    while page.is_visible("#search-more"):
        shown = len(links(page))
        page.click("#search-more")
        page.wait_for_function(
            f"document.querySelectorAll('#search-results li').length > {shown}")
    return links(page)


def test_the_index_is_split_and_every_lot_is_searched(page, lot_site):
    base, bundle = lot_site
    lots = json.loads((bundle / "lots.json").read_text())["lots"]
    assert lots == ["lots/2/", "lots/1/", "lots/0/"]
    in_lots = [set(search_bundle.page_ids(bundle / path)) for path in ("", *lots)]
    search(page, base)
    assert result_count(page) == 14
    # Listed newest first across the lots, ten at a time.
    assert links(page) == by_date(expected_rows())[:10]
    found = all_links(page)
    assert found == by_date(expected_rows())
    assert all(urls & set(found) for urls in in_lots)


@pytest.mark.parametrize(("sort", "direction"), [("surface", -1), ("loyer", 1)])
def test_table_sorts_across_lots(page, lot_site, sort, direction):
    base, _ = lot_site
    search(page, base, f"tri={sort}")
    assert all_links(page) == by_value(expected_rows(), sort, direction)


@pytest.mark.parametrize("sort", ["date", "surface", "loyer", "pertinence"])
def test_query_finds_matches_in_every_lot(page, lot_site, sort):
    base, _ = lot_site
    rows = [row for row in expected_rows() if WORD in row["words"]]
    assert len(rows) == 7
    search(page, base, f"q={WORD}&tri={sort}")
    expected = {"date": by_date(rows), "surface": by_value(rows, "surface", -1),
                "loyer": by_value(rows, "loyer", 1)}
    if sort == "pertinence":  # ranked by score: the same listings, in Pagefind's order
        assert sorted(all_links(page)) == sorted(by_date(rows))
    else:
        assert all_links(page) == expected[sort]


def test_filter_counts_add_up_across_lots(page, lot_site):
    base, _ = lot_site
    rows = [row for row in expected_rows() if WORD in row["words"]]
    search(page, base, f"q={WORD}")
    show_filters(page)
    loire = [row for row in rows if row["dep"] == "44"]
    assert len(loire) == 2  # Pornic (the main bundle) and Nantes (an older lot)
    assert option_count(page, "departement", "Loire-Atlantique (44)") == 2
    assert option_count(page, "annonce", "Opportunité") == len(rows) - 1
    assert option_count(page, "annonce", "Projet") == 1
    page.click("summary:has-text('Département')")
    after(page, lambda: page.check("input[name=departement][value='Loire-Atlantique (44)']"))
    assert links(page) == by_date(loire)
    assert result_count(page) == 2
    # The ticked group keeps the counts it would have without its own filter.
    assert option_count(page, "departement", "Sarthe (72)") == 1
    assert option_count(page, "departement", "Vendée (85)") == 2
