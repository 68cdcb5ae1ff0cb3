"""Offline French reference data: communes, EPCI, départements, régions and NAF codes.

Read lazily from the compact files in pasdeporte/data/ (built by pasdeporte.refdata_build,
sources and licences in pasdeporte/data/SOURCES.md). Standard library only.
"""

import gzip
import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

DATA_DIR = Path(__file__).resolve().parent / "data"
_FOLD = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+")
_MARKS = re.compile("[\u0300-\u036f]")
_SAINTS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_ARTICLES = ("l ", "la ", "le ", "les ")
_STOPWORDS = frozenset("a au aux d de des du en et l la le les".split())


@dataclass(frozen=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class Epci:
    code: str
    name: str
    short_name: str
    kind: str
    communes: tuple[str, ...]


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    postal_codes: tuple[str, ...]
    departement: str
    region: str
    epci: str | None
    population: int | None


@dataclass(frozen=True)
class Naf:
    code: str
    label: str
    classe: str
    classe_label: str
    groupe: str
    groupe_label: str
    division: str
    division_label: str
    section: str
    section_label: str


@dataclass(frozen=True)
class Territory:
    kind: str
    code: str
    name: str


def normalize(text: str) -> str:
    """Fold text to lowercase ASCII words joined by single spaces (accents, punctuation dropped)."""
    bare = _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_FOLD)))
    return " ".join(_WORD.findall(bare.lower()))


@cache
def _territories() -> dict[str, Mapping]:
    raw = json.loads(gzip.decompress((DATA_DIR / "territories.json.gz").read_bytes()))
    communes_, members, postal = {}, {}, {}
    for code, name, postal_codes, dep, reg, epci_code, population in raw["communes"]:
        communes_[code] = Commune(code, name, tuple(postal_codes), dep, reg, epci_code, population)
        members.setdefault(epci_code, []).append(code)
        for postal_code in postal_codes:
            postal.setdefault(postal_code, []).append(communes_[code])
    return {
        "regions": MappingProxyType({c: Region(c, n) for c, n in raw["regions"]}),
        "departements": MappingProxyType({r[0]: Departement(*r) for r in raw["departements"]}),
        "epcis": MappingProxyType({code: Epci(code, name, short, kind, tuple(members[code]))
                                   for code, kind, short, name in raw["epci"]}),
        "communes": MappingProxyType(communes_),
        "postal": MappingProxyType({k: tuple(sorted(v, key=_by_size)) for k, v in postal.items()}),
    }


def _by_size(c: Commune) -> tuple:
    return (-(c.population or 0), c.name, c.code)


def commune(code: str) -> Commune | None:
    """Return the commune with this INSEE code, or None."""
    return communes().get(str(code).strip().upper())


def communes() -> Mapping[str, Commune]:
    """Return all current communes keyed by INSEE code."""
    return _territories()["communes"]


def communes_by_postal_code(postal_code: str) -> list[Commune]:
    """Return the communes served by a postal code, largest population first."""
    return list(_territories()["postal"].get(str(postal_code).strip(), ()))


def departement(code: str) -> Departement | None:
    """Return the département with this code ("44", "2A", "971"), or None."""
    return departements().get(str(code).strip().upper())


def departements() -> Mapping[str, Departement]:
    """Return all départements keyed by code."""
    return _territories()["departements"]


def region(code: str) -> Region | None:
    """Return the région with this INSEE code, or None."""
    return regions().get(str(code).strip())


def regions() -> Mapping[str, Region]:
    """Return all régions keyed by INSEE code."""
    return _territories()["regions"]


def epci(code: str) -> Epci | None:
    """Return the EPCI with this SIREN code, or None."""
    return epcis().get(str(code).strip())


def epcis() -> Mapping[str, Epci]:
    """Return all EPCI à fiscalité propre keyed by SIREN code."""
    return _territories()["epcis"]


@cache
def _naf_data() -> tuple[Mapping[str, Naf], dict[str, list[str]]]:
    raw = json.loads((DATA_DIR / "naf.json").read_text(encoding="utf-8"))
    table = {}
    for code, label in raw["subclasses"].items():
        section, division_label = raw["divisions"][code[:2]]
        table[code] = Naf(code, label, code[:5], raw["classes"][code[:5]], code[:4],
                          raw["groups"][code[:4]], code[:2], division_label, section,
                          raw["sections"][section])
    return MappingProxyType(table), raw["keywords"]


def naf(code: str) -> Naf | None:
    """Return the NAF rév. 2 sub-class with this code ("10.71C", also "1071c"), or None."""
    key = str(code).strip().upper().replace(" ", "")
    if re.fullmatch(r"\d{4}[A-Z]", key):
        key = f"{key[:2]}.{key[2:]}"
    return naf_codes().get(key)


def naf_codes() -> Mapping[str, Naf]:
    """Return all 732 NAF rév. 2 sub-classes keyed by code."""
    return _naf_data()[0]


def _prefixed(index: tuple[list[str], list[tuple]], prefix: str) -> Iterator[tuple]:
    keys, entries = index
    position = bisect_left(keys, prefix)
    while position < len(keys) and keys[position].startswith(prefix):
        yield entries[position]
        position += 1


def _sorted_index(entries: set[tuple]) -> tuple[list[str], list[tuple]]:
    ordered = sorted(entries)
    return [entry[0] for entry in ordered], ordered


@cache
def _name_index() -> tuple[list[str], list[tuple]]:
    entries = set()
    for c in communes().values():
        key = normalize(c.name)
        entries.add((key, 0, c.code))
        article = key.startswith(_ARTICLES)
        for number, match in enumerate(re.finditer(" ", key)):
            entries.add((key[match.end():], 0 if article and number == 0 else 1, c.code))
    return _sorted_index(entries)


@cache
def _code_index() -> tuple[list[str], list[tuple]]:
    table = communes().values()
    return _sorted_index({(key, c.code) for c in table for key in (c.code, *c.postal_codes)})


def search_communes(query: str, limit: int = 10) -> list[Commune]:
    """Find communes by INSEE code, postal code (prefix) or name prefix, best match first."""
    compact = str(query).replace(" ", "").upper()
    ranks: dict[str, int] = {}
    if re.fullmatch(r"\d[\dAB]?\d{0,3}", compact):
        for key, code in _prefixed(_code_index(), compact):
            ranks[code] = min(ranks.get(code, 2), 0 if key == compact else 1)
    else:
        text = normalize(str(query))
        for variant in {text, " ".join(_SAINTS.get(w, w) for w in text.split())} - {""}:
            for key, tier, code in _prefixed(_name_index(), variant):
                rank = 0 if key == variant and tier == 0 else 1 + tier
                ranks[code] = min(ranks.get(code, 3), rank)
    table = communes()
    found = sorted((rank, _by_size(table[code])) for code, rank in ranks.items())
    return [table[size[2]] for _, size in found[:max(limit, 0)]]


@cache
def _naf_documents() -> list[tuple[Naf, list[str], set[str], set[str]]]:
    keywords, documents = _naf_data()[1], []
    for entry in naf_codes().values():
        phrases = [normalize(entry.label), *(normalize(k) for k in keywords.get(entry.code, []))]
        parents = (entry.classe_label, entry.groupe_label, entry.division_label)
        own = set(" ".join(phrases).split())
        documents.append((entry, phrases, own, own | set(normalize(" ".join(parents)).split())))
    return documents


def search_naf(query: str, limit: int = 10) -> list[Naf]:
    """Find NAF sub-classes by code prefix or accent-insensitive word prefixes of their labels."""
    compact = str(query).replace(" ", "").upper()
    if re.fullmatch(r"\d\d(\.?\d{1,2}[A-Z]?)?", compact):
        wanted = compact.replace(".", "")
        hits = [n for code, n in naf_codes().items() if code.replace(".", "").startswith(wanted)]
        return hits[:max(limit, 0)]
    text = normalize(str(query))
    tokens = [w for w in text.split() if w not in _STOPWORDS] or text.split()
    ranked = []
    for entry, phrases, own, everything in _naf_documents() if tokens else ():
        if any(p == text or p.startswith(text + " ") for p in phrases):
            tier = 0
        elif any(p.startswith(text) for p in phrases):
            tier = 1
        elif all(any(word.startswith(t) for word in own) for t in tokens):
            tier = 2
        elif all(any(word.startswith(t) for word in everything) for t in tokens):
            tier = 3
        else:
            continue
        ranked.append((tier, -len(everything.intersection(tokens)), entry.code, entry))
    return [entry for *_, entry in sorted(ranked)[:max(limit, 0)]]


def naf_exact(query: str) -> list[Naf]:
    """NAF sub-classes whose label or one of whose keywords is exactly `query` (accents aside)."""
    text = normalize(str(query))
    return [entry for entry, phrases, _, _ in _naf_documents() if text and text in phrases]


def territory(code: str) -> Territory | None:
    """Parse a territory code: INSEE commune, EPCI SIREN, "dep-44" or "reg-52"; None if unknown."""
    text = str(code).strip()
    prefix, dash, rest = text.partition("-")
    if dash and prefix.lower() == "dep":
        found = departement(rest)
        return found and Territory("departement", f"dep-{found.code}", found.name)
    if dash and prefix.lower() == "reg":
        found = region(rest)
        return found and Territory("region", f"reg-{found.code}", found.name)
    if re.fullmatch(r"\d{9}", text):
        found = epci(text)
        return found and Territory("epci", found.code, found.name)
    found = commune(text) if re.fullmatch(r"\d[\dAB]\d{3}", text.upper()) else None
    return found and Territory("commune", found.code, found.name)


def commune_in_territory(commune_code: str, territory_code: str) -> bool:
    """Tell whether a commune (INSEE code) lies inside a territory (see territory())."""
    place, area = commune(commune_code), territory(territory_code)
    if place is None or area is None:
        return False
    return area.code == {
        "commune": place.code,
        "epci": place.epci,
        "departement": f"dep-{place.departement}",
        "region": f"reg-{place.region}",
    }[area.kind]
