"""Fixtures and small factories shared by the submission app tests (tests/test_app_*.py)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
# bench/ is not an installed package: the concurrency test reuses its HTTP client and server.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "content" / "opportunites"


def git(repo: Path, *args: str, data: bytes | None = None) -> str:
    """Run git in `repo` and return its output (fails the test on error)."""
    result = subprocess.run(["git", "-c", "gc.auto=0", *args], cwd=repo, input=data,
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def make_repo(path: Path, listings: int = 2) -> Path:
    """A git repository whose `main` holds a few listings and a README (one commit)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    folder = path / "content" / "opportunites"
    folder.mkdir(parents=True)
    for source in sorted(SAMPLE.glob("*.md"))[:listings]:
        (folder / source.name).write_bytes(source.read_bytes())
    (path / "README.md").write_text("Dépôt de test\n", encoding="utf-8")
    git(path, "add", "-A")
    git(path, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-qm", "init")
    return path


def branches(repo: Path) -> list[str]:
    """Review branches of a repository."""
    out = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/proposition/")
    return out.split()


def added_files(repo: Path, branch: str) -> list[tuple[str, str]]:
    """(status, path) of what a branch changes relative to its parent."""
    out = git(repo, "diff", "--name-status", "--no-renames", f"{branch}^", branch)
    return [tuple(line.split("\t", 1)) for line in out.splitlines()]


def form_data(defaults: dict[str, str], overrides: dict) -> dict[str, str]:
    """`defaults` with `overrides` applied; an override of None removes the key."""
    merged = {**defaults, **overrides}
    return {key: value for key, value in merged.items() if value is not None}


def opportunity(**overrides) -> dict[str, str]:
    """Form data of a valid opportunity (override or remove keys with None)."""
    data = {
        "title": "Pornic recherche son boulanger",
        "kind": "commerce-recherche",
        "sector": "boulangerie",
        "commune": "Pornic",
        "address": "3 place de l'Église",
        "surface": "85,5",
        "rent": "1 200",
        "aids": "Six mois de loyer offerts\nPrêt d'honneur",
        "body": "La boulangerie du bourg cherche un repreneur.\n\nLe fournil est **équipé**.",
        "contact_name": "Mairie de Pornic",
        "contact_email": "mairie@example.fr",
        "submitter_name": "Jeanne Martin",
        "submitter_email": "jeanne.martin@example.net",
        "submitter_phone": "06 12 34 56 78",
        "organisation": "Mairie de Pornic",
        "consent": "y",
        "submit": "1",
    }
    return form_data(data, overrides)


def project(**overrides) -> dict[str, str]:
    """Form data of a valid project (override or remove keys with None)."""
    data = {
        "title": "Boulanger cherche fournil en Vendée",
        "sector": "10.71C",
        "territories": "Vendée, 44131",
        "horizon": "6-12-mois",
        "surface_min": "60",
        "surface_max": "150",
        "body": "Quinze ans de fournil, je cherche à m'installer.",
        "submitter_name": "Paul Durand",
        "submitter_email": "paul@example.net",
        "consent": "y",
        "submit": "1",
    }
    return form_data(data, overrides)


def jpeg(width: int = 2400, height: int = 1800, exif: bool = True) -> bytes:
    """A JPEG photo, with an EXIF block (camera make, GPS-like comment) by default."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    out = io.BytesIO()
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x9286] = "GPS 47.11 -2.10"  # UserComment
        extra["exif"] = data.tobytes()
    image.save(out, "JPEG", **extra)
    return out.getvalue()


@pytest.fixture
def repo(tmp_path) -> Path:
    """A fresh repository with a few sample listings on `main`."""
    return make_repo(tmp_path / "repo")


@pytest.fixture
def app(repo, tmp_path):
    """The app on that repository, CSRF off (the CSRF tests turn it back on)."""
    from submit_app import create_app

    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SUBMIT_REPO": str(repo),
                       "SUBMIT_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    """Flask test client of the app."""
    return app.test_client()
