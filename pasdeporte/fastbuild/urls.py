"""Memoized `url` / `save_as` of Pelican contents during the output stage.

Pelican recomputes a content's URL (settings formatting, relative paths) on every access, and
templates access it many times per page (about 3 s at 10k listings). Once every generator has
built its context, metadata no longer change, so the values are kept per content object until
the run ends.
"""

from __future__ import annotations

import functools
import os

from pelican.contents import Content
from pelican.utils import posixize_path

_frozen = [False]
_original = Content.get_url_setting


def _cached_url_setting(self, key):
    if not _frozen[0]:
        return _original(self, key)
    cache = self.__dict__.setdefault("_fastbuild_urls", {})
    try:
        return cache[key]
    except KeyError:
        value = cache[key] = _original(self, key)
        return value


_original_relative = Content.get_relative_source_path


@functools.lru_cache(maxsize=1 << 18)
def _relative(cwd: str, root: str, source_path: str) -> str | None:
    return posixize_path(os.path.relpath(os.path.abspath(os.path.join(root, source_path)),
                                         os.path.abspath(root)))


def _cached_relative_source_path(self, source_path=None):
    # Pelican asks it five times per listing (URLs, links, cache keys), each with three path
    # normalisations: 0.3 s at 10,000 listings. A pure function of these strings (and of the
    # working folder, for a relative PATH).
    if not source_path:
        source_path = self.source_path
    if source_path is None:
        return None
    return _relative(os.getcwd(), self.settings["PATH"], source_path)


def install() -> None:
    """Route Content.get_url_setting and get_relative_source_path through memos (idempotent)."""
    Content.get_url_setting = _cached_url_setting
    Content.get_relative_source_path = _cached_relative_source_path


def freeze(_generators=None) -> None:
    """Signal receiver (all_generators_finalized): from now on, URLs are final."""
    _frozen[0] = True


def thaw(_sender=None) -> None:
    """End of the run: the next run computes URLs afresh."""
    _frozen[0] = False
