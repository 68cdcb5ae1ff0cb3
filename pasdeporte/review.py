"""Review branches: find them, read their listing and check whether they may be published.

`python -m pasdeporte.review` (behind `scripts/review`) runs the command line in review_cli.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

import git

from pasdeporte import metadata, tracking, validate
from pasdeporte.review_git import Change, changes, is_ancestor, read_blob, resolve, run

IMAGE_RE = re.compile(r"^content/images/(?P<ref>[a-z0-9-]+)/[a-z0-9_-]+\.(jpg|jpeg|png|webp)$")
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")
MAX_IMAGE_BYTES = 8 * 1024 * 1024
REGULAR_FILE = "100644"


class UnknownReference(LookupError):
    """No pending review branch carries this reference."""


@dataclass
class Context:
    """Where to review: the repository, its base branch and the remote's name in refs/remotes."""

    repo: git.Repo
    base_branch: str = "main"
    remote: str | None = None
    push_to: str | None = None  # the remote as configured (name or URL), to push decisions

    @property
    def base_refs(self) -> list[str]:
        """Local base first, then the remote's copy when one is tracked."""
        refs = [f"refs/heads/{self.base_branch}"]
        if self.remote:
            refs.append(f"refs/remotes/{self.remote}/{self.base_branch}")
        return [ref for ref in refs if resolve(self.repo, ref)]

    @property
    def base_sha(self) -> str | None:
        """The commit that approvals merge into."""
        refs = self.base_refs
        return resolve(self.repo, refs[0]) if refs else None


@dataclass
class Proposal:
    """One review branch and what it changes."""

    review_id: str
    ref: str
    tip: str
    fork: str | None
    created: datetime
    changes: list[Change] = field(default_factory=list)
    listing_path: str | None = None
    text: str | None = None

    @property
    def reference(self) -> str:
        """The listing's reference (an update branch shares it with the original)."""
        return tracking.reference_of(self.review_id)

    @property
    def is_local(self) -> bool:
        """Whether the branch lives in this repository (not only on the remote)."""
        return self.ref.startswith("refs/heads/")

    @cached_property
    def meta(self) -> dict[str, str]:
        """The listing's metadata (empty when there is no listing)."""
        return metadata.loads(self.text).meta if self.text else {}


def review_refs(ctx: Context) -> dict[str, str]:
    """Review id → full ref name; local branches win over the remote's."""
    patterns = [f"refs/heads/{tracking.BRANCH_PREFIX}"]
    if ctx.remote:
        patterns.append(f"refs/remotes/{ctx.remote}/{tracking.BRANCH_PREFIX}")
    found: dict[str, str] = {}
    for pattern in patterns:
        out = run(ctx.repo, "for-each-ref", "--format=%(refname)", pattern)
        for ref in out.split():
            found.setdefault(ref[len(pattern):], ref)
    return found


def _commits(ctx: Context, tip: str) -> list[list[str]]:
    """Commits of the branch not on a base, newest first, each as [sha, parents...]."""
    excluded = [f"^{ref}" for ref in ctx.base_refs]
    out = run(ctx.repo, "rev-list", "--parents", tip, *excluded)
    return [line.split() for line in out.splitlines()]


def load(ctx: Context, review_id: str) -> Proposal:
    """The proposal behind a review id; raise UnknownReference if no branch has it."""
    ref = review_refs(ctx).get(review_id)
    if ref is None:
        raise UnknownReference(review_id)
    tip = resolve(ctx.repo, ref)
    commits = _commits(ctx, tip)
    oldest = commits[-1][0] if commits else tip
    fork = commits[-1][1] if commits and len(commits[-1]) > 1 else None
    stamp = int(run(ctx.repo, "show", "-s", "--format=%at", oldest).strip())
    proposal = Proposal(review_id, ref, tip, fork, datetime.fromtimestamp(stamp, UTC))
    if fork:
        proposal.changes = changes(ctx.repo, fork, tip)
    listings = [c for c in proposal.changes if tracking.LISTING_PATH_RE.match(c.path)]
    if len(listings) == 1 and listings[0].status in "AM":
        proposal.listing_path = listings[0].path
        data = read_blob(ctx.repo, tip, listings[0].path) or b""
        proposal.text = data.decode("utf-8", "replace")
    return proposal


def is_settled(ctx: Context, proposal: Proposal) -> bool:
    """Whether the branch was already merged on a base (here or on the forge) or rejected."""
    if tracking.rejection_reason(ctx.repo, proposal.review_id) is not None:
        return True
    if any(is_ancestor(ctx.repo, proposal.tip, ref) for ref in ctx.base_refs):
        return True
    # A squash or rebase merge on the forge leaves the branch behind: look for its listing.
    path = proposal.listing_path
    if not any(c.status == "A" and c.path == path for c in proposal.changes):
        return False
    return any(tracking.holds_listing(ctx.repo, ref, path, proposal.reference)
               for ref in ctx.base_refs)


def pending(ctx: Context) -> list[Proposal]:
    """Proposals awaiting a decision, oldest first."""
    proposals = [load(ctx, review_id) for review_id in review_refs(ctx)]
    return sorted((p for p in proposals if not is_settled(ctx, p)), key=lambda p: p.created)


def shape_problems(ctx: Context, proposal: Proposal) -> list[str]:
    """Why the branch's history or paths forbid merging it (empty when fine)."""
    commits = _commits(ctx, proposal.tip)
    if not commits:
        return ["la branche n'apporte aucun commit par rapport à la branche de base"]
    if any(len(commit) != 2 for commit in commits):
        return ["la branche doit être une suite de commits à parent unique issue de la base"]
    problems = []
    for change in proposal.changes:
        image = IMAGE_RE.match(change.path)
        if tracking.LISTING_PATH_RE.match(change.path) and change.path == proposal.listing_path:
            kind = "fichier"
        elif image and image.group("ref") == proposal.reference:
            kind = "image"
        else:
            problems.append(f"chemin non autorisé : {change.path}")
            continue
        if change.status not in "AM":
            problems.append(f"{kind} supprimé ou modifié de façon interdite : {change.path}")
        elif change.mode != REGULAR_FILE:
            problems.append(f"{kind} qui n'est pas un fichier ordinaire : {change.path}")
        elif kind == "image":
            problems += _image_problems(ctx, proposal, change)
    if proposal.listing_path is None:
        problems.append("la branche doit ajouter ou modifier exactement une annonce")
    return problems


def _image_problems(ctx: Context, proposal: Proposal, change: Change) -> list[str]:
    data = read_blob(ctx.repo, proposal.tip, change.path) or b""
    if len(data) > MAX_IMAGE_BYTES:
        return [f"image trop lourde ({len(data) // 1024} Kio) : {change.path}"]
    if not data.startswith(IMAGE_MAGIC):
        return [f"le fichier n'est pas une image JPEG, PNG ou WebP : {change.path}"]
    return []


def listing_problems(ctx: Context, proposal: Proposal) -> list[validate.Problem]:
    """Schema problems of the listing, plus its consistency with the base branch."""
    if proposal.text is None:
        return []
    path = proposal.listing_path
    problems = validate.check_text(proposal.text, path)
    found = proposal.meta.get("Reference")
    if found != proposal.reference:
        problems.append(validate.Problem(path, 1, f"la référence « {found} » ne correspond pas à "
                                                   f"la branche ({proposal.reference})"))
    base = proposal.fork
    added = any(c.path == path and c.status == "A" for c in proposal.changes)
    before = read_blob(ctx.repo, base, path) if base else None
    if added:
        slug = path.rsplit("/", 1)[1]
        for folder in validate.FOLDERS:
            if read_blob(ctx.repo, ctx.base_sha or base, f"content/{folder}/{slug}") is not None:
                problems.append(validate.Problem(path, 1, f"nom de fichier « {slug} » déjà pris"))
        if tracking.reference_on_base(ctx.repo, ctx.base_sha or base, proposal.reference):
            problems.append(validate.Problem(path, 1, "référence déjà publiée"))
    elif before is not None:
        old = metadata.loads(before.decode("utf-8", "replace")).meta.get("Reference")
        if old != proposal.reference:
            problems.append(validate.Problem(path, 1, "la branche modifie l'annonce d'une autre "
                                                       "référence"))
    return problems


def all_problems(ctx: Context, proposal: Proposal) -> list[str]:
    """Everything that blocks an approval, as printable lines."""
    errors = validate.errors(listing_problems(ctx, proposal))
    return shape_problems(ctx, proposal) + [str(problem) for problem in errors]


if __name__ == "__main__":
    import signal
    import sys

    from pasdeporte.review_cli import main

    # `scripts/review show REF | head` must end quietly, like any Unix command.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
