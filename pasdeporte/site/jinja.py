"""Filters and globals the theme uses; shared by the Pelican build and the preview."""

from __future__ import annotations

from collections import deque

from pasdeporte.site import mapdata, seo, urls
from pasdeporte.site.listing import feed_links
from pasdeporte.site.textfmt import format_number

# Cards kept at most per process, oldest dropped first: at 100,000 listings keeping every card
# took 300 MB; up to about 15,000 listings they all fit.
CARDS_KEPT = 30_000
_kept: deque = deque()


def remember(view, key: tuple, render, *args, **kwargs):
    """`render(*args, **kwargs)`, kept on the listing view under `key` for a while.

    A listing's card appears on its territory, sector, list and match pages: rendered once
    while memory allows. `key` must hold everything the rendering depends on besides the
    listing (e.g. SITEURL).
    """
    found = view.cards.get(key)
    if found is None:
        found = view.cards[key] = render(*args, **kwargs)
        _kept.append((view, key))
        if len(_kept) > CARDS_KEPT:
            old_view, old_key = _kept.popleft()
            old_view.cards.pop(old_key, None)
    return found


def forget_cards() -> None:
    """Drop the kept cards (a new build has new listing views)."""
    while _kept:
        view, key = _kept.popleft()
        view.cards.pop(key, None)


FILTERS = {"jsonld": seo.json_ld}
GLOBALS = {"urls": urls, "fmt_number": format_number, "feeds_of": feed_links,
           "plural_open": mapdata.plural, "remember": remember}
