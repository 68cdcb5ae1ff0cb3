"""Round trip: submit through the app, review with the real scripts/review, build, track, email."""
# ruff: noqa: F811 (pytest fixtures imported from helpers are redefined as arguments)

from __future__ import annotations

import os
import subprocess

from app_helpers import ROOT, branches, repo  # noqa: F401
from workflow_helpers import EDITORS, make_app, smtp, submit  # noqa: F401

from submit_app import workflow

PUBLIC = "https://annonces.example"


def review(app, smtp_config: dict, *args: str) -> subprocess.CompletedProcess:
    """Run the real scripts/review with the app's settings, as an editor on that server would."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SUBMIT_", "SMTP_", "FORGE")) and key != "EDITORS_EMAIL"}
    env.update(smtp_config, SUBMIT_REPO=app.config["SUBMIT_REPO"], SUBMIT_PUBLIC_URL=PUBLIC,
               SUBMIT_DATA_DIR=app.config["SUBMIT_DATA_DIR"])
    return subprocess.run([str(ROOT / "scripts" / "review"), *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_submit_review_approve_build_track_and_reject(make_app, repo, smtp, tmp_path):
    config, inbox = smtp
    app = make_app(repo, SUBMIT_PUBLIC_URL=PUBLIC, **config)
    client = app.test_client()
    good = submit(client)
    bad = submit(client, title="Annonce en double", submitter_email="autre@example.net")
    assert workflow.get(app).outbox.flush(30)  # receipts first, decisions later

    listed = review(app, config, "list")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
    assert set(rows) == {good, bad} and all(row.endswith("valide") for row in rows.values())
    shown = review(app, config, "show", good)
    assert "Pornic recherche son boulanger" in shown.stdout
    assert "Aucun problème" in shown.stdout

    site = tmp_path / "site"
    done = review(app, config, "approve", good, "--build", "--output", str(site))
    assert done.returncode == 0, done.stderr
    slug = f"pornic-recherche-son-boulanger-{good}"
    page = (site / "opportunites" / slug / "index.html").read_text(encoding="utf-8")
    assert "Pornic recherche son boulanger" in page and "jeanne.martin" not in page
    html = client.get(f"/suivi/{good}").get_data(as_text=True)
    assert "Publiée" in html and f'href="/opportunites/{slug}/"' in html

    reason = "Doublon d'une annonce déjà publiée."
    done = review(app, config, "reject", bad, "--reason", reason)
    assert done.returncode == 0, done.stderr
    html = client.get(f"/suivi/{bad}").get_data(as_text=True)
    assert "Refusée" in html and "Doublon d&#39;une annonce déjà publiée." in html
    assert review(app, config, "list").stdout.strip() == "Aucune proposition en attente."
    assert branches(repo) == []

    # The editors heard of both; each submitter got a receipt, then the decision.
    assert len(inbox.to(EDITORS)) == 2
    subjects = {address: [m["Subject"] for m in inbox.to(address)]
                for address in ("jeanne.martin@example.net", "autre@example.net")}
    assert subjects["jeanne.martin@example.net"] == [
        "Annonce reçue : Pornic recherche son boulanger", f"Votre annonce {good} est publiée"]
    assert subjects["autre@example.net"] == [
        "Annonce reçue : Annonce en double", f"Votre annonce {bad} n'a pas été publiée"]
    [refusal] = [m for m in inbox.to("autre@example.net") if "pas été" in m["Subject"]]
    assert reason in refusal.get_content()
    assert f"{PUBLIC}/suivi/{bad}" in refusal.get_content()
