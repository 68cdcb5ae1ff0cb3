"""Territory pages and the keys that place listings on them, all from precomputed tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property

from pasdeporte import refdata
from pasdeporte.site import paging, urls
from pasdeporte.site.listing import ListingView

KIND_LABELS = {"region": "Région", "departement": "Département", "epci": "Intercommunalité",
               "commune": "Commune"}
URLS = {"region": urls.region_url, "departement": urls.departement_url, "epci": urls.epci_url,
        "commune": urls.commune_url}
LOOKUPS = {"region": refdata.region, "departement": refdata.departement, "epci": refdata.epci,
           "commune": refdata.commune}
# A page key is (kind, bare code): ("commune", "44131"), ("departement", "44"), ...
Key = tuple[str, str]
# Sub-territories listed on a page itself; beyond that, on their own pages (`children_pages`).
CHILDREN_SHOWN = 15


@cache
def commune_keys(code: str) -> tuple[Key, ...]:
    """Keys of a commune and of the territories that hold it."""
    place = refdata.commune(code)
    if place is None:
        return ()
    epci = (("epci", place.epci),) if place.epci else ()
    return (("commune", place.code), *epci, ("departement", place.departement),
            ("region", place.region))


@cache
def epci_areas(code: str) -> tuple[Key, ...]:
    """Keys of the départements and régions holding members of an EPCI (some span two)."""
    # The last two of each member's commune_keys, read directly: an EPCI page asks for all
    # its members (30,000 communes over a large build), whose keys are not needed otherwise.
    communes = refdata.communes()
    keys = set()
    for member in refdata.epci(code).communes:
        place = communes[member]
        keys.add(("departement", place.departement))
        keys.add(("region", place.region))
    return tuple(sorted(keys))


@cache
def target_keys(code: str) -> tuple[Key, ...]:
    """Keys of a targeted territory (canonical code) and of the territories that hold it."""
    area = refdata.territory(code)
    if area is None:
        return ()
    if area.kind == "commune":
        return commune_keys(area.code)
    if area.kind == "epci":
        return (("epci", area.code), *epci_areas(area.code))
    bare = area.code.split("-", 1)[1]
    if area.kind == "departement":
        return (("departement", bare), ("region", refdata.departement(bare).region))
    return (("region", bare),)


def as_target(key: Key) -> str:
    """The territory code a project would use for the territory of a page key."""
    kind, code = key
    return {"departement": f"dep-{code}", "region": f"reg-{code}"}.get(kind, code)


@cache
def enclosing(key: Key) -> tuple[Key, ...]:
    """Keys of the territories strictly larger than this one that hold it, smallest first."""
    kind, code = key
    if kind == "commune":
        return commune_keys(code)[1:]
    if kind == "epci":
        return tuple(sorted(epci_areas(code), key=lambda k: k[0] != "departement"))
    if kind == "departement":
        return (("region", refdata.departement(code).region),)
    return ()


@dataclass
class TerritoryPage:
    """The page(s) of one région, département, EPCI or commune."""

    kind: str
    code: str
    name: str
    url: str
    # Opportunities in this territory; projects aiming at it or at a place inside it.
    opportunities: list[ListingView] = field(default_factory=list)
    projects: list[ListingView] = field(default_factory=list)
    # A few active projects aiming at a larger territory holding this one, newest first.
    around: list[ListingView] = field(default_factory=list)
    wider: list[TerritoryPage] = field(default_factory=list)
    children: list[TerritoryPage] = field(default_factory=list)
    open_count: int = 0
    active_projects: int = 0

    @property
    def key(self) -> Key:
        return self.kind, self.code

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def pages(self) -> list[paging.Page]:
        return paging.paginate(self.url, paging.TERRITORY_SIZE, len(self.opportunities),
                               len(self.projects))

    @property
    def top_children(self) -> list[TerritoryPage]:
        """The sub-territories shown on the page itself: all, or the most active ones."""
        if len(self.children) <= CHILDREN_SHOWN:
            return self.children
        ranked = sorted(self.children, key=lambda p: (-p.open_count, -p.active_projects))
        return ranked[:CHILDREN_SHOWN]

    @property
    def children_pages(self) -> list[paging.Page]:
        """Pages of the full list of sub-territories, when the page only shows the top ones."""
        if len(self.children) <= CHILDREN_SHOWN:
            return []
        return paging.paginate(f"{self.url}communes/", paging.CHILD_SIZE, len(self.children))

    @property
    def feed_url(self) -> str:
        return urls.feed_url(self.kind, self.code) if self.kind in ("region", "departement") else ""

    @property
    def follow(self) -> list[tuple[str, str]]:
        """Atom feeds for this territory: its own, or its département's and région's."""
        if self.feed_url:
            return [(f"Nouvelles opportunités : {self.name}", self.feed_url)]
        return [(f"Nouvelles opportunités : {LOOKUPS[k](c).name}", urls.feed_url(k, c))
                for k, c in self._chain() if k in ("departement", "region")]

    @property
    def entity(self):
        """The reference-data record of this territory."""
        return LOOKUPS[self.kind](self.code)

    def _chain(self) -> list[Key]:
        """Keys of the enclosing territories, largest first (an EPCI: its first member's)."""
        if self.kind in ("region", "departement"):
            return list(reversed(enclosing(self.key)))
        first = self.code if self.kind == "commune" else self.entity.communes[0]
        chain = list(reversed(commune_keys(first)[1:]))
        return [k for k in chain if k[0] != "epci" or self.kind == "commune"]

    @cached_property
    def parents(self) -> list[tuple[str, str, str]]:
        """(kind label, name, URL) of the enclosing territories, largest first (fixed)."""
        return [(KIND_LABELS[k], LOOKUPS[k](c).name, URLS[k](c)) for k, c in self._chain()]

    @property
    def crumbs(self) -> list[tuple[str, str]]:
        """(name, URL) of the enclosing territories, for the breadcrumb."""
        return [(name, url) for _, name, url in self.parents]
