"""Syncing a new index over the live one, and splitting a large index into lots (no browser)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from search_helpers import days, opportunity, project, write

from pasdeporte import search, search_bundle


def tree(folder: Path) -> dict[str, bytes]:
    """Relative path → bytes of every file under `folder`."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Relative path → (inode, mtime): a rewritten file gets a new one (atomic replace)."""
    return {path.relative_to(folder).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in folder.rglob("*") if path.is_file()}


def corpus(content: Path, n: int) -> None:
    """`n` live listings, one a day, alternately opportunities and projects."""
    for i in range(n):
        if i % 2:
            write(content, f"projet-{i:02d}", project(Reference=f"pr-{i}", Date=days(-i - 1)),
                  f"Projet numéro {i}.")
        else:
            write(content, f"annonce-{i:02d}", opportunity(
                Reference=f"op-{i}", Date=days(-i - 1), Surface=str(40 + 10 * i)),
                f"Annonce numéro {i}.")


def comparable(bundle: Path) -> tuple[dict[str, bytes], dict[str, int]]:
    """Files of a bundle and its lots, and their page and filter file counts.

    Pagefind names its filter files and metadata from an unordered map, so two runs on the
    same pages differ there (tests/fastbuild_helpers.py); every other file is stable.
    """
    files = tree(bundle)
    unstable = (".pf_filter", ".pf_meta", "pagefind-entry.json")
    counts = {}
    for name, data in files.items():
        folder = name.rpartition("pagefind-entry.json")[0]
        if name.endswith("pagefind-entry.json"):
            counts[f"{folder}pages"] = json.loads(data)["languages"]["fr"]["page_count"]
        counts[name.rpartition("/")[0]] = counts.get(name.rpartition("/")[0], 0) + 1
    return {k: v for k, v in files.items() if not k.endswith(unstable)}, counts


def clean_index(content: Path, root: Path) -> tuple[dict[str, bytes], dict[str, int]]:
    """What a from-scratch index of `content` gives (see `comparable`)."""
    search.index_site(content, root)
    return comparable(root / "pagefind")


@pytest.fixture()
def content(tmp_path):
    folder = tmp_path / "content"
    corpus(folder, 24)
    return folder


def test_publish_rewrites_only_a_few_files_and_equals_a_clean_build(content, tmp_path):
    output = tmp_path / "out"
    search.index_site(content, output)
    before = stamps(output / "pagefind")
    write(content, "nouvelle", opportunity(Reference="op-new", Date=days(0)), "Toute neuve.")
    search.index_site(content, output)
    after = stamps(output / "pagefind")
    rewritten = {path for path, stamp in after.items() if before.get(path) != stamp}
    new_fragments = {path for path in rewritten if path.startswith("fragment/")}
    assert len(new_fragments) == 1
    # The new page, the word chunks it touches, filters, metadata and entry files: a handful.
    assert len(rewritten) < 20 < len(after)
    assert "pagefind.js" not in rewritten and "wasm.fr.pagefind" not in rewritten
    assert comparable(output / "pagefind") == clean_index(content, tmp_path / "clean")


def test_removed_listing_leaves_the_index(content, tmp_path):
    output = tmp_path / "out"
    search.index_site(content, output)
    ids = search_bundle.page_ids(output / "pagefind")
    gone = ids["/opportunites/annonce-04/"]
    (content / "opportunites" / "annonce-04.md").unlink()
    assert search.index_site(content, output) == 23
    bundle = output / "pagefind"
    assert not (bundle / "fragment" / f"{gone}.pf_fragment").exists()
    assert "/opportunites/annonce-04/" not in search_bundle.page_ids(bundle)
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert entry["languages"]["fr"]["page_count"] == 23
    # Nothing of the old index is left behind: the same files as a clean build.
    assert comparable(bundle) == clean_index(content, tmp_path / "clean")


def test_sync_writes_content_files_first_and_the_main_entry_last(content, tmp_path, monkeypatch):
    monkeypatch.setenv("PASDEPORTE_SEARCH_LOT", "8")
    search.index_site(content, tmp_path / "fresh")
    order = []
    real = search_bundle._replace
    monkeypatch.setattr(search_bundle, "_replace",
                        lambda fresh, live: order.append(fresh) or real(fresh, live))
    live = tmp_path / "live"
    live.mkdir()
    (live / "fragment").mkdir()
    (live / "fragment" / "old.pf_fragment").write_bytes(b"old")
    deleted = []
    monkeypatch.setattr(search_bundle.os, "unlink",
                        lambda path, *a, **k: deleted.append(Path(path).name))
    result = search_bundle.sync_bundle(tmp_path / "fresh" / "pagefind", live)
    names = [path.relative_to(tmp_path / "fresh" / "pagefind").as_posix() for path in order]
    entries = [i for i, name in enumerate(names) if not search_bundle.is_content(Path(name))]
    # Every content-named file before any entry file; each lot's entry before the main one's.
    assert entries == list(range(entries[0], len(names)))
    assert names[-1] == "pagefind-entry.json"
    assert names.index("lots/0/pagefind-entry.json") < names.index("lots.json")
    # A lot's key only once its entry is in place: a cut sync is never taken for up to date.
    assert names.index("lots/1/pagefind-entry.json") < names.index("lots/1/pages.sha256")
    assert result == {"written": len(names), "deleted": 1} and deleted == ["old.pf_fragment"]


@pytest.mark.parametrize(("n", "size", "expected"), [
    (0, 3, [("", 0)]),
    (3, 3, [("", 3)]),
    (4, 3, [("", 1), ("lots/0", 3)]),
    (10, 3, [("", 1), ("lots/2", 3), ("lots/1", 3), ("lots/0", 3)]),
    (12, 3, [("", 3), ("lots/2", 3), ("lots/1", 3), ("lots/0", 3)]),
])
def test_lots_are_cut_from_the_oldest(n, size, expected):
    records = list(range(n))  # newest first
    lots = search.split_lots(records, size)
    assert [(folder, len(part)) for folder, part in lots] == expected
    assert [record for _, part in lots for record in part] == records


def bundle_urls(bundle: Path) -> set[str]:
    return set(search_bundle.page_ids(bundle))


def test_large_index_is_split_into_lots_of_every_record_once(content, tmp_path, monkeypatch):
    monkeypatch.setenv("PASDEPORTE_SEARCH_LOT", "10")
    output = tmp_path / "out"
    assert search.index_site(content, output) == 24
    bundle = output / "pagefind"
    assert json.loads((bundle / "lots.json").read_text()) == {"lots": ["lots/1/", "lots/0/"]}
    main, newer, older = (bundle_urls(bundle), bundle_urls(bundle / "lots" / "1"),
                          bundle_urls(bundle / "lots" / "0"))
    assert (len(main), len(newer), len(older)) == (4, 10, 10)
    assert main | newer | older == {f"/{'projets/projet' if i % 2 else 'opportunites/annonce'}"
                                    f"-{i:02d}/" for i in range(24)}
    # Newest in the main bundle (listing i is i + 1 days old), the oldest in lots/0.
    assert main == {"/opportunites/annonce-00/", "/projets/projet-01/",
                    "/opportunites/annonce-02/", "/projets/projet-03/"}
    assert "/opportunites/annonce-22/" in older
    for lot in ("0", "1"):
        files = {path.name for path in (bundle / "lots" / lot).iterdir()}
        # mergeIndex needs the data only: the search page runs the main bundle's code.
        assert not {"pagefind.js", "wasm.fr.pagefind"} & files
        assert {"pagefind-entry.json", "tris.json", "fragment", "index"} <= files
        table = json.loads((bundle / "lots" / lot / "tris.json").read_text())
        assert len(table["pages"].split(" ")) == 10
    # Back under the lot size: one bundle again, the lots are gone.
    monkeypatch.setenv("PASDEPORTE_SEARCH_LOT", "100")
    search.index_site(content, output)
    assert not (bundle / "lots").exists()
    assert json.loads((bundle / "lots.json").read_text()) == {"lots": []}


def test_publish_indexes_the_main_lot_only(content, tmp_path, monkeypatch):
    monkeypatch.setenv("PASDEPORTE_SEARCH_LOT", "10")
    output = tmp_path / "out"
    search.index_site(content, output)
    runs, real = [], search.run_pagefind
    monkeypatch.setattr(search, "run_pagefind", lambda site, bundle, *rest: runs.append(
        sorted(path.parent.name for path in site.rglob("index.html"))) or real(site, bundle,
                                                                              *rest))
    write(content, "nouvelle", opportunity(Reference="op-new", Date=days(0)), "Toute neuve.")
    before = stamps(output / "pagefind" / "lots")
    search.index_site(content, output)
    assert len(runs) == 1 and "nouvelle" in runs[0] and len(runs[0]) == 5
    assert stamps(output / "pagefind" / "lots") == before
    assert comparable(output / "pagefind") == clean_index(content, tmp_path / "clean")
    # An older listing withdrawn: its lot and the newer ones are indexed again, not older ones.
    (content / "projets" / "projet-05.md").unlink()
    runs.clear()
    before = stamps(output / "pagefind" / "lots" / "0")
    search.index_site(content, output)
    assert len(runs) == 2 and "projet-05" not in runs[1] and "projet-03" in runs[1]
    assert stamps(output / "pagefind" / "lots" / "0") == before
    assert comparable(output / "pagefind") == clean_index(content, tmp_path / "clean2")


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="une machine à un seul cœur")
def test_pagefind_on_one_core_only_for_an_index_of_one_lot(content, tmp_path, monkeypatch):
    # The CPU set of the thread that starts Pagefind is the one Pagefind's threads get.
    masks, real, cores = [], search.subprocess.Popen, os.sched_getaffinity(0)

    def popen(*args, **kwargs):
        masks.append(os.sched_getaffinity(0))
        return real(*args, **kwargs)

    monkeypatch.setattr(search.subprocess, "Popen", popen)
    search.index_site(content, tmp_path / "full", one_core=True)
    search.index_site(content, tmp_path / "publish")
    assert masks == [{max(cores)}, cores] and os.sched_getaffinity(0) == cores
    # Several lots, run one after the other: what the build waits for, on every core.
    monkeypatch.setenv("PASDEPORTE_SEARCH_LOT", "10")
    masks.clear()
    search.index_site(content, tmp_path / "lots", one_core=True)
    assert len(masks) > 1 and set(map(frozenset, masks)) == {frozenset(cores)}


def test_pagefind_runs_where_its_cpu_set_cannot_be_changed(content, tmp_path, monkeypatch):
    def refuse(pid, cores):
        raise PermissionError("bac à sable")

    monkeypatch.setattr(search.os, "sched_setaffinity", refuse)
    assert search.index_site(content, tmp_path / "out", one_core=True) == 24
    assert (tmp_path / "out" / "pagefind" / search_bundle.ENTRY).is_file()
