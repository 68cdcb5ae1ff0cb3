"""Territory, communes, sector and list pages skipped by their key still match a full build.

Each step changes what these pages read (fastbuild.listkeys): a new listing in a commune, a
title shown on cards, a state change (open counts, rankings of places), projects aiming at a
larger territory (the "around" lists), a sector change, a deletion. After each, the live output
is rebuilt incrementally and compared file by file with a clean full build (`rebuild`), and a
spy on the renderer shows that unrelated territory pages were not rendered again. Keys with a
part deliberately left out make that comparison fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_fastbuild_incremental import bakery, write_listing
from test_fastbuild_pagekeys import BAKER, BAKERY, baker, make_site, rebuild

from pasdeporte import refdata
from pasdeporte.fastbuild import listkeys, pagekeys, writer
from pasdeporte.site import urls
from pasdeporte.site.territory import CHILDREN_SHOWN

# Folders of territory and sector pages in the output.
PORNIC, BREVIN, ROCHE, STRASBOURG = (urls.commune_url(c).rstrip("/")
                                     for c in ("44131", "44154", "85191", "67482"))
LOIRE_ATLANTIQUE = urls.departement_url("44").rstrip("/")
PAYS_DE_LA_LOIRE = urls.region_url("52").rstrip("/")
GROCERIES, CAFES = (urls.sector_url(d).rstrip("/") for d in ("47", "56"))


def shop(reference: str, commune: str, **changes) -> dict:
    """An opportunity (a grocery by default) in `commune`."""
    meta = {"Reference": reference, "Commune": commune, "Sector": "47.11B",
            "Expires": "2027-06-30", "Title": f"Épicerie à reprendre ({commune})"}
    return bakery(**{**meta, **changes})


def html(output: Path, url: str) -> str:
    return (output / url / "index.html").read_text("utf-8")


def around(output: Path, url: str) -> str:
    """The "wider" projects section of a territory page."""
    text = html(output, url)
    return text.split("Ils cherchent aussi plus largement", 1)[1].split("</section>", 1)[0]


@pytest.fixture
def site(tmp_path):
    """The site of test_fastbuild_pagekeys: generated listings and the bakery, built once."""
    return make_site(tmp_path)


@pytest.fixture
def territories(site):
    """The site plus a project on Loire-Atlantique, a shop in La Roche-sur-Yon (Vendée) and
    one in Strasbourg that no later step touches."""
    write_listing(site["content"], *BAKER, baker(), "Quinze ans de fournil.")
    write_listing(site["content"], "opportunites", "la-roche-epicerie",
                  shop("fb-test-4000", "85191"), "Sur la place Napoléon.")
    write_listing(site["content"], "opportunites", "strasbourg-librairie",
                  shop("fb-test-4001", "67482", Sector="47.61Z", Title="Librairie à Strasbourg"),
                  "Rayonnages en chêne.")
    rebuild(site)
    return site


def test_territory_sector_and_list_pages_follow_their_listings(territories):
    """Each change re-renders the pages showing it, and only a few pages besides listings."""
    site, live = territories, territories["live"]
    rebuild(site)  # nothing changed
    assert site["rendered"] == set()

    # A new listing in a commune: its commune, EPCI, département, région, sector, list pages.
    write_listing(site["content"], "opportunites", "saint-brevin-epicerie",
                  shop("fb-test-4002", "44154"), "Face à l'océan.")
    figures = rebuild(site)
    assert {BREVIN, LOIRE_ATLANTIQUE, PAYS_DE_LA_LOIRE, "opportunites", GROCERIES,
            } <= site["rendered"]
    assert STRASBOURG not in site["rendered"] and ROCHE not in site["rendered"]
    listing_pages = sum(1 for _ in site["content"].rglob("*.md"))
    assert figures["skipped"] > listing_pages  # territory pages were skipped too
    assert "Épicerie à reprendre (44154)" in html(live, LOIRE_ATLANTIQUE)
    assert "Boulanger cherche une commune" in around(live, BREVIN)

    # A title change shown on cards (commune, département, sector and list pages).
    write_listing(site["content"], *BAKERY, bakery(Title="Pornic attend son mitron"),
                  "Le fournil est équipé.")
    rebuild(site)
    assert {PORNIC, LOIRE_ATLANTIQUE, "opportunites"} <= site["rendered"]
    assert STRASBOURG not in site["rendered"]
    assert "Pornic attend son mitron" in html(live, PORNIC)

    # A state change: open counts of the parents (and of Pornic in their lists of places).
    write_listing(site["content"], *BAKERY, bakery(Title="Pornic attend son mitron",
                                                   State="pourvue"), "Le fournil est équipé.")
    rebuild(site)
    assert {PORNIC, LOIRE_ATLANTIQUE, PAYS_DE_LA_LOIRE} <= site["rendered"]
    assert STRASBOURG not in site["rendered"]

    # A project leaving the "around" lists of every commune of Loire-Atlantique.
    write_listing(site["content"], *BAKER, baker(State="pourvue"), "Quinze ans de fournil.")
    rebuild(site)
    assert BREVIN in site["rendered"] and STRASBOURG not in site["rendered"]
    assert "Ils cherchent aussi plus largement" not in html(live, BREVIN)

    # A project aiming at Vendée: shown around La Roche-sur-Yon.
    write_listing(site["content"], "projets", "epicier-vendee",
                  baker(Title="Épicier cherche un bourg en Vendée", Sector="47.11B",
                        Reference="fb-test-4003", Territories="dep-85"), "Vingt ans de métier.")
    rebuild(site)
    assert ROCHE in site["rendered"] and STRASBOURG not in site["rendered"]
    assert "Épicier cherche un bourg en Vendée" in around(live, ROCHE)

    # A sector change: both sector pages, and every card of the listing.
    write_listing(site["content"], "opportunites", "saint-brevin-epicerie",
                  shop("fb-test-4002", "44154", Sector="56.30Z"), "Face à l'océan.")
    rebuild(site)
    assert {BREVIN, GROCERIES, CAFES} <= site["rendered"]
    assert STRASBOURG not in site["rendered"]

    # A deletion: the commune page goes, the département and région pages change.
    (site["content"] / "opportunites" / "saint-brevin-epicerie.md").unlink()
    rebuild(site)
    assert not (live / BREVIN).exists()
    assert {LOIRE_ATLANTIQUE, PAYS_DE_LA_LOIRE} <= site["rendered"]
    assert STRASBOURG not in site["rendered"]


# Enough places for the Vendée page to show only the most active ones (and link to all).
PLACES = CHILDREN_SHOWN + 2


def test_list_of_places_and_most_active_places(site):
    """A département with more places than its page shows: the full list and the ranking."""
    vendee = sorted(c.code for c in refdata.communes().values() if c.departement == "85")
    for number, code in enumerate(vendee[:PLACES]):
        write_listing(site["content"], "opportunites", f"vendee-{code}",
                      shop(f"fb-test-5{number:03d}", code), "Local en centre-bourg.")
    rebuild(site)
    places = urls.departement_url("85") + "communes"
    assert (site["live"] / places / "index.html").exists()
    busiest = vendee[PLACES - 1]
    for number in range(2):  # two more in one commune: it ranks first, its count shows
        write_listing(site["content"], "opportunites", f"vendee-{busiest}-{number}",
                      shop(f"fb-test-6{number:03d}", busiest), "Second local.")
    rebuild(site)
    assert {places, urls.departement_url("85").rstrip("/")} <= site["rendered"]
    assert STRASBOURG not in site["rendered"] and PORNIC not in site["rendered"]
    assert "<span class=\"count\">(3)</span>" in html(site["live"], places)
    write_listing(site["content"], "opportunites", f"vendee-{busiest}-0",
                  shop("fb-test-6000", busiest, State="retiree"), "Second local.")
    rebuild(site)
    assert places in site["rendered"]
    assert "<span class=\"count\">(2)</span>" in html(site["live"], places)


def _without_around(original):
    def facts(self, t):
        saved, t.around = t.around, []
        try:
            return original(self, t)
        finally:
            t.around = saved
    return facts


def _title_blind(_original):
    def card(self, view):
        return view.url.encode().ljust(32)[:32]
    return card


@pytest.mark.parametrize(("owner", "name", "breaker", "change", "shown"), [
    (listkeys.Fingerprints, "facts", _without_around,
     lambda content: write_listing(content, "projets", "epicier-vendee",
                                   baker(Title="Épicier en Vendée", Reference="fb-test-4003",
                                         Territories="dep-85"), "Vingt ans."),
     "Épicier en Vendée"),
    (pagekeys.PageKeys, "_card", _title_blind,
     lambda content: write_listing(content, "opportunites", "la-roche-epicerie",
                                   shop("fb-test-4000", "85191", Title="Épicerie de la place"),
                                   "Sur la place Napoléon."),
     "Épicerie de la place"),
], ids=["around", "card"])
def test_a_key_missing_a_part_gives_a_stale_page(territories, monkeypatch, owner, name, breaker,
                                                 change, shown):
    """With one part left out of the key, the comparison with a full build fails: every part
    of the key is needed, and the comparison can tell."""
    monkeypatch.setattr(owner, name, breaker(getattr(owner, name)))
    # An unrelated listing, so that Pelican runs and stores keys of the broken kind.
    write_listing(territories["content"], "opportunites", "bordeaux-restaurant",
                  shop("fb-test-3000", "33063", Sector="56.10A"), "Belle salle.")
    rebuild(territories)
    change(territories["content"])
    with pytest.raises(AssertionError):
        rebuild(territories)
    clean = territories["tmp"] / f"clean-{territories['runs']}"
    assert shown in html(clean, ROCHE)
    assert shown not in html(territories["live"], ROCHE)  # skipped: stale


def test_feeds_follow_their_listings(territories, monkeypatch):
    """A body edit reaches the feeds that show the listing; other feeds are not made again."""
    site, live = territories, territories["live"]
    made = []
    real = writer._render

    def spy(jobs, *rest):
        made.extend(Path(job[2]).relative_to(live).as_posix() for job in jobs
                    if Path(job[2]).is_relative_to(live))
        return real(jobs, *rest)

    monkeypatch.setattr(writer, "_render", spy)  # rebuild() adds its own spy around this one
    write_listing(site["content"], *BAKERY, bakery(), "Un fournil neuf, four à sole de 2024.")
    rebuild(site)  # the live feeds equal those of a clean build
    assert "four à sole" in (live / "flux" / "departement" / "44.atom.xml").read_text("utf-8")
    assert {"flux/departement/44.atom.xml", "flux/region/52.atom.xml"} <= set(made)
    assert "flux/departement/67.atom.xml" not in made
    # Cards show no body: the pages listing the bakery's card are not made again.
    assert PORNIC not in site["rendered"] and LOIRE_ATLANTIQUE not in site["rendered"]
    assert (live / "flux" / "departement" / "67.atom.xml").is_file()
