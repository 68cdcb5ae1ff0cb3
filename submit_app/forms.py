"""WTForms classes built from `pasdeporte.schema`, the one source of truth for listing fields.

Each listing field's validator turns what was typed into the canonical value written in the
file (`field.canonical`), then checks it with `schema.parse_value`, so the form accepts exactly
what `scripts/validate` accepts.
"""

from __future__ import annotations

from functools import cache

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from pasdeporte import metadata, schema
from submit_app import resolve

REQUIRED = "Ce champ est obligatoire."
BODY_MAX = 10_000
# Fields the app sets itself; photos have their own file input.
APP_SET = {"Date", "Reference", "State", "Images"}
PRIVATE = ("submitter_name", "submitter_email", "submitter_phone", "organisation", "consent")
STEPS = {
    "opportunite": (
        ("L'annonce", ("title", "kind", "sector")),
        ("Le lieu", ("commune", "address")),
        ("Le local", ("premises", "surface", "housing", "equipment", "images")),
        ("Les conditions", ("rent", "price", "aids", "expectations", "visit", "available",
                            "expires")),
        ("La description", ("body",)),
        ("Le contact (public)", ("contact_name", "contact_role", "contact_email",
                                 "contact_phone")),
        ("Vous (privé)", PRIVATE),
    ),
    "projet": (
        ("Le projet", ("title", "sector", "horizon", "experience", "expires")),
        ("Le lieu recherché", ("territories",)),
        ("Le local recherché", ("surface_min", "surface_max", "budget", "images")),
        ("La description", ("body",)),
        ("Vous (privé)", PRIVATE),
    ),
}
KIND_OF = {"opportunite": "opportunite", "projet": "projet"}
# Resolved fields accept a name or a suggestion, longer than the code that is written.
INPUT_LENGTH = {"commune": 150, "naf": 200, "territories": 600}
CONVERTERS = {
    "number": resolve.number, "date": resolve.day, "commune": resolve.commune,
    "naf": resolve.sector, "territories": resolve.territories, "phone": resolve.phone,
    "email": resolve.email,
}
INPUT_ATTRS = {
    "number": {"inputmode": "decimal"}, "date": {"type": "date"},
    "email": {"type": "email", "autocomplete": "email"}, "phone": {"type": "tel"},
    "commune": {"list": "commune-suggestions", "data-suggest": "communes",
                "autocomplete": "off"},
    "naf": {"list": "naf-suggestions", "data-suggest": "naf", "autocomplete": "off"},
}

# The schema describes the file (codes); people type names, postal codes or codes, which
# `resolve` turns into those codes: their guidance says what the form accepts. The examples
# are alternatives, each of which the form accepts as typed (a test checks it).
GUIDANCE = {
    "commune": ("Commune", "Tapez le nom de la commune, son code postal ou son code INSEE, puis "
                "choisissez-la dans la liste si elle s'affiche.", ("Pornic, 44210", "44131")),
    "naf": ("Secteur d'activité", "L'activité recherchée ou prévue : tapez son nom (« "
            "boulangerie », « pharmacie ») ou son code NAF.",
            ("boulangerie", "pharmacie", "10.71C")),
    "territories": ("Territoires recherchés", "Communes, départements ou régions, par leur nom ou "
                    "leur code (code INSEE, numéro de département), séparés par des virgules ; "
                    "une intercommunalité par son numéro SIREN.",
                    ("Vendée, Loire-Atlantique, Pornic", "85, 44, 44131")),
}


def alternatives(examples: tuple[str, ...]) -> str:
    """("a", "b", "c") -> "a, b ou c"."""
    return " ou ".join(filter(None, (", ".join(examples[:-1]), examples[-1])))


def _list_value(raw: str) -> str:
    """Items typed one per line or separated by semicolons, written "a; b"."""
    items = [metadata.clean_text(i) for i in raw.replace("\n", ";").split(";")]
    return "; ".join(item for item in items if item)


class Canonical:
    """Clean, convert and check one listing field; store the result in `field.canonical`."""

    def __init__(self, fld: schema.Field, input_length: int):
        self.fld, self.input_length = fld, input_length
        self.convert = _list_value if fld.type == "list" else CONVERTERS.get(fld.type)

    def __call__(self, form, field) -> None:
        field.canonical = None
        raw = field.data if isinstance(field.data, str) else ""
        if len(raw) > self.input_length:
            raise StopValidation(f"Texte trop long : {self.input_length} caractères au plus.")
        text = metadata.clean_text(raw)
        if not text:
            if self.fld.required:
                raise StopValidation(REQUIRED)
            return
        try:
            value = self.convert(raw if self.fld.type == "list" else text) \
                if self.convert else text
            schema.parse_value(self.fld, value)
        except ValueError as error:
            message = str(error)
            raise ValidationError(message[:1].upper() + message[1:] + ".") from None
        field.canonical = value


def check_body(form, field) -> None:
    """The description: required, bounded, no control characters."""
    body = metadata.normalize_body(field.data or "")
    if not body.strip():
        raise StopValidation(REQUIRED)
    if len(body) > BODY_MAX:
        raise StopValidation(f"Texte trop long : {BODY_MAX} caractères au plus.")
    if problem := metadata.body_problem(body):
        raise ValidationError(problem[:1].upper() + problem[1:] + ".")
    field.canonical = body


def _private(max_length: int, required: bool = False, convert=None):
    def check(form, field):
        text = metadata.clean_text(field.data if isinstance(field.data, str) else "")
        if not text and required:
            raise StopValidation(REQUIRED)
        if len(text) > max_length:
            raise StopValidation(f"Texte trop long : {max_length} caractères au plus.")
        try:
            field.canonical = convert(text) if text and convert else text
        except ValueError as error:
            raise ValidationError(str(error)[:1].upper() + str(error)[1:] + ".") from None
    return check


def _field(fld: schema.Field, kind: str):
    """The WTForms field of one schema field."""
    label = f"{fld.label} ({fld.unit})" if fld.unit else fld.label
    description = fld.help
    if fld.type in GUIDANCE:
        label, description, _ = GUIDANCE[fld.type]
    length = INPUT_LENGTH.get(fld.type, fld.max_length)
    attrs = {"maxlength": length, **INPUT_ATTRS.get(fld.type, {})}
    if fld.required:
        attrs["required"] = True
    options = dict(description=description, validators=[Canonical(fld, length)], render_kw=attrs)
    if fld.type == "choice":
        choices = schema.OPPORTUNITY_KINDS if fld.key == "Kind" else fld.choices
        attrs.pop("maxlength")
        options_ = [SelectChoice(value, text) for value, text in choices.items()]
        if fld.required:
            return RadioField(label, choices=options_, validate_choice=False, **options)
        return SelectField(label, choices=[SelectChoice("", "— Non précisé —"), *options_],
                           validate_choice=False, **options)
    if fld.max_length >= 500 and fld.type in ("text", "list"):
        return TextAreaField(label, **options)
    return StringField(label, **options)


@cache
def form_class(kind: str) -> type[FlaskForm]:
    """The form class of "opportunite" or "projet", built from the schema."""
    fields = schema.OPPORTUNITY_FIELDS if kind == "opportunite" else schema.PROJECT_FIELDS
    attrs = {"examples": {}}
    for fld in fields.values():
        if fld.key in APP_SET or (kind == "projet" and fld.key == "Kind"):
            continue
        attrs[fld.name] = _field(fld, kind)
        attrs["examples"][fld.name] = alternatives(GUIDANCE[fld.type][2]) \
            if fld.type in GUIDANCE else fld.example
    attrs["body"] = TextAreaField(
        "Description", validators=[check_body],
        description="Présentez le lieu, la commune et ce qui est attendu. Mise en forme "
                    "possible (voir le guide).",
        render_kw={"maxlength": BODY_MAX, "rows": 10, "required": True})
    attrs["images"] = MultipleFileField(
        "Photos (facultatif)",
        description="Jusqu'à 4 photos JPEG, PNG ou WebP de 5 Mo au plus chacune.",
        render_kw={"accept": "image/jpeg,image/png,image/webp"})
    attrs["submitter_name"] = StringField(
        "Votre nom", validators=[_private(100, True)],
        render_kw={"maxlength": 100, "required": True, "autocomplete": "name"})
    attrs["submitter_email"] = StringField(
        "Votre courriel", validators=[_private(120, True, resolve.email)],
        description="Pour vous prévenir de la publication. Jamais publié.",
        render_kw={"maxlength": 120, "required": True, "type": "email", "autocomplete": "email"})
    attrs["submitter_phone"] = StringField(
        "Votre téléphone (facultatif)", validators=[_private(20, False, resolve.phone)],
        render_kw={"maxlength": 20, "type": "tel", "autocomplete": "tel"})
    attrs["organisation"] = StringField(
        "Organisme (facultatif)", validators=[_private(150)],
        description="Mairie, communauté de communes, chambre consulaire…",
        render_kw={"maxlength": 150, "autocomplete": "organization"})
    attrs["consent"] = BooleanField(
        "J'accepte que ces coordonnées soient conservées par Pas-de-porte pour le suivi de "
        "l'annonce (voir « Données personnelles »).", validators=[_consent],
        render_kw={"required": True})
    # Honeypot: hidden from people by CSS, filled by naive robots.
    attrs["website"] = StringField("Ne remplissez pas ce champ", render_kw={
        "autocomplete": "off", "tabindex": "-1"})
    return type(f"{kind.capitalize()}Form", (FlaskForm,), attrs)


def _consent(form, field) -> None:
    if not field.data:
        raise StopValidation("Cochez cette case pour que nous puissions enregistrer l'annonce.")


def listing_values(form: FlaskForm) -> dict[str, str]:
    """Canonical values of the listing fields that were filled, keyed by schema key."""
    values = {}
    for fld in schema.ALL_KEYS:
        field = getattr(form, fld.lower(), None)
        if field is not None and getattr(field, "canonical", None):
            values[fld] = field.canonical
    return values
