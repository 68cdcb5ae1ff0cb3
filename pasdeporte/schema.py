"""The listing schema: every metadata field of opportunities and projects, with its rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from pasdeporte import refdata

OPPORTUNITY_KINDS = {
    "commerce-recherche": "La commune recherche un commerce",
    "local-disponible": "Local disponible",
    "reprise": "Commerce à reprendre",
}
PROJECT_KINDS = {"projet": "Projet d'installation"}
KINDS = {**OPPORTUNITY_KINDS, **PROJECT_KINDS}
STATES = {
    "ouverte": "Ouverte",
    "en-discussion": "En discussion",
    "pourvue": "Pourvue",
    "retiree": "Retirée",
}
PREMISES = {
    "local-commercial": "Local commercial",
    "fonds": "Fonds de commerce",
    "murs": "Murs commerciaux",
    "droit-au-bail": "Droit au bail",
    "location-gerance": "Location-gérance",
}
HORIZONS = {
    "moins-6-mois": "Dans moins de 6 mois",
    "6-12-mois": "Dans 6 à 12 mois",
    "plus-12-mois": "Dans plus d'un an",
}
LIST_SEPARATOR = ";"
REFERENCE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{2,30}[a-z0-9]$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .]{7,18}[0-9]$")
NUMBER_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
IMAGE_RE = re.compile(r"^images/[a-z0-9-]+/[a-z0-9_-]+\.(jpg|jpeg|png|webp)$")
MAX_IMAGES = 4


@dataclass(frozen=True)
class Field:
    """One metadata field: its key as written, French label, type and rules."""

    key: str
    label: str
    type: str  # text, date, number, choice, list, naf, commune, territories, reference, ...
    required: bool = False
    choices: dict | None = None
    max_length: int = 200
    help: str = ""
    example: str = ""
    unit: str = ""

    # Read for every value of every listing of a build: computed once per field. (A frozen
    # dataclass allows it: cached_property writes to the instance's __dict__ directly.)
    @cached_property
    def name(self) -> str:
        """Lower-case name, as Pelican and the form app call it."""
        return self.key.lower()


COMMON = (
    Field("Title", "Titre de l'annonce", "text", True, max_length=120,
          help="Une phrase qui dit ce qui est proposé ou recherché, et où.",
          example="Saint-Martin-des-Noyers recherche son boulanger"),
    Field("Date", "Date de publication", "date", True, example="2026-11-28"),
    Field("Kind", "Type d'annonce", "choice", True, choices=KINDS),
    Field("Sector", "Secteur d'activité (code NAF)", "naf", True,
          help="Le code NAF rév. 2 de l'activité recherchée ou prévue.", example="10.71C"),
    Field("Reference", "Référence", "reference", True, example="k7m2q9xw3d"),
    Field("State", "État", "choice", True, choices=STATES),
    Field("Expires", "Date d'expiration", "date",
          help="Après cette date, l'annonce est affichée comme expirée.", example="2027-06-30"),
)
OPPORTUNITY = (
    Field("Commune", "Commune (code INSEE)", "commune", True, example="44131"),
    Field("Address", "Adresse du local", "text", example="3 place de l'Église"),
    Field("Premises", "Type de bien", "choice", choices=PREMISES),
    Field("Surface", "Surface", "number", unit="m²", example="85"),
    Field("Rent", "Loyer mensuel", "number", unit="€ HT / mois", example="450"),
    Field("Price", "Prix de vente", "number", unit="€", example="60000"),
    Field("Housing", "Logement attenant", "text", example="T3 de 70 m² à l'étage"),
    Field("Equipment", "Équipement", "text", max_length=500,
          example="Four à sole, chambre froide, vitrine réfrigérée"),
    Field("Aids", "Aides proposées", "list", max_length=1000,
          help="Séparez les aides par des points-virgules.",
          example="Six mois de loyer offerts; Aide au démarrage de la communauté de communes"),
    Field("Expectations", "Ce que la commune attend", "text", max_length=1000,
          example="Ouverture six jours sur sept, dépôt de pain le lundi à l'épicerie"),
    Field("Visit", "Conditions de visite", "text", max_length=500,
          example="Sur rendez-vous avec la mairie, du lundi au vendredi"),
    Field("Available", "Date de disponibilité", "date", example="2027-01-01"),
    Field("Contact_name", "Nom du contact", "text", True, max_length=100,
          example="Mairie de Saint-Martin-des-Noyers"),
    Field("Contact_role", "Fonction du contact", "text", max_length=100,
          example="Secrétariat de mairie"),
    Field("Contact_email", "Courriel public du contact", "email", max_length=120,
          example="mairie@example.fr"),
    Field("Contact_phone", "Téléphone public du contact", "phone", max_length=20,
          example="02 51 00 00 00"),
    Field("Images", "Photos", "images", max_length=400),
)
PROJECT = (
    Field("Territories", "Territoires recherchés", "territories", True, max_length=400,
          help="Codes INSEE de communes, SIREN d'EPCI, dep-NN ou reg-NN, séparés par des virgules.",
          example="dep-85, dep-44"),
    Field("Horizon", "Horizon d'ouverture", "choice", choices=HORIZONS),
    Field("Surface_min", "Surface minimale", "number", unit="m²", example="60"),
    Field("Surface_max", "Surface maximale", "number", unit="m²", example="150"),
    Field("Budget", "Budget", "number", unit="€", example="80000"),
    Field("Experience", "Expérience", "text", max_length=1000,
          example="Quinze ans de fournil, dont cinq comme chef boulanger"),
    Field("Images", "Photos", "images", max_length=400),
)
OPPORTUNITY_FIELDS = {f.key: f for f in COMMON + OPPORTUNITY}
PROJECT_FIELDS = {f.key: f for f in COMMON + PROJECT}
ALL_KEYS = set(OPPORTUNITY_FIELDS) | set(PROJECT_FIELDS)


def is_opportunity(kind: str | None) -> bool:
    """Whether a Kind value names an opportunity (as opposed to a project)."""
    return kind in OPPORTUNITY_KINDS


def fields_for(kind: str | None) -> dict[str, Field]:
    """The fields of a listing of this Kind, in writing order."""
    return PROJECT_FIELDS if kind == "projet" else OPPORTUNITY_FIELDS


def format_number(value: float) -> str:
    """Canonical number as written in a file: 85, 85.5."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def split_list(value: str, separator: str = LIST_SEPARATOR) -> list[str]:
    """Split a list value into its stripped, non-empty items."""
    return [item.strip() for item in value.split(separator) if item.strip()]


def parse_value(fld: Field, raw: str):
    """Convert a raw value to its Python type; raise ValueError with a French message."""
    if len(raw) > fld.max_length:
        raise ValueError(f"trop long ({len(raw)} caractères, {fld.max_length} au plus)")
    if fld.type == "text":  # the most common type, which none of the rules below concern
        return raw
    if fld.type == "date":
        if not DATE_RE.match(raw):
            raise ValueError(f"date invalide « {raw} » (format attendu AAAA-MM-JJ)")
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"date inexistante « {raw} »") from None
    if fld.type == "number":
        if not NUMBER_RE.match(raw):
            raise ValueError(f"nombre invalide « {raw} » (chiffres, point décimal)")
        number = float(raw)
        if number < 0:
            raise ValueError("doit être positif ou nul")
        return number
    if fld.type == "choice":
        if raw not in fld.choices:
            raise ValueError(f"valeur inconnue « {raw} » (attendu : {', '.join(fld.choices)})")
        return raw
    if fld.type == "naf":
        if refdata.naf(raw) is None:
            raise ValueError(f"code NAF inconnu « {raw} »")
        return raw
    if fld.type == "commune":
        if refdata.commune(raw) is None:
            raise ValueError(f"commune inconnue « {raw} » (code INSEE attendu)")
        return raw
    if fld.type == "territories":
        codes = split_list(raw, ",")
        unknown = [code for code in codes if refdata.territory(code) is None]
        if not codes or unknown:
            raise ValueError(f"territoire inconnu « {', '.join(unknown) or raw} »")
        return codes
    if fld.type == "reference" and not REFERENCE_RE.match(raw):
        raise ValueError("référence invalide (minuscules, chiffres et tirets)")
    if fld.type == "email" and not EMAIL_RE.match(raw):
        raise ValueError(f"adresse électronique invalide « {raw} »")
    if fld.type == "phone" and not PHONE_RE.match(raw):
        raise ValueError(f"numéro de téléphone invalide « {raw} »")
    if fld.type == "list":
        return split_list(raw)
    if fld.type == "images":
        paths = split_list(raw)
        bad = [path for path in paths if not IMAGE_RE.match(path)]
        if bad:
            raise ValueError(f"chemin d'image invalide « {bad[0]} »")
        if len(paths) > MAX_IMAGES:
            raise ValueError(f"{MAX_IMAGES} photos au plus")
        return paths
    return raw


# Field types whose values repeat across listings (days, codes, choices) and parse to
# immutable values or lists: a site build parses each distinct value once.
REPEATING_TYPES = frozenset({"date", "number", "choice", "naf", "commune", "territories"})
_MEMO_SIZE = 1 << 16
_parsed: dict[tuple[int, str], tuple[Field, object]] = {}


def parse_repeated(fld: Field, raw: str):
    """`parse_value`, remembered for the types of REPEATING_TYPES (a list comes as a copy)."""
    if fld.type not in REPEATING_TYPES or type(raw) is not str:
        return parse_value(fld, raw)
    found = _parsed.get((id(fld), raw))
    # The memo holds the field itself: its id cannot be another field's while it is there.
    if found is None or found[0] is not fld:
        value = parse_value(fld, raw)  # a ValueError is not remembered: raised every time
        if len(_parsed) >= _MEMO_SIZE:
            _parsed.clear()
        found = _parsed[(id(fld), raw)] = (fld, value)
    value = found[1]
    return list(value) if type(value) is list else value


def typed(meta: dict[str, str]) -> dict[str, object]:
    """Typed values of a valid listing's metadata, keyed by lower-case field name."""
    fields = fields_for(meta.get("Kind"))
    return {fields[k].name: parse_value(fields[k], v) for k, v in meta.items() if k in fields}
