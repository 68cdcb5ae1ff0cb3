"""Where a new review branch starts: SUBMIT_BASE_BRANCH, or the remote's newer copy of it.

With SUBMIT_REMOTE, listings are merged on the forge: the local base branch may lag behind
what is published. The push worker fetches the remote, so `refs/remotes/<name>/<base>` holds
its tip as last fetched; a branch started there is checked against, and diffs cleanly with,
the published content.
"""

from __future__ import annotations

import subprocess
from functools import lru_cache

import git

from pasdeporte import gitwrite, remote


@lru_cache(maxsize=16)
def _tracking_name(repo: str, configured: str) -> str:
    # `git remote` costs a process: the remotes of a repository do not change while serving.
    with git.Repo(repo) as handle:
        return remote.tracking_name(handle, configured)


@lru_cache(maxsize=256)
def _is_ancestor(repo: str, older: str, newer: str) -> bool:
    """Whether commit `older` is an ancestor of `newer` (commits never change: cached)."""
    done = subprocess.run([*gitwrite.GIT, "merge-base", "--is-ancestor", older, newer],
                          cwd=repo, capture_output=True, check=False)
    if done.returncode > 1:
        raise gitwrite.GitWriteError(done.stderr.decode("utf-8", "replace").strip())
    return done.returncode == 0


def base_ref(repo: str, branch: str, configured_remote: str | None) -> str:
    """The base to pass to `gitwrite.commit_files`: `branch`, or the remote's copy of it.

    The remote's copy is taken when it exists and the local branch is not ahead of it (it is
    behind, absent or has diverged); the local branch stays the base when it holds everything
    the remote has and more (e.g. an approval not pushed yet).
    """
    if not configured_remote:
        return branch
    theirs_ref = f"refs/remotes/{_tracking_name(repo, configured_remote)}/{branch}"
    theirs = gitwrite.resolve_commit(repo, theirs_ref)
    if theirs is None:
        return branch
    ours = gitwrite.resolve_commit(repo, branch)
    if ours == theirs or (ours is not None and _is_ancestor(repo, theirs, ours)):
        return branch
    return theirs_ref
