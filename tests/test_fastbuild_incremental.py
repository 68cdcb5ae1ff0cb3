"""An incremental build gives byte for byte the output of a clean full build of the same content.

One content folder goes through add, edit, state change, expiry passing and delete; after each
step it is rebuilt incrementally into the same output (warm cache), and built from scratch into
a fresh output with a fresh cache, and the two trees are compared file by file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastbuild_helpers import comparable, generate

from pasdeporte import build, metadata

TODAY = date(2026, 11, 28)


def write_listing(content: Path, folder: str, name: str, meta: dict, body: str) -> Path:
    path = content / folder / f"{name}.md"
    path.write_text(metadata.dumps(meta, body), encoding="utf-8")
    return path


def bakery(**changes) -> dict:
    """A valid opportunity (a bakery in Pornic) with `changes` applied."""
    meta = {"Title": "Pornic recherche son boulanger", "Date": "2026-11-20",
            "Kind": "commerce-recherche", "Sector": "10.71C", "Reference": "fb-test-0001",
            "State": "ouverte", "Expires": "2027-01-15", "Commune": "44131",
            "Surface": "85", "Rent": "450", "Contact_name": "Mairie de Pornic"}
    meta.update(changes)
    return meta


def add(content: Path) -> None:
    write_listing(content, "opportunites", "pornic-boulangerie", bakery(),
                  "Le local donne sur la place du marché.\n\nLe fournil est équipé.")
    project = {"Title": "Boulanger cherche une commune en Loire-Atlantique", "Date": "2026-11-21",
               "Kind": "projet", "Sector": "10.71C", "Reference": "fb-test-0002",
               "State": "ouverte", "Territories": "dep-44"}
    write_listing(content, "projets", "boulanger-loire-atlantique", project,
                  "Quinze ans de fournil, je cherche un bourg vivant.")


def edit(content: Path) -> None:
    write_listing(content, "opportunites", "pornic-boulangerie",
                  bakery(Title="Pornic cherche un boulanger pour son centre-bourg", Rent="390"),
                  "Le local donne sur la place du marché.\n\nLoyer revu à la baisse.")


def state_change(content: Path) -> None:
    path = content / "opportunites" / "pornic-boulangerie.md"
    path.write_text(path.read_text("utf-8").replace("State: ouverte", "State: en-discussion"),
                    encoding="utf-8")


def delete(content: Path) -> None:
    (content / "opportunites" / "pornic-boulangerie.md").unlink()


# (step, change to the content, build date, files to convert): expiry changes only the date.
STEPS = [
    ("ajout", add, "2026-12-01", 2),
    ("modification", edit, "2026-12-01", 1),
    ("changement d'état", state_change, "2026-12-01", 1),
    ("expiration", None, "2027-01-16", 0),
    ("suppression", delete, "2027-01-16", 0),
]


@pytest.fixture
def corpus(tmp_path) -> Path:
    content = tmp_path / "content"
    generate(content, 30, seed=7, today=TODAY)
    return content


def run(content: Path, output: Path, cache: Path, day: str, incremental: bool) -> dict:
    settings = {"FASTBUILD_CACHE_PATH": str(cache), "PASDEPORTE_TODAY": day}
    return build.build_site(content, output, incremental=incremental, settings=settings)


def test_incremental_equals_full_at_every_step(corpus, tmp_path):
    live, live_cache = tmp_path / "live", tmp_path / "live-cache"
    first = run(corpus, live, live_cache, "2026-12-01", incremental=True)
    assert first["converted"] == first["sources"] == 30
    for number, (step, change, day, converted) in enumerate(STEPS):
        if change:
            change(corpus)
        figures = run(corpus, live, live_cache, day, incremental=True)
        clean = tmp_path / f"clean-{number}"
        run(corpus, clean, tmp_path / f"clean-cache-{number}", day, incremental=False)
        live_site, live_search = comparable(live)
        clean_site, clean_search = comparable(clean)
        assert sorted(live_site) == sorted(clean_site), step
        different = [name for name in clean_site if live_site[name] != clean_site[name]]
        assert different == [], f"{step}: {different[:5]}"
        assert live_search == clean_search, step
        # The fast path was taken: only the changed files converted, most pages untouched.
        assert figures["converted"] == converted, step
        assert 0 < figures["written"] < figures["pages"] / 2, step
        if step == "suppression":
            assert figures["deleted"] >= 1
            assert not (live / "opportunites" / "pornic-boulangerie").exists()


def test_no_change_rebuild_writes_nothing(corpus, tmp_path):
    output, cache = tmp_path / "out", tmp_path / "cache"
    run(corpus, output, cache, "2026-12-01", incremental=True)
    stamps = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    figures = run(corpus, output, cache, "2026-12-01", incremental=True)
    assert figures["written"] == 0 and figures["converted"] == 0
    assert figures["search"] == "inchangé"
    changed = [p for p, stamp in stamps.items() if p.stat().st_mtime_ns != stamp]
    # Only files a plugin rewrites by itself (feeds, open data, sitemap) may be touched.
    assert all(not p.name.endswith(".html") for p in changed), changed[:5]


def test_only_a_cli_build_gives_way_to_the_index(corpus, tmp_path, monkeypatch):
    from pasdeporte.fastbuild import incremental

    calls = []
    monkeypatch.setattr(incremental.os, "nice", calls.append)
    settings = {"FASTBUILD_CACHE_PATH": str(tmp_path / "cache"), "PASDEPORTE_TODAY": TODAY}
    output = tmp_path / "out"
    build.build_site(corpus, output, settings=settings, yield_to_index=True)  # cold
    assert calls == [incremental.NICE_WHILE_INDEXING]
    add(corpus)
    build.build_site(corpus, output, settings=settings)  # warm, but not asked to
    assert calls == [incremental.NICE_WHILE_INDEXING]
    edit(corpus)
    build.build_site(corpus, output, settings=settings, yield_to_index=True)  # a publish
    assert calls == [incremental.NICE_WHILE_INDEXING] * 2


def test_pagefind_on_one_core_in_cold_and_full_builds_only(corpus, tmp_path, monkeypatch):
    from pasdeporte import search

    # The index runs in a forked process: it tells its `one_core` through a file.
    told, real = tmp_path / "told.txt", search.index_site

    def index_site(*args, one_core=False, **kwargs):
        with told.open("a") as fh:
            fh.write("1" if one_core else "0")
        return real(*args, one_core=one_core, **kwargs)

    monkeypatch.setattr(search, "index_site", index_site)
    settings = {"FASTBUILD_CACHE_PATH": str(tmp_path / "cache"), "PASDEPORTE_TODAY": TODAY}
    output = tmp_path / "out"
    build.build_site(corpus, output, settings=settings)  # cold
    add(corpus)
    build.build_site(corpus, output, settings=settings)  # a publish
    edit(corpus)
    build.build_site(corpus, output, settings=settings, incremental=False)  # full
    assert told.read_text() == "101"
