"""Git plumbing for the editors' workflow: read blobs, diff, commit without a working tree."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass

import git

ZERO = "0" * 40
# No hooks (a content repository's hooks are not trusted code) and no gc in the middle of a push.
GIT = ("git", "-c", "gc.auto=0", "-c", "core.hooksPath=/dev/null")
FALLBACK_NAME = "Pas-de-porte relecture"
FALLBACK_EMAIL = "relecture@pas-de-porte.invalid"
# Never prompt for credentials and give up on dead links: the caller decides what to retry.
NETWORK_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=15",
    "GIT_HTTP_LOW_SPEED_LIMIT": "1000",
    "GIT_HTTP_LOW_SPEED_TIME": "30",
}


class GitError(RuntimeError):
    """A git command failed; the message holds git's own error output."""


@dataclass(frozen=True)
class Change:
    """One path changed between two commits, with the new file mode."""

    status: str  # A, M, D, T ...
    path: str
    mode: str
    blob: str


def run(repo: git.Repo, *args: str, input: bytes | None = None, env: dict | None = None,
        timeout: float | None = None, cwd: str | None = None) -> str:
    """Run git on the repository and return its standard output; raise GitError on failure."""
    command = [*GIT, "--git-dir", repo.git_dir, *args] if cwd is None else [*GIT, *args]
    full_env = {**os.environ, **NETWORK_ENV, **(env or {})}
    try:
        done = subprocess.run(command, input=input, capture_output=True, env=full_env,
                              timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} : délai dépassé ({timeout:.0f} s)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"code {done.returncode}"
        raise GitError(message)
    return done.stdout.decode("utf-8", "replace")


def resolve(repo: git.Repo, rev: str) -> str | None:
    """The commit id a revision names, or None."""
    try:
        return run(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip() or None
    except GitError:
        return None


def is_ancestor(repo: git.Repo, ancestor: str, descendant: str) -> bool:
    """Whether `ancestor` is reachable from `descendant`."""
    try:
        run(repo, "merge-base", "--is-ancestor", ancestor, descendant)
        return True
    except GitError:
        return False


def read_blob(repo: git.Repo, rev: str, path: str) -> bytes | None:
    """The bytes of `path` at `rev`, or None when absent."""
    done = subprocess.run(["git", "--git-dir", repo.git_dir, "cat-file", "blob", f"{rev}:{path}"],
                          capture_output=True)
    return done.stdout if done.returncode == 0 else None


def changes(repo: git.Repo, old: str, new: str) -> list[Change]:
    """Paths changed from `old` to `new` (no rename detection, so nothing hides)."""
    out = run(repo, "diff-tree", "-r", "-z", "--no-renames", "--raw", old, new)
    fields = out.split("\0")
    result = []
    for index in range(0, len(fields) - 1, 2):
        meta, path = fields[index], fields[index + 1]
        if not meta.startswith(":"):
            continue
        _, new_mode, _, new_blob, status = meta[1:].split(" ")
        result.append(Change(status[0], path, new_mode, new_blob))
    return result


def identity_env(repo: git.Repo) -> dict[str, str]:
    """Author/committer variables when git has no identity configured for this repository."""
    env = {}
    try:
        run(repo, "config", "user.name")
    except GitError:
        env.update(GIT_AUTHOR_NAME=FALLBACK_NAME, GIT_COMMITTER_NAME=FALLBACK_NAME)
    try:
        run(repo, "config", "user.email")
    except GitError:
        env.update(GIT_AUTHOR_EMAIL=FALLBACK_EMAIL, GIT_COMMITTER_EMAIL=FALLBACK_EMAIL)
    return env


def commit_tree(repo: git.Repo, tree: str, parents: list[str], message: str) -> str:
    """Create a commit object and return its id (no ref moves)."""
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    return run(repo, *args, input=message.encode("utf-8"), env=identity_env(repo)).strip()


def commit_file(repo: git.Repo, parent: str, path: str, data: bytes, message: str) -> str:
    """A new commit on `parent` whose tree differs only by `path` = `data`; returns its id."""
    blob = run(repo, "hash-object", "-w", "--stdin", input=data).strip()
    # A private index file: the repository's own index (and working tree) stay untouched.
    with tempfile.TemporaryDirectory(prefix="pasdeporte-index-") as folder:
        env = {"GIT_INDEX_FILE": os.path.join(folder, "index")}
        run(repo, "read-tree", parent, env=env)
        run(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
        tree = run(repo, "write-tree", env=env).strip()
    return commit_tree(repo, tree, [parent], message)


def update_ref(repo: git.Repo, ref: str, new: str, old: str, reason: str) -> None:
    """Move `ref` from `old` to `new` atomically (old = ZERO: create only; new = ZERO: delete)."""
    if new == ZERO:
        run(repo, "update-ref", "-m", reason, "-d", ref, old)
    else:
        run(repo, "update-ref", "-m", reason, ref, new, old)


def checked_out_worktree(repo: git.Repo, branch: str) -> str | None:
    """The working tree where `refs/heads/<branch>` is checked out, if any."""
    out = run(repo, "worktree", "list", "--porcelain")
    current = None
    for line in out.splitlines():
        if line.startswith("worktree "):
            current = line[len("worktree "):]
        elif line == f"branch refs/heads/{branch}" and current:
            return current
    return None
