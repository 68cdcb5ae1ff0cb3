"""The Aperçu: the listing rendered as the site will show it, written nowhere."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup

from pasdeporte import markdown_safe, refdata, schema

# Set by the app or shown elsewhere: not worth a row in the preview.
HIDDEN = ("Title", "Reference", "State")


@dataclass(frozen=True)
class Preview:
    """Either a full page from the site's templates (`page`) or our own rendering (`body`)."""

    page: str | None
    body: Markup | None
    rows: list[tuple[str, str]]


def _site_renderer():
    try:
        from pasdeporte.site.preview import render_preview
    except ImportError:  # the site package does not provide it (yet): use our template
        return None
    return render_preview


def _shown(fld: schema.Field, value: str) -> str:
    """A metadata value as a reader sees it (names for codes, labels for choices)."""
    if fld.type == "commune" and (c := refdata.commune(value)):
        return f"{c.name} ({c.code})"
    if fld.type == "naf" and (n := refdata.naf(value)):
        return f"{n.label} ({n.code})"
    if fld.type == "territories":
        return ", ".join(t.name if (t := refdata.territory(code)) else code
                         for code in schema.split_list(value, ","))
    if fld.type == "choice" and fld.choices:
        return fld.choices.get(value, value)
    return f"{value} {fld.unit}".strip()


def render(meta: dict[str, str], body: str) -> Preview:
    """Preview of a listing: the theme's page when available, else a safe fallback."""
    fields = schema.fields_for(meta.get("Kind"))
    rows = [(fields[key].label, _shown(fields[key], value))
            for key, value in meta.items() if key in fields and key not in HIDDEN]
    renderer = _site_renderer()
    if renderer is not None:
        try:
            return Preview(renderer(dict(meta), body), None, rows)
        except Exception:  # noqa: BLE001 (a theme bug must not turn user input into a 500)
            current_app.logger.exception("aperçu du thème impossible, rendu de secours")
    return Preview(None, Markup(markdown_safe.render(body)), rows)  # noqa: S704 (sanitized)
