"""Stand-ins the fast writer queues pages with, instead of rendering them at once.

`Snapshots` keeps one copy of Pelican's shared context for many pages; `Recorder` takes the
place of a Jinja template in Pelican's own write path; `Deferred` stands for a file made by a
function (feeds, open data); `Claim` is the file object Pelican writes the empty render into.
"""

from __future__ import annotations

from collections import ChainMap


class Snapshots:
    """Copies of the shared context, a new one only when the context has changed.

    Pelican gives each page a full copy of the shared context; a queued page keeps only what
    differs from the snapshot in force (at 100,000 listings the copies alone took 800 MB).
    """

    def __init__(self):
        self.current: dict = {}

    def of(self, context: dict) -> dict:
        """A snapshot equal to `context` now, except for `localsiteurl` (each page has its own).

        Compared with ==, which Python does value by value with an identity shortcut: in C,
        4 times faster than a loop in Python, and an equal value renders alike.
        """
        current = self.current
        # Pelican sets localsiteurl on the shared context before each render; every queued
        # page carries its own, so the snapshot's may follow the context without harm.
        if "localsiteurl" in context:
            current["localsiteurl"] = context["localsiteurl"]
        if current != context:
            self.current = current = dict(context)
        return current


class Recorder:
    """Stands in for a Jinja template: remembers the context instead of rendering."""

    def __init__(self, template, context: dict, queue: list, snapshots: Snapshots):
        self.template, self.context, self.queue = template, context, queue
        self.snapshots = snapshots

    def render(self, localcontext: dict) -> str:
        base = self.snapshots.of(self.context)
        own = {key: value for key, value in localcontext.items()
               if key == "localsiteurl" or base.get(key, base) is not value}
        self.queue.append([self.template, ChainMap(own, base), None, self.context])
        return ""


class Deferred:
    """Stands in for a template: a file made by a function, computed in a render process."""

    name = None  # no page key: always computed, written only if its bytes changed

    def __init__(self, function, args: tuple):
        self.function, self.args = function, args

    def render(self, _localcontext: dict) -> str | bytes:
        return self.function(*self.args)


class Claim:
    """The file object Pelican writes the (empty) render into: it claims the queued job."""

    def __init__(self, writer, path: str):
        self.writer, self.path = writer, path

    def write(self, _text: str) -> None:
        self.writer.queue[-1][2] = self.path

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None
