"""A Pelican Writer that renders on every core and writes only the bytes that changed.

`write_file` calls made by any generator (Pelican's or a plugin's) are queued instead of
rendered: Pelican's own logic (pagination, local context, overwrite checks) still runs, but
the template is replaced by a recorder. `flush()` (on the `finalized` signal, before other
receivers) then renders the queue in forked processes, each taking every n-th page, and
writes a file only when its bytes differ from what is on disk.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections import ChainMap, Counter
from collections.abc import Callable
from pathlib import Path

from pelican import signals
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from pasdeporte.fastbuild import outputs, pagekeys, paths, progress
from pasdeporte.fastbuild.pagerender import PageRenderer
from pasdeporte.fastbuild.recording import Claim, Deferred, Recorder, Snapshots

logger = logging.getLogger(__name__)

# The writer of the current Pelican run, flushed on `finalized` (a run has one writer).
_CURRENT: list[FastWriter] = []
# Set by the build: how many cores other work of the build takes when the pages are rendered.
busy_cores: Callable[[], int] | None = None
# Below this many pages to render, those cores are left to that work.
FEW_PAGES = 2_000


class FastWriter(Writer):
    """Queue renders, render them in parallel at the end, write only changed files."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.queue: list[list] = []
        self.direct: set[str] = set()  # feeds, written at once
        self.counts = {"pages": 0, "written": 0, "unchanged": 0}
        self._recording = False
        self._snapshots = Snapshots()
        _CURRENT[:] = [self]

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):
        """Queue the rendering of a page, with the local context Pelican would give it."""
        if paginated is None:
            paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}
        if paginated and template_name in self.settings["PAGINATED_TEMPLATES"]:
            # Pelican's paginator makes several pages: let it, recording each render.
            self._recording = True
            try:
                recorder = Recorder(template, context, self.queue, self._snapshots)
                return super().write_file(name, recorder, context, relative_urls, paginated,
                                          template_name, override_output, url, **kwargs)
            finally:
                self._recording = False
        if not name:
            return None
        # What Pelican's write_file does for one page, without copying the whole context
        # (the snapshot stands for it) or creating its folder (done when the file is written).
        base = self._snapshots.of(context)
        own = {"localsiteurl": context.get("localsiteurl")}
        if relative_urls:
            own["SITEURL"] = own["localsiteurl"] = path_to_url(get_relative_path(name))
        own["output_file"] = name
        own.update(kwargs)
        if own["localsiteurl"]:
            context["localsiteurl"] = own["localsiteurl"]
        localcontext = ChainMap(own, base)
        path = sanitised_join(self.output_path, name)
        self.queue.append([template, localcontext, None, context])
        self._recording = True
        try:
            with self._open_w(path, "utf-8", override=override_output) as claim:
                claim.write("")
        finally:
            self._recording = False
        signals.content_written.send(path, context=localcontext)
        return None

    def _open_w(self, filename, encoding, override=False):
        # Pelican's overwrite rules, then either a claim (queued page) or a compare-file (feed).
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time')
            logger.info('Skipping "%s", not overwriting', filename)
            if self._recording:
                self.queue.pop()
            return open(os.devnull, "w", encoding=encoding)  # noqa: SIM115
        if filename in self._written_files and not override:
            raise FileOverwriteFailedError(f'Failed to overwrite "{filename}": already written')
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        if self._recording:
            return Claim(self, filename)
        self.direct.add(filename)
        return _CompareFile(filename, self.counts)

    def queue_output(self, path: str, function, *args) -> None:
        """Write `function(*args)` (text or bytes) to `path` with the pages, in parallel."""
        self.queue.append([Deferred(function, args), {}, os.fspath(path), {}])

    def flush(self) -> None:
        """Render and write every queued page, split over the worker processes."""
        jobs = [job for job in self.queue if job[2] is not None]
        self.queue = []
        # Last claim wins, as when Pelican overwrites a file with override=True.
        by_path = {job[2]: job for job in jobs}
        jobs = list(by_path.values())
        self.counts["pages"] += len(jobs)
        # Listing pages whose inputs and file are as the last build left them are not rendered.
        fresh = bool(self.settings.get("FASTBUILD_FRESH"))
        keys = pagekeys.PageKeys(self.settings, self.output_path, fresh=fresh)
        # A full build renders every page: each render process keys its own pages (for the
        # next build), instead of this one keying them all first.
        keyed_by_renderers = keys if fresh else None
        todo = jobs
        if not fresh:
            todo = []
            for job in jobs:
                key = keys.key(job[0], job[1], job[2])
                if key is not None:
                    keys.note(job[2], key)
                    if keys.intact(job[2], key):
                        continue
                todo.append(job)
        self.counts["skipped"] = self.counts.get("skipped", 0) + len(jobs) - len(todo)
        jobs = todo
        cores = paths.worker_count(self.settings)
        if busy_cores and len(jobs) < FEW_PAGES:
            # A few pages (a publish) while other work of the build still runs (the search
            # index): leave it its core, both then end together instead of fighting for both.
            cores = max(1, cores - busy_cores())
        workers = min(cores, max(1, len(jobs) // 64))
        progress.report(f"Rendu de {len(jobs)} pages sur {workers} processus…")
        renderer = PageRenderer()
        renderer.prepare(Counter(job[0] for job in jobs))
        if keyed_by_renderers is not None and workers > 1:
            keys.prime(jobs)
        children = []
        for index in range(1, workers):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # child: render its share, report counts, leave without cleanup
                os.close(read)
                code = 0
                try:
                    counts = _render(jobs[index::workers], renderer, keyed_by_renderers)
                    os.write(write, pickle.dumps(counts))
                except BaseException:
                    logger.exception("Échec du rendu en parallèle")
                    code = 1
                finally:
                    os._exit(code)
            os.close(write)
            children.append((pid, read))
        mine = _render(jobs[0::workers], renderer, keyed_by_renderers)
        for key in ("written", "unchanged"):
            self.counts[key] += mine[key]
        failed, stamps = False, []
        for pid, read in children:
            with os.fdopen(read, "rb") as fh:
                data = fh.read()
            _pid, status = os.waitpid(pid, 0)
            if status != 0 or not data:
                failed = True
                continue
            counts = pickle.loads(data)  # noqa: S301 (from our own child process)
            for key in ("written", "unchanged"):
                self.counts[key] += counts[key]
            stamps.append(counts.get("stamps", {}))
        if failed:
            raise RuntimeError("le rendu parallèle des pages a échoué (voir le journal)")
        keys.save(*stamps)
        # abspath, as the audit hook records paths (resolve() costs 0.5 s at 10,000 listings).
        outputs.note_written(os.path.abspath(p) for p in by_path)
        outputs.note_written(os.path.abspath(p) for p in self.direct)


def _render(jobs: list[list], renderer: PageRenderer,
            keys: pagekeys.PageKeys | None = None) -> dict:
    """Render and write jobs in order; count written and unchanged files.

    With `keys`, each page is keyed as well, and counts["stamps"] holds what
    `PageKeys.save` records of this process's pages.
    """
    counts: dict = {"written": 0, "unchanged": 0}
    for template, localcontext, path, shared in jobs:
        key = keys.key(template, localcontext, path) if keys is not None else None
        # As Pelican's _write_file does: Contents read the page's site URL from the shared context.
        if localcontext.get("localsiteurl"):
            shared["localsiteurl"] = localcontext["localsiteurl"]
        data = renderer.render(template, localcontext)
        if isinstance(data, str):
            data = data.encode("utf-8")
        counts["written" if write_if_changed(path, data) else "unchanged"] += 1
        if key is not None:
            keys.note(path, key)
    if keys is not None:
        counts["stamps"] = keys.stamped()
    return counts


def write_if_changed(path: str, data: bytes) -> bool:
    """Write `data` to `path` unless it already holds exactly these bytes; True if written."""
    try:
        with open(path, "rb") as fh:
            if fh.read() == data:
                return False
        paths.atomic_write(Path(path), data)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:  # a new file: no reader can hold a half-written copy
            fh.write(data)
    return True


class _CompareFile:
    """A text file that, on close, writes to disk only if its content changed."""

    def __init__(self, path: str, counts: dict):
        self.path, self.counts, self.parts = path, counts, []

    def write(self, text: str | bytes) -> None:
        # Feed generators write bytes when the stream is not a TextIOBase.
        self.parts.append(text.encode("utf-8") if isinstance(text, str) else text)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            changed = write_if_changed(self.path, b"".join(self.parts))
            self.counts["written" if changed else "unchanged"] += 1


def get_writer(pelican) -> type[Writer]:
    """Signal receiver: use FastWriter."""
    return FastWriter


def flush_current() -> dict[str, int]:
    """Flush the writer of the current run; return its counts."""
    counts = {"pages": 0, "written": 0, "unchanged": 0}
    while _CURRENT:
        writer = _CURRENT.pop()
        writer.flush()
        counts = writer.counts
    return counts
