"""Atom feeds, now written as text, are byte for byte what ElementTree wrote."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from types import SimpleNamespace

import pytest

from pasdeporte.site import feeds

HOSTILE = ["", "Épicerie", "<b>x</b> & 'y'", 'a "b"\tc\r\nd', "l'été > 3"]


def _reference(name, title, views, siteurl, feed_url, page_url) -> bytes:
    """The feed as pasdeporte.site.feeds wrote it with ElementTree, until it was too slow."""
    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{feeds.ATOM}}}{tag}", attrs)
        element.text = text
        return element

    ET.register_namespace("", feeds.ATOM)
    entries = sorted((v for v in views if v.is_opportunity and v.active),
                     key=lambda v: (v.date or date.min, v.slug), reverse=True)[:feeds.MAX_ENTRIES]
    feed = ET.Element(f"{{{feeds.ATOM}}}feed", {"xml:lang": "fr"})
    sub(feed, "id", f"urn:pas-de-porte:flux:{name}")
    sub(feed, "title", title)
    sub(feed, "updated", feeds._timestamp(max((v.date for v in entries if v.date), default=None)))
    sub(feed, "link", rel="self", type="application/atom+xml", href=f"{siteurl}/{feed_url}")
    sub(feed, "link", rel="alternate", type="text/html", href=f"{siteurl}/{page_url}")
    sub(sub(feed, "author"), "name", "Pas-de-porte")
    for view in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:pas-de-porte:annonce:{view.reference or view.slug}")
        sub(entry, "title", view.title)
        sub(entry, "updated", feeds._timestamp(view.date))
        sub(entry, "published", feeds._timestamp(view.date))
        sub(entry, "link", rel="alternate", type="text/html", href=f"{siteurl}/{view.url}")
        if view.naf:
            sub(entry, "category", term=view.naf.code, label=view.naf.label)
        sub(entry, "summary", f"{view.summary}. {view.excerpt}")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _view(text: str, number: int) -> SimpleNamespace:
    naf = SimpleNamespace(code=f"47.{number}{text}", label=f"NAF {text}") if number % 2 else None
    return SimpleNamespace(
        is_opportunity=number % 5 != 0, active=number % 7 != 0, slug=f"{text}-{number}",
        date=date(2026, 1 + number % 12, 1 + number % 28) if number % 9 else None,
        reference=f"ref-{text}" if number % 3 else "", title=text if number % 4 else "",
        url=f"opportunites/{text}-{number}/", naf=naf, summary=f"Type — {text}",
        excerpt=f"Le texte {text}")


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("count", [0, 1, 3, 60])
def test_feed_bytes_equal_elementtree(text, count):
    views = [_view(text, number) for number in range(count)]
    args = (f"secteur-{text}", f"Pas-de-porte : {text}", views, "https://x.fr/a&b",
            f"flux/{text}.atom.xml", f"secteurs/{text}/")
    assert feeds.atom_feed(*args) == _reference(*args)
