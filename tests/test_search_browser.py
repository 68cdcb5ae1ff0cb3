"""The search page in headless Chromium, over a small site built for the test and the sample."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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
    titles,
    write,
)

from pasdeporte import build
from pasdeporte.static_server import serve

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# slug: (metadata, body). Every "boulangerie" is live unless its name says otherwise.
LISTINGS = {
    "pornic-fromagerie": (opportunity(
        Title="Pornic cherche sa fromagerie", Reference="op-fromage", Sector="47.29Z",
        Surface="60", Rent="350", Date=days(-20)), "Une cave d'affinage voûtée."),
    "la-roche-boulangerie": (opportunity(
        Title="Boulangerie à La Roche-sur-Yon", Reference="op-roche", Commune="85191",
        Surface="150", Rent="800", Date=days(-2)), "Un fournil en centre-ville."),
    "le-mans-boulangerie": (opportunity(
        Title="Petite boulangerie au Mans", Reference="op-mans", Commune="72181",
        Surface="40", Rent="250", Date=days(-30)), "Boulangerie de quartier."),
    "nantes-boulangerie": (opportunity(
        Title="Boulangerie à reprendre à Nantes", Reference="op-nantes", Commune="44109",
        Kind="reprise", Premises="fonds", Surface=None, Rent=None, Price="90000",
        Date=days(-1)), "Boulangerie avec clientèle fidèle."),
    "vendee-boulanger": (project(Reference="pr-vendee", Date=days(-5)),
                         "Boulanger, je cherche une boulangerie en Vendée."),
    "quimper-boulangerie-expiree": (opportunity(
        Title="Boulangerie à Quimper", Reference="op-expiree", Commune="29232",
        Expires=days(-2), Date=days(-90)), "Spécialité de kouign-amann."),
    "rennes-boulangerie-pourvue": (opportunity(
        Title="Boulangerie à Rennes", Reference="op-pourvue", Commune="35238",
        State="pourvue"), "Spécialité de fouace."),
    "vannes-piege": (opportunity(
        Title='Épicerie <img src=x onerror="window.pwned=1"> à Vannes', Reference="op-piege",
        Commune="56260", Sector="47.11B"), 'Texte <script>window.pwned=1</script> piège.'),
}
LOIRE_ATLANTIQUE = "Loire-Atlantique (44)"
VANNES = 'Épicerie <img src=x onerror="window.pwned=1"> à Vannes'
LIVE_BOULANGERIES = 4  # La Roche, Le Mans, Nantes, the Vendée project


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The listings above built by `pasdeporte.build` (Pelican, then search), served locally."""
    root = tmp_path_factory.mktemp("search-site")
    for slug, (meta, body) in LISTINGS.items():
        write(root / "content", slug, meta, body)
    build.build_site(root / "content", root / "output")
    with serve(root / "output") as base:
        yield base


@pytest.mark.parametrize(("query", "expected"), [
    ("q=fromagerie", "Pornic cherche sa fromagerie"),
    ("q=fromageries", "Pornic cherche sa fromagerie"),  # French stemming
    ("q=affinage", "Pornic cherche sa fromagerie"),  # body text
    ("q=boulangerie+Sarthe", "Petite boulangerie au Mans"),  # derived département name
])
def test_query_finds_the_listing(page, site, query, expected):
    search(page, site, query)
    assert titles(page)[0] == expected
    first = page.locator("#search-results li").first
    assert first.locator("a").get_attribute("href").startswith(("/opportunites/", "/projets/"))


def test_result_shows_listing_facts(page, site):
    search(page, site, "q=fromagerie")
    assert result_count(page) == 1
    facts = page.inner_text("#search-results .search-facts")
    for part in ("La commune recherche un commerce", "Pornic", "Loire-Atlantique (44)",
                 "60 m²", "350 € / mois"):
        assert part in facts
    assert page.locator("#search-results .search-excerpt mark").count() >= 1


@pytest.mark.parametrize("word", ["kouign", "fouace"], ids=["expired", "pourvue"])
def test_expired_and_closed_listings_are_not_found(page, site, word):
    search(page, site, f"q={word}")
    assert titles(page) == []
    assert page.inner_text("#search-status").startswith("Aucune annonce ne correspond")
    search(page, site, "q=boulangerie")
    assert result_count(page) == LIVE_BOULANGERIES


def test_filter_narrows_and_counts_match(page, site):
    search(page, site, "q=boulangerie")
    total = result_count(page)
    show_filters(page)
    expected = option_count(page, "departement", "Vendée (85)")
    assert 0 < expected < total
    page.click("summary:has-text('Département')")
    after(page, lambda: page.check("input[name=departement][value='Vendée (85)']"))
    assert result_count(page) == expected == len(titles(page))
    assert set(titles(page)) == {"Boulangerie à La Roche-sur-Yon",
                                 "Boulanger cherche un fournil en Vendée"}
    # Within a group, values add up (OR); the ticked group keeps its own counts.
    sarthe = option_count(page, "departement", "Sarthe (72)")
    after(page, lambda: page.check("input[name=departement][value='Sarthe (72)']"))
    assert result_count(page) == expected + sarthe
    # Across groups, filters narrow (AND): only opportunities with a rent under 300 €.
    page.click("summary:has-text('Loyer mensuel')")
    cheap = option_count(page, "loyer", "< 300 €")
    after(page, lambda: page.check("input[name=loyer][value='< 300 €']"))
    assert result_count(page) == cheap == 1
    assert titles(page) == ["Petite boulangerie au Mans"]


@pytest.mark.parametrize(("sort", "expected"), [
    ("date", ["Boulangerie à reprendre à Nantes", "Boulangerie à La Roche-sur-Yon",
              "Boulanger cherche un fournil en Vendée", "Petite boulangerie au Mans"]),
    # Largest first; the project sorts by its minimum surface, Nantes has none and comes last.
    ("surface", ["Boulangerie à La Roche-sur-Yon", "Boulanger cherche un fournil en Vendée",
                 "Petite boulangerie au Mans", "Boulangerie à reprendre à Nantes"]),
    # Cheapest first; listings without a rent come last.
    ("loyer", ["Petite boulangerie au Mans", "Boulangerie à La Roche-sur-Yon"]),
])
def test_sort_orders_results(page, site, sort, expected):
    search(page, site, "q=boulangerie")
    after(page, lambda: page.select_option("#search-sort", sort))
    found = titles(page)
    assert len(found) == LIVE_BOULANGERIES
    assert found[:len(expected)] == expected


@pytest.mark.parametrize(("sort", "expected"), [
    # Ties (60 m²) newest first: the Vendée project (5 days) before Pornic (20 days).
    ("surface", ["Boulangerie à La Roche-sur-Yon", VANNES, "Boulanger cherche un fournil en Vendée",
                 "Pornic cherche sa fromagerie", "Petite boulangerie au Mans",
                 "Boulangerie à reprendre à Nantes"]),
    # No rent (Nantes, the project) comes last, newest first.
    ("loyer", ["Petite boulangerie au Mans", "Pornic cherche sa fromagerie", VANNES,
               "Boulangerie à La Roche-sur-Yon", "Boulangerie à reprendre à Nantes",
               "Boulanger cherche un fournil en Vendée"]),
])
def test_table_sort_of_every_listing_breaks_ties_by_date(page, site, sort, expected):
    search(page, site, f"tri={sort}")
    assert titles(page) == expected


def test_default_query_never_fetches_the_sort_table(page, site):
    requested = []
    page.on("request", lambda request: requested.append(urlsplit(request.url).path))
    search(page, site, "q=boulangerie")
    page.wait_for_load_state("networkidle")
    assert "/pagefind/pagefind.js" in requested  # the log does see the search's requests
    assert not [path for path in requested if path.endswith("/tris.json")]
    after(page, lambda: page.select_option("#search-sort", "surface"))
    after(page, lambda: page.select_option("#search-sort", "loyer"))
    assert [path for path in requested if path.endswith("/tris.json")] == ["/pagefind/tris.json"]


def test_table_sort_falls_back_to_date_without_the_table(page, site):
    page.route("**/tris.json", lambda route: route.abort())
    search(page, site, "q=boulangerie&tri=surface")
    assert titles(page) == ["Boulangerie à reprendre à Nantes", "Boulangerie à La Roche-sur-Yon",
                            "Boulanger cherche un fournil en Vendée", "Petite boulangerie au Mans"]


def test_url_keeps_the_state_and_back_works(page, site, browser):
    search(page, site)
    after(page, lambda: page.fill("#search-q", "boulangerie"))
    after(page, lambda: page.select_option("#search-sort", "surface"))
    unfiltered = titles(page)
    show_filters(page)
    page.click("summary:has-text('Département')")
    after(page, lambda: page.check(f"input[name=departement][value='{LOIRE_ATLANTIQUE}']"))
    params = parse_qs(urlsplit(page.url).query)
    assert params == {"q": ["boulangerie"], "tri": ["surface"], "departement": [LOIRE_ATLANTIQUE]}
    filtered = titles(page)
    assert filtered == ["Boulangerie à reprendre à Nantes"] != unfiltered

    # A shared URL restores the same state in a fresh browser context.
    other = browser.new_context().new_page()
    try:
        search(other, site, urlsplit(page.url).query)
        assert other.input_value("#search-q") == "boulangerie"
        assert other.input_value("#search-sort") == "surface"
        assert other.is_checked(f"input[name=departement][value='{LOIRE_ATLANTIQUE}']")
        assert titles(other) == filtered
    finally:
        other.context.close()

    # Back undoes the filter, then the sort.
    after(page, page.go_back)
    assert parse_qs(urlsplit(page.url).query) == {"q": ["boulangerie"], "tri": ["surface"]}
    assert titles(page) == unfiltered
    assert not page.is_checked(f"input[name=departement][value='{LOIRE_ATLANTIQUE}']")
    after(page, page.go_back)
    assert page.input_value("#search-sort") == "date"


def test_header_search_leads_to_results(page, site):
    page.goto(f"{site}/")
    page.fill("header input[name=q]", "fromagerie")
    page.press("header input[name=q]", "Enter")
    page.wait_for_function("document.getElementById('search-output')?.dataset.done")
    assert urlsplit(page.url).path == "/recherche/"
    assert titles(page) == ["Pornic cherche sa fromagerie"]


def test_keyboard_only_search_and_announcement(page, site):
    search(page, site)
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    page.focus("#search-q")
    page.keyboard.type("fromagerie")
    after(page, lambda: page.keyboard.press("Enter"))
    assert status.inner_text() == "1 annonce trouvée pour « fromagerie »."


def test_listing_text_is_never_markup(page, site):
    search(page, site, "q=Vannes")
    assert titles(page) == ['Épicerie <img src=x onerror="window.pwned=1"> à Vannes']
    assert page.locator("#search-results img, #search-results script").count() == 0
    assert page.evaluate("window.pwned") is None


def test_without_javascript_points_to_browse_pages(browser, site):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site}/recherche/?q=boulangerie")
        assert page.is_visible("text=La recherche a besoin de JavaScript")
        assert not page.is_visible("#search-form")
        links = page.locator("[data-search-nojs] a")
        hrefs = {links.nth(i).get_attribute("href") for i in range(links.count())}
        assert {"/territoires/", "/secteurs/"} <= hrefs
    finally:
        context.close()


def test_search_page_has_no_axe_violations(page, site):
    search(page, site, "q=boulangerie&departement=Vend%C3%A9e+%2885%29")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("axe.run(document).then(r => r.violations.map(v => v.id))")
    assert violations == []


def test_sample_site_search(page, sample_site):
    with serve(sample_site) as base:
        search(page, base, "q=boulanger")
        assert "Saint-Martin-des-Noyers recherche son boulanger" in titles(page)
        # Locronan is open but expired, Allanche pourvue, Corbigny withdrawn.
        for slug in ("locronan-boulangerie", "allanche-boucherie", "corbigny-local-librairie"):
            search(page, base, f"q={slug.split('-')[0]}")
            assert f"/opportunites/{slug}/" not in links(page), slug
        # The same kind of query does find a live listing.
        search(page, base, "q=Saint-Martin-des-Noyers")
        assert "/opportunites/saint-martin-des-noyers-boulangerie/" in links(page)
