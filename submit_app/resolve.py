"""Turn what people type (French numbers, dates, commune or trade names) into schema values.

Each function takes cleaned text and returns the canonical value written in the listing, or
raises ValueError with a French message that tells the person what to type instead.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from pasdeporte import refdata, schema

THOUSANDS_RE = re.compile(r"^\d{1,3}( \d{3})+(,\d{1,2})?$")
PLAIN_NUMBER_RE = re.compile(r"^\d{1,10}([.,]\d{1,2})?$")
UNIT_RE = re.compile(r"\s*(€|euros?|eur|m²|m2|m 2|ht|/ ?mois|par mois)\s*$", re.IGNORECASE)
FRENCH_DATE_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
INSEE_SUFFIX_RE = re.compile(r"\(INSEE ([0-9][0-9AB][0-9]{3})\)$", re.IGNORECASE)
NAF_PREFIX_RE = re.compile(r"^(\d{2}\.?\d{2}[A-Za-z])\b")
MAX_NUMBER = 1_000_000_000
CHOICES_SHOWN = 6


def number(text: str) -> str:
    """French number ("85,5", "1 200", "450 €") to its canonical form ("85.5", "1200")."""
    bare = text.strip()
    while (stripped := UNIT_RE.sub("", bare)) != bare:
        bare = stripped
    if THOUSANDS_RE.match(bare):
        bare = bare.replace(" ", "")
    if not PLAIN_NUMBER_RE.match(bare):
        raise ValueError(f"« {text} » n'est pas un nombre : écrivez par exemple 85 ou 85,5")
    value = float(bare.replace(",", "."))
    if value > MAX_NUMBER:
        raise ValueError("nombre trop grand")
    return schema.format_number(value)


def day(text: str) -> str:
    """A date typed as 2027-01-31 or 31/01/2027, to ISO 8601."""
    match = FRENCH_DATE_RE.match(text.strip())
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1])).isoformat()
        if schema.DATE_RE.match(text.strip()):
            return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ValueError(f"la date « {text} » n'existe pas") from None
    raise ValueError(f"date non reconnue « {text} » : écrivez par exemple 31/01/2027")


def commune_label(c: refdata.Commune) -> str:
    """How a commune is suggested and shown: "Pornic, 44210 (INSEE 44131)"."""
    postal = c.postal_codes[0] if c.postal_codes else c.departement
    return f"{c.name}, {postal} (INSEE {c.code})"


def _choices(found: list) -> str:
    shown = "; ".join(commune_label(c) for c in found[:CHOICES_SHOWN])
    more = len(found) - CHOICES_SHOWN
    return shown + (f" (et {more} autre{'s' if more > 1 else ''})" if more > 0 else "")


def commune(text: str) -> str:
    """An INSEE code, a postal code, a name or a suggestion, to one commune's INSEE code."""
    text = text.strip()
    if match := INSEE_SUFFIX_RE.search(text):
        found = refdata.commune(match[1].upper())
        if found:
            return found.code
    words = text.split()
    postal = [w for w in words if re.fullmatch(r"\d{5}", w)]
    if postal and len(words) > 1:
        # "Pornic 44210": the name among the communes of that postal code.
        name = refdata.normalize(" ".join(w for w in words if w not in postal))
        found = [c for c in refdata.communes_by_postal_code(postal[0])
                 if refdata.normalize(c.name) == name]
        if len(found) == 1:
            return found[0].code
    found = refdata.search_communes(text, limit=50)
    key = refdata.normalize(text)
    compact = text.replace(" ", "").upper()
    exact = [c for c in found if c.code == compact or compact in c.postal_codes
             or refdata.normalize(c.name) == key]
    if len(exact) == 1:
        return exact[0].code
    if len(exact) > 1:
        hint = "le nom de la commune" if compact.isdigit() else "le code postal"
        raise ValueError(f"plusieurs communes correspondent à « {text} » : {_choices(exact)}. "
                         f"Ajoutez {hint}, ou recopiez la bonne ligne")
    if found:
        raise ValueError(f"commune « {text} » non trouvée telle quelle. Vouliez-vous dire : "
                         f"{_choices(found)}")
    raise ValueError(f"commune inconnue « {text} » : tapez son nom, son code postal ou son "
                     "code INSEE")


def naf_label(entry: refdata.Naf) -> str:
    """How a trade is suggested: "10.71C — Boulangerie et boulangerie-pâtisserie"."""
    return f"{entry.code} — {entry.label}"


def sector(text: str) -> str:
    """A NAF code, a suggestion or words of a trade's label ("boulangerie"), to a NAF code."""
    text = text.strip()
    match = NAF_PREFIX_RE.match(text)
    if entry := refdata.naf(match[1] if match else text):
        return entry.code
    # A trade's usual name ("boucherie", "pharmacie") is a keyword of exactly one sub-class:
    # take it rather than asking to choose among labels that merely mention the word.
    exact = refdata.naf_exact(text[:200])
    if len(exact) == 1:
        return exact[0].code
    found = _search_naf(text[:200])
    key = refdata.normalize(text)
    starting = [n for n in found if refdata.normalize(n.label).startswith(key)]
    if key and len(found) == 1:
        return found[0].code
    if key and len(starting) == 1:
        return starting[0].code
    if found:
        shown = "; ".join(naf_label(n) for n in found)
        raise ValueError(f"plusieurs activités correspondent à « {text} » : {shown} ; "
                         f"tapez le code qui convient (par exemple {found[0].code})")
    raise ValueError(f"activité inconnue « {text} » : tapez un mot comme « boulangerie » "
                     "ou un code NAF comme 10.71C")


@lru_cache(maxsize=2048)
def _search_naf(text: str) -> tuple:
    # Full-text search scans all 732 labels: most people type the same few trades.
    return tuple(refdata.search_naf(text, limit=CHOICES_SHOWN))


def _territory(item: str) -> str:
    found = refdata.territory(item)
    if found:
        return found.code
    if re.fullmatch(r"\d{2}|2[ABab]|97\d", item) and (dep := refdata.departement(item.upper())):
        return f"dep-{dep.code}"  # a département by its number, as people write it: "85"
    key = refdata.normalize(item)
    for dep in refdata.departements().values():
        if refdata.normalize(dep.name) == key:
            return f"dep-{dep.code}"
    for reg in refdata.regions().values():
        if refdata.normalize(reg.name) == key:
            return f"reg-{reg.code}"
    return commune(item)


def territories(text: str) -> str:
    """Comma-separated codes or names (départements, régions, communes) to territory codes."""
    items = [item.strip() for item in re.split(r"[,;]", text) if item.strip()]
    if not items:
        raise ValueError("indiquez au moins un territoire")
    codes = []
    for item in items:
        code = _territory(item)
        if code not in codes:
            codes.append(code)
    return ", ".join(codes)


def phone(text: str) -> str:
    """A phone number, with its usual separators folded to spaces."""
    bare = re.sub(r"[\s.\-/()]+", " ", text).strip()
    if not schema.PHONE_RE.match(bare) or len(re.sub(r"\D", "", bare)) < 9:
        raise ValueError(f"numéro de téléphone invalide « {text} » : par exemple 02 51 00 00 00")
    return bare


def email(text: str) -> str:
    """An e-mail address, checked with the schema's rule."""
    if not schema.EMAIL_RE.match(text.strip()):
        raise ValueError(f"adresse électronique invalide « {text} » : par exemple "
                         "mairie@example.fr")
    return text.strip()
