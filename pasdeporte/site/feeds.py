"""Atom feeds of opportunities: all, per département, per région and per sector."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from pasdeporte.site.listing import ListingView

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 50


def _timestamp(day: date | None) -> str:
    moment = datetime.combine(day or date(2000, 1, 1), datetime.min.time(), tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def atom_feed(name: str, title: str, views: list[ListingView], siteurl: str, feed_url: str,
              page_url: str) -> bytes:
    """An Atom 1.0 document of the newest active opportunities among `views`."""
    ET.register_namespace("", ATOM)
    entries = sorted((v for v in views if v.is_opportunity and v.active),
                     key=lambda v: (v.date or date.min, v.slug), reverse=True)[:MAX_ENTRIES]
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "fr"})
    _sub(feed, "id", f"urn:pas-de-porte:flux:{name}")
    _sub(feed, "title", title)
    _sub(feed, "updated", _timestamp(max((v.date for v in entries if v.date), default=None)))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{siteurl}/{feed_url}")
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{siteurl}/{page_url}")
    author = _sub(feed, "author")
    _sub(author, "name", "Pas-de-porte")
    for view in entries:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"urn:pas-de-porte:annonce:{view.reference or view.slug}")
        _sub(entry, "title", view.title)
        _sub(entry, "updated", _timestamp(view.date))
        _sub(entry, "published", _timestamp(view.date))
        _sub(entry, "link", rel="alternate", type="text/html", href=f"{siteurl}/{view.url}")
        if view.naf:
            _sub(entry, "category", term=view.naf.code, label=view.naf.label)
        _sub(entry, "summary", f"{view.summary}. {view.excerpt}")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
