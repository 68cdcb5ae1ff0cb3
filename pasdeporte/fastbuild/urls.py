"""Memoized `url` / `save_as` of Pelican contents during the output stage.

Pelican recomputes a content's URL (settings formatting, relative paths) on every access, and
templates access it many times per page (about 3 s at 10k listings). Once every generator has
built its context, metadata no longer change, so the values are kept per content object until
the run ends. Before that, each URL is still computed, but only from the values it names.
"""

from __future__ import annotations

import datetime
import functools
import os

from pelican.contents import Content
from pelican.utils import path_to_url, posixize_path

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
    base = _absolute(cwd, root)
    path = os.path.abspath(os.path.join(root, source_path))
    # A path under the root (every source file) is its own tail: relpath, without its walk
    # through both paths, gives exactly that for normalised paths.
    if base != os.sep and path.startswith(base + os.sep):
        return posixize_path(path[len(base) + 1:])
    return posixize_path(os.path.relpath(path, base))


@functools.lru_cache(maxsize=64)
def _absolute(cwd: str, root: str) -> str:
    return os.path.abspath(root)


def _cached_relative_source_path(self, source_path=None):
    # Pelican asks it five times per listing (URLs, links, cache keys), each with three path
    # normalisations: 0.3 s at 10,000 listings. A pure function of these strings (and of the
    # working folder, for a relative PATH).
    if not source_path:
        source_path = self.source_path
    if source_path is None:
        return None
    return _relative(os.getcwd(), self.settings["PATH"], source_path)


_URL_FORMAT = Content.__dict__["url_format"]
_original_expand = Content.__dict__["_expand_settings"]


class _UrlFields:
    """Content.url_format's values, each computed only if the URL setting names it."""

    __slots__ = ("content",)

    def __init__(self, content):
        self.content = content

    def __getitem__(self, key):
        # The same values as url_format, whose own keys take precedence over the metadata.
        content = self.content
        if key == "slug":
            return getattr(content, "slug", "")
        if key == "path":
            return path_to_url(content.metadata.get("path", content.get_relative_source_path()))
        if key == "lang":
            return getattr(content, "lang", "en")
        if key == "date":
            return content.date if hasattr(content, "date") else datetime.datetime.now()
        if key == "author":
            return content.author.slug if hasattr(content, "author") else ""
        if key == "category":
            return content.category.slug if hasattr(content, "category") else ""
        return content.metadata[key]


def _lazy_expand_settings(self, key, klass=None):
    # url_format copies the metadata and computes six values (slugs, path) for each URL, when
    # the site's settings use two: format_map asks for just the names in the setting.
    if type(self).url_format is not _URL_FORMAT:  # a subclass with its own values
        return _original_expand(self, key, klass)
    if not klass:
        klass = self.__class__.__name__
    return str(self.settings[f"{klass}_{key}".upper()]).format_map(_UrlFields(self))


def install() -> None:
    """Route Content's URL methods through memos and lazy formatting (idempotent)."""
    Content.get_url_setting = _cached_url_setting
    Content.get_relative_source_path = _cached_relative_source_path
    Content._expand_settings = _lazy_expand_settings


def freeze(_generators=None) -> None:
    """Signal receiver (all_generators_finalized): from now on, URLs are final."""
    _frozen[0] = True


def thaw(_sender=None) -> None:
    """End of the run: the next run computes URLs afresh."""
    _frozen[0] = False
