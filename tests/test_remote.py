"""Push queue and shared remote: a bare remote, one that refuses connections, restarts, clones."""

from __future__ import annotations

import socket
import time

import git as gitpython
import pytest
from review_helpers import git, make_repo, submit

from pasdeporte import remote, review_cli, tracking


def closed_port_url() -> str:
    """An http remote on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/depot.git"


@pytest.fixture
def origin(tmp_path):
    """A bare remote holding `main` from a content repository."""
    source = make_repo(tmp_path / "source")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(source), str(bare))
    return bare


def clone(origin, path):
    """An app instance's or an editor's own clone of the remote."""
    git(path.parent, "clone", "-q", str(origin), str(path))
    return path


def remote_branches(origin) -> dict[str, str]:
    out = git(origin, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/")
    return dict(line.split() for line in out.splitlines())


def test_queued_branch_reaches_the_bare_remote(tmp_path, origin):
    app = clone(origin, tmp_path / "app")
    sha = submit(app, "abc0000001")
    queue = remote.PushQueue(tmp_path / "data")
    queue.enqueue("proposition/abc0000001")
    report = queue.push_pending(gitpython.Repo(app), str(origin))
    assert report.pushed == ["proposition/abc0000001"] and not report.failed
    assert remote_branches(origin)["proposition/abc0000001"] == sha
    assert queue.entries() == []


@pytest.mark.parametrize("down", ["refused", "missing"])
def test_unreachable_remote_keeps_everything_across_a_restart(tmp_path, origin, down):
    app = clone(origin, tmp_path / "app")
    shas = {f"proposition/abc000000{i}": submit(app, f"abc000000{i}") for i in range(3)}
    url = closed_port_url() if down == "refused" else str(tmp_path / "pas-encore.git")
    queue = remote.PushQueue(tmp_path / "data")
    for branch in shas:
        queue.enqueue(branch)
    report = queue.push_pending(gitpython.Repo(app), url)
    assert report.pushed == [] and set(report.failed) == set(shas)
    rows = queue.entries()
    assert [row["attempts"] for row in rows] == [1, 1, 1] and all(r["last_error"] for r in rows)
    del queue  # the app restarts: only the data folder survives
    if down == "missing":
        git(tmp_path, "clone", "-q", "--bare", str(origin), url)
        target = url
    else:
        target = str(origin)
    report = remote.PushQueue(tmp_path / "data").push_pending(gitpython.Repo(app), target)
    assert sorted(report.pushed) == sorted(shas)
    pushed = remote_branches(target if down == "missing" else origin)
    assert {branch: pushed[branch] for branch in shas} == shas
    assert remote.PushQueue(tmp_path / "data").entries() == []


def test_two_instances_never_overwrite_each_other(tmp_path, origin):
    first, second = clone(origin, tmp_path / "a"), clone(origin, tmp_path / "b")
    sha = submit(first, "abc0000001")
    submit(second, "abc0000001", slug="autre-contenu")
    remote.push_branch(gitpython.Repo(first), str(origin), "proposition/abc0000001")
    queue = remote.PushQueue(tmp_path / "data-b")
    queue.enqueue("proposition/abc0000001")
    report = queue.push_pending(gitpython.Repo(second), str(origin))
    assert "existe déjà" in report.failed["proposition/abc0000001"]
    assert queue.entries()[0]["blocked"] == 1
    assert remote_branches(origin)["proposition/abc0000001"] == sha
    # Blocked entries are not retried.
    assert queue.push_pending(gitpython.Repo(second), str(origin)).failed == {}


def test_pushing_twice_is_harmless_and_decided_branches_are_dropped(tmp_path, origin):
    app = clone(origin, tmp_path / "app")
    sha = submit(app, "abc0000001")
    remote.push_branch(gitpython.Repo(app), str(origin), "proposition/abc0000001")
    assert remote.push_branch(gitpython.Repo(app), str(origin), "proposition/abc0000001") == sha
    queue = remote.PushQueue(tmp_path / "data")
    queue.enqueue("proposition/gone000001")
    report = queue.push_pending(gitpython.Repo(app), str(origin))
    assert report.dropped == ["proposition/gone000001"]
    assert queue.entries() == []


def test_retry_worker_pushes_once_the_remote_is_back(tmp_path, origin):
    app = clone(origin, tmp_path / "app")
    sha = submit(app, "abc0000001")
    url = tmp_path / "plus-tard.git"
    queue = remote.PushQueue(tmp_path / "data")
    queue.enqueue("proposition/abc0000001")
    worker = remote.RetryWorker(queue, app, str(url), interval=3600)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while not queue.entries()[0]["attempts"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert queue.entries()[0]["attempts"] >= 1
        git(tmp_path, "clone", "-q", "--bare", str(origin), str(url))
        worker.wake()
        while queue.entries() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert queue.entries() == []
        assert remote_branches(url)["proposition/abc0000001"] == sha
    finally:
        worker.stop()
        worker.join(10)


def test_editor_follows_remote_branches_and_forge_merges(tmp_path, origin, capsys, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    app, editor = clone(origin, tmp_path / "app"), clone(origin, tmp_path / "editor")
    sha = submit(app, "abc0000001")
    submit(app, "bad0000001")
    for branch in ("proposition/abc0000001", "proposition/bad0000001"):
        remote.push_branch(gitpython.Repo(app), str(origin), branch)
    common = ["--repo", str(editor), "--remote", "origin", "--data-dir", str(tmp_path)]

    assert review_cli.main(["list", *common]) == 0
    out = capsys.readouterr().out
    assert "abc0000001 (distante)" in out and "bad0000001 (distante)" in out

    # The merge happens on the forge: another clone merges and pushes main.
    forge = clone(origin, tmp_path / "forge")
    git(forge, "merge", "-q", "--no-ff", "-m", "Fusion", "origin/proposition/abc0000001")
    git(forge, "push", "-q", "origin", "main")
    assert review_cli.main(["list", *common]) == 0
    out = capsys.readouterr().out
    assert "abc0000001" not in out and "bad0000001" in out
    status = tracking.status(gitpython.Repo(editor), "abc0000001", sha, remote="origin")
    assert status.state == tracking.PUBLISHED

    # A rejection made by the editor reaches the remote and the app's tracking page.
    assert review_cli.main(["reject", "bad0000001", "--reason", "Doublon.", *common]) == 0
    assert "proposition/bad0000001" not in remote_branches(origin)
    remote.fetch(gitpython.Repo(app), "origin")
    assert tracking.rejection_reason(gitpython.Repo(app), "bad0000001") == "Doublon."


def test_local_approval_is_pushed_to_the_remote(tmp_path, origin, capsys, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    editor = clone(origin, tmp_path / "editor")
    submit(editor, "abc0000001")
    remote.push_branch(gitpython.Repo(editor), str(origin), "proposition/abc0000001")
    args = ["--repo", str(editor), "--remote", "origin", "--data-dir", str(tmp_path)]
    assert review_cli.main(["approve", "abc0000001", *args]) == 0
    branches = remote_branches(origin)
    assert "proposition/abc0000001" not in branches
    assert branches["main"] == git(editor, "rev-parse", "main").strip()


def test_push_pending_command_reports_failures(tmp_path, origin, capsys):
    app = clone(origin, tmp_path / "app")
    submit(app, "abc0000001")
    remote.PushQueue(tmp_path / "data").enqueue("proposition/abc0000001")
    args = ["--repo", str(app), "--data-dir", str(tmp_path / "data"), "--no-fetch"]
    assert review_cli.main(["push-pending", *args, "--remote", closed_port_url()]) == 1
    assert "1 en file" in capsys.readouterr().out
    assert review_cli.main(["push-pending", *args, "--remote", str(origin)]) == 0
    assert "1 envoyée(s), 0 échec(s), 0 en file" in capsys.readouterr().out
