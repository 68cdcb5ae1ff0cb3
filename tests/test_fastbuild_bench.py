"""Smoke run of `scripts/bench build` at a small size (figures are printed, not asserted)."""

from __future__ import annotations

from fastbuild_helpers import ROOT  # noqa: F401 (puts the repository's `bench` on sys.path)

from bench import build as bench_build


def test_bench_build_smoke(tmp_path, capsys):
    assert bench_build.main(["--sizes", "30", "--workdir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    row = next(line for line in printed.splitlines() if line.startswith("| 30 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert len(cells) == 6 and all(cell.endswith("Mo") for cell in cells[1:3] + cells[4:])
    # The publication step really published: the new listing's page is in the built site.
    assert (tmp_path / "site-30" / "opportunites" / "bench-publication" / "index.html").exists()
    # A first run also measured both builds into empty folders, in a table of their own.
    first = printed.split("Premier build")[1]
    row = next(line for line in first.splitlines() if line.startswith("| 30 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert len(cells) == 4 and all(cell.endswith("Mo") for cell in cells[1:3])
    # A second run builds over those sites: no first-build table.
    assert bench_build.main(["--sizes", "30", "--workdir", str(tmp_path)]) == 0
    assert "Premier build" not in capsys.readouterr().out
