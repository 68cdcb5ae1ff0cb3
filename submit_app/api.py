"""Small JSON endpoints behind the suggestions of the commune and sector inputs."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from pasdeporte import refdata
from submit_app import resolve

bp = Blueprint("api", __name__, url_prefix="/api")
QUERY_MAX = 100
LIMIT = 10


def _query() -> str:
    return request.args.get("q", "", type=str)[:QUERY_MAX].strip()


def _answer(items: list[dict]):
    response = jsonify(items)
    # Reference data only changes with a release: let browsers and proxies keep answers.
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/communes")
def communes():
    """Communes whose name, postal code or INSEE code starts with `q`."""
    query = _query()
    found = refdata.search_communes(query, limit=LIMIT) if len(query) >= 2 else []
    return _answer([{"code": c.code, "name": c.name, "postal_codes": list(c.postal_codes),
                     "departement": c.departement, "value": resolve.commune_label(c)}
                    for c in found])


@bp.get("/naf")
def naf():
    """NAF sub-classes whose code or label words start with `q`."""
    query = _query()
    found = refdata.search_naf(query, limit=LIMIT) if len(query) >= 2 else []
    return _answer([{"code": n.code, "label": n.label, "value": resolve.naf_label(n)}
                    for n in found])
