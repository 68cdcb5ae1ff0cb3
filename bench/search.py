"""Search benchmark: bytes transferred and time to results in headless Chromium.

`scripts/bench search [--sizes 1000,10000] [--seed 1] [--all-states]` generates N synthetic
listings (bench/corpus.py; all open and unexpired unless --all-states, so all N are indexed),
builds the search page with Pelican and the index from the data, serves the result gzipped
like a production host, then measures three cold-cache scenarios:
- first query: open /recherche/?q=... (what the header search box does);
- typed query: open /recherche/, then type the query;
- filtered query: open /recherche/?q=...&departement=... (filter counts are loaded).
"""

from __future__ import annotations

import argparse
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
    for part in ("pagefind.js", "wasm", "pf_meta", "pf_index", "pf_filter", "pf_fragment"):
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


def measure(browser, base: str) -> list[tuple[str, int, int, float, int]]:
    """(scenario, total bytes, search bytes, ms to results, results) for the three scenarios."""
    rows = []
    for name, url, typed in (
        ("première requête", f"/recherche/?q={QUERY}", False),
        ("requête tapée", "/recherche/", True),
        ("requête filtrée", f"/recherche/?q={QUERY}&{FILTER[0]}={FILTER[1]}", False),
    ):
        context = browser.new_context()
        page = context.new_page()
        meter = Meter(page)
        start = time.perf_counter()
        page.goto(base + url)
        wait_done(page, None)
        if typed:
            meter.reset()
            before = page.get_attribute("#search-output", "data-done")
            start = time.perf_counter()
            page.fill("#search-q", QUERY)
            page.press("#search-q", "Enter")
            wait_done(page, before)
        elapsed = (time.perf_counter() - start) * 1000
        page.wait_for_load_state("networkidle")
        found = page.inner_text("#search-status").split(" ")[0]
        rows.append((name, meter.total(), meter.total(only_search=True), elapsed,
                     int(found.replace("\u202f", "")) if found[:1].isdigit() else 0))
        context.close()
    return rows


def bench_size(browser, n: int, seed: int, live: bool, work: Path) -> None:
    content, empty, output = work / f"content-{n}", work / "empty", work / f"site-{n}"
    corpus.generate(content, n, seed=seed, live=live)
    empty.mkdir(exist_ok=True)
    # Only the search page and the theme are needed from Pelican; the index comes from data.
    from pelican import Pelican

    Pelican(build.pelican_settings(empty, output)).run()
    start = time.perf_counter()
    indexed = search.index_site(content, output)
    index_s = time.perf_counter() - start
    size = sum(p.stat().st_size for p in (output / "pagefind").rglob("*") if p.is_file())
    print(f"\n{n} annonces générées, {indexed} indexées ; index construit en {index_s:.1f} s "
          f"({size / 1e6:.1f} Mo sur disque)")
    print(f"{'scénario':<18} {'Ko transférés':>14} {'dont recherche':>15} "
          f"{'ms jusqu’aux résultats':>23} {'résultats':>10}")
    with serve(output, use_gzip=True) as base:
        for name, total, only, ms, found in measure(browser, base):
            flag = "" if name != "première requête" else (
                "  ✓ cible" if total / 1024 <= TARGET_KB else "  ✗ cible")
            print(f"{name:<18} {total / 1024:>14.1f} {only / 1024:>15.1f} {ms:>23.0f} "
                  f"{found:>10}{flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench search")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--all-states", action="store_true",
                        help="états et expirations réalistes (une partie n'est pas indexée)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for n in (int(s) for s in args.sizes.split(",")):
            bench_size(browser, n, args.seed, not args.all_states, Path(tmp))
        browser.close()
    print(f"\nCible : première requête ≤ {TARGET_KB} Ko transférés (tout compris, gzip).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
