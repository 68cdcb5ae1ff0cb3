"""Helpers shared by the site tests: fixture listings, a dated build, HTML parsing."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from pasdeporte import build, metadata

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-12-01"
APP_ROUTES = ("/proposer/", "/suivi/")  # served by the Flask app, not by the static site


def opportunity(slug: str, **meta) -> tuple[str, str, dict]:
    """An opportunity file (folder, slug, metadata) with sensible defaults."""
    base = {"Title": f"Annonce {slug}", "Date": "2026-10-01", "Kind": "commerce-recherche",
            "Sector": "10.71C", "Reference": f"op-{slug}", "State": "ouverte",
            "Commune": "44131", "Contact_name": "Mairie", "Contact_email": "mairie@example.fr"}
    return "opportunites", slug, base | meta


def project(slug: str, **meta) -> tuple[str, str, dict]:
    """A project file (folder, slug, metadata) with sensible defaults."""
    base = {"Title": f"Projet {slug}", "Date": "2026-10-01", "Kind": "projet",
            "Sector": "10.71C", "Reference": f"pr-{slug}", "State": "ouverte",
            "Territories": "dep-44"}
    return "projets", slug, base | meta


def write_content(folder: Path, listings, body: str = "Un texte.") -> Path:
    """Write listing files with the project's safe writer."""
    for section, slug, meta in listings:
        path = folder / section / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(metadata.dumps(meta, meta.pop("_body", body)), encoding="utf-8")
    return folder


def dated_build(content: Path, output: Path, today: str = TODAY) -> Path:
    """Build with the project's settings and a fixed build date."""
    settings = content.parent / "testconf.py"
    settings.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *  # noqa\n"
        f"THEME = {str(ROOT / 'theme')!r}\nPASDEPORTE_TODAY = {today!r}\n", encoding="utf-8")
    build.build_site(content, output, settings)
    return output


class Links(HTMLParser):
    """Collects tags with their attributes."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    """(tag, attributes) of every start tag of a page."""
    parser = Links()
    parser.feed(html)
    return parser.tags


def resolve(output: Path, href: str) -> Path | None:
    """The output file a site-absolute link points to, or None if missing."""
    path = href.split("#")[0].split("?")[0]
    target = output / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


def page_weight(site: Path, page: Path) -> int:
    """Bytes of an HTML page plus the stylesheets and scripts it loads."""
    raw = page.read_text(encoding="utf-8")
    total = len(raw.encode("utf-8"))
    for tag, attrs in tags(raw):
        if tag == "link" and attrs.get("rel") == "stylesheet" or tag == "script" and "src" in attrs:
            total += resolve(site, attrs.get("href") or attrs["src"]).stat().st_size
    return total
