"""The inline SVG map of départements, coloured by number of open opportunities."""

from __future__ import annotations

import json
from functools import cache
from html import escape

from pasdeporte.refdata import DATA_DIR

MAP_FILE = DATA_DIR / "departements-map.json"
# Upper bounds of the colour classes (number of open opportunities) and their legend.
CLASSES = ((0, "aucune"), (1, "1"), (3, "2 ou 3"), (6, "4 à 6"), (None, "7 ou plus"))


@cache
def geometry() -> dict:
    """The map document written by pasdeporte.site.mapbuild."""
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))


def colour_class(count: int) -> int:
    """Index of the colour class of a count (0 for none)."""
    for index, (bound, _) in enumerate(CLASSES):
        if bound is None or count <= bound:
            return index
    return len(CLASSES) - 1


def plural(count: int) -> str:
    """"1 opportunité ouverte", "3 opportunités ouvertes"."""
    return f"{count} opportunité{'s' if count > 1 else ''} ouverte{'s' if count > 1 else ''}"


def render_svg(departements: list, siteurl: str) -> str:
    """SVG markup: each département a link to its page, named and counted for screen readers.

    `departements` holds objects with code, name, url and open_count (TerritoryPage).
    """
    doc = geometry()
    parts = [f'<svg class="carte" viewBox="{doc["viewBox"]}" role="group" '
             f'aria-labelledby="carte-titre" xmlns="http://www.w3.org/2000/svg">']
    for inset in doc["insets"]:
        parts.append(f'<rect class="encart" x="{inset["x"]}" y="{inset["y"]}" '
                     f'width="{inset["width"]}" height="{inset["height"]}"/>')
        parts.append(f'<text x="{inset["x"] + inset["width"] / 2:g}" '
                     f'y="{inset["y"] + inset["height"] + 16}" text-anchor="middle" '
                     f'aria-hidden="true">{escape(inset["name"])}</text>')
    for page in departements:
        path = doc["paths"].get(page.code)
        if not path:
            continue
        label = escape(f"{page.name} ({page.code}) : {plural(page.open_count)}")
        parts.append(f'<a href="{escape(siteurl)}/{escape(page.url)}" aria-label="{label}">'
                     f'<path class="c{colour_class(page.open_count)}" d="{path}">'
                     f'<title>{label}</title></path></a>')
    parts.append("</svg>")
    return "".join(parts)
