"""Check listing files against the schema: one `path:line: message` per problem."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from pasdeporte import metadata, schema

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FOLDERS = {"opportunites": "opportunité", "projets": "projet"}


@dataclass(frozen=True)
class Problem:
    """One problem found in a listing file."""

    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "avertissement : " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


def check_document(doc: metadata.Document, path: str, today: date | None = None) -> list[Problem]:
    """Problems of one parsed listing, on its own (no cross-file checks)."""
    today = today or date.today()
    problems = [Problem(path, line, message) for line, message in doc.problems]
    meta, lines = doc.meta, doc.lines

    def add(key: str | None, message: str, severity: str = "error") -> None:
        problems.append(Problem(path, lines.get(key, 1), message, severity))

    kind = meta.get("Kind")
    fields = schema.fields_for(kind)
    values = {}
    for key, raw in meta.items():
        if key.lower() in metadata.RESERVED_KEYS:
            add(key, f"clé réservée à Pelican « {key} » : interdite dans une annonce")
        elif key not in fields:
            other = "projets" if key in schema.PROJECT_FIELDS else "opportunités"
            if key in schema.ALL_KEYS:
                add(key, f"« {key} » est réservé aux {other}")
            else:
                add(key, f"clé inconnue « {key} »")
        elif problem := metadata.value_problem(raw):
            add(key, f"« {key} » : {problem}")
        else:
            try:
                values[key] = schema.parse_value(fields[key], raw)
            except ValueError as error:
                add(key, f"« {key} » : {error}")
    for fld in fields.values():
        if fld.required and fld.key not in meta:
            add(None, f"champ obligatoire manquant « {fld.key} » ({fld.label})")

    listing = Path(path)
    folder, slug = listing.parent.name, listing.stem
    if folder in FOLDERS and kind in schema.KINDS:
        expected = "opportunité" if schema.is_opportunity(kind) else "projet"
        if FOLDERS[folder] != expected:
            add("Kind", f"« Kind: {kind} » ne correspond pas au dossier « {folder} »")
    if not SLUG_RE.match(slug):
        add(None, f"nom de fichier invalide « {slug} » (minuscules, chiffres et tirets)")

    if schema.is_opportunity(kind) and "Contact_name" in meta:
        if "Contact_email" not in meta and "Contact_phone" not in meta:
            add("Contact_name", "indiquez un courriel ou un téléphone de contact")
    low, high = values.get("Surface_min"), values.get("Surface_max")
    if low is not None and high is not None and low > high:
        add("Surface_max", "la surface maximale est inférieure à la surface minimale")
    reference = values.get("Reference")
    for image in values.get("Images", []):
        if reference and not image.startswith(f"images/{reference}/"):
            add("Images", f"la photo « {image} » doit être sous images/{reference}/")
    published, expires = values.get("Date"), values.get("Expires")
    if published and expires and expires < published:
        add("Expires", "la date d'expiration précède la date de publication")
    if expires and expires < today and meta.get("State") == "ouverte":
        add("Expires", f"annonce expirée le {expires.isoformat()} mais encore « ouverte »",
            "warning")
    if problem := metadata.body_problem(doc.body):
        problems.append(Problem(path, doc.body_line, problem))
    return problems


def check_text(text: str, path: str, today: date | None = None) -> list[Problem]:
    """Problems of one listing given as text."""
    return check_document(metadata.loads(text), path, today)


def listing_files(content_dir: Path) -> list[Path]:
    """All listing files under a content folder, sorted."""
    # By folder, then by name: the order of the paths, without comparing Path objects (slow).
    return [path for folder in sorted(FOLDERS)
            for path in sorted((content_dir / folder).glob("*.md"), key=lambda p: p.name)]


def own_result(doc: metadata.Document, name: str, today: date) -> tuple:
    """What `check_files` keeps of one file: its own problems, its reference and that line."""
    return (check_document(doc, name, today), doc.meta.get("Reference"),
            doc.lines.get("Reference", 1))


def listing_key(path: str | os.PathLike) -> str:
    """"opportunites/x.md": all of a listing's path that its checks and its record depend on."""
    folder, name = os.path.split(os.fspath(path))
    return f"{os.path.basename(folder)}/{name}"


@dataclass
class Checked:
    """Own results already computed for some files on `day` (listing_key -> (digest, own))."""

    day: date
    files: dict[str, tuple[str, tuple]]

    def get(self, name: str, digest: str, today: date) -> tuple | None:
        """The own result of file `name` with these bytes, its problems naming it `name`."""
        found = self.files.get(listing_key(name)) if self.day == today else None
        if found is None or found[0] != digest:
            return None
        problems, reference, line = found[1]
        return ([replace(p, path=name) for p in problems], reference, line)


def check_files(paths: Iterable[Path], today: date | None = None,
                cache: Path | None = None, known: Checked | None = None) -> list[Problem]:
    """Problems of the given files, including duplicate slugs and references across them.

    With `cache` (a file), each file's own problems are kept under the hash of its bytes and
    reused while the file, the checking code, the reference data and the day stay the same;
    the checks across files still run over every file. `known` gives results the build
    already computed while reading the files (fastbuild.listings), used on a cache miss.
    """
    today = today or date.today()
    from pasdeporte.fastbuild import filecache

    store = _open_cache(cache, today) if cache is not None else None
    problems: list[Problem] = []
    slugs: dict[str, str] = {}
    references: dict[str, str] = {}
    for path in paths:
        name = str(path)
        found, digest = False, ""
        if store is not None or known is not None:
            try:
                digest = filecache.path_digest(path)
            except OSError:
                digest = ""  # reported below, by the same read as without a cache
        if digest and store is not None:
            found, own = store.get(name, digest)
        if not found and digest and known is not None:
            own = known.get(name, digest, today)
            found = own is not None
            if found and store is not None:
                store.put(name, digest, own)
        if not found:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except UnicodeDecodeError:
                problems.append(Problem(name, 1, "le fichier n'est pas en UTF-8"))
                continue
            except OSError as error:
                problems.append(Problem(name, 1, f"lecture impossible : {error.strerror}"))
                continue
            own = own_result(metadata.loads(text), name, today)
            if digest and store is not None:
                store.put(name, digest, own)
        file_problems, reference, reference_line = own
        problems += file_problems
        slug = os.path.splitext(os.path.basename(name))[0]  # Path(path).stem, for 10,000 files
        if slug in slugs:
            message = f"nom de fichier « {slug} » déjà pris par {slugs[slug]}"
            problems.append(Problem(name, 1, message))
        slugs.setdefault(slug, name)
        if reference in references:
            message = f"référence « {reference} » déjà prise par {references[reference]}"
            problems.append(Problem(name, reference_line, message))
        elif reference:
            references[reference] = name
    if store is not None:
        store.save()
    return problems


# What a file's own problems depend on besides its bytes (see check_files' cache).
CACHE_MODULES = ("pasdeporte.validate", "pasdeporte.schema", "pasdeporte.metadata",
                 "pasdeporte.refdata")


def _open_cache(cache: Path, today: date):
    from pasdeporte import refdata
    from pasdeporte.fastbuild import filecache

    data = tuple(sorted(refdata.DATA_DIR.glob("*.json*")))
    version = filecache.code_version(CACHE_MODULES, data, f"validate {today.isoformat()}")
    return filecache.FileCache(cache, version)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """Only the problems that must stop a build."""
    return [p for p in problems if p.severity == "error"]
