"""pasdeporte.gitwrite: one commit per new branch, through plumbing only, safe under concurrency."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import pytest
from app_helpers import added_files, branches, git, make_repo

from pasdeporte import gitwrite


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo")


def test_commit_adds_only_given_files_on_base_tip(repo):
    base = git(repo, "rev-parse", "main").strip()
    status_before = git(repo, "status", "--porcelain")
    sha = gitwrite.commit_files(repo, "proposition/abcd", "main", {
        "content/opportunites/nouveau-abcd.md": b"Title: x\n",
        "content/images/abcd/1.jpg": b"\xff\xd8binary",
    }, "Proposition abcd : x")
    assert git(repo, "rev-parse", "proposition/abcd").strip() == sha
    assert git(repo, "rev-parse", f"{sha}^").strip() == base
    assert git(repo, "rev-list", "--count", f"main..{sha}").strip() == "1"
    assert sorted(added_files(repo, "proposition/abcd")) == [
        ("A", "content/images/abcd/1.jpg"), ("A", "content/opportunites/nouveau-abcd.md")]
    assert git(repo, "log", "-1", "--format=%an <%ae>|%s", sha).strip() == \
        "Pas-de-porte <plateforme@pas-de-porte.invalid>|Proposition abcd : x"
    # No checkout, no index: HEAD, the working tree and the status are untouched.
    assert git(repo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert git(repo, "status", "--porcelain") == status_before
    assert not (repo / "content" / "opportunites" / "nouveau-abcd.md").exists()


def test_existing_branch_is_never_overwritten(repo):
    first = gitwrite.commit_files(repo, "proposition/same", "main", {"a/b.md": b"1"}, "m")
    with pytest.raises(gitwrite.RefExistsError):
        gitwrite.commit_files(repo, "proposition/same", "main", {"a/c.md": b"2"}, "m")
    assert git(repo, "rev-parse", "proposition/same").strip() == first


def test_existing_file_is_refused(repo):
    existing = git(repo, "ls-tree", "--name-only", "main", "content/opportunites/").split()[0]
    with pytest.raises(FileExistsError):
        gitwrite.commit_files(repo, "proposition/dup", "main", {existing: b"x"}, "m")
    assert branches(repo) == []


@pytest.mark.parametrize("path", [
    "../evil.md", "content/../x.md", ".git/config", "content/.hidden.md", "/abs.md",
    "content//x.md", "content/x y.md", "content/x\n.md", "", "content/é.md",
])
def test_unsafe_paths_are_refused(repo, path):
    with pytest.raises(ValueError):
        gitwrite.commit_files(repo, "proposition/p", "main", {path: b"x"}, "m")
    assert branches(repo) == []


@pytest.mark.parametrize("branch", ["proposition/../main", "main lock", "-x", "a..b", "A/B", ""])
def test_unsafe_branch_names_are_refused(repo, branch):
    with pytest.raises(ValueError):
        gitwrite.commit_files(repo, branch, "main", {"a.md": b"x"}, "m")


def test_missing_base_branch_is_an_error(repo):
    with pytest.raises(gitwrite.GitWriteError):
        gitwrite.commit_files(repo, "proposition/x", "nope", {"a.md": b"x"}, "m")


def _write(args):
    repo, number = args
    files = {f"content/opportunites/l-{number:03d}.md": f"{number}\n".encode()}
    return gitwrite.commit_files(repo, f"proposition/p{number:03d}", "main", files,
                                 f"Proposition p{number:03d}")


def _check_each_branch(repo, count):
    base = git(repo, "rev-parse", "main").strip()
    names = branches(repo)
    assert len(names) == count
    for name in names:
        number = int(name.rsplit("p", 1)[1])
        assert git(repo, "rev-parse", f"{name}^").strip() == base
        assert git(repo, "rev-list", "--count", f"main..{name}").strip() == "1"
        assert added_files(repo, name) == [("A", f"content/opportunites/l-{number:03d}.md")]
        assert git(repo, "show", f"{name}:content/opportunites/l-{number:03d}.md") == f"{number}\n"
    git(repo, "fsck", "--strict")


def test_concurrent_threads_each_get_their_own_branch(repo):
    with ThreadPoolExecutor(16) as pool:
        shas = list(pool.map(_write, [(repo, n) for n in range(40)]))
    assert len(set(shas)) == 40
    _check_each_branch(repo, 40)


def test_concurrent_processes_each_get_their_own_branch(repo):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        shas = pool.map(_write, [(repo, n) for n in range(24)])
    assert len(set(shas)) == 24
    _check_each_branch(repo, 24)


def test_racing_for_one_name_has_exactly_one_winner(repo):
    def attempt(number):
        try:
            return gitwrite.commit_files(repo, "proposition/race", "main",
                                         {f"x/{number}.md": b"x"}, "m")
        except gitwrite.RefExistsError:
            return None

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(16)))
    winners = [sha for sha in results if sha]
    assert len(winners) == 1
    assert git(repo, "rev-parse", "proposition/race").strip() == winners[0]
