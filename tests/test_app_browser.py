"""The form flow in headless Chromium: fill, error, fix, preview, submit, tracking page."""
# ruff: noqa: F811 (pytest fixtures imported from app_helpers are redefined as arguments)

from __future__ import annotations

import re

import pytest
from app_helpers import ROOT, branches, repo  # noqa: F401
from playwright.sync_api import expect

from bench.app import serve_in_thread
from submit_app.serve import Dispatcher, site_app

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "bench-out" / "screenshots"
pytestmark = pytest.mark.browser


@pytest.fixture
def server(repo, tmp_path, sample_site):
    from submit_app import create_app

    app = create_app({"SUBMIT_REPO": str(repo), "SUBMIT_DATA_DIR": str(tmp_path / "data")})
    with serve_in_thread(Dispatcher(app, site_app(sample_site)), threads=4) as (host, port):
        yield f"http://{host}:{port}"


def fill_required(page, commune: str) -> None:
    page.fill("#title", "Pornic recherche son boulanger")
    page.check("#kind-0")
    page.fill("#commune", commune)
    page.fill("#surface", "85,5")
    page.fill("#rent", "450")
    page.fill("#body", "La boulangerie du bourg cherche un **repreneur**.")
    page.fill("#contact_name", "Mairie de Pornic")
    page.fill("#contact_email", "mairie@example.fr")
    page.fill("#submitter_name", "Jeanne Martin")
    page.fill("#submitter_email", "jeanne@example.net")
    page.check("#consent")


def test_fill_error_fix_preview_submit_track(page, server, repo):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: problems.append(r.url) if not r.url.startswith(server)
            and not r.url.startswith(("data:", "about:")) else None)
    page.goto(f"{server}/proposer/opportunite")

    # Suggestions come from the JSON endpoint into the datalist.
    page.fill("#sector", "boulang")
    page.wait_for_selector("#naf-suggestions option", state="attached")
    options = page.eval_on_selector_all("#naf-suggestions option", "os => os.map(o => o.value)")
    assert "10.71C — Boulangerie et boulangerie-pâtisserie" in options
    page.fill("#sector", options[options.index(
        "10.71C — Boulangerie et boulangerie-pâtisserie")])

    # An ambiguous commune: error summary focused, field marked, input kept.
    fill_required(page, "Sainte-Marie")
    page.click("button[name=submit]")
    expect(page.locator("#erreurs")).to_be_focused()
    assert page.get_attribute("#commune", "aria-invalid") == "true"
    assert "commune-erreur" in page.get_attribute("#commune", "aria-describedby")
    assert page.input_value("#title") == "Pornic recherche son boulanger"
    assert page.input_value("#commune") == "Sainte-Marie"
    page.screenshot(path=str(SHOTS / "formulaire-erreur.png"), full_page=False)
    page.click("#erreurs a[href='#commune']")
    expect(page.locator("#commune")).to_be_focused()

    # Fix, then preview: nothing written yet.
    page.fill("#commune", "Pornic")
    page.check("#consent") if not page.is_checked("#consent") else None
    page.click("button[name=preview]")
    expect(page.locator("#apercu")).to_be_focused()
    preview_text = (page.frame_locator(".preview-frame").locator("body").inner_text()
                    if page.query_selector(".preview-frame") else page.inner_text("#apercu"))
    assert "Pornic" in preview_text and "repreneur" in preview_text
    page.screenshot(path=str(SHOTS / "formulaire-apercu.png"), full_page=False)
    assert branches(repo) == []

    # Submit from the keyboard: a mouse click right after Playwright's scroll can be routed to
    # the out-of-process preview frame that was under the pointer a moment before.
    page.focus("button[name=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/suivi/[0-9a-z]{10}$"))
    assert "Reçue" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "suivi.png"), full_page=True)
    assert len(branches(repo)) == 1
    assert problems == []


def test_form_has_no_serious_axe_violations(browser, server):
    context = browser.new_context(bypass_csp=True)  # to inject axe-core only
    page = context.new_page()
    page.goto(f"{server}/proposer/opportunite")
    page.click("button[name=submit]")  # empty form: every error shown
    page.wait_for_selector("#erreurs")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "axe.run(document).then(r => r.violations.filter(v => ['serious', 'critical']"
        ".includes(v.impact)).map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' ')))")
    context.close()
    assert violations == []


def test_form_works_without_javascript(browser, server, repo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/proposer/opportunite")
    page.fill("#sector", "boulangerie")
    fill_required(page, "44131")
    page.click("button[name=submit]")
    page.wait_for_url(re.compile(r".*/suivi/[0-9a-z]{10}$"))
    context.close()
    assert len(branches(repo)) == 1
