"""Progress messages of long builds: stages report here, the command line prints them."""

from __future__ import annotations

import time
from collections.abc import Callable

_listener: list[Callable[[str], None]] = []
_start = [time.perf_counter()]


def listen(callback: Callable[[str], None] | None) -> None:
    """Send the next messages to `callback` (None: silence), timing from now."""
    _listener[:] = [callback] if callback else []
    _start[0] = time.perf_counter()


def report(message: str) -> None:
    """Tell the listener, if any, about a stage, with the seconds elapsed since `listen`."""
    for callback in _listener:
        callback(f"[{time.perf_counter() - _start[0]:6.1f} s] {message}")
