"""Per-file caches of validation and search records give exactly the uncached results.

A synthetic corpus (with broken and duplicated files added) is checked and indexed with and
without a warm cache, before and after edits, and across a change of day.
"""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import pytest
from fastbuild_helpers import generate

from pasdeporte import metadata, search, validate
from pasdeporte.fastbuild import filecache

TODAY = date(2026, 11, 28)


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    generate(folder, 60, seed=7, today=TODAY)
    return folder


def first(content: Path, folder: str) -> Path:
    return sorted((content / folder).glob("*.md"))[0]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def break_some(content: Path) -> None:
    """A copy of a listing under another name (duplicate reference) and a file missing a field."""
    source = first(content, "opportunites")
    (content / "opportunites" / "copie-en-double.md").write_bytes(source.read_bytes())
    replace(first(content, "projets"), "Kind:", "Genre:")


def check(content: Path, cache: Path | None, today: date = TODAY) -> list[str]:
    return [str(p) for p in validate.check_files(validate.listing_files(content), today, cache)]


def test_validation_cache_gives_the_uncached_problems(content, tmp_path):
    cache = tmp_path / "validate.pickle"
    break_some(content)
    expected = check(content, None)
    assert any("déjà prise par" in line for line in expected)
    assert check(content, cache) == expected  # cold: computed and stored
    assert check(content, cache) == expected  # warm: every file from the cache


def test_validation_cache_sees_edits_and_cross_file_changes(content, tmp_path):
    cache = tmp_path / "validate.pickle"
    check(content, cache)
    # An edit in one file makes a duplicate reference with an unchanged, cached file.
    a, b = sorted((content / "opportunites").glob("*.md"))[:2]
    reference = metadata.loads(a.read_text("utf-8")).meta["Reference"]
    other = metadata.loads(b.read_text("utf-8")).meta["Reference"]
    replace(b, f"Reference: {other}", f"Reference: {reference}")
    replace(a, "Commune:", "Communne:")
    warm = check(content, cache)
    assert warm == check(content, None)
    assert any("clé inconnue « Communne »" in line for line in warm)
    assert any(line.startswith(str(b)) and "déjà prise" in line for line in warm)


def test_validation_cache_is_per_day(content, tmp_path):
    """The expiry warning depends on the day: another day must not reuse the results."""
    cache = tmp_path / "validate.pickle"
    before = check(content, cache, TODAY)
    later = date(2031, 1, 1)
    after = check(content, cache, later)
    assert after == check(content, None, later)
    assert after != before


def test_unreadable_file_is_reported_with_a_cache(content, tmp_path):
    bad = content / "opportunites" / "latin1.md"
    bad.write_bytes("Title: Café\n".encode("latin-1"))
    cache = tmp_path / "validate.pickle"
    for _ in range(2):
        assert f"{bad}:1: le fichier n'est pas en UTF-8" in check(content, cache)


def test_record_cache_gives_the_uncached_records(content, tmp_path):
    cache = tmp_path / "records.pickle"
    expected = search.records_from_content(content, TODAY)
    assert expected
    assert search.records_from_content(content, TODAY, cache) == expected
    assert search.records_from_content(content, TODAY, cache) == expected
    # Edit one listing, close another: the cache must not serve their old records.
    live = [r.url for r in expected]
    edited = next(p for p in (content / "opportunites").glob("*.md")
                  if f"/opportunites/{p.stem}/" in live)
    replace(edited, "Title: ", "Title: Nouveau titre ")
    closed = next(p for p in sorted((content / "opportunites").glob("*.md"))
                  if f"/opportunites/{p.stem}/" in live and p != edited)
    text = closed.read_text("utf-8")
    state = next(line for line in text.splitlines() if line.startswith("State:"))
    replace(closed, state, "State: pourvue")
    warm = search.records_from_content(content, TODAY, cache)
    assert warm == search.records_from_content(content, TODAY)
    assert f"/opportunites/{closed.stem}/" not in [r.url for r in warm]
    titles = {r.url: r.title for r in warm}
    assert titles[f"/opportunites/{edited.stem}/"].startswith("Nouveau titre ")


def test_index_saves_the_record_cache_while_pagefind_works(content, tmp_path, monkeypatch):
    cache, tasks = tmp_path / "records.pickle", []
    real = search.run_pagefind

    def spy(site, bundle, meanwhile=(), *rest):
        tasks.append(len(meanwhile))
        return real(site, bundle, meanwhile, *rest)

    monkeypatch.setattr(search, "run_pagefind", spy)
    expected = search.records_from_content(content, TODAY)
    assert search.index_site(content, tmp_path / "out", TODAY, cache=cache) == len(expected)
    assert tasks == [1]  # the save, handed to the Pagefind run
    # Saved indeed: every record now comes from the cache.
    monkeypatch.setattr("pasdeporte.search_records.listing_record",
                        lambda *args: pytest.fail("record made again"))
    assert search.records_from_content(content, TODAY, cache) == expected


def test_cache_of_another_code_version_is_ignored(tmp_path):
    path = tmp_path / "cache.pickle"
    store = filecache.FileCache(path, "v1")
    store.get("a.md", "d1")
    store.put("a.md", "d1", "result")
    store.save()
    assert filecache.FileCache(path, "v1").get("a.md", "d1") == (True, "result")
    assert filecache.FileCache(path, "v2").get("a.md", "d1") == (False, None)
    assert filecache.FileCache(path, "v1").get("a.md", "d2") == (False, None)
    path.write_bytes(b"not a pickle")
    assert filecache.FileCache(path, "v1").get("a.md", "d1") == (False, None)


def test_path_digest_rehashes_a_file_changed_moments_ago(tmp_path, monkeypatch):
    """A file written just now is hashed again each time; an older one is hashed once."""
    listing = tmp_path / "annonce.md"
    listing.write_text("Title: A\n", "utf-8")
    first = filecache.path_digest(listing)
    listing.write_text("Title: B\n", "utf-8")  # same size, within the same clock tick maybe
    assert filecache.path_digest(listing) != first
    assert str(listing) not in filecache._digests

    monkeypatch.setattr(filecache, "RACY_NS", -1)  # every file counts as old enough
    settled = filecache.path_digest(listing)
    assert filecache._digests[str(listing)][1] == settled == filecache.file_digest(b"Title: B\n")
    listing.write_text("Title: C, longer\n", "utf-8")  # a visible change: size and times
    assert filecache.path_digest(listing) == filecache.file_digest(b"Title: C, longer\n")


def test_digests_kept_for_the_next_build(tmp_path, monkeypatch):
    """A build's digests serve the next process for unchanged files, not for changed ones."""
    monkeypatch.setattr(filecache, "RACY_NS", -1)  # every file counts as old enough
    for name, empty in (("_digests", {}), ("_loaded", set()), ("_asked", set())):
        monkeypatch.setattr(filecache, name, empty)
    same, edited, gone = (tmp_path / f"{name}.md" for name in ("same", "edited", "gone"))
    for path in (same, edited, gone):
        path.write_text(f"Title: {path.stem}\n", "utf-8")
        filecache.path_digest(path)
    kept = tmp_path / "cache" / "digests.pickle"
    filecache.save_digests(kept)

    # The next build, in a new process: nothing in memory.
    for name, empty in (("_digests", {}), ("_loaded", set()), ("_asked", set())):
        monkeypatch.setattr(filecache, name, empty)
    edited.write_text("Title: edited, longer\n", "utf-8")
    filecache.load_digests(kept)
    read = []
    hashed = filecache.file_digest
    monkeypatch.setattr(filecache, "file_digest", lambda data: read.append(data) or hashed(data))
    assert filecache.path_digest(same) == hashed(b"Title: same\n") and read == []
    assert filecache.path_digest(edited) == hashed(b"Title: edited, longer\n")
    assert read == [b"Title: edited, longer\n"]
    gone.unlink()
    filecache.save_digests(kept)  # only the files this build asked for are kept
    assert set(pickle.loads(kept.read_bytes())["digests"]) == {str(same), str(edited)}
