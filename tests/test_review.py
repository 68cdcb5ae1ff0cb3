"""scripts/review on real repositories: list, show, approve, reject, refusals and exit codes."""

from __future__ import annotations

import git as gitpython
import pytest
from review_helpers import (
    PNG,
    branches,
    commit_on,
    git,
    listing,
    make_repo,
    opportunity,
    project,
    submit,
)

from pasdeporte import review_cli, tracking


@pytest.fixture
def repo(tmp_path):
    """A content repository with `main` checked out and two published listings."""
    return make_repo(tmp_path / "depot")


@pytest.fixture
def review(repo, capsys, monkeypatch):
    """Run `scripts/review ARGS` in-process on `repo`; return (exit code, stdout, stderr)."""
    for name in ("SUBMIT_REMOTE", "SMTP_HOST", "SUBMIT_REPO"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = review_cli.main([*args, "--repo", str(repo), "--data-dir", str(repo.parent)])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def tip(repo, ref="main"):
    return git(repo, "rev-parse", ref).strip()


def test_list_shows_each_pending_branch_with_its_validation(repo, review):
    submit(repo, "ok00000001")
    submit(repo, "bad0000001", opportunity("bad0000001", Commune="99999"))
    submit(repo, "proj000001", project("proj000001"), slug="boulanger-proj000001")
    code, out, _ = review("list")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(lines) == {"ok00000001", "bad0000001", "proj000001"}
    assert "Pornic" in lines["ok00000001"] and lines["ok00000001"].endswith("valide")
    assert lines["bad0000001"].endswith("1 problème(s)")
    assert "Vendée" in lines["proj000001"] and "projet" in lines["proj000001"]


def test_list_says_when_nothing_is_pending(review):
    assert review("list")[:2] == (0, "Aucune proposition en attente.\n")


def test_show_renders_listing_validation_paths_and_diff(repo, review):
    submit(repo, "ok00000001", extra={"content/images/ok00000001/devanture.png": PNG})
    code, out, _ = review("show", "ok00000001")
    assert code == 0
    assert "Commune (code INSEE)" in out and "Pornic, 44 (44131)" in out
    assert "Boulangerie et boulangerie-pâtisserie (10.71C)" in out
    assert "peut être approuvée" in out
    assert "A content/images/ok00000001/devanture.png" in out
    assert "+Reference: ok00000001" in out


def test_approve_merges_deletes_branch_and_updates_checkout(repo, review):
    (repo / "README.md").write_text("brouillon de l'éditeur\n")  # unrelated local change
    sha = submit(repo, "ok00000001")
    base = tip(repo)
    code, out, _ = review("approve", "ok00000001")
    assert code == 0, out
    merge = tip(repo)
    assert git(repo, "rev-list", "--parents", "-n1", merge).split()[1:] == [base, sha]
    assert git(repo, "log", "-1", "--format=%s", merge).startswith("Publication ok00000001")
    assert "proposition/ok00000001" not in branches(repo)
    assert (repo / "content/opportunites/pornic-ok00000001.md").exists()
    assert (repo / "README.md").read_text() == "brouillon de l'éditeur\n"
    status = tracking.status(gitpython.Repo(repo), "ok00000001", sha)
    assert status.state == tracking.PUBLISHED
    assert review("list")[1] == "Aucune proposition en attente.\n"


def test_approve_without_checkout_moves_only_the_ref(repo, review):
    git(repo, "checkout", "-q", "-b", "travail")
    submit(repo, "ok00000001")
    assert review("approve", "ok00000001")[0] == 0
    assert not (repo / "content/opportunites/pornic-ok00000001.md").exists()
    assert git(repo, "cat-file", "-e", "main:content/opportunites/pornic-ok00000001.md") == ""


def test_approve_refuses_to_overwrite_local_files(repo, review):
    submit(repo, "ok00000001")
    (repo / "content/opportunites/pornic-ok00000001.md").write_text("à moi\n")
    base = tip(repo)
    code, _, err = review("approve", "ok00000001")
    assert code == 1 and "modifications locales" in err
    assert tip(repo) == base and "proposition/ok00000001" in branches(repo)


def _theme(repo):
    submit(repo, "bad0000001", extra={"theme/templates/base.html": b"<script></script>"})


def _settings(repo):
    submit(repo, "bad0000001", extra={"pelicanconf.py": b"import os\n"})


def _symlink_image(repo):
    submit(repo, "bad0000001",
           extra={"content/images/bad0000001/x.png": ("120000", b"/etc/passwd")})


def _other_images(repo):
    submit(repo, "bad0000001", extra={"content/images/base-0001/x.png": PNG})


def _not_an_image(repo):
    submit(repo, "bad0000001", extra={"content/images/bad0000001/x.png": b"<svg onload=x>"})


def _overwrites_published(repo):
    submit(repo, "bad0000001", opportunity("bad0000001"), slug="pornic-epicerie")


def _two_listings(repo):
    submit(repo, "bad0000001", extra={"content/projets/autre.md": b"Title: x\n"})


def _invalid(repo):
    submit(repo, "bad0000001", opportunity("bad0000001", Sector="99.99Z"))


def _wrong_reference(repo):
    submit(repo, "bad0000001", opportunity("autre00001"))


def _merge_commit(repo):
    side = commit_on(repo, tip(repo), {"content/projets/x.md": b"x"}, "côté")
    first = submit(repo, "bad0000001")
    tree = git(repo, "rev-parse", f"{first}^{{tree}}").strip()
    merge = git(repo, "commit-tree", tree, "-p", first, "-p", side, "-m", "fusion").strip()
    git(repo, "update-ref", "refs/heads/proposition/bad0000001", merge)


def _reserved_key(repo):
    text = listing(opportunity("bad0000001")).replace(b"State:", b"Template: page\nState:")
    submit(repo, "bad0000001", raw=text)


@pytest.mark.parametrize("make, message", [
    (_theme, "chemin non autorisé : theme/templates/base.html"),
    (_settings, "chemin non autorisé : pelicanconf.py"),
    (_symlink_image, "image qui n'est pas un fichier ordinaire"),
    (_other_images, "chemin non autorisé : content/images/base-0001/x.png"),
    (_not_an_image, "n'est pas une image"),
    (_overwrites_published, "modifie l'annonce d'une autre référence"),
    (_two_listings, "exactement une annonce"),
    (_invalid, "code NAF inconnu"),
    (_wrong_reference, "ne correspond pas à la branche"),
    (_merge_commit, "parent unique"),
    (_reserved_key, "clé réservée à Pelican"),
])
def test_approve_refuses_unsafe_or_invalid_branches(repo, review, make, message):
    make(repo)
    base = tip(repo)
    code, _, err = review("approve", "bad0000001")
    assert code == 1
    assert message in err
    assert tip(repo) == base and "proposition/bad0000001" in branches(repo)


def test_approve_refuses_a_duplicate_reference(repo, review):
    submit(repo, "base-0001", opportunity("base-0001"), slug="copie")
    code, _, err = review("approve", "base-0001")
    assert code == 1 and "référence déjà publiée" in err


def test_approve_refuses_on_conflict_with_base(repo, review):
    submit(repo, "aaa0000001", slug="meme-nom")
    submit(repo, "bbb0000001", slug="meme-nom")
    assert review("approve", "aaa0000001")[0] == 0
    code, _, err = review("approve", "bbb0000001")
    assert code == 1 and ("déjà pris" in err or "conflit" in err)


def test_reject_records_reason_and_deletes_branch(repo, review):
    sha = submit(repo, "bad0000001")
    code, out, _ = review("reject", "bad0000001", "--reason", "Photos manquantes.\nMerci !")
    assert code == 0 and "refusée" in out
    status = tracking.status(gitpython.Repo(repo), "bad0000001", sha)
    assert status.state == tracking.REJECTED
    assert status.reason == "Photos manquantes.\nMerci !"
    assert "proposition/bad0000001" not in branches(repo)
    assert review("approve", "bad0000001")[0] == 2


@pytest.mark.parametrize("args", [
    ("approve", "inconnue01"), ("show", "inconnue01"), ("reject", "inconnue01", "--reason", "x"),
    ("edit", "inconnue01"),
])
def test_unknown_reference_exits_2(review, args):
    code, _, err = review(*args)
    assert code == 2 and "aucune proposition en attente « inconnue01 »" in err


@pytest.mark.parametrize("args", [("reject", "x"), ("frobnicate",), ()])
def test_usage_errors_exit_2(review, args):
    with pytest.raises(SystemExit) as exit_info:
        review(*args)
    assert exit_info.value.code == 2


def test_empty_reason_is_refused(repo, review):
    submit(repo, "bad0000001")
    assert review("reject", "bad0000001", "--reason", "  ")[0] == 1
    assert "proposition/bad0000001" in branches(repo)


def test_squash_merged_on_the_forge_counts_as_published(repo, review):
    sha = submit(repo, "ok00000001")
    # A forge's squash merge: same file on main, new commit, branch left behind.
    squash = commit_on(repo, tip(repo), {"content/opportunites/pornic-ok00000001.md":
                                         git(repo, "show", f"{sha}:content/opportunites/"
                                                           "pornic-ok00000001.md").encode()},
                       "Squash")
    git(repo, "update-ref", "refs/heads/main", squash)
    assert review("list")[1] == "Aucune proposition en attente.\n"
    assert tracking.status(gitpython.Repo(repo), "ok00000001", sha).state == tracking.PUBLISHED
