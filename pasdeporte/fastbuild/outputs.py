"""Which files a build produced, so that files a previous build produced and this one did not
(a deleted listing's page, an emptied territory's feed) are removed, as a clean build would.

Three sources make the list: pages and feeds from FastWriter; any file opened for writing under
the output folder during the run (plugins that write directly, seen through an audit hook);
and the static files Pelican's StaticGenerator owns (it copies only newer ones, so an unchanged
static file is not reopened but is still produced). Nothing outside the list is ever deleted:
the search bundle and hand-placed files are not tracked.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from pelican.generators import StaticGenerator

from pasdeporte.fastbuild import paths

_state: dict = {"recording": None, "hooked": False, "generators": []}


def _audit(event: str, args: tuple) -> None:
    # Called for every audited event of the process: return fast unless recording an open.
    recording = _state["recording"]
    if recording is None or event != "open":
        return
    path, mode, flags = args
    if isinstance(path, int) or path is None:
        return
    writes = (mode and any(c in mode for c in "wax+")) or (
        not mode and flags and flags & (os.O_WRONLY | os.O_RDWR))
    if writes:
        recording.add(os.path.abspath(os.fsdecode(path)))


def start() -> None:
    """Begin recording the files this process writes."""
    if not _state["hooked"]:
        sys.addaudithook(_audit)  # cannot be removed: it checks the state flag instead
        _state["hooked"] = True
    _state["recording"] = set()
    _state["generators"] = []
    _state["stats"] = None


def note_written(files) -> None:
    """Add files written outside this process's open() calls (forked renderers)."""
    if _state["recording"] is not None:
        _state["recording"].update(files)


def note_generators(generators) -> None:
    """Signal receiver (all_generators_finalized): keep the generators to list static outputs."""
    _state["generators"] = list(generators)


def static_outputs(output: Path) -> set[str]:
    """Files the StaticGenerator copies: content static files and the theme's static folders."""
    found: set[str] = set()
    for gen in _state["generators"]:
        if not isinstance(gen, StaticGenerator):
            continue
        found.update(os.path.abspath(output / sc.save_as) for sc in gen.staticfiles)
        settings = gen.settings
        target = output / settings["THEME_STATIC_DIR"]
        for folder in settings["THEME_STATIC_PATHS"]:
            source = Path(gen.theme) / folder
            for dirpath, _dirs, files in os.walk(source):
                rel = Path(dirpath).relative_to(source)
                found.update(os.path.abspath(target / rel / name) for name in files)
    return found


def finish(settings: dict, output: Path) -> dict[str, int]:
    """Stop recording, delete what the previous build produced and this one did not."""
    output = Path(output).resolve()
    produced = (_state["recording"] or set()) | static_outputs(output)
    _state["recording"] = None
    root = os.fspath(output) + os.sep
    # Temporary names of atomic writes were opened too: keep only files that exist now.
    stats: dict[str, list[int]] = {}
    for path in produced:
        if path.startswith(root):
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode):
                stats[path[len(root):]] = [info.st_size, info.st_mtime_ns]
    current = set(stats)
    manifest = paths.cache_dir(settings) / f"manifest-{paths.output_key(output)}.txt"
    try:
        previous = set(manifest.read_text("utf-8").splitlines())
    except FileNotFoundError:
        previous = set()
    deleted = 0
    for rel in sorted(previous - current):
        target = output / rel
        # Only plain files inside the output folder; a manifest line can never climb out.
        if ".." in Path(rel).parts or not target.is_file():
            continue
        target.unlink()
        deleted += 1
        _remove_empty_parents(target.parent, output)
    paths.atomic_write(manifest, "\n".join(sorted(current)).encode("utf-8"))
    _state["stats"] = stats
    return {"produced": len(current), "deleted": deleted}


def last_stats() -> dict[str, list[int]] | None:
    """Size and time of each file listed by the last `finish` (as it found them), by name."""
    return _state.get("stats")


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
