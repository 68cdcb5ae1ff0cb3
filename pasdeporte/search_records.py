"""Search records: what the Pagefind index holds for one listing (text, meta, filters, sorts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pasdeporte import matching, metadata, refdata, schema, validate
from pasdeporte.site.territory import target_keys
from pasdeporte.site.textfmt import format_number as french_number

SURFACE_BANDS = ((50, "< 50 m²"), (100, "50-100 m²"), (200, "100-200 m²"), (None, "> 200 m²"))
RENT_BANDS = ((300, "< 300 €"), (600, "300-600 €"), (1000, "600-1 000 €"), (None, "> 1 000 €"))
SECTIONS = {"opportunites": "Opportunité", "projets": "Projet"}
# Extra fields worth finding by full text, in display order.
TEXT_FIELDS = ("equipment", "expectations", "aids", "housing", "visit", "experience")


@dataclass
class Record:
    """One listing as indexed: URL, searchable text, displayed meta, facets and sort keys."""

    url: str
    title: str
    text: list[str]
    body: str
    meta: dict[str, str] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)
    # date (YYYYMMDD), ranked for Pagefind's only sort; surface and rent (None: the listing has
    # none, sorted last) go to the sort table the search page loads on demand (search.py).
    sort: dict[str, int | None] = field(default_factory=dict)


def band(value: float, bands: tuple) -> str:
    """The label of the band holding `value` (upper bounds are exclusive)."""
    for upper, label in bands:
        if upper is None or value < upper:
            return label
    raise AssertionError("unreachable: the last band has no upper bound")


def bands_between(low: float | None, high: float | None, bands: tuple) -> list[str]:
    """Labels of every band that overlaps [low, high] (either end may be open)."""
    found, lower = [], 0.0
    for upper, label in bands:
        above_low = low is None or upper is None or low < upper
        below_high = high is None or high >= lower
        if above_low and below_high:
            found.append(label)
        lower = upper if upper is not None else lower
    return found


def departement_label(code: str) -> str:
    """"Vendée (85)": a département filter value, unique and readable."""
    found = refdata.departement(code)
    return f"{found.name} ({found.code})" if found else code


def places(territories: list[str]) -> tuple[set[str], set[str]]:
    """Département and région codes covered by a project's territories."""
    deps, regs = set(), set()
    for code in territories:
        keys = target_keys(code)
        deps.update(key for kind, key in keys if kind == "departement")
        regs.update(key for kind, key in keys if kind == "region")
        if keys and keys[0][0] == "region":
            # A project open to a whole région is open to each of its départements.
            deps.update(d.code for d in refdata.departements().values() if d.region == keys[0][1])
    return deps, regs


def make_record(values: dict, body_html: str, section: str, slug: str) -> Record:
    """Build the search record of a listing from its typed metadata and rendered body."""
    kind = values["kind"]
    naf = refdata.naf(values["sector"])
    record = Record(url=f"/{section}/{slug}/", title=values["title"], text=[], body=body_html)
    filters: dict[str, list[str]] = {
        "annonce": [SECTIONS[section]],
        "type": [schema.KINDS[kind]],
        "secteur": [naf.division_label],
    }
    # Only what a result shows: every meta byte is fetched again for each result displayed.
    meta = {"title": values["title"], "type": schema.KINDS[kind],
            "date": values["date"].strftime("%d/%m/%Y")}
    surface = rent = None
    if schema.is_opportunity(kind):
        place = refdata.commune(values["commune"])
        deps, regs = {place.departement}, {place.region}
        meta["commune"] = place.name
        surface, rent = values.get("surface"), values.get("rent")
        if surface is not None:
            filters["surface"] = [band(surface, SURFACE_BANDS)]
            meta["surface"] = f"{french_number(surface)} m²"
        if rent is not None:
            filters["loyer"] = [band(rent, RENT_BANDS)]
            meta["loyer"] = f"{french_number(rent)} € / mois"
        if "premises" in values:
            filters["bien"] = [schema.PREMISES[values["premises"]]]
    else:
        deps, regs = places(values["territories"])
        names = [refdata.territory(code).name for code in values["territories"]]
        meta["commune"] = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        low, high = values.get("surface_min"), values.get("surface_max")
        surface = low if low is not None else high
        if low is not None or high is not None:
            filters["surface"] = bands_between(low, high, SURFACE_BANDS)
            meta["surface"] = (f"{french_number(low)} à {french_number(high)} m²" if low and high
                               else f"{'dès' if low else 'jusqu’à'} "
                                    f"{french_number(surface)} m²")
    filters["departement"] = sorted(departement_label(d) for d in deps)
    filters["region"] = sorted(refdata.region(r).name for r in regs)
    dep_names = [refdata.departement(d).name for d in sorted(deps)]
    meta["departement"] = ", ".join(departement_label(d) for d in sorted(deps)[:3]) + (
        " …" if len(deps) > 3 else "")
    record.filters, record.meta = filters, meta
    record.sort = {
        "date": int(values["date"].strftime("%Y%m%d")),
        "surface": round(surface) if surface is not None else None,
        "loyer": round(rent) if rent is not None else None,
    }
    # Words a visitor may type that the body may not contain: place, sector, kind, details.
    # One readable sentence, since Pagefind may pick it for an excerpt.
    where = ", ".join(dict.fromkeys([meta["commune"], *dep_names, *filters["region"]]))
    record.text = [f"{meta['type']} : {naf.label} ({naf.division_label}), {where}."]
    for name in TEXT_FIELDS:
        value = values.get(name)
        if value:
            text = "; ".join(value) if isinstance(value, list) else value
            record.text.append(text if text.endswith((".", "!", "?")) else f"{text}.")
    return record


def document_record(doc: metadata.Document, path: str | Path, today: date,
                    body: str | None = None) -> Record | None:
    """The record of a parsed listing file, or None if it is invalid or stays out of the index.

    `body` is the description already rendered by the site's Markdown reader, if at hand.
    """
    from pasdeporte import markdown_safe

    try:
        values = schema.typed(doc.meta)
        if not matching.is_active(values, today):  # closed or expired: not searchable
            return None
        html = markdown_safe.render(doc.body) if body is None else body
        return make_record(values, html, Path(path).parent.name, Path(path).stem)
    except (KeyError, ValueError, AttributeError):
        # The build refuses invalid listings before indexing; never index half a listing.
        return None


def listing_record(path: Path, today: date) -> Record | None:
    """The record of one listing file, or None if it is invalid or must stay out of the index."""
    return document_record(metadata.loads(Path(path).read_text(encoding="utf-8")), path, today)


# What a listing's record depends on besides its bytes (see cached_records).
RECORD_MODULES = ("pasdeporte.search_records", "pasdeporte.schema", "pasdeporte.metadata",
                  "pasdeporte.refdata", "pasdeporte.markdown_safe")


def cached_records(files: list[Path], today: date, cache: Path,
                   known: dict[str, tuple[str, Record | None]] | None = None,
                   later: list | None = None) -> list[Record | None]:
    """Each file's record (or None), reused from `cache` while its bytes, code and day hold.

    `known` holds records the build made for this day while reading the files
    (`validate.listing_key` -> (digest, record)): used when the cache has none. Given a
    list `later`, the cache is not saved here: its save is appended, for the caller to run.
    """
    import markdown

    from pasdeporte.fastbuild import filecache

    data = tuple(sorted(refdata.DATA_DIR.glob("*.json*")))
    version = filecache.code_version(
        RECORD_MODULES, data, f"records {today.isoformat()} markdown {markdown.__version__}")
    store, found = filecache.FileCache(cache, version), []
    for path in files:
        digest = filecache.path_digest(path)  # hashed once per build (validation did it)
        hit, record = store.get(str(path), digest)
        made = known.get(validate.listing_key(path)) if known and not hit else None
        if made is not None and made[0] == digest:
            hit, record = True, made[1]
            store.put(str(path), digest, record)
        if not hit:
            record = listing_record(path, today)
            # Kept only if the file did not change while it was read (watch mode, editors).
            if store.digest(path.read_bytes()) == digest:
                store.put(str(path), digest, record)
        found.append(record)
    if later is None:
        store.save()
    else:
        later.append(store.save)
    return found
