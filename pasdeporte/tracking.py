"""Where a submission stands, derived from git: received, published or rejected.

Conventions shared by the form app and `scripts/review`:
- a submission is the branch `proposition/<reference>` (one commit on the base branch's tip);
- it is published once that commit is an ancestor of the base branch (local or remote);
- it is rejected when `refs/pasdeporte/rejected/<reference>` exists: a commit whose message
  holds the editor's reason (first line `Rejet <reference>`, then a blank line, then the reason).
"""

from __future__ import annotations

from dataclasses import dataclass

import git

BRANCH_PREFIX = "proposition/"
REJECTED_PREFIX = "refs/pasdeporte/rejected/"

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


def status(repo: git.Repo, reference: str, commit_sha: str | None, base_branch: str = "main",
           remote: str | None = None) -> Status:
    """The state of a submission whose first commit is `commit_sha` (None if not known)."""
    reason = rejection_reason(repo, reference)
    if reason is not None:
        return Status(REJECTED, reason)
    bases = [f"refs/remotes/{remote}/{base_branch}"] if remote else []
    bases.append(f"refs/heads/{base_branch}")
    if commit_sha:
        for base in bases:
            if _resolve(repo, base) and repo.is_ancestor(commit_sha, base):
                return Status(PUBLISHED)
    if _resolve(repo, f"refs/heads/{branch_name(reference)}") or commit_sha:
        return Status(RECEIVED)
    return Status(UNKNOWN)
