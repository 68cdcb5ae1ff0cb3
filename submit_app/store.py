"""Private data of submissions: a SQLite database in SUBMIT_DATA_DIR, never in git."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, g

FILENAME = "submissions.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    reference TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    path TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submitter_name TEXT NOT NULL,
    submitter_email TEXT NOT NULL,
    submitter_phone TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    consent_at TEXT NOT NULL,
    client_address TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    purged_at TEXT
);
"""
_local = threading.local()
PERSONAL_COLUMNS = ("submitter_name", "submitter_email", "submitter_phone", "organisation",
                    "client_address", "user_agent")


@dataclass(frozen=True)
class Private:
    """What the app records outside git about one submission."""

    reference: str
    kind: str
    title: str
    path: str
    commit_sha: str
    submitter_name: str
    submitter_email: str
    submitter_phone: str = ""
    organisation: str = ""
    client_address: str = ""
    user_agent: str = ""


def now() -> str:
    """Current UTC time as ISO 8601, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def connect(path: str | Path, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open the database, waiting on writers rather than failing under concurrency."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None,
                         check_same_thread=check_same_thread)
    db.row_factory = sqlite3.Row
    # WAL with synchronous=NORMAL: consistent after a crash, without an fsync per insert.
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def get_db() -> sqlite3.Connection:
    """This thread's connection to the app's database, kept open across requests.

    Opening and closing per request made the last close checkpoint the WAL every time.
    """
    path = str(Path(current_app.config["SUBMIT_DATA_DIR"]) / FILENAME)
    connections = _local.__dict__.setdefault("connections", {})
    if path not in connections:
        connections[path] = connect(path)
    g.db = connections[path]
    return g.db


def init_app(app: Flask) -> None:
    """Create the table (WAL: readers never block the writer)."""
    db = connect(Path(app.config["SUBMIT_DATA_DIR"]) / FILENAME)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(SCHEMA)
    finally:
        db.close()


def record(row: Private) -> None:
    """Insert one submission; raises sqlite3.IntegrityError if the reference exists."""
    columns = list(row.__dataclass_fields__)
    values = [getattr(row, column) for column in columns]
    stamp = now()
    get_db().execute(
        f"INSERT INTO submissions ({', '.join(columns)}, created_at, consent_at) "  # noqa: S608
        f"VALUES ({', '.join('?' * len(columns))}, ?, ?)",
        [*values, stamp, stamp],
    )


def find(reference: str) -> sqlite3.Row | None:
    """The stored row of a reference, or None."""
    return get_db().execute(
        "SELECT * FROM submissions WHERE reference = ?", (reference,)).fetchone()


def erase(db: sqlite3.Connection, where: str, params: tuple) -> int:
    """Blank the personal columns of matching rows; return how many rows were erased."""
    blanks = ", ".join(f"{column} = ''" for column in PERSONAL_COLUMNS)
    cursor = db.execute(
        f"UPDATE submissions SET {blanks}, purged_at = ? "  # noqa: S608 (fixed column names)
        f"WHERE purged_at IS NULL AND {where}", (now(), *params))
    return cursor.rowcount


def purge_older_than(db: sqlite3.Connection, months: int) -> int:
    """Erase personal data of submissions received more than `months` months ago."""
    limit = (datetime.now(UTC) - timedelta(days=30 * months)).replace(microsecond=0)
    return erase(db, "created_at < ?", (limit.isoformat(),))
