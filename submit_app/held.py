"""Photos kept between two displays of a form (preview, errors) until the listing is sent.

Accepted photos are already re-encoded; they wait in `SUBMIT_DATA_DIR/photos/<token>/`, where
the token is 128 random bits carried in a hidden field. Names are checked against strict
patterns before any path is built, so nothing outside that folder can be read or written, and
a folder unused for `MAX_AGE` seconds is deleted.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, send_file
from PIL import Image

bp = Blueprint("held", __name__)
FOLDER = "photos"
MAX_AGE = 24 * 3600
TOKEN_RE = re.compile(r"[0-9a-f]{32}")
# Nanosecond clock then random hex: sorting the names keeps the order photos were added in.
PHOTO_RE = re.compile(r"[0-9]{20}-[0-9a-f]{8}")
THUMB_SIDE = 320
SWEEP_EVERY = 600  # seconds between two sweeps of expired folders, per process
_last_sweep = 0.0


def _root() -> Path:
    return Path(current_app.config["SUBMIT_DATA_DIR"]) / FOLDER


def _fresh(folder: Path, now: float | None = None) -> bool:
    try:
        return (now or time.time()) - folder.stat().st_mtime < MAX_AGE
    except FileNotFoundError:
        return False


def sweep(now: float | None = None) -> int:
    """Delete holding folders unused for MAX_AGE; how many were deleted."""
    root, now, count = _root(), now or time.time(), 0
    for folder in root.iterdir() if root.is_dir() else ():
        if TOKEN_RE.fullmatch(folder.name) and not _fresh(folder, now):
            shutil.rmtree(folder, ignore_errors=True)
            count += 1
    return count


def _maybe_sweep() -> None:
    global _last_sweep  # noqa: PLW0603 (one timestamp per process is all it takes)
    if time.monotonic() - _last_sweep > SWEEP_EVERY:
        _last_sweep = time.monotonic()
        sweep()


class Held:
    """The photos held under one token (no token: none yet, a folder is made on first add)."""

    def __init__(self, token: str | None = None):
        folder = _root() / token if token and TOKEN_RE.fullmatch(token) else None
        # An unknown or expired token holds nothing: the photos must be chosen again.
        self.token = token if folder is not None and _fresh(folder) else None

    @property
    def folder(self) -> Path | None:
        """Where the photos are, None when there are none."""
        return _root() / self.token if self.token else None

    def ids(self) -> list[str]:
        """Identifiers of the held photos, oldest first."""
        if self.folder is None:
            return []
        names = (name.removesuffix(".jpg") for name in os.listdir(self.folder))
        return sorted(name for name in names if PHOTO_RE.fullmatch(name))

    def photos(self) -> list[bytes]:
        """The re-encoded photos, oldest first."""
        return [(self.folder / f"{name}.jpg").read_bytes() for name in self.ids()]

    def add(self, jpeg: bytes) -> str:
        """Hold one re-encoded photo (and its thumbnail); return its identifier."""
        if self.folder is None:
            _maybe_sweep()
            self.token = secrets.token_hex(16)
            self.folder.mkdir(parents=True, mode=0o700)
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
        with Image.open(io.BytesIO(jpeg)) as image:
            image.thumbnail((THUMB_SIDE, THUMB_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=70)
        (self.folder / f"{name}.thumb.jpg").write_bytes(out.getvalue())
        (self.folder / f"{name}.jpg").write_bytes(jpeg)
        os.utime(self.folder)  # in use: restart the clock
        return name

    def remove(self, names: list[str]) -> None:
        """Let go of some photos (identifiers not held are ignored)."""
        held = set(self.ids())
        for name in names:
            if name in held:
                for suffix in (".jpg", ".thumb.jpg"):
                    (self.folder / f"{name}{suffix}").unlink(missing_ok=True)

    def discard(self) -> None:
        """Delete every held photo (the listing was sent)."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.token = None


@bp.get("/proposer/photo/<token>/<name>.jpg")
def thumbnail(token: str, name: str):
    """The thumbnail of a held photo, only to whoever holds the token."""
    held = Held(token)
    if held.token is None or not PHOTO_RE.fullmatch(name) or name not in held.ids():
        abort(404)
    response = send_file(held.folder / f"{name}.thumb.jpg", mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response
