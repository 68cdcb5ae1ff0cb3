"""One listing as the theme shows it: typed values plus facts derived from the reference data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from pasdeporte import matching, refdata, schema
from pasdeporte.site import urls
from pasdeporte.site.textfmt import format_date, format_value, plain_text

# Shown in their own blocks, not in the table of facts.
OWN_BLOCKS = {"Title", "Date", "Kind", "Sector", "Reference", "State", "Expires", "Commune",
              "Address", "Territories", "Aids", "Expectations", "Visit", "Images", "Contact_name",
              "Contact_role", "Contact_email", "Contact_phone", "Experience"}


class Texts(dict):
    """A listing's raw text values by field key; a template reads them without a call."""

    def __missing__(self, key: str) -> str:
        return ""


@dataclass
class ListingView:
    """Everything the listing template needs, derived once per listing (values are fixed)."""

    meta: dict[str, str]
    values: dict[str, object]
    slug: str
    url: str
    content: str
    today: date
    # The best matches (at most catalog.MATCHES_SHOWN) and how many there are in all.
    matches: list[tuple[ListingView, str]] = field(default_factory=list)
    match_count: int = 0
    # Rendered cards, by (heading level, SITEURL): a listing appears on many list pages.
    cards: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def kind(self) -> str:
        return self.meta.get("Kind", "")

    @cached_property
    def is_opportunity(self) -> bool:
        return schema.is_opportunity(self.kind)

    @property
    def section(self) -> str:
        return "opportunites" if self.is_opportunity else "projets"

    # The values a page shows over and over (cards, feeds, titles) are kept once read.
    @cached_property
    def title(self) -> str:
        return self.meta.get("Title", "")

    @cached_property
    def reference(self) -> str:
        return self.meta.get("Reference", "")

    @cached_property
    def kind_label(self) -> str:
        return schema.KINDS.get(self.kind, self.kind)

    @cached_property
    def state(self) -> str:
        return self.meta.get("State", "")

    @cached_property
    def state_label(self) -> str:
        return schema.STATES.get(self.state, self.state)

    @cached_property
    def date(self) -> date | None:
        return self.values.get("date")

    @property
    def date_text(self) -> str:
        return format_date(self.date)

    @cached_property
    def expires(self) -> date | None:
        return self.values.get("expires")

    @property
    def expires_text(self) -> str:
        return format_date(self.expires)

    @cached_property
    def expired(self) -> bool:
        return self.expires is not None and self.expires < self.today

    @cached_property
    def active(self) -> bool:
        return matching.is_active(self.values, self.today)

    @cached_property
    def naf(self) -> refdata.Naf | None:
        return refdata.naf(self.meta.get("Sector", ""))

    @property
    def sector_url(self) -> str:
        return urls.sector_url(self.naf.division) if self.naf else ""

    @cached_property
    def commune(self) -> refdata.Commune | None:
        return refdata.commune(self.meta["Commune"]) if "Commune" in self.meta else None

    @cached_property
    def epci(self) -> refdata.Epci | None:
        return refdata.epci(self.commune.epci) if self.commune and self.commune.epci else None

    @cached_property
    def departement(self) -> refdata.Departement | None:
        return refdata.departement(self.commune.departement) if self.commune else None

    @cached_property
    def region(self) -> refdata.Region | None:
        return refdata.region(self.commune.region) if self.commune else None

    # Pages of the listing's territories: attributes, cheaper in a template than calls.
    @property
    def commune_url(self) -> str:
        return urls.commune_url(self.commune.code) if self.commune else ""

    @property
    def epci_url(self) -> str:
        return urls.epci_url(self.epci.code) if self.epci else ""

    @property
    def departement_url(self) -> str:
        return urls.departement_url(self.departement.code) if self.departement else ""

    @property
    def region_url(self) -> str:
        return urls.region_url(self.region.code) if self.region else ""

    @cached_property
    def place(self) -> str:
        """Short place label: "Pornic (44)" or the names of the targeted territories."""
        if self.commune:
            return f"{self.commune.name} ({self.commune.departement})"
        return ", ".join(t.name for t, _ in self.targets)

    @cached_property
    def targets(self) -> list[tuple[refdata.Territory, str]]:
        """Territories a project targets, each with its page URL."""
        found = [refdata.territory(code) for code in self.values.get("territories", [])]
        return [(t, urls.territory_url(t.kind, t.code)) for t in found if t]

    @cached_property
    def facts(self) -> list[tuple[str, str]]:
        """Label and formatted value of every other field that is set."""
        fields = schema.fields_for(self.kind)
        return [(f.label, format_value(f, self.values[f.name]))
                for f in fields.values()
                if f.key not in OWN_BLOCKS and self.values.get(f.name) is not None]

    def text(self, key: str) -> str:
        """Raw text value of a field, or ""."""
        return self.meta.get(key, "")

    @cached_property
    def texts(self) -> Texts:
        """Raw text values of the fields by key, "" for a field not set (`v.texts["Visit"]`)."""
        return Texts(self.meta)

    @property
    def crumbs(self) -> list[tuple[str, str]]:
        """(label, URL) of the pages above this listing's and of its own, for the breadcrumb."""
        own = (self.title, self.url)
        if not self.is_opportunity:
            return [("Projets", "projets/"), own]
        if not self.commune:
            return [("Opportunités", "opportunites/"), own]
        return [("Opportunités", "opportunites/"), (self.departement.name, self.departement_url),
                (self.commune.name, self.commune_url), own]

    @property
    def feeds(self) -> list[tuple[str, str]]:
        """Atom feeds a reader of this listing may follow (`feed_links`)."""
        return feed_links(self)

    @property
    def aids(self) -> list[str]:
        return self.values.get("aids") or []

    @property
    def images(self) -> list[str]:
        return self.values.get("images") or []

    @property
    def summary(self) -> str:
        """One plain-text sentence for meta descriptions, feeds and cards."""
        sector = self.naf.label if self.naf else self.meta.get("Sector", "")
        return f"{self.kind_label} — {sector} — {self.place}"

    @cached_property
    def excerpt(self) -> str:
        """The first words of the description, as plain text (its page, feeds, open data)."""
        return plain_text(self.content, 240)


def typed_values(meta: dict[str, str]) -> dict[str, object]:
    """Typed values of the fields that parse; a bad value is left out rather than fatal."""
    fields = schema.fields_for(meta.get("Kind"))
    values: dict[str, object] = {}
    for key, raw in meta.items():
        fld = fields.get(key)
        if fld is None:
            continue
        if fld.type == "text" and len(raw) <= fld.max_length:  # parse_value's answer
            values[fld.name] = raw
        else:
            try:
                values[fld.name] = schema.parse_repeated(fld, raw)
            except ValueError:
                continue
    return values


def make_view(meta: dict[str, str], content: str, slug: str, today: date) -> ListingView:
    """Build the view of one listing from its metadata and its rendered (safe) body."""
    kind = meta.get("Kind")
    section = "opportunites" if schema.is_opportunity(kind) else "projets"
    return ListingView(dict(meta), typed_values(meta), slug, f"{section}/{slug}/", content, today)


def feed_links(view: ListingView) -> list[tuple[str, str]]:
    """Atom feeds a reader of this listing may follow: its territories and its sector."""
    links = []
    if view.departement:
        links.append((f"Opportunités du département {view.departement.name}",
                      urls.feed_url("departement", view.departement.code)))
    if view.region:
        links.append((f"Opportunités de la région {view.region.name}",
                      urls.feed_url("region", view.region.code)))
    for target, _ in view.targets:
        if target.kind in ("departement", "region"):
            word = "du département" if target.kind == "departement" else "de la région"
            links.append((f"Opportunités {word} {target.name}",
                          urls.feed_url(target.kind, target.code.split("-", 1)[1])))
    if view.naf:
        links.append((f"Opportunités du secteur « {view.naf.division_label} »",
                      urls.feed_url("secteur", view.naf.division)))
    return links
