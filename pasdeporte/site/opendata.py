"""The open listings as one JSON and one CSV file, with codes and derived names."""

from __future__ import annotations

import csv
import io
import json

from pasdeporte.site.listing import ListingView

# json.dumps(row, ensure_ascii=False), without building an encoder for every row.
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False)
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
# (column, description) in file order; documented on /donnees/ and in docs/site.md.
COLUMNS = (
    ("reference", "Référence unique de l'annonce"),
    ("type", "opportunite ou projet"),
    ("kind", "Type d'annonce (code : commerce-recherche, local-disponible, reprise, projet)"),
    ("kind_label", "Type d'annonce en clair"),
    ("title", "Titre"),
    ("url", "Adresse de la page de l'annonce"),
    ("date", "Date de publication (AAAA-MM-JJ)"),
    ("expires", "Date d'expiration (AAAA-MM-JJ), vide si aucune"),
    ("state", "État (ouverte, en-discussion)"),
    ("naf_code", "Sous-classe NAF rév. 2 (ex. 10.71C)"),
    ("naf_label", "Libellé de la sous-classe NAF"),
    ("naf_division", "Division NAF (2 chiffres)"),
    ("naf_division_label", "Libellé de la division NAF"),
    ("commune_insee", "Code INSEE de la commune (opportunités)"),
    ("commune_name", "Nom de la commune"),
    ("postal_codes", "Codes postaux de la commune, séparés par « ; »"),
    ("population", "Population légale de la commune"),
    ("epci_siren", "SIREN de l'intercommunalité"),
    ("epci_name", "Nom de l'intercommunalité"),
    ("departement_code", "Code du département"),
    ("departement_name", "Nom du département"),
    ("region_code", "Code INSEE de la région"),
    ("region_name", "Nom de la région"),
    ("territories", "Territoires recherchés (projets) : codes séparés par « ; »"),
    ("territories_names", "Noms des territoires recherchés, séparés par « ; »"),
    ("premises", "Type de bien (code)"),
    ("surface_m2", "Surface en m²"),
    ("rent_eur_month", "Loyer mensuel en € HT"),
    ("price_eur", "Prix de vente en €"),
    ("available", "Date de disponibilité (AAAA-MM-JJ)"),
    ("surface_min_m2", "Surface minimale recherchée en m² (projets)"),
    ("surface_max_m2", "Surface maximale recherchée en m² (projets)"),
    ("budget_eur", "Budget en € (projets)"),
    ("horizon", "Horizon d'ouverture (code, projets)"),
    ("contact_name", "Nom du contact public (opportunités)"),
)


def record(view: ListingView, siteurl: str) -> dict[str, object]:
    """One open-data row; numbers stay numbers, absent values are None."""
    v, naf, commune = view.values, view.naf, view.commune
    iso = (lambda d: d.isoformat() if d else None)  # noqa: E731
    return {
        "reference": view.reference, "type": "opportunite" if view.is_opportunity else "projet",
        "kind": view.kind, "kind_label": view.kind_label, "title": view.title,
        "url": f"{siteurl}/{view.url}", "date": iso(view.date), "expires": iso(view.expires),
        "state": view.state, "naf_code": naf and naf.code, "naf_label": naf and naf.label,
        "naf_division": naf and naf.division, "naf_division_label": naf and naf.division_label,
        "commune_insee": commune and commune.code, "commune_name": commune and commune.name,
        "postal_codes": commune and ";".join(commune.postal_codes),
        "population": commune and commune.population,
        "epci_siren": view.epci and view.epci.code, "epci_name": view.epci and view.epci.name,
        "departement_code": view.departement and view.departement.code,
        "departement_name": view.departement and view.departement.name,
        "region_code": view.region and view.region.code,
        "region_name": view.region and view.region.name,
        "territories": ";".join(t.code for t, _ in view.targets) or None,
        "territories_names": ";".join(t.name for t, _ in view.targets) or None,
        "premises": v.get("premises"), "surface_m2": v.get("surface"),
        "rent_eur_month": v.get("rent"), "price_eur": v.get("price"),
        "available": iso(v.get("available")), "surface_min_m2": v.get("surface_min"),
        "surface_max_m2": v.get("surface_max"), "budget_eur": v.get("budget"),
        "horizon": v.get("horizon"), "contact_name": v.get("contact_name"),
    }


def open_views(views: list[ListingView]) -> list[ListingView]:
    """The listings published as open data: active ones, by reference."""
    return sorted((v for v in views if v.active), key=lambda v: v.reference)


def to_json(views: list[ListingView], siteurl: str, generated: str) -> bytes:
    """The JSON document (UTF-8): licence, column descriptions and one object per listing."""
    document = {
        "licence": LICENCE, "source": "Pas-de-porte", "generated": generated,
        "columns": [{"name": n, "description": d} for n, d in COLUMNS], "annonces": [],
    }
    head = json.dumps(document, ensure_ascii=False, indent=1).removesuffix("[]\n}")
    out = io.BytesIO()
    out.write(head.encode("utf-8"))
    # One listing per line: readable, and encoded by json's C encoder (indent disables it).
    # Written row by row as UTF-8: at 100,000 listings, joining text rows took 500 MB.
    rows = 0
    for view in open_views(views):
        out.write(b",\n" if rows else b"[\n")
        out.write(_ROW_ENCODER.encode(record(view, siteurl)).encode("utf-8"))
        rows += 1
    out.write(b"\n]\n}\n" if rows else b"[]\n}\n")
    return out.getvalue()


def to_csv(views: list[ListingView], siteurl: str) -> bytes:
    """The CSV file (UTF-8): header row of column names, then one row per open listing."""
    out = io.BytesIO()
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(name for name, _ in COLUMNS)
    for view in open_views(views):
        row = record(view, siteurl)
        writer.writerow("" if row[n] is None else _cell(row[n]) for n, _ in COLUMNS)
    text.flush()
    return out.getvalue()


def _cell(value: object) -> str:
    text = str(value).removesuffix(".0") if isinstance(value, float) else str(value)
    # Spreadsheets run cells starting with these as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
