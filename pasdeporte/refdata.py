"""Offline French reference data: communes, EPCI, départements, régions and NAF codes.

Read lazily from the compact files in pasdeporte/data/ (built by pasdeporte.refdata_build,
sources and licences in pasdeporte/data/SOURCES.md). Standard library only.
"""

import gzip
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

DATA_DIR = Path(__file__).resolve().parent / "data"
# Search and normalisation live in pasdeporte.refdata_search; re-exported here (__getattr__).
_SEARCH = frozenset({"normalize", "search_communes", "search_naf", "naf_exact"})


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


def __getattr__(name: str):
    """Re-export the search functions of pasdeporte.refdata_search (imported on first use)."""
    # Lazily, because refdata_search builds on this module's lookups: no import cycle.
    if name in _SEARCH:
        from pasdeporte import refdata_search

        return getattr(refdata_search, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
