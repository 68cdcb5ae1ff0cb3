"""Watch `content/` by polling (standard library only) and republish on every change.

Usage while serving: `threading.Thread(target=watch.run, args=(content, output),
kwargs={"stop": event}, daemon=True).start()`. A change is built once the folder has been
quiet for one interval, so a `git merge` touching several files gives one build.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

Snapshot = dict[str, tuple[int, int]]


def snapshot(content: Path) -> Snapshot:
    """Every file under `content` with its modification time and size."""
    found: Snapshot = {}
    for dirpath, dirnames, filenames in os.walk(content):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith("."):
                continue  # editors' swap and lock files
            path = os.path.join(dirpath, name)
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue  # removed while walking
            found[path] = (info.st_mtime_ns, info.st_size)
    return found


def build_in_subprocess(content: Path, output: Path) -> int:
    """Validate and build with `scripts/build`'s code in a fresh process; its exit status.

    A separate process because the build forks worker processes, which is unsafe from a
    threaded server; the on-disk caches keep it incremental.
    """
    done = subprocess.run([sys.executable, "-m", "pasdeporte.cli", "build", "--content",
                           str(content), "--output", str(output)], check=False)
    return done.returncode


def run(content: Path, output: Path, interval: float = 1.0, stop: threading.Event | None = None,
        build: Callable[[Path, Path], object] | None = None,
        on_build: Callable[[object], None] | None = None, since: Snapshot | None = None) -> None:
    """Poll `content` every `interval` seconds; rebuild `output` after each quiet change.

    Runs until `stop` is set. `build(content, output)` defaults to `build_in_subprocess`
    (validated, incremental); `on_build(result)` is called after each one (tests, logs).
    A failed build is reported and watching goes on. `since` is the state to compare with
    (default: the folder as it is when watching starts).
    """
    content, output = Path(content), Path(output)
    stop = stop or threading.Event()
    build = build or build_in_subprocess
    seen = snapshot(content) if since is None else since
    pending = False
    while not stop.wait(interval):
        now = snapshot(content)
        if now != seen:
            seen, pending = now, True  # still changing: wait for one quiet interval
            continue
        if not pending:
            continue
        pending = False
        try:
            result = build(content, output)
        except Exception:  # keep serving the last good site
            logger.exception("La republication a échoué")
            result = None
        if on_build:
            on_build(result)
