"""Cheaper equivalents of Pelican helpers that run for every article, same results.

Creating 10,000 Article objects slugifies each file name and the site's author (a fresh
Author object per article), formats each date and stamps each file twice for a content
cache our settings disable: about a third of Pelican's context stage. `install()` routes the
names Pelican's modules imported through the versions here (idempotent, process-wide).
"""

from __future__ import annotations

import datetime
import re

import pelican.cache
import pelican.contents
import pelican.urlwrappers
import pelican.utils
from pelican.settings import DEFAULT_CONFIG

_slugify = pelican.utils.slugify
_strftime = pelican.utils.strftime  # Pelican's own, for comparison
_STAMPED = pelican.cache.FileStampDataCacher
# Pelican's default substitutions: under them, a value that is already a slug is its own slug
# (no tag, entity, space, non-ASCII character, capital or repeated dash to change).
DEFAULT_SUBS = tuple(tuple(sub) for sub in DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
ALREADY_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MEMO_SIZE = 1 << 16  # a watching process slugifies new names at each build: bounded
_memo: dict[tuple, str] = {}


def slugify(value, regex_subs=(), preserve_case=False, use_unicode=False):
    """`pelican.utils.slugify`, remembered for repeated values (the author of every article)."""
    if type(value) is not str:  # Markup and others: as Pelican does, every time
        return _slugify(value, regex_subs, preserve_case, use_unicode)
    try:
        subs = tuple(tuple(sub) for sub in regex_subs)
        key = (value, subs, bool(preserve_case), bool(use_unicode))
        found = _memo.get(key)
    except TypeError:  # unhashable substitutions: Pelican reports or copes
        return _slugify(value, regex_subs, preserve_case, use_unicode)
    if found is not None:
        return found
    if subs == DEFAULT_SUBS and ALREADY_SLUG.fullmatch(value):
        found = value
    else:
        found = _slugify(value, subs, preserve_case, use_unicode)
    if len(_memo) >= MEMO_SIZE:
        _memo.clear()
    _memo[key] = found
    return found


_FORMAT = "%[-]?."  # pelican.utils.strftime's pattern for one directive
_C89 = "aAbBcdfGHIjmMpSUuVwWxXyYzZ%"
# Directives whose text depends only on the date's calendar fields (not on the locale, the
# time zone or the weekday): a format of these gives the same text for the same fields.
_NUMERIC = frozenset("dmYyHMSfj%")
_formats: dict[str, tuple[str, tuple, bool]] = {}
_texts: dict[tuple, str] = {}


def _parsed(date_format: str) -> tuple[str, tuple, bool]:
    """Template, (directive, strip zeros) pairs and whether all are numeric, as Pelican splits."""
    found = _formats.get(date_format)
    if found is None:
        directives = []
        for candidate in re.findall(_FORMAT, date_format):
            if candidate[-1] not in _C89:
                directives.append((candidate, None))  # kept as written
            elif len(candidate) == 3:  # noqa: PLR2004 ("%-d": without leading zeros)
                directives.append((f"%{candidate[-1]}", True))
            else:
                directives.append((candidate, False))
        numeric = all(d[-1] in _NUMERIC for d, strip in directives if strip is not None)
        found = (re.sub(_FORMAT, "%s", date_format), tuple(directives), numeric)
        _formats[date_format] = found
    return found


def strftime(date, date_format: str) -> str:
    """`pelican.utils.strftime`, each format split once, numeric dates formatted once."""
    template, directives, numeric = _parsed(date_format)
    if not numeric or type(date) not in (datetime.datetime, pelican.utils.SafeDatetime):
        return _format(date, template, directives)
    key = (date_format, date.year, date.month, date.day, date.hour, date.minute, date.second,
           date.microsecond)
    found = _texts.get(key)
    if found is None:
        if len(_texts) >= MEMO_SIZE:
            _texts.clear()
        found = _texts[key] = _format(date, template, directives)
    return found


def _format(date, template: str, directives: tuple) -> str:
    safe = isinstance(date, pelican.utils.SafeDatetime)
    parts = []
    for directive, strip in directives:
        if strip is None:
            parts.append(directive)
            continue
        text = date.strftime(directive, safe=False) if safe else date.strftime(directive)
        parts.append((text.lstrip("0") or "0") if strip else text)
    return template % tuple(parts)


def _cache_data(self, filename, data):
    # Pelican stamps the file (a stat) even when the policy then keeps nothing.
    if self._cache_data_policy:
        _STAMPED._pdp_cache_data(self, filename, data)


def _get_cached_data(self, filename, default=None):
    # With nothing cached for the file, Pelican's stamp comparison can only fail: skip the stat.
    if filename not in self._cache:
        return default
    return _STAMPED._pdp_get_cached_data(self, filename, default)


def install() -> None:
    """Route Pelican's per-article helpers through the versions above (idempotent)."""
    pelican.contents.slugify = slugify
    pelican.urlwrappers.slugify = slugify
    pelican.utils.strftime = strftime  # SafeDatetime.strftime and DateFormatter look it up here
    if not hasattr(_STAMPED, "_pdp_cache_data"):
        _STAMPED._pdp_cache_data = _STAMPED.cache_data
        _STAMPED._pdp_get_cached_data = _STAMPED.get_cached_data
        _STAMPED.cache_data = _cache_data
        _STAMPED.get_cached_data = _get_cached_data
