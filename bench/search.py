"""Search benchmark: bytes transferred and time to results in headless Chromium.

`scripts/bench search [--sizes 1000,10000] [--seed 1] [--corpora live,realistic]` generates
N synthetic listings (bench/corpus.py) twice: all open and unexpired ("toutes en ligne", all N
indexed: the issue's target) and with realistic states and expiry dates ("états réalistes",
closed and expired ones left out of the index). For each, it builds the search page with
Pelican and the index from the data, serves the result gzipped like a production host, then
measures cold-cache scenarios:
- first query: open /recherche/?q=... (what the header search box does);
- typed query: open /recherche/, then type the query;
- filtered query: open /recherche/?q=...&departement=... (filter counts are loaded);
- surface sort: after the first query, pick "la plus grande surface" (loads tris.json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench import corpus
from pasdeporte import build, search
from pasdeporte.static_server import serve

QUERY = "boulangerie"
FILTER = ("departement", "Loire-Atlantique (44)")
TARGET_KB = 200
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]


def kind_of(url: str) -> str:
    """Which part of the page a URL belongs to, for the breakdown."""
    for part in ("pagefind.js", "wasm", "pf_meta", "pf_index", "pf_filter", "pf_fragment",
                 "tris.json", "lots.json"):
        if part in url:
            return part
    return "page"


class Meter:
    """Sum of encoded bytes received per URL kind, from Chromium's network events (CDP)."""

    def __init__(self, page):
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, int] = defaultdict(int)
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def _response(self, event: dict) -> None:
        self.urls[event["requestId"]] = event["response"]["url"]

    def _finished(self, event: dict) -> None:
        self.bytes[kind_of(self.urls.get(event["requestId"], ""))] += event["encodedDataLength"]

    def reset(self) -> None:
        self.bytes.clear()

    def total(self, only_search: bool = False) -> int:
        return sum(v for k, v in self.bytes.items() if not (only_search and k == "page"))


def wait_done(page, before: str | None) -> None:
    page.wait_for_function(
        "b => (document.getElementById('search-output').dataset.done || null) !== b",
        arg=before, timeout=60_000)


def typed(page) -> None:
    page.fill("#search-q", QUERY)
    page.press("#search-q", "Enter")


def sorted_by_surface(page) -> None:
    page.select_option("#search-sort", "surface")


def measure(browser, base: str) -> list[tuple[str, int, int, float, int]]:
    """(scenario, total bytes, search bytes, ms to results, results) for each scenario.

    A scenario with an action counts only what that action loads, after the page is ready.
    """
    rows = []
    for name, url, action in (
        ("première requête", f"/recherche/?q={QUERY}", None),
        ("requête tapée", "/recherche/", typed),
        ("requête filtrée", f"/recherche/?q={QUERY}&{FILTER[0]}={FILTER[1]}", None),
        ("tri par surface", f"/recherche/?q={QUERY}", sorted_by_surface),
    ):
        context = browser.new_context()
        page = context.new_page()
        meter = Meter(page)
        start = time.perf_counter()
        page.goto(base + url)
        wait_done(page, None)
        if action:
            page.wait_for_load_state("networkidle")
            meter.reset()
            before = page.get_attribute("#search-output", "data-done")
            start = time.perf_counter()
            action(page)
            wait_done(page, before)
        elapsed = (time.perf_counter() - start) * 1000
        page.wait_for_load_state("networkidle")
        found = page.inner_text("#search-status").split(" ")[0]
        rows.append((name, meter.total(), meter.total(only_search=True), elapsed,
                     int(found.replace("\u202f", "")) if found[:1].isdigit() else 0))
        context.close()
    return rows


CORPORA = {"live": "toutes en ligne", "realistic": "états réalistes"}


def bench_size(browser, n: int, seed: int, kind: str, work: Path) -> None:
    content, empty = work / f"content-{kind}-{n}", work / "empty"
    output = work / f"site-{kind}-{n}"
    corpus.generate(content, n, seed=seed, live=kind == "live")
    empty.mkdir(exist_ok=True)
    # Only the search page and the theme are needed from Pelican; the index comes from data.
    from pelican import Pelican

    Pelican(build.pelican_settings(empty, output)).run()
    start = time.perf_counter()
    indexed = search.index_site(content, output)
    index_s = time.perf_counter() - start
    size = sum(p.stat().st_size for p in (output / "pagefind").rglob("*") if p.is_file())
    lots = len(json.loads((output / "pagefind" / search.LOTS_FILE).read_text())["lots"])
    print(f"\n{n} annonces, {CORPORA[kind]} : {indexed} indexées ; index construit en "
          f"{index_s:.1f} s ({size / 1e6:.1f} Mo sur disque, {1 + lots} lot(s) Pagefind)")
    print(f"{'scénario':<18} {'Ko transférés':>14} {'dont recherche':>15} "
          f"{'ms jusqu’aux résultats':>23} {'résultats':>10}")
    with serve(output, use_gzip=True) as base:
        for name, total, only, ms, found in measure(browser, base):
            flag = "" if name != "première requête" or kind != "live" else (
                "  ✓ cible" if total / 1024 <= TARGET_KB else "  ✗ cible")
            print(f"{name:<18} {total / 1024:>14.1f} {only / 1024:>15.1f} {ms:>23.0f} "
                  f"{found:>10}{flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench search")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpora", default="live,realistic",
                        help="live : toutes les annonces en ligne (la cible) ; realistic : états "
                             "et expirations réalistes (une partie n'est pas indexée)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for n in (int(s) for s in args.sizes.split(",")):
            for kind in args.corpora.split(","):
                bench_size(browser, n, args.seed, kind, Path(tmp))
        browser.close()
    print(f"\nCible : première requête ≤ {TARGET_KB} Ko transférés (tout compris, gzip), "
          "toutes les annonces en ligne.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
