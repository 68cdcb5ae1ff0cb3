"""Filters and globals the theme uses; shared by the Pelican build and the preview."""

from __future__ import annotations

from pasdeporte.site import mapdata, seo, urls
from pasdeporte.site.listing import feed_links
from pasdeporte.site.textfmt import format_number


def remember(view, key: tuple, render, *args, **kwargs):
    """`render(*args, **kwargs)`, kept on the listing view under `key` for the rest of the build.

    A listing's card appears on its territory, sector, list and match pages: rendered once.
    `key` must hold everything the rendering depends on besides the listing (e.g. SITEURL).
    """
    found = view.cards.get(key)
    if found is None:
        found = view.cards[key] = render(*args, **kwargs)
    return found


FILTERS = {"jsonld": seo.json_ld}
GLOBALS = {"urls": urls, "fmt_number": format_number, "feeds_of": feed_links,
           "plural_open": mapdata.plural, "remember": remember}
