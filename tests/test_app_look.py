"""The app's pages wear the public site's header, footer and stylesheet, under a strict CSP."""
# ruff: noqa: F811 (pytest fixtures imported from app_helpers are redefined as arguments)

from __future__ import annotations

import re

import pytest
from app_helpers import app, client, opportunity, repo  # noqa: F401

SITE_LINKS = ("/opportunites/", "/projets/", "/territoires/", "/secteurs/", "/carte/",
              "/comment-ca-marche/", "/mentions-legales/", "/donnees-personnelles/", "/donnees/",
              "/proposer/opportunite", "/proposer/projet", "/recherche/")
PAGES = {
    "/proposer": 200, "/proposer/opportunite": 200, "/proposer/projet": 200,
    "/proposer/donnees-personnelles": 200, "/suivi/zzzzzzzzzz": 404, "/nulle-part": 404,
}


@pytest.mark.parametrize(("path", "status"), PAGES.items())
def test_every_page_has_the_site_header_and_footer(client, path, status):
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheets == ["/theme/css/site.css", "/app-static/app.css"]  # site's first
    for link in SITE_LINKS:
        assert f'href="{link}"' in html or f'action="{link}"' in html, link
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert 'aria-label="Navigation principale"' in html and 'class="breadcrumb"' in html
    # CSP allows no inline code: no style attribute or element, no script without src.
    assert " style=" not in html and "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_current_form_is_marked_in_the_header(client):
    html = client.get("/proposer/projet").get_data(as_text=True)
    assert re.search(r'href="/proposer/projet" aria-current="page"', html)
    assert not re.search(r'href="/proposer/opportunite" aria-current', html)


def test_site_stylesheet_exists_in_the_theme():
    from app_helpers import ROOT

    assert (ROOT / "theme" / "static" / "css" / "site.css").stat().st_size > 1000


@pytest.mark.browser
def test_form_looks_like_the_site_in_chromium(browser, repo, tmp_path, sample_site):
    from test_app_browser import AXE, SHOTS

    from bench.app import serve_in_thread
    from submit_app import create_app
    from submit_app.serve import Dispatcher, site_app

    app = create_app({"SUBMIT_REPO": str(repo), "SUBMIT_DATA_DIR": str(tmp_path / "data")})
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve_in_thread(Dispatcher(app, site_app(sample_site)), threads=4) as (host, port):
        base, styles = f"http://{host}:{port}", []
        for path in ("/opportunites/", "/proposer/opportunite"):
            page = browser.new_page()
            problems = []
            page.on("console", lambda m, p=problems: p.append(m.text) if m.type == "error"
                    else None)
            page.goto(base + path)
            styles.append(page.evaluate(
                "(() => { const h = getComputedStyle(document.querySelector('.site-header'));"
                " const f = getComputedStyle(document.querySelector('.site-footer'));"
                " const b = getComputedStyle(document.querySelector('.brand-name'));"
                " return [h.borderBottomColor, f.backgroundColor, b.color,"
                " getComputedStyle(document.body).backgroundColor]; })()"))
            assert problems == [], path
            page.close()
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(base + "/proposer/opportunite")
        page.screenshot(path=str(SHOTS / "formulaire-mobile.png"))
        page.close()
        context = browser.new_context(bypass_csp=True)  # to inject axe-core only
        page = context.new_page()
        page.goto(base + "/proposer")
        page.screenshot(path=str(SHOTS / "proposer.png"))
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "axe.run(document).then(r => r.violations.filter(v => ['serious', 'critical']"
            ".includes(v.impact)).map(v => v.id))")
        context.close()
    assert styles[0] == styles[1]  # same green header rule, footer, brand and background
    assert styles[0][0] == "rgb(11, 90, 74)"
    assert violations == []
