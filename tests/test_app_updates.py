"""The submitter's private update link: token checks, the form, the review branch it opens."""
# ruff: noqa: F811 (pytest fixtures imported from helpers are redefined as arguments)

from __future__ import annotations

import re

import git as gitpython
import pytest
from app_helpers import ROOT, branches, git, repo  # noqa: F401
from workflow_helpers import EDITORS, SECRET, make_app, smtp, submit  # noqa: F401

from pasdeporte import review, updates
from submit_app import create_app, workflow

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def update_link(inbox) -> str:
    """The path of the private update link of the submitter's confirmation email."""
    [message] = inbox.to("jeanne.martin@example.net")
    # No SUBMIT_PUBLIC_URL: links use the request's own host.
    return re.search(r"http://localhost(/suivi/\S+/modifier\?jeton=[0-9a-f]+)",
                     message.get_content())[1]


def test_update_link_opens_a_branch_with_only_the_state_change(make_app, repo, smtp):
    config, inbox = smtp
    app = make_app(repo, **config)
    client = app.test_client()
    reference = submit(client)
    assert workflow.get(app).outbox.flush(30)
    link = update_link(inbox)
    html = client.get(link).get_data(as_text=True)
    assert "pas encore publiée" in html
    response = client.post(link, data={"state": "pourvue"})
    assert response.status_code == 200
    assert "Cette annonce n&#39;est pas (encore) publiée." in response.get_data(as_text=True)
    assert branches(repo) == [f"proposition/{reference}"]

    git(repo, "merge", "-q", "--ff-only", f"proposition/{reference}")  # published
    git(repo, "branch", "-q", "-d", f"proposition/{reference}")
    html = client.get(link).get_data(as_text=True)
    assert "actuellement <strong>ouverte</strong>" in html
    assert all(f'value="{state}"' in html for state in ("en-discussion", "pourvue", "retiree"))
    response = client.post(link, data={"state": "pourvue"})
    assert "Demande enregistrée" in response.get_data(as_text=True)
    [branch] = branches(repo)
    assert branch.startswith(f"proposition/{reference}.maj-")
    assert git(repo, "rev-parse", f"{branch}^").strip() == git(repo, "rev-parse", "main").strip()
    diff = git(repo, "diff", "-U0", "main", branch)
    changed = [line for line in diff.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-State: ouverte", "+State: pourvue"]
    ctx = review.Context(gitpython.Repo(repo))
    assert review.all_problems(ctx, review.load(ctx, branch.split("/", 1)[1])) == []
    assert workflow.get(app).outbox.flush(30)
    [request] = [m for m in inbox.to(EDITORS) if m["Subject"].startswith("Mise à jour")]
    assert f"scripts/review approve {branch.split('/', 1)[1]}" in request.get_content()


@pytest.fixture
def published(repo):
    """The reference of an open listing already on `main` (from the sample content)."""
    path = git(repo, "grep", "-l", "^State: ouverte", "main", "--", "content/").split()[0]
    text = git(repo, "show", path)
    return re.search(r"^Reference: (\S+)$", text, re.M)[1]


@pytest.mark.parametrize("reference, token, code", [
    (None, "", 403),
    (None, "0" * 32, 403),
    (None, "é" * 32, 403),
    (None, "other", 403),
    (None, "upper", 403),
    ("../etc", "good", 404),
    ("A" * 40, "good", 404),
])
def test_bad_update_links_are_refused(make_app, repo, published, reference, token, code):
    client = make_app(repo).test_client()
    reference = reference or published
    token = {"good": updates.token(SECRET, reference),
             "other": updates.token(SECRET, "autre00001"),
             "upper": updates.token(SECRET, reference).upper()}.get(token, token)
    for response in (client.get(f"/suivi/{reference}/modifier", query_string={"jeton": token}),
                     client.post(f"/suivi/{reference}/modifier", query_string={"jeton": token},
                                 data={"state": "pourvue"})):
        assert response.status_code == code
        assert "Lien non valable" in response.get_data(as_text=True) or code == 404
    assert branches(repo) == []
    assert not updates.check_token(SECRET, published, token)  # never raises, even on "é"


def test_update_form_errors_csrf_and_rate_limit(make_app, repo, published, tmp_path):
    link = f"/suivi/{published}/modifier?jeton={updates.token(SECRET, published)}"
    client = make_app(repo, SUBMIT_RATE_LIMIT="3 per minute").test_client()
    html = client.post(link, data={"state": "ouverte"}).get_data(as_text=True)
    assert "Choisissez l&#39;une des possibilités proposées." in html
    assert client.post(link, data={}).status_code == 200
    assert client.post(link, data={"state": "retiree"}).status_code == 200
    assert client.post(link, data={"state": "retiree"}).status_code == 429
    assert len(branches(repo)) == 1
    guarded = make_app(repo, WTF_CSRF_ENABLED=True,
                       SUBMIT_DATA_DIR=str(tmp_path / "other")).test_client()
    response = guarded.post(link, data={"state": "pourvue"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Votre session a expiré" in html
    assert re.search(r'<input [^>]*checked [^>]*value="pourvue"', html)  # the choice is kept
    forged = link[:-1] + ("1" if link[-1] == "0" else "0")
    assert guarded.post(forged, data={"state": "pourvue"}).status_code == 403
    html = guarded.get(link).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    response = guarded.post(link, data={"state": "pourvue", "csrf_token": csrf})
    assert "Demande enregistrée" in response.get_data(as_text=True)
    assert len(branches(repo)) == 2


@pytest.mark.browser
def test_update_page_in_chromium_without_javascript_and_axe(browser, repo, published, tmp_path):
    from bench.app import serve_in_thread

    app = create_app({"SECRET_KEY": SECRET, "SUBMIT_REPO": str(repo),
                      "SUBMIT_DATA_DIR": str(tmp_path / "data")})  # CSRF on
    link = f"/suivi/{published}/modifier?jeton={updates.token(SECRET, published)}"
    with serve_in_thread(app, threads=2) as (host, port):
        checked = browser.new_context(bypass_csp=True)  # to inject axe-core only
        page = checked.new_page()
        page.goto(f"http://{host}:{port}{link}")
        page.click(".listing-form button[type=submit]")  # nothing chosen: every error shown
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "axe.run(document).then(r => r.violations.filter(v => ['serious', 'critical']"
            ".includes(v.impact)).map(v => v.id))")
        checked.close()
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"http://{host}:{port}{link}")
        page.click(".listing-form button[type=submit]")
        assert "Choisissez l'une des possibilités proposées." in page.inner_text("#state")
        page.check("#state-1")
        page.click(".listing-form button[type=submit]")
        assert "Demande enregistrée" in page.inner_text("h1")
        context.close()
    assert violations == []
    [branch] = branches(repo)
    assert "State: pourvue" in git(repo, "diff", "main", branch)
