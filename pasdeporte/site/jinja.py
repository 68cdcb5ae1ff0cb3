"""Filters and globals the theme uses; shared by the Pelican build and the preview."""

from __future__ import annotations

from pasdeporte.site import mapdata, seo, urls
from pasdeporte.site.listing import feed_links
from pasdeporte.site.textfmt import format_number

FILTERS = {"jsonld": seo.json_ld}
GLOBALS = {"urls": urls, "fmt_number": format_number, "feeds_of": feed_links,
           "plural_open": mapdata.plural}
