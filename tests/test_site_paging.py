"""Long lists at scale: pagination of list, territory and sector pages; indexed placement."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from math import ceil
from pathlib import Path

import pytest
from site_helpers import (
    APP_ROUTES,
    ROOT,
    dated_build,
    opportunity,
    page_weight,
    project,
    resolve,
    tags,
    write_content,
)

from pasdeporte import matching, metadata, refdata, validate
from pasdeporte.site import catalog as catalog_module
from pasdeporte.site import paging, urls
from pasdeporte.site.catalog import Catalog
from pasdeporte.site.listing import make_view
from pasdeporte.site.territory import CHILDREN_SHOWN, as_target

BUDGET = 30 * 1024
TODAY = date(2026, 12, 1)
START = date(2026, 1, 1)
# 85 bakeries in Pornic (a few closed), 45 bakers looking in Loire-Atlantique.
OPPORTUNITIES = [opportunity(f"o{n:03d}", Date=(START + timedelta(days=n)).isoformat(),
                             State="pourvue" if n % 9 == 0 else "ouverte") for n in range(85)]
PROJECTS = [project(f"p{n:03d}", Date=(START + timedelta(days=n)).isoformat()) for n in range(45)]
# Grocery shops in 24 communes of Vendée: more sub-territories than a page shows.
VENDEE = sorted(c.code for c in refdata.communes().values() if c.departement == "85")[:24]
GROCERIES = [opportunity(f"v{n:03d}", Commune=code, Sector="47.11B", Date="2026-06-01")
             for n, code in enumerate(VENDEE)]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("paging")
    content = write_content(folder / "content", [(s, g, dict(m)) for s, g, m in
                                                 OPPORTUNITIES + PROJECTS + GROCERIES])
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    return dated_build(content, folder / "output")


def html(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def card_links(page: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="/(?:opportunites|projets)/([^/"]+)/"', page)


def sequence(site: Path, base: str) -> list[str]:
    """URLs of every page of a paginated list, following rel=next from the first."""
    urls, url = [], base
    while url:
        urls.append(url)
        found = re.search(r'<a rel="next" href="/([^"]+)"', html(site, url))
        url = found.group(1) if found else ""
    return urls


def expected_order(listings) -> list[str]:
    """Active first, then newest first, as the definition says."""
    def key(item):
        _, slug, meta = item
        active = meta["State"] in matching.ACTIVE_STATES
        return (not active, -date.fromisoformat(meta["Date"]).toordinal(), slug)

    return [slug for _, slug, _ in sorted(listings, key=key)]


@pytest.mark.parametrize(("base", "listings"), [
    ("opportunites/", OPPORTUNITIES + GROCERIES), ("projets/", PROJECTS)])
def test_list_pages_split_in_order(site, base, listings):
    pages = ceil(len(listings) / paging.PAGE_SIZE)
    assert pages > 1
    urls = sequence(site, base)
    assert urls == [base] + [f"{base}page/{n}/" for n in range(2, pages + 1)]
    shown = [slug for url in urls for slug in card_links(html(site, url))]
    assert shown == expected_order(listings)
    assert all(len(card_links(html(site, url))) <= paging.PAGE_SIZE for url in urls)
    assert not (site / base / "page" / "1").exists()
    assert not (site / base / "page" / str(pages + 1)).exists()


def test_pagination_is_accessible(site):
    page = html(site, "opportunites/page/2")
    nav = page[page.index('<nav class="pagination"'):]
    nav = nav[:nav.index("</nav>")]
    assert 'aria-label="Pages des opportunités"' in nav
    assert '<a rel="prev" href="/opportunites/">' in nav
    assert '<a rel="next" href="/opportunites/page/3/">' in nav
    assert 'aria-current="page" aria-label="Page 2, page actuelle">2</a>' in nav
    assert '<link rel="prev" href="/opportunites/">' in page
    assert '<link rel="next" href="/opportunites/page/3/">' in page
    assert '<link rel="canonical" href="/opportunites/page/2/">' in page
    last = ceil(len(OPPORTUNITIES + GROCERIES) / paging.PAGE_SIZE)
    assert f"Opportunités — page 2 sur {last}" in page
    first = html(site, "opportunites")
    assert 'rel="prev"' not in first and '<link rel="next" href="/opportunites/page/2/">' in first
    # The closed ones come last, under their own heading, on the last page only.
    assert "Annonces passées" in html(site, f"opportunites/page/{last}")
    assert "Annonces passées" not in first
    # A short list has no pagination at all.
    assert 'class="pagination"' not in html(site, urls.commune_url(VENDEE[0]))


def test_territory_pages_paginate_both_lists(site):
    base = "territoires/departement/44-loire-atlantique/"
    urls = sequence(site, base)
    assert len(urls) == ceil(len(OPPORTUNITIES) / paging.TERRITORY_SIZE)
    pages = [html(site, url) for url in urls]
    opportunities = [s for p in pages for s in card_links(p) if s.startswith("o")]
    projects = [s for p in pages for s in card_links(p) if s.startswith("p")]
    assert opportunities == expected_order(OPPORTUNITIES)
    assert projects == expected_order(PROJECTS)
    assert "Les 45 projets sont sur les pages précédentes." in pages[-1]
    assert "Intercommunalités et communes présentes" in pages[0]
    assert "Intercommunalités et communes présentes" not in pages[1]


def test_commune_page_shows_wider_projects_briefly(site):
    page = html(site, "territoires/commune/44131-pornic")
    assert "Ils cherchent aussi plus largement" in page
    around = page[page.index("Ils cherchent aussi plus largement"):]
    around = around[:around.index("</section>")]
    # The five newest projects aiming at the département, then a link to all of them.
    assert card_links(around) == expected_order(PROJECTS)[:catalog_module.AROUND]
    assert 'href="/territoires/departement/44-loire-atlantique/#projets"' in around


def test_sector_page_paginated(site):
    urls = sequence(site, "secteurs/10-industries-alimentaires/")
    assert len(urls) == ceil(len(OPPORTUNITIES + PROJECTS) / paging.PAGE_SIZE)
    shown = [s for url in urls for s in card_links(html(site, url))]
    assert sorted(shown) == sorted(g for _, g, _ in OPPORTUNITIES + PROJECTS)


def test_every_page_light_and_linked(site):
    pages = [p for p in site.rglob("*.html") if "pagefind" not in p.parts]
    for path in pages:
        # The map page carries the SVG of every département (docs/site.md): the one exception.
        assert path.parent.name == "carte" or page_weight(site, path) <= BUDGET, path
        for tag, attrs in tags(path.read_text(encoding="utf-8")):
            url = attrs.get("href") or ""
            if tag == "a" and url.startswith("/") and not url.startswith(APP_ROUTES):
                assert resolve(site, url), (path, url)
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = {e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert "/opportunites/page/3/" in locs
    assert "/secteurs/10-industries-alimentaires/page/2/" in locs
    assert "/territoires/departement/85-vendee/communes/" in locs


def test_many_sub_territories_get_their_own_list(site):
    page = html(site, "territoires/departement/85-vendee")
    section = page[page.index('id="sous-territoires"'):]
    section = section[:section.index("</section>")]
    assert section.count("<li>") == CHILDREN_SHOWN
    communes = html(site, "territoires/departement/85-vendee/communes")
    links = re.findall(r'<li><a href="/(territoires/(?:commune|epci)/[^"]+)"', communes)
    assert {urls.commune_url(code) for code in VENDEE} <= set(links)
    assert len(links) == len(set(links)) > 24  # the communes and their EPCIs
    assert f"Toutes les communes et intercommunalités présentes ({len(links)})" in section


@pytest.mark.parametrize(("number", "count", "shown"), [
    (1, 1, [1]), (1, 3, [1, 2, 3]), (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
    (10, 10, [1, None, 8, 9, 10]), (2, 9, [1, 2, 3, 4, None, 9])])
def test_page_links_window(number, count, shown):
    page = paging.Page("liste/", number, count, 40)
    assert [n for n, _ in page.links()] == shown
    assert page.url == ("liste/" if number == 1 else f"liste/page/{number}/")
    assert page.items(list(range(count * 40)))[0] == (number - 1) * 40


# --- Indexed placement agrees with the plain definition, on a generated corpus ---

RANK = {"region": 1, "departement": 2, "epci": 3, "commune": 4}


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Catalog:
    from fastbuild_helpers import generate

    content = tmp_path_factory.mktemp("corpus")
    generate(content, 400, seed=7, today=TODAY)
    # One Paris bakery that more bakers look for than a listing page shows.
    write_content(content, [opportunity("paris", Commune="75056"), *(
        project(f"idf{n}", Territories="reg-11", Date=f"2026-10-{n + 1:02d}") for n in range(14))])
    views = []
    for path in validate.listing_files(content):
        doc = metadata.loads(path.read_text(encoding="utf-8"))
        views.append(make_view(doc.meta, "", path.stem, TODAY))
    return Catalog(views, TODAY)


def inside(target: refdata.Territory, key: tuple[str, str]) -> bool:
    """Whether a targeted territory is the page's territory or lies within it."""
    if RANK[target.kind] < RANK[key[0]]:
        return False
    place = as_target(key)
    if target.kind == "commune":
        return refdata.commune_in_territory(target.code, place)
    if target.kind == "epci":
        return any(refdata.commune_in_territory(m, place)
                   for m in refdata.epci(target.code).communes)
    if target.kind == "departement":
        bare = target.code.split("-", 1)[1]
        return place in (target.code, f"reg-{refdata.departement(bare).region}")
    return place == target.code


def test_placement_equals_definition(catalog):
    assert len(catalog.territories) > 200
    for key, page in catalog.territories.items():
        place = as_target(key)
        assert page.opportunities == [v for v in catalog.opportunities
                                      if refdata.commune_in_territory(v.commune.code, place)]
        assert page.projects == [v for v in catalog.projects
                                 if any(inside(t, key) for t, _ in v.targets)]
        listed = {id(v) for v in page.projects}
        wider = [v for v in catalog.projects if v.active and id(v) not in listed
                 and any(RANK[t.kind] < RANK[key[0]] and _holds(t, key) for t, _ in v.targets)]
        assert page.around == wider[:catalog_module.AROUND], key


def _holds(target: refdata.Territory, key: tuple[str, str]) -> bool:
    """Whether a larger targeted territory holds (part of) the page's territory."""
    members = refdata.epci(key[1]).communes if key[0] == "epci" else [key[1]]
    return key[0] in ("commune", "epci") and any(
        refdata.commune_in_territory(m, target.code) for m in members) or (
        key[0] == "departement" and target.code == f"reg-{refdata.departement(key[1]).region}")


def test_catalog_matches_equal_definition(catalog):
    opportunities = [v.values for v in catalog.opportunities]
    projects = [v.values for v in catalog.projects]
    assert sum(len(v.matches) for v in catalog.views) > 20
    for view in catalog.views:
        found = (matching.matches_for_opportunity(view.values, projects, TODAY)
                 if view.is_opportunity
                 else matching.matches_for_project(view.values, opportunities, TODAY))
        shown = [(m.listing, m.reason) for m in found][:catalog_module.MATCHES_SHOWN]
        assert [(o.values, r) for o, r in view.matches] == shown
        assert view.match_count == len(found)
    assert max(v.match_count for v in catalog.views) > catalog_module.MATCHES_SHOWN
