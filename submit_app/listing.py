"""Build the listing file of a submission and check it exactly as `scripts/validate` does."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from pasdeporte import metadata, refdata, schema, validate

# 32 letters and digits without i, l, o, u (Crockford): easy to read aloud, 50 bits in 10.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
REFERENCE_LENGTH = 10
SLUG_WORDS_MAX = 60
FOLDERS = {"opportunite": "opportunites", "projet": "projets"}


def new_reference() -> str:
    """A short, unguessable reference such as "k7m2q9xw3d"."""
    return "".join(secrets.choice(ALPHABET) for _ in range(REFERENCE_LENGTH))


def slug(title: str, reference: str) -> str:
    """File name stem: ASCII words of the title, then the reference, e.g. "boulangerie-k7m2"."""
    words = refdata.normalize(title).replace(" ", "-")[:SLUG_WORDS_MAX].strip("-")
    return f"{words}-{reference}" if words else reference


@dataclass
class Listing:
    """The file a submission adds, and the problems `scripts/validate` would report on it."""

    meta: dict[str, str]
    body: str
    path: str = ""
    text: str = ""
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        """The listing's reference."""
        return self.meta["Reference"]


def build(kind: str, values: dict[str, str], body: str, reference: str,
          images: list[str] = (), today: date | None = None) -> Listing:
    """The listing of a form's canonical values, with validation problems keyed by field name."""
    today = today or date.today()
    values = dict(values)
    values.update(Date=today.isoformat(), Reference=reference, State="ouverte")
    if kind == "projet":
        values["Kind"] = "projet"
    if images:
        values["Images"] = schema.LIST_SEPARATOR.join(images)
    fields = schema.fields_for(values.get("Kind"))
    meta = {key: values[key] for key in fields if values.get(key)}
    listing = Listing(meta, body)
    if "Kind" not in meta or schema.is_opportunity(meta["Kind"]) != (kind == "opportunite"):
        listing.problems["kind"] = ["Choisissez le type d'annonce."]
        return listing
    listing.path = f"content/{FOLDERS[kind]}/{slug(meta.get('Title', ''), reference)}.md"
    try:
        listing.text = metadata.dumps(meta, body)
    except metadata.MetadataError as error:
        key = str(error).split(":", 1)[0]
        listing.problems.setdefault(key.lower(), []).append(str(error))
        return listing
    expires = meta.get("Expires")
    if expires and expires < today.isoformat():
        listing.problems["expires"] = ["La date d'expiration est déjà passée."]
    doc = metadata.loads(listing.text)
    keys_by_line = {line: key.lower() for key, line in doc.lines.items()}
    for problem in validate.errors(validate.check_document(doc, listing.path, today)):
        name = "body" if problem.line >= doc.body_line else keys_by_line.get(problem.line, "")
        if "indiquez un courriel" in problem.message:  # shown where the fix goes
            name = "contact_email"
        message = problem.message[:1].upper() + problem.message[1:]
        listing.problems.setdefault(name, []).append(message)
    return listing


def commit_message(listing: Listing) -> str:
    """Commit message naming the listing; the title is already one clean line."""
    title = listing.meta.get("Title", "")[:120]
    return f"Proposition {listing.reference} : {title}\n\nFichier : {listing.path}\n"
