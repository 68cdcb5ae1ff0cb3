"""Search-engine and sharing helpers: schema.org JSON-LD of a listing and the sitemap."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from pasdeporte.site.listing import ListingView

# What json.dumps(..., ensure_ascii=False) builds on every call, built once.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _place(view: ListingView) -> dict:
    commune = view.commune
    address = {"@type": "PostalAddress", "addressLocality": commune.name,
               "postalCode": commune.postal_codes[0] if commune.postal_codes else None,
               "addressRegion": view.region.name if view.region else None,
               "addressCountry": "FR"}
    if view.text("Address"):
        address["streetAddress"] = view.text("Address")
    return {"@type": "Place", "name": commune.name,
            "address": {k: v for k, v in address.items() if v}}


def json_ld(view: ListingView, siteurl: str) -> str:
    """schema.org description of a listing, safe to embed in a <script> element."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Offer" if view.is_opportunity else "Demand",
        "name": view.title, "description": view.excerpt or view.summary,
        "url": f"{siteurl}/{view.url}", "identifier": view.reference,
        "category": view.naf.label if view.naf else None,
        "validFrom": view.date.isoformat() if view.date else None,
        "validThrough": view.expires.isoformat() if view.expires else None,
    }
    if view.is_opportunity and view.commune:
        data["availableAtOrFrom"] = _place(view)
        if view.text("Contact_name"):
            data["offeredBy"] = {"@type": "Organization", "name": view.text("Contact_name")}
    elif view.targets:
        data["areaServed"] = [{"@type": "AdministrativeArea", "name": t.name}
                              for t, _ in view.targets]
    text = _ENCODER.encode({k: v for k, v in data.items() if v})
    # Keep the payload from closing the <script> element or opening a comment.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def sitemap(siteurl: str, paths: list[str]) -> str:
    """A sitemap.xml listing the given page URLs (relative to the site root)."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<url><loc>{escape(f'{siteurl}/{path}')}</loc></url>"
              for path in sorted(set(paths))]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
