"""Search in the reference data: accent-insensitive normalisation, communes and NAF codes.

Split from pasdeporte.refdata (which re-exports the public names): prefix indexes built once
per process over the lookups there. Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator
from functools import cache

from pasdeporte.refdata import Commune, Naf, _by_size, _naf_data, communes, naf_codes

_FOLD = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+")
_MARKS = re.compile("[\u0300-\u036f]")
_SAINTS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_ARTICLES = ("l ", "la ", "le ", "les ")
_STOPWORDS = frozenset("a au aux d de des du en et l la le les".split())


def normalize(text: str) -> str:
    """Fold text to lowercase ASCII words joined by single spaces (accents, punctuation dropped)."""
    bare = _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_FOLD)))
    return " ".join(_WORD.findall(bare.lower()))


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
