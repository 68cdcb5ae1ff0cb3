"""The fast build's stand-ins for Pelican helpers give what Pelican's own give."""

from __future__ import annotations

import datetime
import gc
import os
import re

import pytest
from fastbuild_helpers import generate
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import SafeDatetime

from pasdeporte import build, fastbuild, schema
from pasdeporte.fastbuild import shortcuts, urls

ORIGINAL_SLUGIFY = shortcuts._slugify
SUBS = DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]
VALUES = ["Pas-de-porte", "misc", "boulanger-cherche-44", "a--b", "-a-", "Été à Nantes",
          "<b>Gras</b> &amp; fin", "  espaces  ", "MAJ", "x_y", "", "déjà-slug", "abc-"]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("subs", [SUBS, [(r"[^\w\s-]", "")], [], [("a", "o")]])
@pytest.mark.parametrize("preserve_case", [False, True])
@pytest.mark.parametrize("use_unicode", [False, True])
def test_slugify_memo_is_pelicans(value, subs, preserve_case, use_unicode):
    expected = ORIGINAL_SLUGIFY(value, subs, preserve_case, use_unicode)
    for _ in range(2):  # computed, then remembered
        assert shortcuts.slugify(value, subs, preserve_case, use_unicode) == expected


def test_installed_slugify_serves_pelican_modules():
    fastbuild.register()
    import pelican.contents
    import pelican.urlwrappers

    assert pelican.contents.slugify is shortcuts.slugify
    assert pelican.urlwrappers.slugify is shortcuts.slugify


@pytest.mark.parametrize("fmt", ["%d/%m/%Y", "%-d/%-m/%Y", "%A %d %B %Y", "%Y-%m-%dT%H:%M",
                                 "%d %% %q %-q", "%z %Z", "sans directive", "%j %f %y"])
@pytest.mark.parametrize("date", [SafeDatetime(2026, 3, 5), datetime.datetime(2025, 12, 31, 9, 7),
                                  datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
                                  datetime.date(2024, 2, 29)])
def test_strftime_is_pelicans(fmt, date):
    import pelican.utils

    shortcuts.install()
    assert pelican.utils.strftime is shortcuts.strftime  # what SafeDatetime.strftime calls
    expected = shortcuts._strftime(date, fmt)
    assert shortcuts.strftime(date, fmt) == expected
    assert shortcuts.strftime(date, fmt) == expected  # remembered
    if isinstance(date, SafeDatetime):
        assert date.strftime(fmt) == expected


def test_relative_source_path_is_pelicans(tmp_path):
    settings = {**DEFAULT_CONFIG, "PATH": str(tmp_path)}
    article = Article("", {"title": "T", "date": SafeDatetime(2026, 1, 1)}, settings=settings,
                      source_path=str(tmp_path / "projets" / "a.md"))
    for source in [str(tmp_path / "projets" / "a.md"), "projets/a.md",
                   str(tmp_path / "x" / ".." / "b.md"), "/ailleurs/c.md", str(tmp_path)]:
        expected = os.path.relpath(os.path.abspath(os.path.join(str(tmp_path), source)),
                                   os.path.abspath(str(tmp_path)))
        assert urls._cached_relative_source_path(article, source) == expected


def test_lazy_url_formatting_is_pelicans(tmp_path):
    settings = {**DEFAULT_CONFIG, "PATH": str(tmp_path), "AUTHOR": "Pas-de-porte",
                "ARTICLE_URL": "{section}/{slug}/{author}/{date:%Y}/{lang}/{path}",
                "ARTICLE_SAVE_AS": "{section}/{slug}/index.html"}
    article = Article("", {"title": "T", "date": SafeDatetime(2026, 1, 1), "section": "projets",
                           "slug": "s"}, settings=settings,
                      source_path=str(tmp_path / "projets" / "a.md"))
    for key in ("url", "save_as"):
        fq_key = f"ARTICLE_{key}".upper()
        expected = settings[fq_key].format(**article.url_format)
        assert urls._lazy_expand_settings(article, key, "article") == expected
    assert article.url == "projets/s/pas-de-porte/2026/en/projets/a.md"


def test_parse_repeated_is_parse_value():
    fields = schema.OPPORTUNITY_FIELDS | schema.PROJECT_FIELDS
    cases = [("Date", "2026-01-02"), ("Date", "2026-02-30"), ("Surface", "85.5"),
             ("Kind", "reprise"), ("Kind", "autre"), ("Sector", "10.71C"), ("Commune", "44131"),
             ("Territories", "dep-44, reg-52"), ("Territories", "dep-999"), ("Title", "Titre")]
    for key, raw in cases * 2:
        try:
            expected = schema.parse_value(fields[key], raw)
        except ValueError as error:
            with pytest.raises(ValueError, match=re.escape(str(error))):
                schema.parse_repeated(fields[key], raw)
            continue
        assert schema.parse_repeated(fields[key], raw) == expected
    first = schema.parse_repeated(fields["Territories"], "dep-44, reg-52")
    first.append("muté")  # each caller gets its own list
    assert schema.parse_repeated(fields["Territories"], "dep-44, reg-52") == ["dep-44", "reg-52"]


def test_collector_paused_from_articles_to_contexts():
    assert gc.isenabled()
    fastbuild.pause_gc(None)
    assert not gc.isenabled()
    fastbuild.contexts_ready(None)
    assert gc.isenabled()
    fastbuild.pause_gc(None)
    fastbuild.restore_gc()  # a failed run
    assert gc.isenabled()


def test_a_run_leaves_its_site_frozen_until_the_next_run_starts(tmp_path):
    """The full collection over a finished run's objects is left to the next run (or to no
    one, in a process that ends with the build); the collector is otherwise as before."""
    content = tmp_path / "content"
    generate(content, 5, seed=3, today=datetime.date(2026, 11, 28))
    threshold = gc.get_threshold()
    gc.unfreeze()
    try:
        during = []
        build.build_site(content, tmp_path / "out", incremental=False,
                         settings={"FASTBUILD_CACHE_PATH": str(tmp_path / "cache")},
                         check=lambda _known: during.append(gc.get_threshold()) or True)
        assert during == [(fastbuild.GC_THRESHOLD, *threshold[1:])]  # the whole build long
        assert gc.get_freeze_count() > 0
        assert gc.isenabled() and gc.get_threshold() == threshold
        # A failed run starts by unfreezing, then leaves nothing frozen.
        with pytest.raises(Exception):  # noqa: B017, PT011 (any failure of the run)
            build.build_site(content, tmp_path / "out", incremental=False,
                             settings={"FASTBUILD_CACHE_PATH": str(tmp_path / "cache"),
                                       "THEME": str(tmp_path / "no-theme")})
        assert gc.get_freeze_count() == 0
        assert gc.isenabled() and gc.get_threshold() == threshold
    finally:
        gc.unfreeze()
