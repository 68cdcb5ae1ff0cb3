"""Pelican plugin: derived facts on listings, territory/sector pages, feeds, map, open data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from pasdeporte import schema
from pasdeporte.site import feeds, fragments, mapdata, opendata, seo, urls
from pasdeporte.site.catalog import Catalog
from pasdeporte.site.listing import make_view

# Browse pages written from a theme template of the same name: (template, url).
BROWSE_PAGES = (("territoires", "territoires/"), ("secteurs", "secteurs/"),
                ("carte", "carte/"), ("donnees", "donnees/"))
# Paginated lists of all listings, written from the template of the same name.
LIST_PAGES = ("opportunites", "projets")


def build_date(settings: dict) -> date:
    """The date used to decide expiry: PASDEPORTE_TODAY if set (tests), else today."""
    value = settings.get("PASDEPORTE_TODAY")
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else date.today()


def meta_from_article(article) -> dict[str, str]:
    """The listing's metadata with its written keys and raw text values."""
    fields = schema.fields_for(article.metadata.get("kind"))
    meta = {}
    metadata = article.metadata
    for fld in fields.values():
        value = metadata.get(fld.name)
        if value is None:
            continue
        if type(value) is str:  # nearly every value: as str() would give it
            meta[fld.key] = value
        else:
            meta[fld.key] = value.date().isoformat() if hasattr(value, "date") else str(value)
    return meta


class SiteGenerator(Generator):
    """Derives the catalog after the articles are read, then writes the generated pages."""

    def generate_context(self) -> None:
        today = build_date(self.settings)
        fragments.forget_cards()  # a watching process builds again and again
        views = []
        for article in self.context.get("articles", []):
            view = make_view(meta_from_article(article), article.content, article.slug, today)
            article.pdp = view
            views.append(view)
        self.context["catalog"] = Catalog(views, today)
        self.context["PDP_TODAY"] = today

    def generate_output(self, writer) -> None:
        catalog, siteurl = self.context["catalog"], self.settings["SITEURL"]
        relative = self.settings["RELATIVE_URLS"]
        written = ["", *(a.url for a in self.context.get("articles", [])),
                   *(p.url for p in self.context.get("pages", []))]

        def write(url: str, template: str, **extra) -> None:
            writer.write_file(urls.save_as(url), self.get_template(template), self.context,
                              relative_urls=relative, url=url, page_url=url, **extra)
            written.append(url)

        # Long lists are split into pages (pasdeporte.site.paging): each page is light.
        for page in catalog.territories.values():
            for part in page.pages:
                write(part.url, "territoire", territory=page, paged=part)
            for part in page.children_pages:
                write(part.url, "communes", territory=page, paged=part)
        for sector in catalog.sector_pages():
            for part in sector.pages:
                write(part.url, "secteur", sector=sector, paged=part)
        for section in LIST_PAGES:
            for part in catalog.list_pages(section):
                write(part.url, section, paged=part)
        svg = mapdata.render_svg(catalog.departements(), siteurl)
        for template, url in BROWSE_PAGES:
            write(url, template, map_svg=svg, columns=opendata.COLUMNS, legend=mapdata.CLASSES)
        out = Path(self.output_path)
        self._feeds(writer, catalog, siteurl, out)
        generated = catalog.today.isoformat()
        _output(writer, out / "donnees/annonces.json", opendata.to_json, catalog.views, siteurl,
                generated)
        _output(writer, out / "donnees/annonces.csv", opendata.to_csv, catalog.views, siteurl)
        _output(writer, out / "sitemap.xml", seo.sitemap, siteurl,
                [u for u in written if u is not None])

    def _feeds(self, writer, catalog: Catalog, siteurl: str, out: Path) -> None:
        name = self.settings["SITENAME"]
        jobs = [("opportunites", f"{name} : toutes les opportunités", catalog.opportunities,
                 urls.feed_url(), "opportunites/")]
        for page in catalog.territories.values():
            if page.feed_url:
                jobs.append((f"{page.kind}-{page.code}", f"{name} : {page.name}",
                             page.opportunities, page.feed_url, page.url))
        for sector in catalog.sector_pages():
            jobs.append((f"secteur-{sector.division}", f"{name} : {sector.name}",
                         sector.listings, sector.feed_url, sector.url))
        for key, title, views, url, page_url in jobs:
            _output(writer, out / url, feeds.atom_feed, key, title, views, siteurl, url, page_url)


def _output(writer, path: Path, function, *args) -> None:
    """Write `function(*args)` to `path`: with the pages when the fast writer renders them."""
    if hasattr(writer, "queue_output"):  # pasdeporte.fastbuild: in parallel, only if changed
        writer.queue_output(path, function, *args)
    else:
        _save(path, function(*args))


def _save(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def get_generators(pelican) -> type[Generator]:
    """Add the site generator after Pelican's own."""
    return SiteGenerator


def register() -> None:
    """Pelican entry point."""
    signals.get_generators.connect(get_generators)
