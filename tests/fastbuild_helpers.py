"""Helpers of the fast-build tests: the synthetic corpus and output tree comparison."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `bench` is a top-level package of the repository

from bench.corpus import generate  # noqa: E402

__all__ = ["ROOT", "comparable", "generate", "tree"]


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def comparable(folder: Path) -> tuple[dict[str, bytes], dict]:
    """The site files, and what identifies the search index's content.

    Pagefind names its filter shards from an unordered map, so two runs on the same records
    differ there; its per-page fragments and page count are stable and are compared instead.
    """
    files = tree(folder)
    site = {k: v for k, v in files.items() if not k.startswith("pagefind/")}
    entry = json.loads(files["pagefind/pagefind-entry.json"])
    search = {"pages": entry["languages"]["fr"]["page_count"],
              "fragments": {k: v for k, v in files.items() if k.startswith("pagefind/fragment/")}}
    return site, search
