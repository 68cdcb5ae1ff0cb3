"""The URL scheme of the generated pages (documented in docs/site.md).

URLs depend on the code only: they are computed once per build (every list page links them).
"""

from __future__ import annotations

from functools import cache

from pasdeporte import refdata

MAX_SLUG = 60


def slugify(text: str) -> str:
    """Lower-case ASCII slug of a name, cut at a word boundary to stay short."""
    words = refdata.normalize(text).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG:
            break
        slug = candidate
    return slug or "sans-nom"


@cache
def region_url(code: str) -> str:
    """URL of a région page."""
    return f"territoires/region/{code}-{slugify(refdata.region(code).name)}/"


@cache
def departement_url(code: str) -> str:
    """URL of a département page."""
    return f"territoires/departement/{code.lower()}-{slugify(refdata.departement(code).name)}/"


@cache
def epci_url(code: str) -> str:
    """URL of an EPCI page."""
    return f"territoires/epci/{code}-{slugify(refdata.epci(code).short_name)}/"


@cache
def commune_url(code: str) -> str:
    """URL of a commune page."""
    return f"territoires/commune/{code.lower()}-{slugify(refdata.commune(code).name)}/"


def territory_url(kind: str, code: str) -> str:
    """URL of the page of a territory given as refdata.Territory kind and code."""
    bare = code.split("-", 1)[1] if kind in ("departement", "region") else code
    return {"region": region_url, "departement": departement_url, "epci": epci_url,
            "commune": commune_url}[kind](bare)


@cache
def division_label(division: str) -> str:
    """Label of a NAF division ("10" → "Industries alimentaires")."""
    return next(n.division_label for n in refdata.naf_codes().values() if n.division == division)


@cache
def sector_url(division: str) -> str:
    """URL of a sector page (one per NAF division)."""
    return f"secteurs/{division}-{slugify(division_label(division))}/"


def feed_url(kind: str = "", code: str = "") -> str:
    """URL of an Atom feed: all opportunities, or per departement / region / secteur."""
    if not kind:
        return "flux/opportunites.atom.xml"
    return f"flux/{kind}/{code.lower()}.atom.xml"


def save_as(url: str) -> str:
    """Output file of a page URL."""
    return url + "index.html" if url.endswith("/") else url
