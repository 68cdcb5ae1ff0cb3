"""50 concurrent clients against the app under waitress: 50 branches, each exactly its own."""
# ruff: noqa: F811 (pytest fixtures imported from app_helpers are redefined as arguments)

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

from app_helpers import added_files, branches, git, jpeg, opportunity, repo  # noqa: F401

from bench.app import FormClient, serve_in_thread
from pasdeporte import metadata

CLIENTS = 50


def test_fifty_concurrent_submissions_give_fifty_clean_branches(repo, tmp_path):
    from submit_app import create_app

    app = create_app({"SUBMIT_REPO": str(repo), "SUBMIT_DATA_DIR": str(tmp_path / "data"),
                      "SUBMIT_RATE_LIMIT": "1000 per minute"})  # CSRF stays on
    base = git(repo, "rev-parse", "main").strip()
    photo = jpeg(800, 600)

    def one(number):
        client = FormClient(host, port)
        client.load_form()
        data = opportunity(title=f"Annonce concurrente numéro {number}",
                           submitter_email=f"client{number}@example.net")
        files = [(f"photo{number}.jpg", photo)] if number % 5 == 0 else []
        return number, client.post(data, files)

    with serve_in_thread(app, threads=16) as (host, port):
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = dict(pool.map(one, range(CLIENTS)))

    assert sorted(status for status, _, _ in results.values()) == [303] * CLIENTS
    references = {n: location.rsplit("/", 1)[1] for n, (_, location, _) in results.items()}
    assert len(set(references.values())) == CLIENTS
    assert sorted(branches(repo)) == sorted(f"proposition/{r}" for r in references.values())
    db = sqlite3.connect(tmp_path / "data" / "submissions.sqlite3")
    private = dict(db.execute("SELECT reference, submitter_email FROM submissions"))
    for number, reference in references.items():
        branch = f"proposition/{reference}"
        assert git(repo, "log", "-1", "--format=%P", branch).split() == [base]
        assert git(repo, "rev-list", "--count", f"main..{branch}").strip() == "1"
        changes = added_files(repo, branch)
        listing = [p for s, p in changes if p.startswith("content/opportunites/")]
        expected = [("A", listing[0])]
        if number % 5 == 0:
            expected.append(("A", f"content/images/{reference}/1.jpg"))
        assert sorted(changes) == sorted(expected)
        meta = metadata.loads(git(repo, "show", f"{branch}:{listing[0]}")).meta
        assert meta["Title"] == f"Annonce concurrente numéro {number}"
        assert meta["Reference"] == reference
        assert (meta.get("Images") == f"images/{reference}/1.jpg") == (number % 5 == 0)
        assert private[reference] == f"client{number}@example.net"
    git(repo, "fsck", "--strict", "--no-dangling")
    assert git(repo, "status", "--porcelain") == ""
