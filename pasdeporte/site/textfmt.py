"""French formatting of dates, numbers and field values for the pages."""

from __future__ import annotations

import html
import re
from datetime import date

import markupsafe

from pasdeporte import schema

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
NNBSP = "\u202f"  # French thousands separator
TAG_RE = re.compile(r"<[^>]+>")


def format_date(day: date | None) -> str:
    """"1er mars 2027", "12 mai 2026"; "" for None."""
    if day is None:
        return ""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def format_number(value: float) -> str:
    """French number: 60 000, 85,5."""
    whole, _, decimals = schema.format_number(value).partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = NNBSP.join([whole, *groups])
    return f"{text},{decimals}" if decimals else text


def format_value(fld: schema.Field, value: object) -> str:
    """A typed value as shown on a page, with its unit or choice label."""
    if fld.type == "number":
        return f"{format_number(value)} {fld.unit}".strip()
    if fld.type == "date":
        return format_date(value)
    if fld.type == "choice":
        return fld.choices.get(value, str(value))
    if isinstance(value, list):
        return " ; ".join(str(v) for v in value)
    return str(value)


def plain_text(rendered: str, limit: int) -> str:
    """Plain text of rendered HTML, cut at a word boundary near `limit` characters."""
    text = " ".join(html.unescape(TAG_RE.sub(" ", rendered)).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


# markupsafe's escaping in C, where this markupsafe has it (3.x), else its public function.
_escape_inner = getattr(markupsafe, "_escape_inner", None)


def escape_text(value: object) -> str:
    """What `markupsafe.escape(value)` holds, as a plain `str` when `value` is one.

    For HTML being assembled (template output, fragments' f-strings), where the `Markup` type
    of each piece is dropped anyway: wrapping each one cost a sixth of rendering a page.
    """
    if type(value) is str and _escape_inner is not None:
        return _escape_inner(value)
    return markupsafe.escape(value)
