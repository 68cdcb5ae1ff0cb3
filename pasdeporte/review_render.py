"""Plain-text views of a proposal for editors: listing, age, merge-request summary."""

from __future__ import annotations

import re
import textwrap
from datetime import UTC, datetime

import git

from pasdeporte import metadata, refdata, schema


def place(meta: dict[str, str]) -> str:
    """Commune name (opportunities) or territory names (projects), for a one-line summary."""
    if meta.get("Commune"):
        commune = refdata.commune(meta["Commune"])
        return commune.name if commune else meta["Commune"]
    codes = schema.split_list(meta.get("Territories", ""), ",")
    names = [area.name if (area := refdata.territory(code)) else code for code in codes]
    return ", ".join(names)


def age(created: datetime, now: datetime | None = None) -> str:
    """How long ago, in short French: « 5 min », « 3 h », « 2 j »."""
    seconds = max(0, int(((now or datetime.now(UTC)) - created).total_seconds()))
    if seconds < 60:
        return "à l'instant"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} j"


def ago(created: datetime, now: datetime | None = None) -> str:
    """« à l'instant » or « il y a 3 h »."""
    short = age(created, now)
    return short if short == "à l'instant" else f"il y a {short}"


def _value(fld: schema.Field | None, raw: str) -> str:
    """A raw value with what its code means, as readers of the site will see it."""
    if fld is None:
        return raw
    if fld.choices and raw in fld.choices:
        return f"{fld.choices[raw]} ({raw})"
    if fld.type == "commune" and (commune := refdata.commune(raw)):
        return f"{commune.name}, {commune.departement} ({raw})"
    if fld.type == "naf" and (naf := refdata.naf(raw)):
        return f"{naf.label} ({raw})"
    if fld.type == "territories":
        return place({"Territories": raw})
    return f"{raw} {fld.unit}".strip()


def listing_text(text: str, width: int = 78) -> str:
    """The listing as an editor reads it: labelled fields, then the description."""
    doc = metadata.loads(text)
    fields = schema.fields_for(doc.meta.get("Kind"))
    label_width = max((len(fields[k].label) if k in fields else len(k) for k in doc.meta),
                      default=0)
    lines = []
    for key, raw in doc.meta.items():
        fld = fields.get(key)
        label = fld.label if fld else key
        lines.append(f"{label.ljust(label_width)} : {_value(fld, raw)}")
    lines.append("")
    for paragraph in metadata.normalize_body(doc.body).split("\n"):
        wrapped = textwrap.wrap(paragraph, width) if paragraph.strip() else [""]
        lines.extend(wrapped)
    return "\n".join(lines).rstrip() + "\n"


def merge_request_text(repo: git.Repo, branch: str, base_branch: str = "main") -> tuple[str, str]:
    """Title and body of a forge merge request for a review branch."""
    from pasdeporte import review

    review_id = branch.removeprefix("proposition/")
    proposal = review.load(review.Context(repo, base_branch), review_id)
    meta = proposal.meta
    kind = schema.KINDS.get(meta.get("Kind", ""), meta.get("Kind", ""))
    title = f"{review_id} : {meta.get('Title', 'annonce')}"
    shown = listing_text(proposal.text) if proposal.text else ""
    # A fence longer than any backtick run in the listing: its text cannot close it.
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", shown)), default=0))
    body = (f"**{kind}** à {place(meta)} (référence `{proposal.reference}`)\n\n"
            f"{fence}\n{shown}{fence}\n\n"
            f"Fichiers : {', '.join(c.path for c in proposal.changes)}\n\n"
            f"Relecture locale : `scripts/review show {review_id}`\n")
    return title, body
