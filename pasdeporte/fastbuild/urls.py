"""Memoized `url` / `save_as` of Pelican contents during the output stage.

Pelican recomputes a content's URL (settings formatting, relative paths) on every access, and
templates access it many times per page (about 3 s at 10k listings). Once every generator has
built its context, metadata no longer change, so the values are kept per content object until
the run ends.
"""

from __future__ import annotations

from pelican.contents import Content

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


def install() -> None:
    """Route Content.get_url_setting through the memo (idempotent)."""
    Content.get_url_setting = _cached_url_setting


def freeze(_generators=None) -> None:
    """Signal receiver (all_generators_finalized): from now on, URLs are final."""
    _frozen[0] = True


def thaw(_sender=None) -> None:
    """End of the run: the next run computes URLs afresh."""
    _frozen[0] = False
