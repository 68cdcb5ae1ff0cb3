"""The built site: derived facts, matches, territory and sector pages, feeds, open data, map."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
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

from pasdeporte import metadata, refdata, validate
from pasdeporte.site import opendata, urls
from pasdeporte.site.listing import typed_values
from pasdeporte.site.preview import render_preview

ATOM = "{http://www.w3.org/2005/Atom}"
BUDGET = 30 * 1024
HOSTILE = 'Boulangerie <script>alert("x")</script> & « fils »'
LISTINGS = [
    opportunity("pornic", Title=HOSTILE, Surface="85", Rent="450", Price="60000",
                Images="images/op-pornic/facade.png",
                Aids="Six mois de loyer offerts; Prêt d'honneur", Expires="2027-06-30",
                _body="Le fournil est **équipé**.\n\n<script>alert(1)</script>\n\n"
                      "[lien](javascript:alert(1))"),
    opportunity("felletin", Commune="23079", Sector="45.20A", Kind="reprise",
                Expires="2026-11-30", Title="Garage expiré à Felletin"),
    opportunity("roche", Commune="85191", State="pourvue", Title="Boulangerie pourvue"),
    opportunity("martin", Commune="85246", Sector="47.11B", Title="Épicerie de Saint-Martin"),
    project("dep", Territories="dep-44, dep-85", Title="Boulanger en Loire-Atlantique",
            Date="2026-09-01"),
    project("epci", Sector="10.71D", Territories="200067346", Title="Pâtissière au pays de Retz"),
    project("retire", Territories="44131", State="retiree", Title="Projet retiré"),
    project("region", Sector="47.11B", Territories="reg-52", Title="Épicier en Pays de la Loire"),
    project("ailleurs", Territories="reg-75", Title="Boulanger en Nouvelle-Aquitaine"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A small content folder built with the build date fixed at 2026-12-01."""
    folder = tmp_path_factory.mktemp("fixture")
    content = write_content(folder / "content", [(s, g, dict(m)) for s, g, m in LISTINGS])
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    (content / "images/op-pornic").mkdir(parents=True)
    Image.new("RGB", (40, 30), "#0b5a4a").save(content / "images/op-pornic/facade.png")
    return dated_build(content, folder / "output")


def read(site: Path, url: str) -> str:
    return (site / url.lstrip("/") / "index.html").read_text(encoding="utf-8")


def text(page: str) -> str:
    """Visible-ish text of a page: tags dropped, entities decoded, spaces folded."""
    # Fold ASCII whitespace only: the narrow no-break space is a French thousands separator.
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def hrefs_in(page: str, section_id: str) -> list[str]:
    """Listing links inside the <section> whose heading has this id."""
    start = page.index(f'id="{section_id}"')
    chunk = page[start:page.index("</section>", start)]
    return re.findall(r'class="card-title"><a href="([^"]+)"', chunk)


def test_opportunity_page_derived_facts(site):
    page = text(read(site, "opportunites/pornic"))
    for fact in ("Pornic (44210)", "18\u202f745 habitants", "Loire-Atlantique (44)",
                 "Communauté d'agglomération Pornic Agglo Pays de Retz", "Pays de la Loire",
                 "Boulangerie et boulangerie-pâtisserie", "85 m²", "450 € HT / mois",
                 "60\u202f000 €", "Six mois de loyer offerts", "Prêt d'honneur",
                 "mairie@example.fr", "Ouverte", "30 juin 2027"):
        assert fact in page, fact


def test_photos_and_sharing(site):
    raw = read(site, "opportunites/pornic")
    assert ('<img src="/images/op-pornic/facade.png" '
            'alt="Photo 1 de l\'annonce « Boulangerie &lt;script&gt;') in raw
    assert '<meta property="og:image" content="/images/op-pornic/facade.png">' in raw
    assert (site / "images/op-pornic/facade.png").is_file()


def test_user_values_are_escaped(site):
    raw = read(site, "opportunites/pornic")
    assert "<script>alert" not in raw
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in raw  # the title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw  # the body's raw HTML, shown as text
    assert "javascript:" not in raw
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S).group(1)
    data = json.loads(ld)
    assert data["name"] == HOSTILE and data["@type"] == "Offer"
    assert data["availableAtOrFrom"]["address"]["addressLocality"] == "Pornic"


def test_matches_best_first_with_reason(site):
    raw = read(site, "opportunites/pornic")
    assert hrefs_in(raw, "correspondances") == ["/projets/dep/", "/projets/epci/"]
    page = text(raw)
    assert "Même activité (10.71C), cherche dans votre département" in page
    assert "Activité voisine (classe 10.71), cherche dans votre intercommunalité" in page
    back = read(site, "projets/dep")
    assert hrefs_in(back, "correspondances") == ["/opportunites/pornic/"]
    assert "Même activité (10.71C), dans votre département cible" in text(back)
    assert hrefs_in(read(site, "projets/region"), "correspondances") == ["/opportunites/martin/"]
    assert hrefs_in(read(site, "projets/retire"), "correspondances") == []
    assert hrefs_in(read(site, "projets/ailleurs"), "correspondances") == []


def test_expired_and_closed_listings(site):
    page = text(read(site, "opportunites/felletin"))
    assert "Annonce expirée depuis le 30 novembre 2026" in page
    assert "Expirée" in page
    assert "data-pagefind-body" not in read(site, "opportunites/felletin")
    assert "Annonce pourvue" in text(read(site, "opportunites/roche"))


@pytest.mark.parametrize(("url", "present", "absent"), [
    ("territoires/commune/44131-pornic", ["/opportunites/pornic/", "/projets/dep/",
                                         "/projets/epci/", "/projets/retire/"],
     ["/projets/ailleurs/", "/opportunites/roche/"]),
    ("territoires/epci/200067346-ca-pornic-agglo-pays-de-retz",
     ["/opportunites/pornic/", "/projets/epci/", "/projets/dep/"], ["/opportunites/martin/"]),
    ("territoires/departement/44-loire-atlantique", ["/opportunites/pornic/", "/projets/dep/",
                                                     "/projets/region/"], ["/opportunites/roche/"]),
    ("territoires/departement/85-vendee", ["/opportunites/roche/", "/opportunites/martin/",
                                           "/projets/dep/"], ["/opportunites/pornic/"]),
    ("territoires/region/52-pays-de-la-loire", ["/opportunites/pornic/", "/opportunites/martin/",
                                                "/projets/region/"], ["/opportunites/felletin/"]),
    ("territoires/region/75-nouvelle-aquitaine", ["/opportunites/felletin/", "/projets/ailleurs/"],
     ["/opportunites/pornic/"]),
])
def test_territory_pages(site, url, present, absent):
    raw = read(site, url)
    for href in present:
        assert f'href="{href}"' in raw, href
    for href in absent:
        assert f'href="{href}"' not in raw, href


def test_commune_page_facts(site):
    page = text(read(site, "territoires/commune/44131-pornic"))
    for fact in ("44131", "44210", "18\u202f745 habitants", "Loire-Atlantique",
                 "Pays de la Loire", "Communauté d'agglomération Pornic Agglo Pays de Retz"):
        assert fact in page
    # Every département and région has a page, with or without listings.
    assert len(list((site / "territoires/departement").iterdir())) == 101
    assert len(list((site / "territoires/region").iterdir())) == 18


def test_sector_page(site):
    page = text(read(site, "secteurs/10-industries-alimentaires"))
    assert "Boulangerie et boulangerie-pâtisserie 10.71C" in page
    assert "Pâtisserie 10.71D" in page
    assert (site / "flux/secteur/10.atom.xml").is_file()
    assert "Garage" not in page


def feed_entries(site: Path, name: str) -> list[str]:
    root = ET.parse(site / "flux" / name).getroot()
    return [e.find(f"{ATOM}title").text for e in root.iter(f"{ATOM}entry")]


def test_feeds_are_valid_atom(site):
    files = sorted((site / "flux").rglob("*.atom.xml"))
    assert len(files) > 120
    for path in files:
        root = ET.parse(path).getroot()
        assert root.tag == f"{ATOM}feed"
        for tag in ("id", "title", "updated", "author"):
            assert root.find(f"{ATOM}{tag}") is not None, (path, tag)
        assert root.find(f"{ATOM}link[@rel='self']") is not None
        for entry in root.iter(f"{ATOM}entry"):
            for tag in ("id", "title", "updated", "link", "summary"):
                assert entry.find(f"{ATOM}{tag}") is not None, (path, tag)
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                                entry.find(f"{ATOM}updated").text)
    assert sorted(feed_entries(site, "opportunites.atom.xml")) == sorted(
        [HOSTILE, "Épicerie de Saint-Martin"])
    assert feed_entries(site, "departement/44.atom.xml") == [HOSTILE]
    assert feed_entries(site, "region/75.atom.xml") == []
    assert feed_entries(site, "secteur/47.atom.xml") == ["Épicerie de Saint-Martin"]


def test_open_data_matches_active_listings(site):
    document = json.loads((site / "donnees/annonces.json").read_text(encoding="utf-8"))
    assert "Licence Ouverte" in document["licence"]
    assert [c["name"] for c in document["columns"]] == [n for n, _ in opendata.COLUMNS]
    expected = {"op-pornic", "op-martin", "pr-dep", "pr-epci", "pr-region", "pr-ailleurs"}
    assert {row["reference"] for row in document["annonces"]} == expected
    pornic = next(r for r in document["annonces"] if r["reference"] == "op-pornic")
    assert pornic["departement_name"] == "Loire-Atlantique"
    assert pornic["epci_siren"] == "200067346" and pornic["population"] == 18745
    assert pornic["surface_m2"] == 85 and pornic["url"] == "/opportunites/pornic/"
    rows = list(csv.DictReader(io.StringIO((site / "donnees/annonces.csv").read_text("utf-8"))))
    assert {r["reference"] for r in rows} == expected
    region = next(r for r in rows if r["reference"] == "pr-region")
    assert region["territories"] == "reg-52" and region["territories_names"] == "Pays de la Loire"


def test_map_links_every_departement(site):
    raw = read(site, "carte")
    svg = raw[raw.index("<svg"):raw.index("</svg>")]
    links = re.findall(r'<a href="([^"]+)"', svg)
    assert len(links) == 101
    assert all(resolve(site, href) for href in links)
    assert 'aria-label="Loire-Atlantique (44) : 1 opportunité ouverte"' in svg
    assert 'aria-label="Vendée (85) : 1 opportunité ouverte"' in svg


def all_pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if "pagefind" not in p.parts]


def test_every_internal_link_resolves_and_no_external_asset(site):
    for path in all_pages(site):
        for tag, attrs in tags(path.read_text(encoding="utf-8")):
            for name in ("href", "src"):
                url = attrs.get(name) or ""
                is_asset = tag in ("link", "script", "img", "source", "iframe") and name in attrs
                if is_asset:
                    assert not re.match(r"^(https?:)?//", url), (path, url)
                if url.startswith("/") and not url.startswith(APP_ROUTES):
                    assert resolve(site, url), (path, url)


def test_listing_pages_within_budget(site):
    pages = list((site / "opportunites").glob("*/index.html")) + list(
        (site / "projets").glob("*/index.html"))
    assert len(pages) == len(LISTINGS)
    for page in pages:
        assert page_weight(site, page) <= BUDGET, page


def test_sitemap_and_canonical(site):
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "/opportunites/pornic/" in locs and "/territoires/commune/44131-pornic/" in locs
    assert all(resolve(site, loc) for loc in locs)
    raw = read(site, "opportunites/pornic")
    assert '<link rel="canonical" href="/opportunites/pornic/">' in raw
    assert '<meta property="og:type" content="article">' in raw


def test_preview_matches_built_page(site):
    section, slug, meta = LISTINGS[0]
    meta = {k: v for k, v in meta.items() if not k.startswith("_")}
    body = LISTINGS[0][2]["_body"]
    preview = render_preview(meta, body, today=date(2026, 12, 1))
    built = read(site, f"{section}/{slug}")

    def article(page: str) -> str:
        return page[page.index("<article"):page.index("</article>")]

    assert article(preview) == article(built)
    assert "Aperçu" in preview and '<meta name="robots" content="noindex">' in preview


def test_sample_site(sample_site):
    """Every sample listing has its page with facts derived from its codes."""
    content = Path(__file__).resolve().parent.parent / "content"
    files = validate.listing_files(content)
    for path in files:
        doc = metadata.loads(path.read_text(encoding="utf-8"))
        values = typed_values(doc.meta)
        page = sample_site / path.parent.name / path.stem / "index.html"
        assert page.is_file(), path
        raw = page.read_text(encoding="utf-8")
        assert page_weight(sample_site, page) <= BUDGET, page
        if "commune" in values:
            place = refdata.commune(values["commune"])
            for name in (place.name, refdata.departement(place.departement).name,
                         refdata.region(place.region).name):
                assert html.escape(name) in raw, (path, name)
            assert resolve(sample_site, "/" + urls.commune_url(place.code)), path
