"""What each generated list page reads, as bytes: territory, communes, sector and paged lists.

`pagekeys` hashes a page's fingerprint with its template name, path, SITEURL and the base key
(settings, theme, code, reference data, build date). A fingerprint holds everything its
template and the macros it calls read from the page's local context besides those:
- `territoire.html`: the territory's own facts (kind and code, which give its name, URL,
  parents, feeds and reference facts; its counts and list lengths; the wider territories and
  the cards of `around`), the cards of this page's opportunities and projects, and on page 1
  every sub-territory with the counts that rank `top_children`;
- `communes.html`: the territory's facts and this page's sub-territories with their counts;
- `secteur.html`: the sector's facts and this page's cards (grouped by their NAF sub-class,
  which the card digest covers, as it covers the listing's metadata);
- `opportunites.html` / `projets.html`: the length of `catalog.opportunities` /
  `catalog.projects` and this page's cards.
- an Atom feed (`site.feeds.atom_feed`, queued by the site plugin): its names and links and
  every listing it may pick entries from (their full digest: the excerpt comes from the body).
A card (`site.fragments.card`) reads only a listing's URL and metadata (through its view) and the
build date, so a card digest is a hash of the URL, slug and metadata (`PageKeys._card`).
Unknown templates, or a context without the expected objects, get None: always rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pasdeporte.site.catalog import Catalog, SectorPage
from pasdeporte.site.feeds import atom_feed
from pasdeporte.site.paging import Page
from pasdeporte.site.territory import TerritoryPage


def _paged(page: Page) -> bytes:
    return f"{page.base}\0{page.number}\0{page.count}\0{page.size}\0".encode()


def _places(pages: Sequence[TerritoryPage]) -> bytes:
    """Sub-territories as the lists show them (name, link, kind) and ranked (counts)."""
    return repr([(p.kind, p.code, p.name, p.url, p.open_count, p.active_projects)
                 for p in pages]).encode("utf-8") + b"\0"


class Fingerprints:
    """Fingerprints of the list pages of one build; per-territory parts are computed once."""

    def __init__(self, card: Callable[[object], bytes], view: Callable[[object], bytes]):
        self.card = card  # fixed-size digest of one listing's card
        self.view = view  # fixed-size digest of everything of a listing (body included)
        self._facts: dict[int, bytes] = {}
        self._children: dict[int, bytes] = {}
        self.kinds = {"territoire.html": self.territory, "communes.html": self.communes,
                      "secteur.html": self.sector, "opportunites.html": self.listings,
                      "projets.html": self.listings}

    def page(self, name: str | None, context: Mapping) -> bytes | None:
        """Fingerprint of a page of template `name`, or None if it cannot be keyed."""
        kind, paged = self.kinds.get(name), context.get("paged")
        if kind is None or not isinstance(paged, Page):
            return None
        found = kind(name, context, paged)
        return None if found is None else _paged(paged) + found

    def output(self, function: Callable, args: tuple) -> bytes | None:
        """Fingerprint of a file made by `function(*args)` (writer.queue_output), or None."""
        if function is not atom_feed:
            return None
        # An Atom feed: its own names and links, then every listing it may pick entries from
        # (title, dates, metadata and the excerpt of the body: the full view digest).
        name, title, views, siteurl, feed_url, page_url = args
        head = repr((name, title, siteurl, feed_url, page_url)).encode("utf-8") + b"\0"
        return head + self.cards(views, self.view)

    def cards(self, views: Sequence, digest: Callable[[object], bytes] | None = None) -> bytes:
        """The cards (or other fixed-size `digest`s) of a list, in order; the count delimits."""
        digest = digest or self.card
        return f"{len(views)}\0".encode() + b"".join(digest(v) for v in views)

    def facts(self, t: TerritoryPage) -> bytes:
        """What every page of a territory shows about it, whichever its number."""
        found = self._facts.get(id(t))
        if found is None:
            # Name, URL, label, parents, feeds and reference facts are functions of kind and
            # code (and of the reference data and code, in the base key); those of the wider
            # territories too. The lengths give `span` and `children_pages`.
            text = repr((t.kind, t.code, t.name, t.url, t.open_count, t.active_projects,
                         len(t.opportunities), len(t.projects), len(t.children),
                         [w.key for w in t.wider]))
            found = self._facts[id(t)] = text.encode("utf-8") + b"\0" + self.cards(t.around)
        return found

    def territory(self, _name: str, context: Mapping, p: Page) -> bytes | None:
        """A page of `territoire.html`."""
        t = context.get("territory")
        if not isinstance(t, TerritoryPage):
            return None
        parts = [self.facts(t), self.cards(p.items(t.opportunities)),
                 self.cards(p.items(t.projects))]
        if p.first:  # sub-territories (and their ranking) are listed on page 1 only
            found = self._children.get(id(t))
            if found is None:
                found = self._children[id(t)] = _places(t.children)
            parts.append(found)
        return b"".join(parts)

    def communes(self, _name: str, context: Mapping, p: Page) -> bytes | None:
        """A page of `communes.html` (a département's full list of places)."""
        t = context.get("territory")
        if not isinstance(t, TerritoryPage):
            return None
        return self.facts(t) + _places(p.items(t.children))

    def sector(self, _name: str, context: Mapping, p: Page) -> bytes | None:
        """A page of `secteur.html`."""
        s = context.get("sector")
        if not isinstance(s, SectorPage):
            return None
        text = repr((s.division, s.name, s.url, s.feed_url, s.open_count, len(s.listings)))
        return text.encode("utf-8") + b"\0" + self.cards(p.items(s.listings))

    def listings(self, name: str, context: Mapping, p: Page) -> bytes | None:
        """A page of `opportunites.html` or `projets.html`."""
        catalog = context.get("catalog")
        if not isinstance(catalog, Catalog):
            return None
        views = catalog.opportunities if name == "opportunites.html" else catalog.projects
        return f"{len(views)}\0".encode() + self.cards(p.items(views))
