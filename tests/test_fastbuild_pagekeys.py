"""Listing pages skipped by their key (fastbuild.pagekeys) still give the output of a full build.

Each step changes something another listing's page depends on (a matched listing's title, a new
match, a state change, the build date, the theme, a setting); after it the live output is rebuilt
incrementally and compared, file by file, with a clean full build of the same content.
`rebuild` also records which pages the live build rendered (test_fastbuild_listkeys uses it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastbuild_helpers import ROOT, comparable, generate
from test_fastbuild_incremental import TODAY, bakery, write_listing

from pasdeporte import build
from pasdeporte.fastbuild import writer

BAKERY = ("opportunites", "pornic-boulangerie")
BAKER = ("projets", "boulanger-loire-atlantique")


def baker(**changes) -> dict:
    """A project matching the bakery (same sector, aiming at its département)."""
    meta = {"Title": "Boulanger cherche une commune en Loire-Atlantique", "Date": "2026-11-21",
            "Kind": "projet", "Sector": "10.71C", "Reference": "fb-test-0002",
            "State": "ouverte", "Territories": "dep-44"}
    meta.update(changes)
    return meta


def page(output: Path, where: tuple[str, str]) -> str:
    return (output / where[0] / where[1] / "index.html").read_text("utf-8")


@pytest.fixture
def site(tmp_path):
    """A corpus with the bakery, a theme copy and a live output built once (warm keys)."""
    return make_site(tmp_path)


def make_site(tmp_path: Path) -> dict:
    """The state of the `site` fixture: content, settings, live output (built once)."""
    content = tmp_path / "content"
    generate(content, 30, seed=11, today=TODAY)
    write_listing(content, *BAKERY, bakery(), "Le fournil est équipé.")
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    # One renderer process: the spy on writer._render sees every rendered page.
    state = {"content": content, "tmp": tmp_path, "live": tmp_path / "live", "runs": 0,
             "settings": {"THEME": str(theme), "PASDEPORTE_TODAY": "2026-12-01",
                          "FASTBUILD_WORKERS": 1}}
    rebuild(state)
    return state


def rebuild(state: dict) -> dict:
    """Incremental build of the live output, then a clean build; both trees must be equal.

    `state["rendered"]` is left with the pages (paths under the output) the live build rendered.
    """
    settings = {**state["settings"], "FASTBUILD_CACHE_PATH": str(state["tmp"] / "live-cache")}
    rendered, render = [], writer._render

    def spy(jobs, *rest):
        rendered.extend(str(Path(job[2]).relative_to(state["live"]).parent) for job in jobs)
        return render(jobs, *rest)

    writer._render = spy
    try:
        figures = build.build_site(state["content"], state["live"], settings=settings)
    finally:
        writer._render = render
    state["rendered"] = set(rendered)
    state["runs"] += 1
    clean = state["tmp"] / f"clean-{state['runs']}"
    settings = {**state["settings"],
                "FASTBUILD_CACHE_PATH": str(state["tmp"] / f"clean-cache-{state['runs']}")}
    build.build_site(state["content"], clean, incremental=False, settings=settings)
    live_site, live_search = comparable(state["live"])
    clean_site, clean_search = comparable(clean)
    assert sorted(live_site) == sorted(clean_site)
    different = [name for name in clean_site if live_site[name] != clean_site[name]]
    assert different == [], different[:5]
    assert live_search == clean_search
    state["clean"] = clean
    return figures


def test_matches_follow_their_listings(site):
    """A new match, a matched listing's new title and state reach the other listing's page."""
    figures = rebuild(site)  # nothing changed: every listing page is skipped
    assert figures.get("site") == "inchangé" or figures["skipped"] > 0
    write_listing(site["content"], *BAKER, baker(), "Quinze ans de fournil.")
    figures = rebuild(site)
    assert figures["skipped"] > 20  # the untouched listings were not rendered again
    assert "Boulanger cherche une commune" in page(site["live"], BAKERY)

    write_listing(site["content"], *BAKER, baker(Title="Boulangère venue de Nantes"), "Idem.")
    rebuild(site)
    assert "Boulangère venue de Nantes" in page(site["live"], BAKERY)

    # Metadata only (same body): the listing's own page and its card elsewhere change.
    write_listing(site["content"], *BAKERY, bakery(Title="Pornic attend son mitron"),
                  "Le fournil est équipé.")
    rebuild(site)
    assert "Pornic attend son mitron" in page(site["live"], BAKER)
    assert "<h1>Pornic attend son mitron</h1>" in page(site["live"], BAKERY)

    write_listing(site["content"], *BAKER, baker(Title="Boulangère venue de Nantes",
                                                 State="pourvue"), "Idem.")
    rebuild(site)
    assert "Boulangère venue de Nantes" not in page(site["live"], BAKERY)


def test_expiry_theme_and_settings_reach_every_page(site):
    """The build date, a template edit and a setting change re-render skipped pages."""
    write_listing(site["content"], *BAKER, baker(), "Quinze ans de fournil.")
    rebuild(site)
    site["settings"]["PASDEPORTE_TODAY"] = "2027-01-16"  # the bakery expires on 2027-01-15
    rebuild(site)
    assert "Annonce expirée" in page(site["live"], BAKERY)
    assert "Pornic recherche son boulanger" not in page(site["live"], BAKER)

    template = Path(site["settings"]["THEME"]) / "templates" / "article.html"
    template.write_text(template.read_text("utf-8").replace(
        '<h2 id="contact">Contact</h2>', '<h2 id="contact">Nous écrire</h2>'), "utf-8")
    figures = rebuild(site)
    assert figures["skipped"] == 0
    assert "Nous écrire" in page(site["live"], BAKERY)

    site["settings"]["SITENAME"] = "Pas-de-porte essai"
    figures = rebuild(site)
    assert figures["skipped"] == 0
    assert "Pas-de-porte essai" in page(site["live"], BAKER)


def test_match_count_beyond_the_shown_matches(site):
    """A match ranked below the ten shown still changes the count printed on the page."""
    for number in range(11):
        write_listing(site["content"], "projets", f"boulanger-{number}",
                      baker(Reference=f"fb-test-1{number:03d}", Date="2026-11-25"), "Fournil.")
    rebuild(site)
    assert "Et 1 autres" in page(site["live"], BAKERY)
    write_listing(site["content"], "projets", "boulanger-ancien",
                  baker(Reference="fb-test-2000", Date="2025-01-02"), "Fournil.")
    figures = rebuild(site)
    assert figures["skipped"] > 20
    assert "Et 2 autres" in page(site["live"], BAKERY)
    assert "boulanger-ancien" not in page(site["live"], BAKERY)  # not among the ten shown


def test_touched_output_files_are_rendered_again(site):
    """A deleted or hand-edited listing page is rendered again even though its key is the same."""
    write_listing(site["content"], *BAKER, baker(), "Quinze ans de fournil.")
    rebuild(site)
    (site["live"] / BAKER[0] / BAKER[1] / "index.html").unlink()
    target = site["live"] / BAKERY[0] / BAKERY[1] / "index.html"
    target.write_text(target.read_text("utf-8").replace("Contact", "Contakt"), "utf-8")
    # An unrelated listing, so that Pelican runs and the two pages keep their keys.
    write_listing(site["content"], "opportunites", "bordeaux-restaurant",
                  bakery(Reference="fb-test-3000", Sector="56.10A", Commune="33063",
                         Title="Bordeaux cherche un restaurateur"), "Belle salle.")
    figures = rebuild(site)
    assert figures["skipped"] > 20


def test_keys_made_by_parallel_renderers_match_those_made_in_one_process(tmp_path):
    """A full build on two renderers (listing digests made before they fork, pages keyed by
    each) leaves the same keys as on one: the next build renders the same few pages."""
    content = tmp_path / "content"
    generate(content, 80, seed=5, today=TODAY)
    write_listing(content, *BAKERY, bakery(), "Le fournil est équipé.")
    base = {"THEME": str(ROOT / "theme"), "PASDEPORTE_TODAY": "2026-12-01"}
    outputs = {}
    for workers in (1, 2):
        out, cache = tmp_path / f"out-{workers}", str(tmp_path / f"cache-{workers}")
        figures = build.build_site(content, out, incremental=False, settings={
            **base, "FASTBUILD_WORKERS": workers, "FASTBUILD_CACHE_PATH": cache})
        assert figures["pages"] > 128  # enough pages for two renderers
        outputs[workers] = (out, cache)
    write_listing(content, *BAKERY, bakery(Title="Pornic cherche toujours son boulanger"),
                  "Le fournil est équipé.")
    rendered = {}
    for workers, (out, cache) in outputs.items():
        seen, render = [], writer._render

        def spy(jobs, *rest, seen=seen, render=render):
            seen.extend(job[2] for job in jobs)
            return render(jobs, *rest)

        writer._render = spy
        try:
            figures = build.build_site(content, out, settings={
                **base, "FASTBUILD_WORKERS": 1, "FASTBUILD_CACHE_PATH": cache})
        finally:
            writer._render = render
        rendered[workers] = {str(Path(path).relative_to(out)) for path in seen}
        assert figures["skipped"] > 100
    assert f"{BAKERY[0]}/{BAKERY[1]}/index.html" in rendered[1]
    assert rendered[2] == rendered[1]
