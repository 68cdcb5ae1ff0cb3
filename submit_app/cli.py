"""Operator commands: `flask --app submit_app purge` and `forget` (personal data deletion)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from submit_app import store


def _db():
    return store.connect(Path(current_app.config["SUBMIT_DATA_DIR"]) / store.FILENAME)


@click.command("purge")
@click.option("--months", default=12, show_default=True, type=click.IntRange(min=0),
              help="Effacer les données personnelles reçues il y a plus de N mois.")
@with_appcontext
def purge_command(months: int) -> None:
    """Erase submitters' personal data older than N months (the listing itself stays in git)."""
    db = _db()
    try:
        count = store.purge_older_than(db, months)
    finally:
        db.close()
    click.echo(f"{count} dépôt(s) anonymisé(s).")


@click.command("forget")
@click.argument("reference")
@with_appcontext
def forget_command(reference: str) -> None:
    """Erase the personal data of one submission now (a submitter's erasure request)."""
    db = _db()
    try:
        count = store.erase(db, "reference = ?", (reference,))
    finally:
        db.close()
    if not count:
        raise click.ClickException(f"aucune donnée personnelle pour « {reference} »")
    click.echo(f"Données personnelles de {reference} effacées.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(purge_command)
    app.cli.add_command(forget_command)
