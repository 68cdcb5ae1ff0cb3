"""Match opportunities and projects: sector first, then territory, with a French reason.

Pure functions over typed listing values (`pasdeporte.schema.typed`): `sector`, `commune`
(opportunities), `territories` (projects), `state`, `expires`, `date`, `reference`.
Shared by the site build, the form app and any faster builder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pasdeporte import refdata

ACTIVE_STATES = frozenset({"ouverte", "en-discussion"})
# Sector weighs more than territory: a baker wants a bakery before a nearby village.
SECTOR_POINTS = {"sous-classe": 60, "classe": 45, "groupe": 30}
TERRITORY_POINTS = {"commune": 40, "epci": 30, "departement": 20, "region": 10}
TERRITORY_NAMES = {
    "commune": "commune", "epci": "intercommunalité", "departement": "département",
    "region": "région",
}


@dataclass(frozen=True)
class Match:
    """One proposed listing, its score (higher is better) and the reason shown."""

    score: int
    reason: str
    listing: Mapping = field(compare=False)


def is_active(listing: Mapping, today: date) -> bool:
    """Whether a listing may be proposed: open or under discussion, and not expired."""
    expires = listing.get("expires")
    return listing.get("state") in ACTIVE_STATES and (expires is None or expires >= today)


def sector_level(a: str, b: str) -> str | None:
    """How close two NAF sub-classes are: "sous-classe", "classe", "groupe" or None."""
    if a == b:
        return "sous-classe"
    if a[:5] == b[:5]:
        return "classe"
    if a[:4] == b[:4]:
        return "groupe"
    return None


def sector_reason(level: str, code: str) -> str:
    """French words for a sector level, e.g. "même activité (10.71C)"."""
    entry = refdata.naf(code)
    return {
        "sous-classe": f"même activité ({code})",
        "classe": f"activité voisine (classe {entry.classe if entry else code[:5]})",
        "groupe": f"même groupe d'activités ({entry.groupe if entry else code[:4]})",
    }[level]


def territory_level(commune_code: str, territories: Iterable[str]) -> str | None:
    """The finest territory kind of `territories` that covers the commune, or None."""
    best = None
    for code in territories:
        area = refdata.territory(code)
        if area and refdata.commune_in_territory(commune_code, code):
            if best is None or TERRITORY_POINTS[area.kind] > TERRITORY_POINTS[best]:
                best = area.kind
    return best


def evaluate(opportunity: Mapping, project: Mapping) -> tuple[int, str, str] | None:
    """Score, sector level and territory kind of a pair, or None if they do not fit."""
    level = sector_level(opportunity["sector"], project["sector"])
    if level is None:
        return None
    kind = territory_level(opportunity["commune"], project.get("territories", ()))
    if kind is None:
        return None
    return SECTOR_POINTS[level] + TERRITORY_POINTS[kind], level, kind


def _ranked(found: list[Match]) -> list[Match]:
    # Best score first, then the most recent listing, then a stable order.
    def key(m: Match) -> tuple:
        published = m.listing.get("date") or date.min
        return -m.score, -published.toordinal(), m.listing.get("reference") or ""

    return sorted(found, key=key)


def matches_for_opportunity(opportunity: Mapping, projects: Iterable[Mapping],
                            today: date) -> list[Match]:
    """Active projects that fit an active opportunity, best first, reasons for the commune."""
    if not is_active(opportunity, today):
        return []
    found = []
    for project in projects:
        result = is_active(project, today) and evaluate(opportunity, project)
        if result:
            score, level, kind = result
            reason = (f"{sector_reason(level, project['sector'])}, "
                      f"cherche dans votre {TERRITORY_NAMES[kind]}")
            found.append(Match(score, reason, project))
    return _ranked(found)


def matches_for_project(project: Mapping, opportunities: Iterable[Mapping],
                        today: date) -> list[Match]:
    """Active opportunities that fit an active project, best first, reasons for the holder."""
    if not is_active(project, today):
        return []
    found = []
    for opportunity in opportunities:
        result = is_active(opportunity, today) and evaluate(opportunity, project)
        if result:
            score, level, kind = result
            reason = (f"{sector_reason(level, opportunity['sector'])}, "
                      f"dans votre {TERRITORY_NAMES[kind]} cible")
            found.append(Match(score, reason, opportunity))
    return _ranked(found)
