"""Build benchmark: `scripts/bench build [--sizes 1000,10000,100000]`.

For each size, on the same synthetic listings (bench.corpus): a stock Pelican build (default
theme, no plugins), our full build (`scripts/build --complet`: validation, site, search index),
a rebuild without change, and the publication of one new listing, each timed end to end in its
own process, with the peak memory of its largest process. Prints a table. The full build starts
without any cache; both builds write over the site their previous build left, and the first
run also measures both first builds, into empty folders (see `run_size`).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.corpus import generate
from pasdeporte import metadata

ROOT = Path(__file__).resolve().parent.parent
STOCK_SETTINGS = '''AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
# Generated titles repeat: name pages after their files, as our settings do.
SLUGIFY_SOURCE = "basename"
'''
# Measures a command's wall time and the peak RSS of its largest process (children included).
TIMER = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
         "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
         "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
         " r.returncode); sys.stderr.write(r.stderr.decode()[-2000:] if r.returncode else '')")


def measure(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak MB of `command`, run in a fresh process; exit on failure."""
    # Each run starts with the disk idle: writes (and deletions) of the previous run would
    # otherwise be flushed during this one, and count against it.
    os.sync()
    done = subprocess.run([sys.executable, "-c", TIMER, *command], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, cwd=ROOT, check=False)
    seconds, kb, code = done.stdout.split()
    if code != "0":
        sys.exit(f"échec de {' '.join(command)} :\n{done.stderr}")
    return float(seconds), int(kb) / 1024


def corpus(workdir: Path, n: int, seed: int) -> Path:
    """The corpus of size n (generated once per seed; the same files for every run)."""
    folder = workdir / f"corpus-{n}-{seed}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, n, seed=seed, today=date.today())
        (folder / ".complete").write_text("ok")
    return folder


def new_listing(content: Path) -> Path:
    """Write one new valid opportunity, as an approved submission would add it."""
    meta = {"Title": "Pornic recherche son boulanger", "Date": date.today().isoformat(),
            "Kind": "commerce-recherche", "Sector": "10.71C", "Reference": "bench-publication",
            "State": "ouverte", "Commune": "44131", "Surface": "85", "Rent": "450",
            "Contact_name": "Mairie de Pornic", "Contact_email": "mairie@pornic.example.fr"}
    path = content / "opportunites" / "bench-publication.md"
    path.write_text(metadata.dumps(meta, "Le fournil attend son boulanger."), encoding="utf-8")
    return path


def run_size(workdir: Path, n: int, seed: int, stock: bool) -> dict:
    """All measurements for one size."""
    content = corpus(workdir, n, seed)
    new_listing(content).unlink()  # start from the generated corpus only
    out, cache = workdir / f"site-{n}", workdir / f"cache-{n}"
    # The full build is measured over the site the previous build left, as a site is rebuilt
    # (after a change of code, theme or reference data), and as Pelican is measured: ours
    # rewrites the files whose bytes changed, Pelican all of its own. Output folders are never
    # deleted here: after tens of thousands of deletions, creating files minutes later was
    # several times slower on this machine's ext4 (no journal: new inodes skip recently freed
    # ones, a scan per file), a cost of the benchmark's cleanup, not of either build. When a
    # folder does not exist yet (a first run), that first build into an empty folder is
    # measured as well, for both, and printed apart.
    row: dict = {"n": n}
    if stock:
        settings = workdir / "stock_settings.py"
        settings.write_text(STOCK_SETTINGS, encoding="utf-8")
        target = workdir / f"stock-{n}"
        pelican = [sys.executable, "-m", "pelican", str(content), "-o", str(target), "-s",
                   str(settings), "-q"]
        if not target.exists():
            row["stock_first"] = measure(pelican)
        row["stock"] = measure(pelican)
    env = {"PASDEPORTE_BUILD_CACHE": str(cache)}
    ours = [sys.executable, "-m", "pasdeporte.cli", "build", "--content", str(content),
            "--output", str(out)]
    # No cache: the full build checks, converts and renders everything, and indexes every
    # listing.
    if not out.exists():
        shutil.rmtree(cache, ignore_errors=True)
        row["first"] = measure([*ours, "--complet"], env)
    shutil.rmtree(cache, ignore_errors=True)
    row["full"] = measure([*ours, "--complet"], env)
    row["nochange"] = measure(ours, env)
    new_listing(content)
    row["publish"] = measure(ours, env)
    if not (out / "opportunites" / "bench-publication" / "index.html").exists():
        sys.exit("la publication n'a pas produit la page de l'annonce")
    new_listing(content).unlink()
    return row


def _cell(pair) -> str:
    return f"{pair[0]:.1f} s, {pair[1]:.0f} Mo" if pair else "—"


def _ratio(ours, stock) -> str:
    return f"{ours[0] / stock[0]:.2f}" if ours and stock else "—"


def _size(row: dict) -> str:
    return f"{row['n']:,}".replace(",", " ")


def table(rows: list[dict]) -> str:
    """The figures as a Markdown table (and one for first builds, if any was measured)."""
    lines = ["| annonces | Pelican stock | build complet | ratio | sans changement | "
             "publication d'une annonce |", "|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {_size(row)} | {_cell(row.get('stock'))} | {_cell(row['full'])} | "
                     f"{_ratio(row['full'], row.get('stock'))} | {_cell(row['nochange'])} | "
                     f"{_cell(row['publish'])} |")
    firsts = [row for row in rows if row.get("first") or row.get("stock_first")]
    if firsts:
        lines += ["", "Premier build, dans des dossiers de sortie vides :", "",
                  "| annonces | Pelican stock | build complet | ratio |", "|---:|---:|---:|---:|"]
        lines += [f"| {_size(row)} | {_cell(row.get('stock_first'))} | {_cell(row.get('first'))}"
                  f" | {_ratio(row.get('first'), row.get('stock_first'))} |" for row in firsts]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="scripts/bench build")
    parser.add_argument("--sizes", default="1000,10000",
                        help="tailles de corpus séparées par des virgules (ex. 1000,10000,100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench-out")
    parser.add_argument("--sans-stock", dest="stock", action="store_false",
                        help="ne pas mesurer Pelican stock")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M")
    load_before = os.getloadavg()
    rows = []
    for n in (int(size) for size in args.sizes.split(",")):
        print(f"… {n} annonces", file=sys.stderr, flush=True)
        rows.append(run_size(args.workdir.resolve(), n, args.seed, args.stock))
    cores = len(os.sched_getaffinity(0))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    # Other work on the machine skews every figure: the load averages say how busy it was.
    load = " → ".join(" ".join(f"{v:.2f}" for v in loads) for loads in (load_before,
                                                                         os.getloadavg()))
    print(f"Build, {started}, {platform.machine()} {cores} cœurs, {memory:.0f} Go, "
          f"Python {platform.python_version()}, charge {load} "
          "(mémoire : pic du plus gros processus)")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
