"""Changes a submitter asks for through their private link: each opens its own review branch.

The link carries an HMAC of the reference keyed with the app's SECRET_KEY, so nothing needs
storing and the link cannot be guessed from the public reference.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import urllib.parse
from datetime import date

import git

from pasdeporte import metadata, tracking
from pasdeporte.review_git import ZERO, GitError, commit_file, read_blob, resolve, run, update_ref

STATES = {
    "en-discussion": "des discussions sont en cours",
    "pourvue": "l'annonce est pourvue",
    "retiree": "l'annonce est retirée",
}
ATTEMPTS = 5


class UpdateError(ValueError):
    """The change cannot be made (listing not published, same state, bad state)."""


def token(secret: str, reference: str) -> str:
    """The private token that lets the submitter change a listing."""
    mac = hmac.new(secret.encode("utf-8"), f"pasdeporte-maj:{reference}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def check_token(secret: str, reference: str, candidate: str) -> bool:
    """Whether `candidate` is the reference's token (constant-time comparison)."""
    # As bytes: compare_digest raises TypeError on a str holding non-ASCII characters.
    expected = token(secret, reference).encode("ascii")
    return hmac.compare_digest(expected, str(candidate).encode("utf-8", "replace"))


def update_url(public_url: str, secret: str, reference: str) -> str:
    """The private link sent in the confirmation email."""
    query = urllib.parse.urlencode({"jeton": token(secret, reference)})
    return f"{public_url.rstrip('/')}/suivi/{reference}/modifier?{query}"


def find_listing(repo: git.Repo, base: str, reference: str) -> str | None:
    """The path of the published listing carrying `reference` on `base`, if any."""
    pattern = tracking.reference_pattern(reference)
    try:
        out = run(repo, "grep", "-l", "-E", "-e", pattern, base, "--",
                  "content/opportunites/*.md", "content/projets/*.md") if pattern else ""
    except GitError:
        return None  # git grep exits 1 when nothing matches
    first = out.splitlines()[0] if out.strip() else None
    return first.split(":", 1)[1] if first else None


def open_update(repo: git.Repo, base_branch: str, reference: str, state: str) -> str:
    """Open a review branch changing only the `State:` line of a published listing.

    `base_branch` is a branch name, or a full ref such as `refs/remotes/origin/main` when the
    listing was merged on the forge and the local branch lags behind.
    """
    if state not in STATES:
        raise UpdateError(f"état non proposé : {state}")
    base_ref = base_branch if base_branch.startswith("refs/") else f"refs/heads/{base_branch}"
    base = resolve(repo, base_ref)
    path = find_listing(repo, base, reference) if base else None
    if path is None:
        raise UpdateError("cette annonce n'est pas (encore) publiée")
    text = read_blob(repo, base, path).decode("utf-8")
    doc = metadata.loads(text)
    if doc.meta.get("State") == state:
        raise UpdateError("l'annonce est déjà dans cet état")
    lines = text.split("\n")
    # Only the State line changes, so the editor's diff shows exactly the submitter's request.
    lines[doc.lines["State"] - 1] = f"State: {state}"
    message = f"Mise à jour {reference} : {state}\n\nDemandée par l'auteur : {STATES[state]}.\n"
    commit = commit_file(repo, base, path, "\n".join(lines).encode("utf-8"), message)
    for _ in range(ATTEMPTS):
        # Random suffix: several app instances may take updates for one listing at once.
        suffix = f"{date.today():%Y%m%d}-{secrets.token_hex(3)}"
        branch = tracking.update_branch_name(reference, suffix)
        try:
            update_ref(repo, f"refs/heads/{branch}", commit, ZERO, "pas-de-porte: mise à jour")
            return branch
        except GitError:
            continue
    raise UpdateError("impossible de créer la branche de mise à jour")
