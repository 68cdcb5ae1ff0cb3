"""The site and its search index agree on the build date (PASDEPORTE_TODAY)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pasdeporte import build

ROOT = Path(__file__).resolve().parent.parent
LISTING = "content/opportunites/saint-martin-des-noyers-boulangerie.md"


def indexed_pages(output: Path) -> int:
    """How many listings the built search index's sort table holds."""
    table = json.loads((output / "pagefind" / "tris.json").read_text("utf-8"))
    return len(table["pages"].split())


def test_index_follows_the_build_date(tmp_path):
    content = tmp_path / "content"
    (content / "opportunites").mkdir(parents=True)
    shutil.copy(ROOT / LISTING, content / "opportunites")
    expires = next(line for line in (ROOT / LISTING).read_text().splitlines()
                   if line.startswith("Expires: ")).split(": ")[1]
    before, after = tmp_path / "before", tmp_path / "after"
    build.build_site(content, before, settings={"PASDEPORTE_TODAY": "2026-01-01"})
    build.build_site(content, after, settings={"PASDEPORTE_TODAY": "2100-01-01"})
    page = "opportunites/saint-martin-des-noyers-boulangerie/index.html"
    assert expires < "2100-01-01"
    assert "expirée" not in (before / page).read_text("utf-8").lower()
    assert "expirée" in (after / page).read_text("utf-8").lower()
    assert indexed_pages(before) == 1
    assert indexed_pages(after) == 0
