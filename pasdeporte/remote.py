"""Push review branches to the shared remote, through a queue that survives outages and restarts.

The app enqueues each new branch (one SQLite row in SUBMIT_DATA_DIR) and a retry loop, or
`scripts/review push-pending`, pushes whatever is queued. A push only ever creates a branch on
the remote: if another instance already holds the name with other content, the entry is
blocked instead of overwriting anything.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import git

from pasdeporte.review_git import GitError, resolve, run

QUEUE_FILE = "push-queue.sqlite3"
URL_REMOTE_NAME = "pasdeporte"  # refs/remotes/<this>/… when SUBMIT_REMOTE is a URL
CLAIM_SECONDS = 300
NETWORK_TIMEOUT = 120
SCHEMA = """
CREATE TABLE IF NOT EXISTS push_queue (
    branch TEXT PRIMARY KEY,
    queued_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    pushed INTEGER NOT NULL DEFAULT 0,
    blocked INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    claimed_until REAL NOT NULL DEFAULT 0
);
"""
log = logging.getLogger(__name__)


class PushError(RuntimeError):
    """The remote could not be reached or refused for a reason worth retrying."""


class PushConflict(PushError):
    """The remote already holds this branch name with other content: never retried."""


def tracking_name(repo: git.Repo, remote: str) -> str:
    """The name under refs/remotes/ for a remote given as a configured name or a URL."""
    names = run(repo, "remote").split()
    return remote if remote in names else URL_REMOTE_NAME


def fetch(repo: git.Repo, remote: str) -> str:
    """Update refs/remotes/<name>/* and rejection records from the remote; return <name>."""
    name = tracking_name(repo, remote)
    run(repo, "fetch", "--quiet", "--prune", remote, f"+refs/heads/*:refs/remotes/{name}/*",
        timeout=NETWORK_TIMEOUT)
    # Rejections are append-only records: fetched without pruning the ones made here.
    run(repo, "fetch", "--quiet", remote, "+refs/pasdeporte/rejected/*:refs/pasdeporte/rejected/*",
        timeout=NETWORK_TIMEOUT)
    return name


def remote_sha(repo: git.Repo, remote: str, ref: str) -> str | None:
    """The commit `ref` names on the remote (None if absent); raise PushError if unreachable."""
    try:
        out = run(repo, "ls-remote", remote, ref, timeout=NETWORK_TIMEOUT)
    except GitError as error:
        raise PushError(str(error)) from None
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        if name == ref:
            return sha
    return None


def push_branch(repo: git.Repo, remote: str, branch: str) -> str:
    """Create `branch` on the remote (never overwrite); return the pushed commit."""
    ref = f"refs/heads/{branch}"
    sha = resolve(repo, ref)
    if sha is None:
        raise LookupError(branch)
    try:
        # An empty lease means "the ref must not exist yet": two instances cannot clobber.
        run(repo, "push", "--quiet", f"--force-with-lease={ref}:", remote, f"{sha}:{ref}",
            timeout=NETWORK_TIMEOUT)
        return sha
    except GitError as error:
        there = remote_sha(repo, remote, ref)
        if there == sha:
            return sha  # pushed earlier (or by another worker)
        if there is not None:
            message = f"{branch} existe déjà sur le dépôt distant ({there[:10]})"
            raise PushConflict(message) from None
        raise PushError(str(error)) from None


@dataclass
class PushReport:
    """What one pass over the queue did."""

    pushed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    merge_requests: dict[str, str] = field(default_factory=dict)


class PushQueue:
    """Branches waiting to reach the remote, stored in SQLite under the app's data folder."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / QUEUE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = self._connect()
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(SCHEMA)
        finally:
            db.close()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    def _execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        db = self._connect()
        try:
            return db.execute(sql, params)
        finally:
            db.close()

    def enqueue(self, branch: str) -> None:
        """Queue a branch for pushing (idempotent); durable once this returns."""
        self._execute("INSERT OR IGNORE INTO push_queue (branch, queued_at) VALUES (?, ?)",
                      (branch, time.time()))

    def entries(self) -> list[sqlite3.Row]:
        """Every queued branch, oldest first, blocked ones included."""
        db = self._connect()
        try:
            return db.execute("SELECT * FROM push_queue ORDER BY queued_at").fetchall()
        finally:
            db.close()

    def _claim(self, branch: str) -> bool:
        """Take a branch for CLAIM_SECONDS so that parallel workers do not push it twice."""
        now = time.time()
        cursor = self._execute(
            "UPDATE push_queue SET claimed_until = ? WHERE branch = ? AND blocked = 0 "
            "AND claimed_until < ?", (now + CLAIM_SECONDS, branch, now))
        return cursor.rowcount == 1

    def _failed(self, branch: str, error: str, blocked: bool = False) -> None:
        self._execute("UPDATE push_queue SET attempts = attempts + 1, last_error = ?, "
                      "blocked = ?, claimed_until = 0 WHERE branch = ?",
                      (error[:1000], int(blocked), branch))

    def _done(self, branch: str) -> None:
        self._execute("DELETE FROM push_queue WHERE branch = ?", (branch,))

    def push_pending(self, repo: git.Repo, remote: str, forge=None,
                     describe: Callable[[git.Repo, str], tuple[str, str]] | None = None
                     ) -> PushReport:
        """Push every queued branch, then open its merge request when a forge is given."""
        report = PushReport()
        for entry in self.entries():
            branch = entry["branch"]
            if not self._claim(branch):
                continue
            try:
                if not entry["pushed"]:
                    push_branch(repo, remote, branch)
                    self._execute("UPDATE push_queue SET pushed = 1 WHERE branch = ?", (branch,))
                    report.pushed.append(branch)
                if forge is not None:
                    title, body = (describe or _describe)(repo, branch)
                    report.merge_requests[branch] = forge.open_merge_request(branch, title, body)
            except LookupError:
                report.dropped.append(branch)  # decided locally before it could be pushed
            except PushConflict as error:
                self._failed(branch, str(error), blocked=True)
                report.failed[branch] = str(error)
                continue
            except Exception as error:  # noqa: BLE001 (network, forge: retried next pass)
                self._failed(branch, str(error))
                report.failed[branch] = str(error)
                continue
            self._done(branch)
        return report


def _describe(repo: git.Repo, branch: str) -> tuple[str, str]:
    from pasdeporte import review_render

    return review_render.merge_request_text(repo, branch)


class RetryWorker(threading.Thread):
    """A daemon thread that empties the queue and fetches, every `interval` s or when woken."""

    def __init__(self, queue: PushQueue, repo_path: str | Path, remote: str,
                 interval: float = 60, forge=None):
        super().__init__(name="pasdeporte-push", daemon=True)
        self.queue, self.repo_path, self.remote = queue, str(repo_path), remote
        self.interval, self.forge = interval, forge
        self._woken, self._halt = threading.Event(), threading.Event()

    def wake(self) -> None:
        """Push now (e.g. right after a submission was queued)."""
        self._woken.set()

    def stop(self) -> None:
        """Ask the loop to end after its current pass."""
        self._halt.set()
        self._woken.set()

    def run(self) -> None:
        while not self._halt.is_set():
            self._woken.clear()  # before the pass: a wake during it triggers another one
            try:
                # Closed after each pass: GitPython may keep `git cat-file` helpers running.
                with git.Repo(self.repo_path) as repo:
                    report = self.queue.push_pending(repo, self.remote, self.forge)
                    for branch, error in report.failed.items():
                        log.warning("push de %s reporté : %s", branch, error)
                    # Tracking pages follow merges and rejections made elsewhere (forge, editors).
                    fetch(repo, self.remote)
            except Exception:  # the loop must outlive any single failure
                log.exception("file d'envoi : passe interrompue")
            self._woken.wait(self.interval)
