"""The built sample site in headless Chromium: screenshots, axe-core, no JS, no third party."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import ROOT, resolve

from pasdeporte.static_server import serve

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LISTING = "/opportunites/pornic-boulangerie-sainte-marie-sur-mer/"


@pytest.fixture(scope="module")
def base_url(sample_site):
    """The sample site served over HTTP on 127.0.0.1."""
    with serve(sample_site) as url:
        yield url


@pytest.fixture(scope="module")
def listing(sample_site) -> str:
    """A sample opportunity page: Pornic's bakery if present, else the first one."""
    if (sample_site / LISTING.strip("/") / "index.html").is_file():
        return LISTING
    first = sorted((sample_site / "opportunites").glob("*/index.html"))[0]
    return f"/opportunites/{first.parent.name}/"


def visit(browser, url: str, width: int, **options):
    """Open a page at a viewport width; return (page, context, requested URLs)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(url, wait_until="load")
    return page, context, requested


@pytest.mark.parametrize("width", [375, 1280])
def test_screenshots_and_layout(browser, base_url, listing, width, tmp_path):
    for name, path in (("accueil", "/"), ("annonce", listing)):
        page, context, requested = visit(browser, base_url + path, width)
        shot = tmp_path / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        # Nothing wider than the screen, and nothing fetched from another host.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert all(url.startswith(base_url) or url.startswith("data:") for url in requested)
        assert page.locator("h1").first.is_visible()
        context.close()


def test_narrowest_screen(browser, base_url, listing):
    page, context, _ = visit(browser, base_url + listing, 320)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def territory_and_sector(sample_site: Path, listing: str) -> tuple[str, str]:
    raw = (sample_site / listing.strip("/") / "index.html").read_text(encoding="utf-8")
    commune = raw.split('href="/territoires/commune/', 1)[1].split('"', 1)[0]
    sector = raw.split('href="/secteurs/', 1)[1].split('"', 1)[0]
    return f"/territoires/commune/{commune}", f"/secteurs/{sector}"


@pytest.mark.parametrize("which", ["home", "listing", "territory", "sector", "map", "list"])
def test_axe_no_serious_violation(browser, base_url, sample_site, listing, which):
    territory, sector = territory_and_sector(sample_site, listing)
    # The second page of the opportunities: a paginated list with its navigation.
    second = "/opportunites/page/2/"
    assert which != "list" or resolve(sample_site, second), "the sample fits on one page"
    path = {"home": "/", "listing": listing, "territory": territory, "sector": sector,
            "map": "/carte/", "list": second}[which]
    page, context, _ = visit(browser, base_url + path, 1280)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    context.close()
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], bad
    assert result["passes"], "axe-core did not run any check"


def test_works_without_javascript(browser, base_url, listing):
    page, context, _ = visit(browser, base_url + listing, 375, java_script_enabled=False)
    assert page.locator("h1").first.is_visible()
    assert page.locator("form[role=search] input[name=q]").is_visible()
    assert page.get_by_role("heading", name="Contact").is_visible()
    context.close()


def test_skip_link_is_first_and_visible_on_focus(browser, base_url):
    page, context, _ = visit(browser, base_url + "/", 1280)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Aller au contenu"
    box = page.locator("a.skip").bounding_box()
    assert box and box["x"] >= 0
    context.close()
