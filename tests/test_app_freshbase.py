"""With SUBMIT_REMOTE, a new review branch starts from the remote's base when it is newer."""
# ruff: noqa: F811 (pytest fixtures imported from app_helpers are redefined as arguments)

from __future__ import annotations

from pathlib import Path

import git as gitpython
import pytest
from app_helpers import SAMPLE, added_files, git, make_repo
from workflow_helpers import make_app, submit  # noqa: F401 (fixture)

from pasdeporte import remote
from submit_app import freshbase

EDITOR = ("-c", "user.name=Ed", "-c", "user.email=ed@example.org")


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare remote whose `main` holds two listings."""
    bare = tmp_path / "servi" / "depot.git"
    git(tmp_path, "clone", "-q", "--bare", str(make_repo(tmp_path / "source")), str(bare))
    return bare


@pytest.fixture
def instance(origin, tmp_path) -> Path:
    """The app's own clone of the remote."""
    git(tmp_path, "clone", "-q", str(origin), str(tmp_path / "instance"))
    return tmp_path / "instance"


def publish_elsewhere(origin: Path, work: Path, name: str = "nouvelle.md") -> str:
    """An editor merges a listing on the forge: the remote's main moves on; its new tip."""
    git(work.parent, "clone", "-q", str(origin), str(work))
    source = sorted(SAMPLE.glob("*.md"))[5]
    (work / "content" / "opportunites" / name).write_bytes(source.read_bytes())
    git(work, "add", "-A")
    git(work, *EDITOR, "commit", "-qm", "Publication sur la forge")
    git(work, "push", "-q", "origin", "main")
    return git(work, "rev-parse", "HEAD").strip()


def commit_locally(instance: Path) -> str:
    """An approval made on the instance and not pushed: the local main is ahead."""
    (instance / "LOCAL.md").write_text("approuvé ici\n", encoding="utf-8")
    git(instance, "add", "-A")
    git(instance, *EDITOR, "commit", "-qm", "Approbation locale")
    return git(instance, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize("configured", ["origin", "url"])
def test_branch_starts_from_the_remote_base_that_moved_on(make_app, origin, instance,
                                                          tmp_path, configured):
    configured = str(origin) if configured == "url" else configured
    published = publish_elsewhere(origin, tmp_path / "forge")
    with gitpython.Repo(instance) as repo:
        name = remote.fetch(repo, configured)  # what the push worker does every minute
    local = git(instance, "rev-parse", "main").strip()
    assert local != published
    app = make_app(instance, SUBMIT_REMOTE=configured)
    reference = submit(app.test_client())
    branch = f"proposition/{reference}"
    assert git(instance, "rev-parse", f"{branch}^").strip() == published
    assert git(instance, "rev-parse", f"refs/remotes/{name}/main").strip() == published
    # Exactly the listing relative to its parent; the forge's listing is in its tree.
    [(status, path)] = added_files(instance, branch)
    assert status == "A" and path.startswith("content/opportunites/") and reference in path
    assert "content/opportunites/nouvelle.md" in git(instance, "ls-tree", "-r", "--name-only",
                                                     branch)
    assert git(instance, "rev-parse", "main").strip() == local  # local main untouched
    assert git(instance, "status", "--porcelain") == ""


def test_local_base_ahead_of_the_remote_stays_the_base(make_app, origin, instance):
    ahead = commit_locally(instance)
    app = make_app(instance, SUBMIT_REMOTE="origin")
    reference = submit(app.test_client())
    assert git(instance, "rev-parse", f"proposition/{reference}^").strip() == ahead


def test_base_choice(origin, instance, tmp_path):
    repo = str(instance)
    assert freshbase.base_ref(repo, "main", None) == "main"
    assert freshbase.base_ref(repo, "main", "origin") == "main"  # same commit
    ahead = commit_locally(instance)
    assert freshbase.base_ref(repo, "main", "origin") == "main"
    publish_elsewhere(origin, tmp_path / "forge")
    git(instance, "fetch", "-q", "origin")
    # Diverged: the remote holds what is published.
    assert freshbase.base_ref(repo, "main", "origin") == "refs/remotes/origin/main"
    git(instance, "reset", "-q", "--hard", f"{ahead}^")
    assert freshbase.base_ref(repo, "main", "origin") == "refs/remotes/origin/main"  # behind
    # A URL never fetched yet: no refs/remotes/pasdeporte/main, the local branch is the base.
    assert freshbase.base_ref(repo, "main", str(origin)) == "main"
    git(instance, "update-ref", "-d", "refs/heads/main")
    git(instance, "checkout", "-q", "--detach", "origin/main")
    assert freshbase.base_ref(repo, "main", "origin") == "refs/remotes/origin/main"


@pytest.mark.parametrize("base", ["refs/tags/v1", "refs/remotes/../heads/x", "refs/heads/a b",
                                  "refs/remotes/o/main\ninfo HEAD", "refs/notes/x"])
def test_only_branch_and_remote_tracking_refs_can_be_bases(instance, base):
    from pasdeporte import gitwrite

    with pytest.raises(ValueError, match="référence de base refusée"):
        gitwrite.commit_files(instance, "proposition/x", base, {"a.md": b"x"}, "m")
    assert git(instance, "for-each-ref", "refs/heads/proposition/") == ""
