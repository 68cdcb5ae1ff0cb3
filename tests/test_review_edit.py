"""scripts/review edit and approve --build, through the real script and a real Pelican build."""

from __future__ import annotations

import os
import subprocess
import sys

import git as gitpython
import pytest
from review_helpers import ROOT, branches, git, make_repo, submit

from pasdeporte import tracking


@pytest.fixture
def repo(tmp_path):
    """A content repository with `main` checked out."""
    return make_repo(tmp_path / "depot")


def editor(tmp_path, old: str, new: str) -> str:
    """An $EDITOR command that replaces `old` by `new` in the file it is given."""
    script = tmp_path / "editeur.py"
    script.write_text("import sys, pathlib\n"
                      "p = pathlib.Path(sys.argv[1])\n"
                      f"p.write_text(p.read_text().replace({old!r}, {new!r}))\n")
    return f"{sys.executable} {script}"


def review(repo, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real scripts/review on `repo`."""
    full_env = {key: value for key, value in os.environ.items()
                if key not in ("SUBMIT_REMOTE", "SMTP_HOST", "VISUAL")}
    full_env.update(SUBMIT_REPO=str(repo), SUBMIT_DATA_DIR=str(repo.parent), **(env or {}))
    return subprocess.run([str(ROOT / "scripts" / "review"), *args], capture_output=True,
                          text=True, env=full_env, timeout=300)


def test_edit_commits_the_change_on_the_branch(repo, tmp_path):
    first = submit(repo, "ok00000001")
    done = review(repo, "edit", "ok00000001",
                  env={"EDITOR": editor(tmp_path, "Un beau projet", "Un très beau projet")})
    assert done.returncode == 0, done.stderr
    tip = git(repo, "rev-parse", "proposition/ok00000001").strip()
    assert git(repo, "rev-parse", f"{tip}^").strip() == first
    assert "Un très beau projet" in git(
        repo, "show", f"{tip}:content/opportunites/pornic-ok00000001.md")
    assert git(repo, "status", "--porcelain") == ""  # the working tree was not touched


@pytest.mark.parametrize("old, new, message", [
    ("Commune: 44131", "Commune: 00000", "commune inconnue"),
    ("Reference: ok00000001", "Reference: autre0001", "la référence ne peut pas être modifiée"),
    ("State: ouverte", "State: ouverte\nStatus: draft", "clé réservée à Pelican"),
])
def test_invalid_edit_is_refused_and_kept(repo, tmp_path, old, new, message):
    first = submit(repo, "ok00000001")
    done = review(repo, "edit", "ok00000001", env={"EDITOR": editor(tmp_path, old, new)})
    assert done.returncode == 1
    assert message in done.stderr
    assert git(repo, "rev-parse", "proposition/ok00000001").strip() == first
    kept = done.stderr.rsplit("votre version est dans ", 1)[1].strip()
    assert new in open(kept, encoding="utf-8").read()


def test_unchanged_edit_commits_nothing(repo, tmp_path):
    first = submit(repo, "ok00000001")
    done = review(repo, "edit", "ok00000001", env={"EDITOR": editor(tmp_path, "zzz", "yyy")})
    assert done.returncode == 0 and "Aucune modification" in done.stdout
    assert git(repo, "rev-parse", "proposition/ok00000001").strip() == first


def test_round_trip_edit_approve_build(repo, tmp_path):
    sha = submit(repo, "ok00000001")
    review(repo, "edit", "ok00000001", env={"EDITOR": editor(tmp_path, "beau", "magnifique")})
    listed = review(repo, "list")
    assert listed.returncode == 0 and "ok00000001" in listed.stdout
    shown = review(repo, "show", "ok00000001")
    assert "+Un magnifique projet" in shown.stdout
    output = tmp_path / "site"
    done = review(repo, "approve", "ok00000001", "--build", "--output", str(output))
    assert done.returncode == 0, done.stderr
    page = output / "opportunites" / "pornic-ok00000001" / "index.html"
    assert "Un magnifique projet pour le bourg." in page.read_text()
    assert "proposition/ok00000001" not in branches(repo)
    status = tracking.status(gitpython.Repo(repo), "ok00000001", sha)
    assert status.state == tracking.PUBLISHED


def test_refused_branch_exit_code_through_the_script(repo):
    submit(repo, "bad0000001", extra={"pelicanconf.py": b"THEME = 'x'\n"})
    done = review(repo, "approve", "bad0000001")
    assert done.returncode == 1
    assert "chemin non autorisé : pelicanconf.py" in done.stderr
    assert review(repo, "approve", "inconnue01").returncode == 2
