"""Small factories for the editors' workflow tests: real repositories and app-like branches."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pasdeporte import metadata

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
       "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def git(repo: Path, *args: str, data: bytes | None = None, env: dict | None = None,
        check: bool = True) -> str:
    """Run git in `repo`; fail the test on error unless check=False."""
    done = subprocess.run(["git", "-c", "gc.auto=0", *args], cwd=repo, input=data,
                          capture_output=True, env={**ENV, **(env or {})})
    if check:
        assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def opportunity(reference: str, **overrides: str) -> dict[str, str]:
    """Metadata of a valid opportunity (a bakery sought in Pornic)."""
    meta = {"Title": f"Pornic recherche une boulangerie ({reference})", "Date": "2026-11-20",
            "Kind": "commerce-recherche", "Sector": "10.71C", "Reference": reference,
            "State": "ouverte", "Commune": "44131", "Contact_name": "Mairie de Pornic",
            "Contact_email": "mairie@pornic.example.fr"}
    meta.update(overrides)
    return {key: value for key, value in meta.items() if value}


def project(reference: str, **overrides: str) -> dict[str, str]:
    """Metadata of a valid project (a baker looking in Vendée)."""
    meta = {"Title": f"Boulanger cherche un fournil en Vendée ({reference})",
            "Date": "2026-11-20", "Kind": "projet", "Sector": "10.71C", "Reference": reference,
            "State": "ouverte", "Territories": "dep-85"}
    meta.update(overrides)
    return meta


def listing(meta: dict[str, str], body: str = "Un beau projet pour le bourg.") -> bytes:
    """A listing file as the app writes it."""
    return metadata.dumps(meta, body).encode("utf-8")


def make_repo(path: Path) -> Path:
    """A repository whose `main` holds two published listings (one commit)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Rédaction")
    git(path, "config", "user.email", "redaction@example.org")
    files = {"content/opportunites/pornic-epicerie.md": listing(opportunity("base-0001",
                                                                            Title="Épicerie")),
             "content/projets/boulanger-vendee.md": listing(project("base-0002")),
             "README.md": b"Contenu de test\n"}
    for name, data in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(data)
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "Base")
    return path


def commit_on(repo: Path, parent: str, files: dict, message: str) -> str:
    """A commit on `parent` with `files` added or replaced, written like the app (plumbing).

    A value is the file's bytes, or (mode, bytes) for a symlink ("120000") and the like.
    """
    index = repo / ".git" / "test-index"
    env = {"GIT_INDEX_FILE": str(index)}
    git(repo, "read-tree", parent, env=env)
    for name, data in files.items():
        mode, data = data if isinstance(data, tuple) else ("100644", data)
        blob = git(repo, "hash-object", "-w", "--stdin", data=data).strip()
        git(repo, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{name}", env=env)
    tree = git(repo, "write-tree", env=env).strip()
    index.unlink()
    return git(repo, "commit-tree", tree, "-p", parent, "-m", message).strip()


def submit(repo: Path, reference: str, meta: dict[str, str] | None = None,
           slug: str | None = None, extra: dict | None = None,
           base: str = "main", raw: bytes | None = None) -> str:
    """Create `proposition/<reference>` as the app does: one commit adding one listing."""
    meta = meta or opportunity(reference)
    folder = "projets" if meta.get("Kind") == "projet" else "opportunites"
    files = {f"content/{folder}/{slug or 'pornic-' + reference}.md": raw or listing(meta),
             **(extra or {})}
    parent = git(repo, "rev-parse", f"refs/heads/{base}").strip()
    sha = commit_on(repo, parent, files, f"Proposition {reference}")
    git(repo, "update-ref", f"refs/heads/proposition/{reference}", sha, "0" * 40)
    return sha


def branches(repo: Path) -> list[str]:
    """Local branch names."""
    return git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/").split()
