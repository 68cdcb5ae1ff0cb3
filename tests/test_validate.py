"""scripts/validate and scripts/build on valid and broken listings."""

from __future__ import annotations

import os
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from pasdeporte import validate

ROOT = Path(__file__).resolve().parent.parent
OPPORTUNITY = """\
Title: Pornic recherche une boulangerie
Date: 2026-10-01
Kind: commerce-recherche
Sector: 10.71C
Reference: op-test-1
State: ouverte
Expires: 2099-12-31
Commune: 44131
Surface: 85
Rent: 450
Contact_name: Mairie de Pornic
Contact_phone: 02 40 00 00 00

Le centre-bourg attend son boulanger.
"""
PROJECT = """\
Title: Boulanger cherche village en Vendée
Date: 2026-10-02
Kind: projet
Sector: 10.71C
Reference: pr-test-1
State: ouverte
Territories: dep-85, 200067346, reg-52
Surface_min: 60
Surface_max: 120

Quinze ans de fournil.
"""


def run(script: str, *args: str, **options) -> subprocess.CompletedProcess:
    """Run one of the project's scripts and capture its output."""
    return subprocess.run([str(ROOT / "scripts" / script), *args], capture_output=True,
                          text=True, timeout=300, **options)


@pytest.fixture
def content(tmp_path) -> Path:
    """A content folder holding one valid opportunity and one valid project."""
    (tmp_path / "opportunites").mkdir()
    (tmp_path / "projets").mkdir()
    (tmp_path / "opportunites" / "pornic-boulangerie.md").write_text(OPPORTUNITY)
    (tmp_path / "projets" / "boulanger-vendee.md").write_text(PROJECT)
    return tmp_path


def test_sample_content_is_valid():
    result = run("validate")
    assert result.returncode == 0, result.stdout
    assert "erreur" not in result.stdout
    assert " 0 erreur(s)" in result.stderr


def test_valid_folder_passes(content):
    result = run("validate", str(content))
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""
    assert "2 annonce(s) vérifiée(s), 0 erreur(s)" in result.stderr


BROKEN = [
    ("unknown commune", "Commune: 44131", "Commune: 99999", 8, "commune inconnue"),
    ("unknown NAF", "Sector: 10.71C", "Sector: 10.71X", 4, "code NAF inconnu"),
    ("missing title", "Title: Pornic recherche une boulangerie\n", "", 1, "« Title »"),
    ("bad date", "Date: 2026-10-01", "Date: 2026-02-30", 2, "date inexistante"),
    ("date format", "Date: 2026-10-01", "Date: 01/10/2026", 2, "AAAA-MM-JJ"),
    ("unknown kind", "Kind: commerce-recherche", "Kind: boutique", 3, "valeur inconnue"),
    ("unknown state", "State: ouverte", "State: fermee", 6, "valeur inconnue"),
    ("negative surface", "Surface: 85", "Surface: -85", 9, "positif"),
    ("not a number", "Rent: 450", "Rent: 450 €", 10, "nombre invalide"),
    ("pelican setting", "Rent: 450", "Rent: 450\nSave_as: ../../index.html", 11, "réservée"),
    ("status", "Rent: 450", "Rent: 450\nStatus: draft", 11, "réservée"),
    ("unknown key", "Rent: 450", "Rent: 450\nLoyer: 450", 11, "clé inconnue"),
    ("project key", "Rent: 450", "Rent: 450\nTerritories: dep-44", 11, "réservé aux projets"),
    ("continuation", "Rent: 450", "Rent: 450\n    Save_as: x", 11, "une seule ligne"),
    ("duplicate key", "Rent: 450", "Rent: 450\nRent: 500", 11, "en double"),
    ("no contact", "Contact_phone: 02 40 00 00 00\n", "", 11, "courriel ou un téléphone"),
    ("bad email", "Contact_phone: 02 40 00 00 00", "Contact_email: mairie@", 12, "invalide"),
    ("expires before", "Expires: 2099-12-31", "Expires: 2020-01-01", 7, "précède"),
]


@pytest.mark.parametrize("name, old, new, line, message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_listing_fails_with_its_line(content, name, old, new, line, message):
    path = content / "opportunites" / "pornic-boulangerie.md"
    assert old in OPPORTUNITY
    path.write_text(OPPORTUNITY.replace(old, new, 1))
    result = run("validate", str(content))
    assert result.returncode == 1
    problems = [row for row in result.stdout.splitlines() if row.startswith(f"{path}:{line}:")]
    assert any(message in row for row in problems), result.stdout


def test_duplicate_reference_and_slug(content):
    (content / "opportunites" / "copie.md").write_text(OPPORTUNITY)
    (content / "projets" / "pornic-boulangerie.md").write_text(
        PROJECT.replace("pr-test-1", "pr-test-2"))
    result = run("validate", str(content))
    assert result.returncode == 1
    first = content / "opportunites" / "copie.md"
    second = content / "opportunites" / "pornic-boulangerie.md"
    assert f"{second}:5: référence « op-test-1 » déjà prise par {first}" in result.stdout
    project = content / "projets" / "pornic-boulangerie.md"
    assert f"{project}:1: nom de fichier « pornic-boulangerie » déjà pris" in result.stdout


def test_wrong_folder_for_kind(content):
    (content / "projets" / "pornic-boulangerie-2.md").write_text(
        OPPORTUNITY.replace("op-test-1", "op-test-2"))
    result = run("validate", str(content / "projets" / "pornic-boulangerie-2.md"))
    assert result.returncode == 1
    assert ":3: « Kind: commerce-recherche » ne correspond pas au dossier « projets »" in (
        result.stdout)


def test_expired_but_open_is_a_warning_not_an_error(content):
    past = (date.today() - timedelta(days=3)).isoformat()
    path = content / "opportunites" / "pornic-boulangerie.md"
    text = OPPORTUNITY.replace("Expires: 2099-12-31", f"Expires: {past}")
    path.write_text(text.replace("Date: 2026-10-01", "Date: 2020-01-01"))
    result = run("validate", str(content))
    assert result.returncode == 0, result.stdout
    assert f"{path}:7: avertissement : annonce expirée" in result.stdout


def test_problems_from_the_library_match_the_cli(content):
    path = content / "projets" / "boulanger-vendee.md"
    path.write_text(PROJECT.replace("dep-85", "dep-99").replace("Surface_max: 120",
                                                                  "Surface_max: 10"))
    messages = [str(p) for p in validate.check_files([path])]
    assert any(":7: « Territories » : territoire inconnu « dep-99 »" in m for m in messages)
    assert any(":9: la surface maximale est inférieure" in m for m in messages)


def test_build_refuses_invalid_content(content, tmp_path):
    path = content / "opportunites" / "pornic-boulangerie.md"
    path.write_text(OPPORTUNITY.replace("Sector: 10.71C", "Sector: 99.99Z"))
    output = tmp_path / "out"
    result = run("build", "--content", str(content), "--output", str(output))
    assert result.returncode == 1
    assert f"{path}:4: « Sector » : code NAF inconnu « 99.99Z »" in result.stderr
    assert not (output / "index.html").exists()
    assert not (output / "pagefind").exists()  # prepared beside the check, never published


@pytest.mark.parametrize("cache", ["cold", "warm"])
def test_build_reports_what_validate_reports(content, tmp_path, cache):
    # Cold, the build checks each listing while converting it (fastbuild/listings.py); warm,
    # validation reads the files itself. Either way: the same messages, with the paths as given.
    env = {**os.environ, "PASDEPORTE_BUILD_CACHE": str(tmp_path / "cache")}
    output = f"out-{content.name}"
    names = ["--content", content.name, "--output", output]
    if cache == "warm":
        assert run("build", *names, cwd=content.parent, env=env).returncode == 0
    (content / "opportunites" / "pornic-boulangerie.md").write_text(
        OPPORTUNITY.replace("Sector: 10.71C", "Sector: 99.99Z"))
    (content / "projets" / "latin.md").write_bytes(PROJECT.replace("Quinze", "Quinze années")
                                                   .replace("pr-test-1", "pr-test-2")
                                                   .encode("latin-1"))
    expected = run("validate", content.name, cwd=content.parent).stdout.splitlines()
    assert any("opportunites/pornic-boulangerie.md:4: « Sector » : code NAF inconnu" in line
               for line in expected)
    assert f"{content.name}/projets/latin.md:1: le fichier n'est pas en UTF-8" in expected
    result = run("build", *names, cwd=content.parent, env=env)
    assert result.returncode == 1
    assert set(expected) <= set(result.stderr.splitlines())
    assert (content.parent / output / "index.html").exists() == (cache == "warm")


def test_refused_build_leaves_the_live_site_as_it_was(content, tmp_path):
    output = tmp_path / "out"
    assert run("build", "--content", str(content), "--output", str(output)).returncode == 0
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert any(p.parent.name == "pagefind" for p in before)
    path = content / "opportunites" / "pornic-boulangerie.md"
    path.write_text(OPPORTUNITY.replace("Sector: 10.71C", "Sector: 99.99Z")
                    .replace("Title: ", "Title: Nouveau titre "))
    result = run("build", "--content", str(content), "--output", str(output))
    assert result.returncode == 1
    after = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert after == before


def test_build_writes_a_page_per_listing(content, tmp_path):
    output = tmp_path / "out"
    result = run("build", "--content", str(content), "--output", str(output))
    assert result.returncode == 0, result.stderr
    page = (output / "opportunites" / "pornic-boulangerie" / "index.html").read_text()
    assert "Pornic recherche une boulangerie" in page
    assert (output / "projets" / "boulanger-vendee" / "index.html").exists()


def test_build_with_publish_settings_uses_absolute_urls(content, tmp_path, monkeypatch):
    output = tmp_path / "out"
    monkeypatch.setenv("SITEURL", "https://annonces.example.fr")
    result = run("build", "--content", str(content), "--output", str(output),
                 "--settings", str(ROOT / "publishconf.py"))
    assert result.returncode == 0, result.stderr
    page = (output / "opportunites" / "pornic-boulangerie" / "index.html").read_text()
    assert 'href="https://annonces.example.fr/opportunites/pornic-boulangerie/"' in page
    assert (output / "pagefind" / "pagefind.js").is_file()


def test_build_with_missing_settings_is_a_usage_error(content, tmp_path):
    result = run("build", "--content", str(content), "--output", str(tmp_path / "out"),
                 "--settings", str(tmp_path / "absent.py"))
    assert result.returncode == 2
    assert "réglages introuvables" in result.stderr
