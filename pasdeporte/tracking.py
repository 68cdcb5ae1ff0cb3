"""Where a submission stands, derived from git: received, published or rejected.

Conventions shared by the form app and `scripts/review`:
- a submission is the branch `proposition/<reference>` (one commit on the base branch's tip);
- it is published once that commit is an ancestor of the base branch (local or remote), or
  once the base holds the listing file it added with the same reference (a squash or rebase
  merge on a forge);
- it is rejected when `refs/pasdeporte/rejected/<reference>` exists: a commit whose message
  holds the editor's reason (first line `Rejet <reference>`, then a blank line, then the reason);
- a later change asked by the submitter (state, withdrawal) is the branch
  `proposition/<reference>.maj-<date>-<random>`: a dot never occurs in a reference, so names
  cannot collide, not even between app instances.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

import git

BRANCH_PREFIX = "proposition/"
REJECTED_PREFIX = "refs/pasdeporte/rejected/"

UPDATE_SEPARATOR = ".maj-"
LISTING_PATH_RE = re.compile(r"^content/(opportunites|projets)/[^/]+\.md$")

RECEIVED, PUBLISHED, REJECTED, UNKNOWN = "recue", "publiee", "rejetee", "inconnue"
LABELS = {
    RECEIVED: "Reçue, en attente de relecture",
    PUBLISHED: "Publiée",
    REJECTED: "Refusée",
    UNKNOWN: "Inconnue",
}


@dataclass(frozen=True)
class Status:
    """The state of one submission, with the editor's reason when rejected."""

    state: str
    reason: str = ""

    @property
    def label(self) -> str:
        """French label of the state."""
        return LABELS[self.state]


def branch_name(reference: str) -> str:
    """The review branch of a reference."""
    return f"{BRANCH_PREFIX}{reference}"


def update_branch_name(reference: str, suffix: str) -> str:
    """The review branch of a submitter's change to a published listing (suffix: unique id)."""
    return f"{BRANCH_PREFIX}{reference}{UPDATE_SEPARATOR}{suffix}"


def reference_of(review_id: str) -> str:
    """The listing reference behind a review id (`abc123` or `abc123.maj-2`)."""
    return review_id.split(".", 1)[0]


def rejected_ref(reference: str) -> str:
    """The ref recording the rejection of a reference."""
    return f"{REJECTED_PREFIX}{reference}"


def _resolve(repo: git.Repo, ref: str) -> str | None:
    try:
        return repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
    except git.GitCommandError:
        return None


def rejection_reason(repo: git.Repo, reference: str) -> str | None:
    """The editor's reason if the reference was rejected, else None."""
    sha = _resolve(repo, rejected_ref(reference))
    if sha is None:
        return None
    message = repo.commit(sha).message
    return message.split("\n\n", 1)[1].strip() if "\n\n" in message else ""


def _added_listing(repo: git.Repo, commit_sha: str) -> str | None:
    """The listing file that a submission commit added, if any."""
    out = repo.git.diff_tree("-r", "--no-renames", "--root", "--name-status", "--no-commit-id",
                             commit_sha)
    for line in out.splitlines():
        change, _, path = line.partition("\t")
        if change == "A" and LISTING_PATH_RE.match(path):
            return path
    return None


def holds_listing(repo: git.Repo, base: str, path: str, reference: str) -> bool:
    """Whether the base's copy of `path` carries `Reference: <reference>`."""
    done = subprocess.run(["git", "--git-dir", repo.git_dir, "cat-file", "blob", f"{base}:{path}"],
                          capture_output=True)
    if done.returncode != 0:
        return False
    header = done.stdout.decode("utf-8", "replace").split("\n\n", 1)[0]
    return f"Reference: {reference}" in header.splitlines()


def reference_on_base(repo: git.Repo, base: str, reference: str) -> bool:
    """Whether some listing on `base` has the line `Reference: <reference>`."""
    pattern = reference_pattern(reference)
    if pattern is None:
        return False
    done = subprocess.run(
        ["git", "--git-dir", repo.git_dir, "grep", "-q", "-E", "-e", pattern,
         base, "--", "content/opportunites/*.md", "content/projets/*.md"],
        capture_output=True)
    return done.returncode == 0


def reference_pattern(reference: str) -> str | None:
    """An anchored `git grep -E` pattern for the line `Reference: <reference>` (None if odd)."""
    if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*", reference):
        return None
    return "^Reference: " + reference.replace(".", "[.]") + "$"


def status(repo: git.Repo, reference: str, commit_sha: str | None, base_branch: str = "main",
           remote: str | None = None) -> Status:
    """The state of a submission whose first commit is `commit_sha` (None if not known)."""
    reason = rejection_reason(repo, reference)
    if reason is not None:
        return Status(REJECTED, reason)
    bases = [f"refs/remotes/{remote}/{base_branch}"] if remote else []
    bases.append(f"refs/heads/{base_branch}")
    if commit_sha:
        present = [base for base in bases if _resolve(repo, base)]
        for base in present:
            if repo.is_ancestor(commit_sha, base):
                return Status(PUBLISHED)
        # Forges may squash or rebase: the commit is then gone but its listing is there.
        path = _added_listing(repo, commit_sha) if present else None
        if path and any(holds_listing(repo, base, path, reference) for base in present):
            return Status(PUBLISHED)
    if _resolve(repo, f"refs/heads/{branch_name(reference)}") or commit_sha:
        return Status(RECEIVED)
    # Without the commit id, a listing carrying the reference on a base is published.
    for base in bases:
        if _resolve(repo, base) and reference_on_base(repo, base, reference):
            return Status(PUBLISHED)
    return Status(UNKNOWN)
