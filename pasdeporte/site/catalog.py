"""Group listings into territory and sector pages, and compute the matches between them.

Everything is indexed: a listing is placed through the keys of its commune or targets
(`territory.commune_keys`, `territory.target_keys`) and matched through sector/territory
buckets (`matching.match_all`), so the work grows with listings + pages, not their product.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from pasdeporte import matching, refdata
from pasdeporte.site import paging, urls
from pasdeporte.site.listing import ListingView
from pasdeporte.site.territory import (
    KIND_LABELS,
    LOOKUPS,
    URLS,
    TerritoryPage,
    as_target,
    commune_keys,
    enclosing,
    target_keys,
)

__all__ = ["KIND_LABELS", "Catalog", "SectorPage", "TerritoryPage", "newest_first"]
# Projects aiming at a larger territory shown on a page (the rest: on that territory's page).
AROUND = 5
# Matches shown on a listing page; only these are kept (at 100,000 listings there are millions).
MATCHES_SHOWN = 10


@dataclass
class SectorPage:
    """The page(s) of one NAF division, its sub-classes and their listings."""

    division: str
    name: str
    url: str
    subclasses: dict[str, list[ListingView]] = field(default_factory=dict)
    listings: list[ListingView] = field(default_factory=list)
    open_count: int = 0

    @property
    def opportunities(self) -> list[ListingView]:
        return [v for v in self.listings if v.is_opportunity]

    @property
    def feed_url(self) -> str:
        return urls.feed_url("secteur", self.division)

    @property
    def pages(self) -> list[paging.Page]:
        return paging.paginate(self.url, paging.PAGE_SIZE, len(self.listings))

    def entries(self, page: paging.Page | None = None) -> list[tuple[refdata.Naf, list]]:
        """Sub-classes in code order with their listings (only those of `page` if given)."""
        views = page.items(self.listings) if page else self.listings
        groups: dict[str, list[ListingView]] = {}
        for view in views:
            groups.setdefault(view.naf.code, []).append(view)
        return [(refdata.naf(code), found) for code, found in groups.items()]

    def finish(self) -> None:
        """Order the listings: by sub-class code, then newest first."""
        self.listings = [v for code in sorted(self.subclasses) for v in self.subclasses[code]]
        self.open_count = sum(1 for v in self.listings if v.is_opportunity and v.active)


def newest_first(views: list[ListingView]) -> list[ListingView]:
    """Active listings first, then by publication date, newest first."""
    return sorted(views, key=lambda v: (not v.active, -(v.date or date.min).toordinal(), v.slug,
                                        v.url))


class Catalog:
    """All listings of a build with their matches, territory pages and sector pages."""

    def __init__(self, views: list[ListingView], today: date):
        self.today = today
        self.views = newest_first(views)
        self.opportunities = [v for v in self.views if v.is_opportunity]
        self.projects = [v for v in self.views if not v.is_opportunity]
        self.open_opportunities = [v for v in self.opportunities if v.active]
        self.active_projects = [v for v in self.projects if v.active]
        self.territories: dict[tuple[str, str], TerritoryPage] = {}
        self.sectors: dict[str, SectorPage] = {}
        self._match()
        self._place()
        self._classify()

    def _match(self) -> None:
        opportunities = [v for v in self.opportunities if "sector" in v.values]
        projects = [v for v in self.projects if "sector" in v.values]
        lookup = {id(v.values): v for v in self.views}
        found = matching.match_all([v.values for v in opportunities],
                                   [v.values for v in projects], self.today, MATCHES_SHOWN)
        for views, matches in zip((opportunities, projects), found, strict=True):
            for view, listed in zip(views, matches, strict=True):
                view.matches = [(lookup[id(m.listing)], m.reason) for m in listed]
                view.match_count = listed.total

    def page(self, kind: str, code: str) -> TerritoryPage:
        """The page of a territory, created on first use."""
        key = (kind, code)
        if key not in self.territories:
            self.territories[key] = TerritoryPage(kind, code, LOOKUPS[kind](code).name,
                                                  URLS[kind](code))
        return self.territories[key]

    def _place(self) -> None:
        for reg in refdata.regions():
            self.page("region", reg)
        for dep in refdata.departements().values():
            self.page("departement", dep.code)
        # Views are newest first already: appending keeps every page's lists in order.
        pages = self.territories
        for view in self.opportunities:
            if view.commune:
                for key in commune_keys(view.commune.code):
                    (pages.get(key) or self.page(*key)).opportunities.append(view)
        aimed: dict[str, list[int]] = defaultdict(list)  # target code -> active project indexes
        for index, view in enumerate(self.projects):
            keys = {}
            for target, _ in view.targets:
                keys.update(dict.fromkeys(target_keys(target.code)))
                if view.active:
                    aimed[target.code].append(index)
            for key in keys:
                (pages.get(key) or self.page(*key)).projects.append(view)
        for page in self.territories.values():
            page.open_count = sum(1 for v in page.opportunities if v.active)
            page.active_projects = sum(1 for v in page.projects if v.active)
            self._around(page, aimed)
            if page.kind in ("epci", "commune"):
                self._attach(page)
        for page in self.territories.values():
            if page.kind == "region":
                page.children = self.departements(page.code)
            page.children.sort(key=lambda p: (p.kind, refdata.normalize(p.name), p.code))

    def _around(self, page: TerritoryPage, aimed: dict[str, list[int]]) -> None:
        """The newest active projects aiming at a territory holding this one, not listed yet."""
        wider = [key for key in enclosing(page.key) if key in self.territories]
        page.wider = [self.territories[key] for key in wider]
        streams = [aimed.get(as_target(key), []) for key in wider]
        listed = {id(v) for v in page.projects}
        fresh = (i for i in _unique(heapq.merge(*streams)) if id(self.projects[i]) not in listed)
        page.around = [self.projects[i] for i in islice(fresh, AROUND)]

    def _attach(self, page: TerritoryPage) -> None:
        # EPCI and commune pages are listed on their département page.
        first = page.code if page.kind == "commune" else refdata.epci(page.code).communes[0]
        self.page("departement", refdata.commune(first).departement).children.append(page)

    def _classify(self) -> None:
        for view in self.views:
            if view.naf:
                division = view.naf.division
                if division not in self.sectors:
                    self.sectors[division] = SectorPage(
                        division, urls.division_label(division), urls.sector_url(division))
                self.sectors[division].subclasses.setdefault(view.naf.code, []).append(view)
        for sector in self.sectors.values():
            sector.finish()

    def regions(self) -> list[TerritoryPage]:
        """Région pages by name."""
        return sorted((p for p in self.territories.values() if p.kind == "region"),
                      key=lambda p: refdata.normalize(p.name))

    def departements(self, region: str | None = None) -> list[TerritoryPage]:
        """Département pages by code, optionally only those of one région."""
        pages = [self.territories[("departement", d.code)]
                 for d in refdata.departements().values()
                 if region is None or d.region == region]
        return sorted(pages, key=lambda p: p.code)

    def commune_count(self) -> int:
        """How many communes have a page."""
        return sum(1 for kind, _ in self.territories if kind == "commune")

    def sector_pages(self) -> list[SectorPage]:
        """Sector pages by division code."""
        return [self.sectors[d] for d in sorted(self.sectors)]

    def list_pages(self, section: str) -> list[paging.Page]:
        """Pages of /opportunites/ or /projets/."""
        views = self.opportunities if section == "opportunites" else self.projects
        return paging.paginate(f"{section}/", paging.PAGE_SIZE, len(views))


def _unique(numbers):
    """Drop repeats from a sorted stream."""
    last = None
    for number in numbers:
        if number != last:
            yield number
        last = number
