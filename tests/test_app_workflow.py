"""The app wired to the editors' workflow: push to a remote, merge requests, emails, threads."""
# ruff: noqa: F811 (pytest fixtures imported from app_helpers are redefined as arguments)

from __future__ import annotations

import gc
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from app_helpers import branches, git, make_repo, repo  # noqa: F401
from test_forge import FakeForge
from workflow_helpers import (  # noqa: F401 (fixtures)
    EDITORS,
    SECRET,
    free_port,
    make_app,
    remote_heads,
    smtp,
    submit,
    wait_for,
)

from pasdeporte import remote, updates
from submit_app import create_app, workflow


@pytest.fixture
def origin(tmp_path):
    """A bare shared remote whose `main` holds two listings."""
    source = make_repo(tmp_path / "source")
    bare = tmp_path / "servi" / "depot.git"
    git(tmp_path, "clone", "-q", "--bare", str(source), str(bare))
    return bare


def clone(origin: Path, path: Path) -> Path:
    """An app instance's (or the forge's) own clone of the remote."""
    git(path.parent, "clone", "-q", str(origin), str(path))
    return path


@pytest.mark.parametrize("kind", ["name", "url"])
def test_submission_reaches_the_remote_and_a_forge_merge_is_published(make_app, origin,
                                                                      tmp_path, kind):
    instance = clone(origin, tmp_path / "instance")
    app = make_app(instance, SUBMIT_REMOTE="origin" if kind == "name" else str(origin))
    client = app.test_client()
    reference = submit(client)
    branch = f"proposition/{reference}"
    sha = git(instance, "rev-parse", branch).strip()
    wait_for(lambda: remote_heads(origin).get(branch) == sha)
    wait_for(lambda: remote.PushQueue(tmp_path / "data").entries() == [])  # done after the push
    assert "Reçue" in client.get(f"/suivi/{reference}").get_data(as_text=True)

    forge = clone(origin, tmp_path / "forge")  # an editor merges on the forge
    git(forge, "-c", "user.name=Ed", "-c", "user.email=ed@example.org", "merge", "-q",
        "--no-ff", "-m", "Fusion", f"origin/{branch}")
    git(forge, "push", "-q", "origin", "main")
    workflow.get(app).pusher.worker.wake()  # its next pass fetches the remote
    wait_for(lambda: "Publiée" in client.get(f"/suivi/{reference}").get_data(as_text=True))
    # The instance's own main never moved: only the remote's base says "published".
    assert git(instance, "branch", "--contains", sha).split() == [branch]


def test_forge_settings_open_a_merge_request_per_submission(make_app, origin, tmp_path):
    fake = FakeForge(answer={"html_url": "https://forge.example/pr/1"})
    try:
        app = make_app(clone(origin, tmp_path / "instance"), SUBMIT_REMOTE="origin",
                       FORGE="gitea", FORGE_API_URL=fake.url, FORGE_REPOSITORY="mairies/annonces",
                       FORGE_TOKEN="s3cret", SUBMIT_BASE_BRANCH="main")
        reference = submit(app.test_client())
        [request] = wait_for(lambda: fake.requests)
    finally:
        fake.close()
    assert request["path"] == "/api/repos/mairies/annonces/pulls"
    assert request["headers"]["Authorization"] == "token s3cret"
    sent = request["json"]
    assert sent["head"] == f"proposition/{reference}" and sent["base"] == "main"
    assert "Pornic recherche son boulanger" in sent["title"] + sent["body"]
    assert f"proposition/{reference}" in remote_heads(origin)


def git_daemon(root: Path, port: int) -> subprocess.Popen:
    """Serve the repositories under `root` over git:// (push allowed) until terminated."""
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
         f"--base-path={root}", "--export-all", "--enable=receive-pack", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def listening():
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_for(listening, timeout=10)
    return daemon


def test_refused_remote_queues_then_delivers_after_a_restart(make_app, origin, tmp_path):
    instance = clone(origin, tmp_path / "instance")
    port = free_port()
    settings = {"SUBMIT_REMOTE": f"git://127.0.0.1:{port}/depot.git"}
    first = make_app(instance, **settings)
    client = first.test_client()
    started = time.monotonic()
    references = [submit(client, title=f"Annonce en attente {n}") for n in range(2)]
    assert time.monotonic() - started < 5  # accepted without waiting for the remote
    queue = remote.PushQueue(tmp_path / "data")
    wait_for(lambda: [row["attempts"] >= 1 for row in queue.entries()] == [True, True])
    assert all(row["last_error"] for row in queue.entries())
    assert not [name for name in remote_heads(origin) if name.startswith("proposition/")]
    workflow.get(first).close(timeout=30)  # the app stops: only its data folder survives

    daemon = git_daemon(origin.parent, port)
    try:
        second = make_app(instance, **settings)  # same SUBMIT_DATA_DIR: pushes what is queued
        wanted = {f"proposition/{r}": git(instance, "rev-parse", f"proposition/{r}").strip()
                  for r in references}
        wait_for(lambda: all(remote_heads(origin).get(b) == s for b, s in wanted.items()))
        wait_for(lambda: queue.entries() == [])
        third = submit(second.test_client(), title="Annonce après le retour")
        wait_for(lambda: f"proposition/{third}" in remote_heads(origin))
    finally:
        daemon.terminate()
        daemon.wait(10)


def test_editors_and_submitter_are_emailed(make_app, repo, smtp):
    config, inbox = smtp
    app = make_app(repo, SUBMIT_PUBLIC_URL="https://annonces.example/", **config)
    reference = submit(app.test_client())
    assert workflow.get(app).outbox.flush(30)
    [editors] = inbox.to(EDITORS)
    assert editors["Subject"] == "Nouvelle annonce à relire : Pornic recherche son boulanger"
    text = editors.get_content()
    assert f"scripts/review show {reference}" in text and "Pornic (44)" in text
    assert f"https://annonces.example/suivi/{reference}" in text
    assert "jeanne.martin" not in text and "06 12" not in text  # the editors see no private data
    [confirmation] = inbox.to("jeanne.martin@example.net")
    lines = confirmation.get_content().splitlines()
    assert f"Suivre votre annonce : https://annonces.example/suivi/{reference}" in lines
    text = "\n".join(lines)
    assert updates.update_url("https://annonces.example", SECRET, reference) in text
    assert len(inbox.messages) == 2


@pytest.mark.parametrize("port, logged", [("closed", "courriel non envoyé"),
                                          ("vingt-cinq", "réglages SMTP invalides")])
def test_a_dead_mail_server_never_fails_a_submission(make_app, repo, caplog, port, logged):
    port = str(free_port()) if port == "closed" else port
    app = make_app(repo, SMTP_HOST="127.0.0.1", SMTP_PORT=port, EDITORS_EMAIL=EDITORS)
    reference = submit(app.test_client())
    assert branches(repo) == [f"proposition/{reference}"]
    assert workflow.get(app).outbox.flush(30)
    assert logged in caplog.text


def test_many_apps_leave_no_push_thread_behind(tmp_path, origin):
    instance = clone(origin, tmp_path / "instance")

    def workers():
        return [t for t in threading.enumerate() if t.name == "pasdeporte-push"]

    before = len(workers())
    for number in range(5):
        create_app({"TESTING": True, "SECRET_KEY": SECRET, "SUBMIT_REPO": str(instance),
                    "SUBMIT_DATA_DIR": str(tmp_path / f"d{number}"), "SUBMIT_REMOTE": "origin"})
    assert len(workers()) >= before + 1
    gc.collect()  # the apps are gone: their finalizers stop the workers
    wait_for(lambda: len(workers()) == before)
