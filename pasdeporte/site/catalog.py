"""Group listings into territory and sector pages, and compute the matches between them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from pasdeporte import matching, refdata
from pasdeporte.site import urls
from pasdeporte.site.listing import ListingView

KIND_LABELS = {"region": "Région", "departement": "Département", "epci": "Intercommunalité",
               "commune": "Commune"}
URLS = {"region": urls.region_url, "departement": urls.departement_url, "epci": urls.epci_url,
        "commune": urls.commune_url}
LOOKUPS = {"region": refdata.region, "departement": refdata.departement, "epci": refdata.epci,
           "commune": refdata.commune}


@dataclass
class TerritoryPage:
    """The page of one région, département, EPCI or commune."""

    kind: str
    code: str
    name: str
    url: str
    opportunities: list[ListingView] = field(default_factory=list)
    projects: list[ListingView] = field(default_factory=list)
    children: list[TerritoryPage] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def open_count(self) -> int:
        return sum(1 for v in self.opportunities if v.active)

    @property
    def active_projects(self) -> int:
        return sum(1 for v in self.projects if v.active)

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

    def _chain(self) -> list[tuple[str, str]]:
        """(kind, code) of the enclosing territories, largest first."""
        if self.kind == "region":
            return []
        if self.kind == "departement":
            return [("region", self.entity.region)]
        place = refdata.commune(self.code if self.kind == "commune" else self.entity.communes[0])
        chain = [("region", place.region), ("departement", place.departement)]
        if self.kind == "commune" and place.epci:
            chain.append(("epci", place.epci))
        return chain

    @property
    def parents(self) -> list[tuple[str, str, str]]:
        """(kind label, name, URL) of the enclosing territories, largest first."""
        return [(KIND_LABELS[k], LOOKUPS[k](c).name, URLS[k](c)) for k, c in self._chain()]

    @property
    def crumbs(self) -> list[tuple[str, str]]:
        """(name, URL) of the enclosing territories, for the breadcrumb."""
        return [(name, url) for _, name, url in self.parents]


@dataclass
class SectorPage:
    """The page of one NAF division, its sub-classes and their listings."""

    division: str
    name: str
    url: str
    subclasses: dict[str, list[ListingView]] = field(default_factory=dict)

    @property
    def listings(self) -> list[ListingView]:
        return [v for views in self.subclasses.values() for v in views]

    @property
    def opportunities(self) -> list[ListingView]:
        return [v for v in self.listings if v.is_opportunity]

    @property
    def open_count(self) -> int:
        return sum(1 for v in self.opportunities if v.active)

    @property
    def feed_url(self) -> str:
        return urls.feed_url("secteur", self.division)

    def entries(self) -> list[tuple[refdata.Naf, list[ListingView]]]:
        """Sub-classes in code order with their listings."""
        return [(refdata.naf(code), views) for code, views in sorted(self.subclasses.items())]


def newest_first(views: list[ListingView]) -> list[ListingView]:
    """Active listings first, then by publication date, newest first."""
    return sorted(views, key=lambda v: (not v.active, -(v.date or date.min).toordinal(), v.slug))


class Catalog:
    """All listings of a build with their matches, territory pages and sector pages."""

    def __init__(self, views: list[ListingView], today: date):
        self.today = today
        self.views = newest_first(views)
        self.opportunities = [v for v in self.views if v.is_opportunity]
        self.projects = [v for v in self.views if not v.is_opportunity]
        self.territories: dict[tuple[str, str], TerritoryPage] = {}
        self.sectors: dict[str, SectorPage] = {}
        self._match()
        self._place()
        self._classify()

    def _match(self) -> None:
        by_group = defaultdict(list)
        for view in self.opportunities + self.projects:
            by_group[view.meta.get("Sector", "")[:4]].append(view)
        lookup = {id(v.values): v for v in self.views}
        for view in self.views:
            others = [o for o in by_group[view.meta.get("Sector", "")[:4]]
                      if o.is_opportunity != view.is_opportunity and "sector" in o.values]
            if "sector" not in view.values:
                continue
            finder = (matching.matches_for_opportunity if view.is_opportunity
                      else matching.matches_for_project)
            found = finder(view.values, [o.values for o in others], self.today)
            view.matches = [(lookup[id(m.listing)], m.reason) for m in found]

    def page(self, kind: str, code: str) -> TerritoryPage:
        """The page of a territory, created on first use."""
        key = (kind, code)
        if key not in self.territories:
            url = URLS[kind](code)
            name = LOOKUPS[kind](code).name
            self.territories[key] = TerritoryPage(kind, code, name, url)
        return self.territories[key]

    def _chain(self, commune: refdata.Commune) -> list[tuple[str, str]]:
        chain = [("commune", commune.code), ("departement", commune.departement),
                 ("region", commune.region)]
        return chain + ([("epci", commune.epci)] if commune.epci else [])

    def _place(self) -> None:
        for reg in refdata.regions():
            self.page("region", reg)
        for dep in refdata.departements().values():
            self.page("departement", dep.code)
        for view in self.opportunities:
            if view.commune:
                for kind, code in self._chain(view.commune):
                    self.page(kind, code).opportunities.append(view)
        for view in self.projects:
            for key in self._covered(view):
                self.page(*key).projects.append(view)
        for page in self.territories.values():
            if page.kind in ("epci", "commune"):
                self._attach(page)
            elif page.kind == "region":
                page.children = self.departements(page.code)
        for page in self.territories.values():
            page.opportunities = newest_first(page.opportunities)
            page.projects = newest_first(page.projects)
            page.children.sort(key=lambda p: (p.kind, refdata.normalize(p.name)))

    def _covered(self, project: ListingView) -> set[tuple[str, str]]:
        """Pages a project belongs on: its targets, what contains them and what they contain."""
        keys: set[tuple[str, str]] = set()
        existing = [k for k in self.territories if k[0] in ("epci", "commune")]
        for target, _ in project.targets:
            bare = target.code.split("-", 1)[-1] if target.kind in ("departement", "region") \
                else target.code
            if target.kind == "commune":
                keys.update(self._chain(refdata.commune(bare)))
            elif target.kind == "epci":
                keys.add(("epci", bare))
                for member in refdata.epci(bare).communes:
                    place = refdata.commune(member)
                    keys.update({("departement", place.departement), ("region", place.region)})
            elif target.kind == "departement":
                keys.update({("departement", bare),
                             ("region", refdata.departement(bare).region)})
            else:
                keys.add(("region", bare))
                keys.update(("departement", d.code) for d in refdata.departements().values()
                            if d.region == bare)
            keys.update(k for k in existing if self._inside(k, target.code))
        return keys

    @staticmethod
    def _inside(key: tuple[str, str], territory_code: str) -> bool:
        kind, code = key
        if kind == "commune":
            return refdata.commune_in_territory(code, territory_code)
        # An EPCI page: the EPCI itself, or a département or région holding one of its members.
        if territory_code.startswith(("dep-", "reg-")):
            return any(refdata.commune_in_territory(m, territory_code)
                       for m in refdata.epci(code).communes)
        return territory_code == code

    def _attach(self, page: TerritoryPage) -> None:
        # EPCI and commune pages are listed on their département page.
        if page.kind == "commune":
            dep = refdata.commune(page.code).departement
        else:
            dep = refdata.commune(refdata.epci(page.code).communes[0]).departement
        self.page("departement", dep).children.append(page)

    def _classify(self) -> None:
        for view in self.views:
            if view.naf:
                division = view.naf.division
                if division not in self.sectors:
                    self.sectors[division] = SectorPage(
                        division, urls.division_label(division), urls.sector_url(division))
                self.sectors[division].subclasses.setdefault(view.naf.code, []).append(view)

    def regions(self) -> list[TerritoryPage]:
        """Région pages by name."""
        return sorted((p for p in self.territories.values() if p.kind == "region"),
                      key=lambda p: refdata.normalize(p.name))

    def departements(self, region: str | None = None) -> list[TerritoryPage]:
        """Département pages by code, optionally only those of one région."""
        pages = [p for (k, c), p in self.territories.items() if k == "departement"
                 and (region is None or refdata.departement(c).region == region)]
        return sorted(pages, key=lambda p: p.code)

    def sector_pages(self) -> list[SectorPage]:
        """Sector pages by division code."""
        return [self.sectors[d] for d in sorted(self.sectors)]
