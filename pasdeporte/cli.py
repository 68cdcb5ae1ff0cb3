"""Command-line entry points behind `scripts/validate` and `scripts/build`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from pasdeporte import validate

ROOT = Path(__file__).resolve().parent.parent


def validate_main(argv: list[str] | None = None) -> int:
    """Check listings; print one `path:line: message` per problem; 1 if any error."""
    parser = argparse.ArgumentParser(prog="scripts/validate", description="Vérifie les annonces.")
    parser.add_argument("paths", nargs="*", type=Path,
                        help="fichiers ou dossiers (par défaut : tout content/)")
    args = parser.parse_args(argv)
    paths = args.paths or [ROOT / "content"]
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = validate.listing_files(path) or sorted(path.rglob("*.md"))
            files += found
        elif path.exists():
            files.append(path)
        else:
            print(f"{path}:1: fichier introuvable", file=sys.stderr)
            return 2
    problems = validate.check_files(files)
    for problem in problems:
        print(problem)
    bad = validate.errors(problems)
    summary = f"{len(files)} annonce(s) vérifiée(s), {len(bad)} erreur(s)"
    warnings = len(problems) - len(bad)
    if warnings:
        summary += f", {warnings} avertissement(s)"
    print(summary, file=sys.stderr)
    return 1 if bad else 0


def build_main(argv: list[str] | None = None) -> int:
    """Validate, then build the site with Pelican (and its search index)."""
    from pasdeporte import build
    from pasdeporte.fastbuild import incremental as fast

    parser = argparse.ArgumentParser(prog="scripts/build", description="Construit le site.")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--output", type=Path, default=ROOT / "output")
    parser.add_argument("--complet", action="store_true",
                        help="reconvertir toutes les annonces (sans le cache de construction)")
    parser.add_argument("--settings", type=Path, default=build.SETTINGS_FILE,
                        help="réglages Pelican (publishconf.py pour la mise en ligne)")
    args = parser.parse_args(argv)
    if not args.settings.is_file():
        print(f"{args.settings}: réglages introuvables", file=sys.stderr)
        return 2
    files = validate.listing_files(args.content)
    _show_progress(len(files))
    # Unchanged files keep their results from the last build; --complet starts afresh.
    cache = fast.validation_cache(args.content, args.output)
    if args.complet:
        cache.unlink(missing_ok=True)

    def check(known: validate.Checked | None = None) -> bool:
        problems = validate.check_files(files, cache=cache, known=known)
        for problem in problems:
            print(problem, file=sys.stderr)
        if validate.errors(problems):
            print("Construction refusée : corrigez les erreurs ci-dessus.", file=sys.stderr)
            return False
        return True

    # The search index gets ready while the listings are checked; nothing is written unless
    # they pass.
    figures = build.build_site(args.content, args.output, args.settings.resolve(),
                               incremental=not args.complet, check=check,
                               yield_to_index=True)
    if figures.get("refused"):
        return 1
    print(f"Site construit dans {args.output} en {figures['total_seconds']:.1f} s "
          f"({figures.get('written', 0)} fichier(s) écrit(s), "
          f"{figures.get('deleted', 0)} supprimé(s))")
    return 0


# Long builds (many listings, or someone watching a terminal) tell where they are.
PROGRESS_FROM = 1000


def _show_progress(listings: int) -> None:
    from pasdeporte.fastbuild import progress

    if listings >= PROGRESS_FROM or sys.stderr.isatty():
        progress.listen(lambda message: print(message, file=sys.stderr, flush=True))
        progress.report(f"Vérification de {listings} annonces…")


if __name__ == "__main__":
    commands = {"validate": validate_main, "build": build_main}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage : python -m pasdeporte.cli {{{'|'.join(commands)}}} ...")
    code = commands[sys.argv[1]](sys.argv[2:])
    # A build leaves millions of objects: exit without freeing them one by one (about 1 s
    # at 10,000 listings). Nothing else is pending: files are closed, workers joined.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
