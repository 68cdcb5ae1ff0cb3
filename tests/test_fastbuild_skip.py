"""A build whose inputs did not change skips Pelican, and the output stays what a run gives.

Anything a run reads (content, settings, build date) or leaves (its files) must force a run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastbuild_helpers import generate, tree

from pasdeporte import build

DAY = "2026-12-01"


@pytest.fixture
def built(tmp_path) -> tuple[Path, Path, Path]:
    content, output, cache = tmp_path / "content", tmp_path / "out", tmp_path / "cache"
    generate(content, 20, seed=3)
    assert run(content, output, cache).get("site") != "inchangé"
    return content, output, cache


def run(content: Path, output: Path, cache: Path, day: str = DAY, **extra) -> dict:
    settings = {"FASTBUILD_CACHE_PATH": str(cache), "PASDEPORTE_TODAY": day, **extra}
    return build.build_site(content, output, settings=settings)


def stamps(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_no_change_skips_pelican_and_keeps_every_file(built):
    content, output, cache = built
    before, times = tree(output), stamps(output)
    figures = run(content, output, cache)
    assert figures["site"] == "inchangé" and figures["search"] == "inchangé"
    assert tree(output) == before and stamps(output) == times


def test_full_build_is_never_skipped(built):
    content, output, cache = built
    figures = build.build_site(content, output, incremental=False,
                               settings={"FASTBUILD_CACHE_PATH": str(cache),
                                         "PASDEPORTE_TODAY": DAY})
    assert "site" not in figures and figures["pages"] > 0
    # ... and it leaves a record the next incremental build can skip on.
    assert run(content, output, cache)["site"] == "inchangé"


def test_deleted_or_touched_output_forces_a_run(built):
    content, output, cache = built
    before = tree(output)
    page = next(output.glob("opportunites/*/index.html"))
    page.unlink()
    assert run(content, output, cache).get("site") != "inchangé"
    assert tree(output) == before
    page.write_text("abîmé", "utf-8")
    assert run(content, output, cache).get("site") != "inchangé"
    assert tree(output) == before


@pytest.mark.parametrize("change", ["day", "setting", "static", "listing"])
def test_changed_input_forces_a_run(built, change):
    content, output, cache = built
    day, extra = DAY, {}
    if change == "day":
        day = "2026-12-02"
    elif change == "setting":
        extra = {"SITESUBTITLE": "Un autre sous-titre"}
    elif change == "static":
        (content / "images").mkdir(exist_ok=True)
        (content / "images" / "photo.jpg").write_bytes(b"\xff\xd8 pas une vraie photo")
    else:
        listing = next((content / "projets").glob("*.md"))
        listing.write_text(listing.read_text("utf-8") + "\nUne phrase de plus.\n", "utf-8")
    figures = run(content, output, cache, day, **extra)
    assert figures.get("site") != "inchangé"
    assert figures["pages"] > 0
