"""The forms through Flask's test client: guidance, errors, preview, submission, tracking."""
# ruff: noqa: F811 (pytest fixtures imported from app_helpers are redefined as arguments)

from __future__ import annotations

import re
import sqlite3
from html import unescape

import pytest
from app_helpers import (  # noqa: F401 (fixtures)
    added_files,
    app,
    branches,
    client,
    git,
    opportunity,
    project,
    repo,
)

from pasdeporte import metadata, schema, validate
from submit_app import forms

FORMS = {"opportunite": schema.OPPORTUNITY_FIELDS, "projet": schema.PROJECT_FIELDS}


def field_errors(html: str) -> list[str]:
    """Messages shown next to fields."""
    return re.findall(r'class="error-message" id="([a-z_]+)-erreur"', html)


def submit(client, data, kind="opportunite"):
    return client.post(f"/proposer/{kind}", data=data)


def written(repo, reference):
    """(path, text) of the single listing file a reference's branch adds."""
    changes = added_files(repo, f"proposition/{reference}")
    listing = [path for status, path in changes if path.endswith(".md")]
    assert len(listing) == 1
    return listing[0], git(repo, "show", f"proposition/{reference}:{listing[0]}")


@pytest.mark.parametrize("kind", FORMS)
def test_form_has_every_schema_field_grouped_with_help(client, kind):
    html = client.get(f"/proposer/{kind}").get_data(as_text=True)
    app_set = {"Date", "Reference", "State"} | ({"Kind"} if kind == "projet" else set())
    for fld in FORMS[kind].values():
        if fld.key in app_set:
            assert f'name="{fld.name}"' not in html
            continue
        assert f'name="{fld.name}"' in html, fld.name
        # Fields typed as names get the app's own examples (tests/test_app_guidance.py).
        example = forms.alternatives(forms.GUIDANCE[fld.type][2]) \
            if fld.type in forms.GUIDANCE else fld.example
        if example:
            assert f"Exemple : {example}".replace("'", "&#39;") in html, fld.name
            assert f'aria-describedby="{fld.name}-aide"' in html or fld.type == "choice"
    for name in ("body", "images", "submitter_name", "submitter_email", "consent", "preview",
                 "submit"):
        assert f'name="{name}"' in html
    assert "Vous (privé)" in html and "<fieldset" in html and 'title="obligatoire"' in html


def test_valid_opportunity_writes_one_branch_with_exactly_its_listing(client, repo):
    base = git(repo, "rev-parse", "main").strip()
    response = submit(client, opportunity())
    assert response.status_code == 303
    reference = response.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"[0-9a-hjkmnp-tv-z]{10}", reference)
    assert branches(repo) == [f"proposition/{reference}"]
    assert git(repo, "rev-parse", f"proposition/{reference}^").strip() == base
    path, text = written(repo, reference)
    assert re.fullmatch(rf"content/opportunites/pornic-recherche-son-boulanger-{reference}\.md",
                        path)
    assert added_files(repo, f"proposition/{reference}") == [("A", path)]
    meta = metadata.loads(text).meta
    assert meta["Commune"] == "44131" and meta["Sector"] == "10.71C"
    assert meta["Surface"] == "85.5" and meta["Rent"] == "1200"
    assert meta["Aids"] == "Six mois de loyer offerts; Prêt d'honneur"
    assert meta["Reference"] == reference and meta["State"] == "ouverte"
    assert validate.errors(validate.check_text(text, path)) == []
    assert git(repo, "status", "--porcelain") == ""
    message = git(repo, "log", "-1", "--format=%an|%s", f"proposition/{reference}")
    title = "Pornic recherche son boulanger"
    assert message.strip() == f"Pas-de-porte|Proposition {reference} : {title}"


def test_private_data_goes_to_sqlite_and_never_to_git(client, repo, app):
    reference = submit(client, opportunity()).headers["Location"].rsplit("/", 1)[1]
    everything = git(repo, "log", "-p", "--all", "--format=%an %ae %s %b")
    for secret in ("Jeanne Martin", "jeanne.martin@example.net", "06 12 34 56 78"):
        assert secret not in everything
    db = sqlite3.connect(f"{app.config['SUBMIT_DATA_DIR']}/submissions.sqlite3")
    row = db.execute("SELECT submitter_name, submitter_email, submitter_phone, commit_sha "
                     "FROM submissions WHERE reference = ?", (reference,)).fetchone()
    assert row[:3] == ("Jeanne Martin", "jeanne.martin@example.net", "06 12 34 56 78")
    assert row[3] == git(repo, "rev-parse", f"proposition/{reference}").strip()


def test_project_is_written_under_projets(client, repo):
    response = submit(client, project(), kind="projet")
    assert response.status_code == 303
    reference = response.headers["Location"].rsplit("/", 1)[1]
    path, text = written(repo, reference)
    assert path.startswith("content/projets/")
    meta = metadata.loads(text).meta
    assert meta["Kind"] == "projet" and meta["Territories"] == "dep-85, 44131"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": ""}, "title"),
    ({"kind": "projet"}, "kind"),
    ({"kind": "status"}, "kind"),
    ({"sector": "zzzz"}, "sector"),
    ({"commune": "Sainte-Marie"}, "commune"),
    ({"commune": "Nullepartville"}, "commune"),
    ({"surface": "quatre-vingt"}, "surface"),
    ({"rent": "-5"}, "rent"),
    ({"available": "31/02/2027"}, "available"),
    ({"expires": "2001-01-01"}, "expires"),
    ({"contact_email": "pas-une-adresse"}, "contact_email"),
    ({"contact_email": None}, "contact_email"),
    ({"contact_phone": "abc"}, "contact_phone"),
    ({"title": "x" * 121}, "title"),
    ({"body": ""}, "body"),
    ({"body": "texte \x07 sonore"}, "body"),
    ({"submitter_email": "nope"}, "submitter_email"),
    ({"consent": None}, "consent"),
])
def test_bad_input_shows_error_next_to_field_keeps_input_writes_nothing(client, repo, overrides,
                                                                        field):
    data = opportunity(**overrides)
    response = submit(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field in field_errors(html)
    assert 'id="erreurs"' in html and f'href="#{field}' in html
    assert 'aria-invalid="true"' in html
    assert 'value="Mairie de Pornic"' in html  # what was typed is kept
    assert branches(repo) == []


def test_ambiguous_commune_lists_choices(client):
    html = submit(client, opportunity(commune="Sainte-Marie")).get_data(as_text=True)
    assert "Plusieurs communes" in html and "INSEE 35294" in html and "INSEE 97418" in html
    # 44210 is both Pornic's postal code and Trignac's INSEE code: ask, don't guess.
    html = submit(client, opportunity(commune="44210")).get_data(as_text=True)
    assert "Pornic, 44210 (INSEE 44131)" in html and "Trignac, 44570 (INSEE 44210)" in html


@pytest.mark.parametrize("typed", ["Pornic", "pornic", "44131", " PORNIC ",
                                   "Pornic, 44210 (INSEE 44131)", "Pornic 44210"])
def test_commune_accepts_name_postal_code_insee_or_suggestion(client, repo, typed):
    reference = submit(client, opportunity(commune=typed)).headers["Location"].rsplit("/", 1)[1]
    assert metadata.loads(written(repo, reference)[1]).meta["Commune"] == "44131"


@pytest.mark.parametrize(("typed", "code"), [("75001", "75056"), ("Mouilleron-le-Captif 85000",
                                                                 "85155")])
def test_commune_by_postal_code(client, repo, typed, code):
    reference = submit(client, opportunity(commune=typed)).headers["Location"].rsplit("/", 1)[1]
    assert metadata.loads(written(repo, reference)[1]).meta["Commune"] == code


@pytest.mark.parametrize(("typed", "code"), [("boulangerie", "10.71C"), ("1071c", "10.71C"),
                                             ("10.71C — Boulangerie", "10.71C"),
                                             ("coiffure", "96.02A")])
def test_sector_by_label_or_code(client, repo, typed, code):
    reference = submit(client, opportunity(sector=typed)).headers["Location"].rsplit("/", 1)[1]
    assert metadata.loads(written(repo, reference)[1]).meta["Sector"] == code


def shown_preview(html: str) -> str:
    """The preview as the browser parses it: the iframe's document, or the inline fallback."""
    frame = re.search(r'srcdoc="([^"]*)"', html)
    if frame:
        return unescape(frame[1])
    start = html.index('id="apercu"')
    return html[start:html.index("<form", start)]


def test_preview_renders_safely_and_writes_nothing(client, repo):
    data = opportunity(submit=None, preview="1",
                       body="Un **fournil**.\n\n<script>alert(1)</script> [x](javascript:alert(1))")
    html = submit(client, data).get_data(as_text=True)
    assert 'id="apercu"' in html
    page = shown_preview(html)
    assert "<strong>fournil</strong>" in page
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert "<script>alert" not in html
    assert "Pornic" in page and "Boulangerie et boulangerie-pâtisserie" in page
    assert 'value="Pornic recherche son boulanger"' in html
    assert branches(repo) == []


def test_preview_falls_back_when_site_renderer_fails(client, repo, monkeypatch):
    from submit_app import preview

    def broken(meta, body):
        raise RuntimeError("theme missing")

    monkeypatch.setattr(preview, "_site_renderer", lambda: broken)
    html = submit(client, opportunity(submit=None, preview="1")).get_data(as_text=True)
    assert "srcdoc" not in html and "<strong>équipé</strong>" in shown_preview(html)


def test_honeypot_writes_nothing(client, repo):
    response = submit(client, opportunity(website="http://spam.example"))
    assert response.status_code == 200 and branches(repo) == []


def test_security_headers(client):
    response = client.get("/proposer/opportunite")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Referrer-Policy" in response.headers
    assert "<script>" not in response.get_data(as_text=True)  # no inline script
    assert "style=" not in response.get_data(as_text=True)


def test_tracking_received_published_rejected(client, repo):
    reference = submit(client, opportunity()).headers["Location"].rsplit("/", 1)[1]
    html = client.get(f"/suivi/{reference}").get_data(as_text=True)
    assert "Reçue" in html and "Jeanne" not in html and "jeanne.martin" not in html
    git(repo, "-c", "user.name=Ed", "-c", "user.email=ed@example.org", "merge", "-q",
        "--ff-only", f"proposition/{reference}")
    html = client.get(f"/suivi/{reference}").get_data(as_text=True)
    assert "Publiée" in html and "/opportunites/pornic-recherche-son-boulanger-" in html
    other = submit(client, opportunity()).headers["Location"].rsplit("/", 1)[1]
    tree = git(repo, "rev-parse", "main^{tree}").strip()
    env_commit = git(repo, "-c", "user.name=Ed", "-c", "user.email=ed@example.org",
                     "commit-tree", tree, "-m", f"Rejet {other}\n\nDoublon <b>évident</b>").strip()
    git(repo, "update-ref", f"refs/pasdeporte/rejected/{other}", env_commit)
    html = client.get(f"/suivi/{other}").get_data(as_text=True)
    assert "Refusée" in html and "Doublon &lt;b&gt;évident&lt;/b&gt;" in html


@pytest.mark.parametrize("reference", ["inconnue1", "../etc", "A" * 40, "x"])
def test_tracking_unknown_reference_is_404(client, reference):
    assert client.get(f"/suivi/{reference}").status_code == 404


def test_api_suggestions(client):
    communes = client.get("/api/communes?q=pornic").get_json()
    assert communes[0]["code"] == "44131"
    assert communes[0]["value"] == "Pornic, 44210 (INSEE 44131)"
    naf = client.get("/api/naf?q=boulangerie").get_json()
    assert naf[0]["code"] == "10.71C"
    assert client.get("/api/communes?q=" + "x" * 5000).status_code == 200


def test_csrf_missing_is_400_and_keeps_input(repo, tmp_path):
    from submit_app import create_app

    app = create_app({"SUBMIT_REPO": str(repo), "SUBMIT_DATA_DIR": str(tmp_path / "d")})
    response = app.test_client().post("/proposer/opportunite", data=opportunity())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Pornic recherche son boulanger"' in html and 'name="csrf_token"' in html
    assert branches(repo) == []


def test_csrf_token_round_trip_is_accepted(repo, tmp_path):
    from submit_app import create_app

    app = create_app({"SUBMIT_REPO": str(repo), "SUBMIT_DATA_DIR": str(tmp_path / "d")})
    client = app.test_client()
    html = client.get("/proposer/opportunite").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
    response = client.post("/proposer/opportunite", data=opportunity(csrf_token=token))
    assert response.status_code == 303
    assert (tmp_path / "d" / "secret_key").stat().st_mode & 0o077 == 0


def test_too_large_is_413(repo, tmp_path):
    from submit_app import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SUBMIT_REPO": str(repo),
                      "SUBMIT_DATA_DIR": str(tmp_path / "d"), "MAX_CONTENT_LENGTH": 1000})
    response = app.test_client().post("/proposer/opportunite",
                                      data=opportunity(body="x" * 5000))
    assert response.status_code == 413 and "volumineux" in response.get_data(as_text=True)


def test_rate_limit_is_429(repo, tmp_path):
    from submit_app import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SUBMIT_REPO": str(repo),
                      "SUBMIT_DATA_DIR": str(tmp_path / "d"), "SUBMIT_RATE_LIMIT": "2 per minute"})
    client = app.test_client()
    codes = [client.post("/proposer/opportunite", data=opportunity(title="")).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/proposer/opportunite").status_code == 200  # reading stays possible


def test_purge_and_forget_erase_personal_data(client, app):
    reference = submit(client, opportunity()).headers["Location"].rsplit("/", 1)[1]
    runner = app.test_cli_runner()
    assert "0 dépôt" in runner.invoke(args=["purge", "--months", "1"]).output
    result = runner.invoke(args=["forget", reference])
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(f"{app.config['SUBMIT_DATA_DIR']}/submissions.sqlite3")
    row = db.execute("SELECT submitter_name, submitter_email, purged_at, commit_sha "
                     "FROM submissions").fetchone()
    assert row[0] == "" and row[1] == "" and row[2] and row[3]
    assert "Reçue" in client.get(f"/suivi/{reference}").get_data(as_text=True)
    assert runner.invoke(args=["purge", "--months", "0"]).output.startswith("0 ")
