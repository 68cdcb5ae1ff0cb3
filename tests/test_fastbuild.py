"""The fast build is Pelican's build, faster: same reader results, same pages, live republishing."""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
import time
from datetime import date

import pytest
from fastbuild_helpers import ROOT, generate, tree

from pasdeporte import build, metadata
from pasdeporte.fastbuild import filecache, readcache, reader, watch

TODAY = "2026-12-01"


@pytest.fixture
def settings(tmp_path):
    """The project's Pelican settings on an empty content folder, with a private cache."""
    (tmp_path / "content").mkdir()
    found = build.pelican_settings(tmp_path / "content", tmp_path / "out")
    found["FASTBUILD_CACHE_PATH"] = str(tmp_path / "cache")
    return found


@pytest.mark.parametrize("text", [
    "Title: Simple\nDate: 2026-01-02\n\nUn paragraphe.\n",
    "\ufeffTitle: Avec BOM\nDate: 2026-01-02\n\n*Gras* et [lien](https://example.fr).\n",
    "Title: Sans corps\nDate: 2026-01-02\n",
    "Title: Résumé\nSummary: Un *résumé* formaté\nDate: 2026-01-02\n\nCorps.\n",
    "Title: Double\nTitle: Second\nTags: a\nTags: b\nDate: 2026-01-02\n\nCorps.\n",
    "Title: Listes\nDate: 2026-01-02\n\n- un\n- deux\n\n1. trois\n\n<b>brut</b>\n",
])
def test_reader_returns_what_pelican_reader_returns(settings, tmp_path, text):
    from pelican.readers import MarkdownReader

    path = tmp_path / "content" / "listing.md"
    path.write_text(text, encoding="utf-8")
    expected = MarkdownReader(settings).read(str(path))
    fast = reader.FastMarkdownReader(settings)
    readcache.reset()
    assert fast.read(str(path)) == expected
    # A reused instance must not carry state from one file to the next.
    assert fast.render(str(path)) == expected


@pytest.mark.parametrize("value", ["2026-01-02", "2024-02-29", "2026-1-2", "2026-01-02 10:30",
                                   "2026-01-02T10:30:00+02:00", "2 janvier 2026", "2026-02-30",
                                   "0001-01-01", "9999-12-31"])
def test_reader_dates_are_pelicans(settings, value):
    # ISO days skip dateutil (reader.process_metadata): same value, same type, same errors.
    from pelican.readers import MarkdownReader

    def processed(reader_class):
        try:
            return reader_class(settings).process_metadata("date", value)
        except ValueError as error:
            return str(error)

    fast, expected = processed(reader.FastMarkdownReader), processed(MarkdownReader)
    assert (fast, type(fast)) == (expected, type(expected))


def test_reader_cache_rewrites_only_the_shards_that_change(settings, tmp_path):
    folder = tmp_path / "content" / "opportunites"
    folder.mkdir()
    for number in range(40):
        (folder / f"l{number}.md").write_text(f"Title: T{number}\n\nCorps {number}.\n", "utf-8")
    readcache.reset()
    first = readcache.store_for(settings)
    shards = sorted(first.folder.glob("*.pickle"))
    assert len(shards) == readcache.SHARDS and first.stats["rendered"] == 40
    before = {path: path.read_bytes() for path in shards}
    (folder / "new.md").write_text("Title: Nouveau\n\nTexte neuf.\n", "utf-8")
    (shards[0]).write_bytes(b"abime")  # a damaged shard: its files are converted again
    times = {path: path.stat().st_mtime_ns for path in shards}
    time.sleep(0.01)
    readcache.reset()
    second = readcache.store_for(settings)
    lost = len(pickle.loads(before[shards[0]]))
    assert second.stats["rendered"] == 1 + lost
    rewritten = {path.name for path in shards if path.stat().st_mtime_ns != times[path]}
    new_shard = readcache._shard(filecache.path_digest(folder / "new.md"))
    assert rewritten == {"00.pickle", f"{new_shard:02x}.pickle"}
    assert pickle.loads(shards[0].read_bytes()) == pickle.loads(before[shards[0]])  # rewritten
    readcache.reset()
    third = readcache.store_for(settings)
    assert third.stats["rendered"] == 0
    assert third.get(str(folder / "new.md")) == second.get(str(folder / "new.md")) is not None


def test_cold_store_hashes_while_the_pool_converts(settings, tmp_path):
    # A cold store feeds the pool as it hashes: every file is served, a file with the same
    # bytes as another is converted once, and the results are those of one process.
    folder = tmp_path / "content" / "opportunites"
    folder.mkdir()
    count = readcache.POOL_THRESHOLD + 12
    for number in range(count):
        body = "Corps commun." if number % 10 == 0 else f"Corps *{number}*."
        (folder / f"l{number:03d}.md").write_text(f"Title: T\n\n{body}\n", "utf-8")
    stores = {}
    for workers in (2, 1):
        readcache.reset()
        cache = str(tmp_path / f"cache-{workers}")
        stores[workers] = readcache.store_for({**settings, "FASTBUILD_WORKERS": workers,
                                               "FASTBUILD_CACHE_PATH": cache})
    paths = sorted(str(path) for path in folder.glob("*.md"))
    alike = len(range(0, count, 10))
    assert stores[2].stats == {"files": count, "rendered": count - alike + 1}
    assert [stores[2].get(p) for p in paths] == [stores[1].get(p) for p in paths]
    assert stores[2].get(str(folder / "l010.md"))[0] == "<p>Corps commun.</p>"


def test_settings_hash_follows_markdown_settings(settings):
    same = readcache.settings_hash(dict(settings))
    assert readcache.settings_hash(settings) == same
    other = {**settings, "MARKDOWN": {**settings["MARKDOWN"], "output_format": "xhtml"}}
    assert readcache.settings_hash(other) != same


def test_pages_identical_to_stock_pelican_with_same_settings(tmp_path):
    content = tmp_path / "content"
    generate(content, 30, seed=3, today=date(2026, 11, 28))
    fast = tmp_path / "fast"
    build.build_site(content, fast, settings={"FASTBUILD_CACHE_PATH": str(tmp_path / "c"),
                                              "PASDEPORTE_TODAY": TODAY})
    stock = tmp_path / "stock"
    # Pelican's own command, in its own process: no fastbuild plugin, same settings file.
    subprocess.run([sys.executable, "-m", "pelican", str(content), "-o", str(stock), "-s",
                    str(ROOT / "pelicanconf.py"), "-q", "-e", f'PASDEPORTE_TODAY="{TODAY}"'],
                   check=True, cwd=ROOT, capture_output=True)
    fast_files = {k: v for k, v in tree(fast).items() if not k.startswith("pagefind/")}
    stock_files = tree(stock)
    assert sorted(fast_files) == sorted(stock_files)
    assert [k for k in stock_files if fast_files[k] != stock_files[k]] == []


def test_watch_republishes_a_new_listing(tmp_path):
    content, output = tmp_path / "content", tmp_path / "out"
    generate(content, 12, seed=5, today=date.today())
    build.build_site(content, output)
    builds, stop = [], threading.Event()
    thread = threading.Thread(target=watch.run, args=(content, output),
                              kwargs={"interval": 0.2, "stop": stop,
                                      "on_build": builds.append,
                                      "since": watch.snapshot(content)}, daemon=True)
    thread.start()
    try:
        meta = {"Title": "Pornic recherche son boulanger", "Date": date.today().isoformat(),
                "Kind": "commerce-recherche", "Sector": "10.71C", "Reference": "fb-watch-01",
                "State": "ouverte", "Commune": "44131", "Contact_name": "Mairie de Pornic",
                "Contact_email": "mairie@pornic.example.fr"}
        (content / "opportunites" / "pornic-watch.md").write_text(
            metadata.dumps(meta, "Le fournil attend son boulanger."), encoding="utf-8")
        started = time.monotonic()
        page = output / "opportunites" / "pornic-watch" / "index.html"
        while not builds and time.monotonic() - started < 60:
            time.sleep(0.1)
        assert builds == [0], "the watcher's build failed or did not run"
        assert "Pornic recherche son boulanger" in page.read_text("utf-8")
    finally:
        stop.set()
        thread.join(5)
