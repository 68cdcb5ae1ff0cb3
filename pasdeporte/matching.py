"""Match opportunities and projects: sector first, then territory, with a French reason.

Pure functions over typed listing values (`pasdeporte.schema.typed`): `sector`, `commune`
(opportunities), `territories` (projects), `state`, `expires`, `date`, `reference`.
Shared by the site build, the form app and any faster builder. `matches_for_opportunity` and
`matches_for_project` are the definition; `match_all` gives the same answers for a whole
corpus through buckets (sector group, territory code), in time linear in listings + matches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

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


@cache
def sector_reason(level: str, code: str) -> str:
    """French words for a sector level, e.g. "même activité (10.71C)"."""
    entry = refdata.naf(code)
    return {
        "sous-classe": f"même activité ({code})",
        "classe": f"activité voisine (classe {entry.classe if entry else code[:5]})",
        "groupe": f"même groupe d'activités ({entry.groupe if entry else code[:4]})",
    }[level]


@cache
def commune_chain(commune_code: str) -> tuple[tuple[str, str], ...]:
    """(territory code, kind) of a commune and of every territory holding it, finest first."""
    place = refdata.commune(commune_code)
    if place is None:
        return ()
    chain = [(place.code, "commune")] + ([(place.epci, "epci")] if place.epci else [])
    return (*chain, (f"dep-{place.departement}", "departement"), (f"reg-{place.region}", "region"))


@cache
def canonical_territory(code: str) -> str | None:
    """The territory code as refdata.territory() spells it ("DEP-44" → "dep-44"), or None."""
    area = refdata.territory(code)
    return area.code if area else None


def territory_level(commune_code: str, territories: Iterable[str]) -> str | None:
    """The finest territory kind of `territories` that covers the commune, or None."""
    holders = dict(commune_chain(commune_code))
    best = None
    for code in territories:
        kind = holders.get(canonical_territory(code))
        if kind and (best is None or TERRITORY_POINTS[kind] > TERRITORY_POINTS[best]):
            best = kind
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
            found.append(_for_opportunity(project, *result))
    return _ranked(found)


def _for_opportunity(project: Mapping, score: int, level: str, kind: str) -> Match:
    return Match(score, _reason(level, project["sector"], kind, True), project)


def _for_project(opportunity: Mapping, score: int, level: str, kind: str) -> Match:
    return Match(score, _reason(level, opportunity["sector"], kind, False), opportunity)


@cache
def _reason(level: str, sector: str, kind: str, for_opportunity: bool) -> str:
    # Few distinct sentences for tens of thousands of matches: each is composed once.
    where = TERRITORY_NAMES[kind]
    return (f"{sector_reason(level, sector)}, "
            + (f"cherche dans votre {where}" if for_opportunity else f"dans votre {where} cible"))


def matches_for_project(project: Mapping, opportunities: Iterable[Mapping],
                        today: date) -> list[Match]:
    """Active opportunities that fit an active project, best first, reasons for the holder."""
    if not is_active(project, today):
        return []
    found = []
    for opportunity in opportunities:
        result = is_active(opportunity, today) and evaluate(opportunity, project)
        if result:
            found.append(_for_project(opportunity, *result))
    return _ranked(found)


def match_all(opportunities: Sequence[Mapping], projects: Sequence[Mapping], today: date,
              limit: int | None = None) -> tuple[list[Ranked], list[Ranked]]:
    """The matches of every opportunity and of every project, in the order of the inputs.

    Equal to `matches_for_opportunity(o, projects, today)` for each o and to
    `matches_for_project(p, opportunities, today)` for each p, cut to the `limit` best (each
    list's `total` counts them all), but each opportunity only meets the projects filed under
    its sector group and one of its commune's territories.
    """
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, project in enumerate(projects):
        if project.get("sector") and is_active(project, today):
            codes = {canonical_territory(t) for t in project.get("territories") or ()}
            for code in sorted(codes - {None}):
                buckets[(project["sector"][:4], code)].append(index)
    # A candidate is (-score, -date, reference, input index, level, kind): sorting candidates
    # ranks them as _ranked does, ties in input order; Match objects only for those kept.
    order_p, order_o = [_order(p) for p in projects], [_order(o) for o in opportunities]
    kept_p: list[list[tuple]] = [[] for _ in projects]
    total_p = [0] * len(projects)
    trim = None if limit is None else 2 * limit  # bounded memory: millions of pairs at 100k
    for_opportunities = []
    for number, opportunity in enumerate(opportunities):
        found: list[tuple] = []
        sector, commune = opportunity.get("sector"), opportunity.get("commune")
        if sector and commune and is_active(opportunity, today):
            finest: dict[int, str] = {}
            for code, kind in commune_chain(commune):  # finest first: the first kind seen wins
                for index in buckets.get((sector[:4], code), ()):
                    finest.setdefault(index, kind)
            date_o, reference_o = order_o[number]
            for index, kind in finest.items():
                level = sector_level(sector, projects[index]["sector"])
                score = SECTOR_POINTS[level] + TERRITORY_POINTS[kind]
                found.append((-score, *order_p[index], index, level, kind))
                kept = kept_p[index]
                kept.append((-score, date_o, reference_o, number, level, kind))
                total_p[index] += 1
                if trim is not None and len(kept) > trim:
                    kept_p[index] = sorted(kept)[:limit]
        for_opportunities.append(_best(found, len(found), limit, projects, _for_opportunity))
    return for_opportunities, [_best(kept, total, limit, opportunities, _for_project)
                               for kept, total in zip(kept_p, total_p, strict=True)]


def _order(listing: Mapping) -> tuple[int, str]:
    published = listing.get("date") or date.min
    return -published.toordinal(), listing.get("reference") or ""


def _best(candidates: list[tuple], total: int, limit: int | None, others: Sequence[Mapping],
          make) -> Ranked:
    candidates.sort()
    found = Ranked([make(others[c[3]], -c[0], c[4], c[5]) for c in candidates[:limit]])
    found.total = total
    return found


class Ranked(list):
    """The best matches of one listing, best first; `total` counts every match, shown or not."""

    total = 0
