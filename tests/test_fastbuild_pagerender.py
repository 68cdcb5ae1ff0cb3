"""Pages rendered from the names their templates read equal pages rendered as Pelican does."""

from __future__ import annotations

import filecmp
from collections import ChainMap

import jinja2
import jinja2.runtime
import markupsafe
import pytest
from hypothesis import given
from hypothesis import strategies as st
from site_helpers import dated_build, opportunity, project, write_content

from pasdeporte import fastbuild
from pasdeporte.fastbuild import pagerender
from pasdeporte.fastbuild.pagerender import PageRenderer
from pasdeporte.site import fragments, textfmt

TEMPLATES = {
    "base.html": "<title>{% block title %}{{ SITENAME }}{% endblock %}</title>"
                 "{% include 'part.html' %}{% block body %}{% endblock %}",
    "part.html": "[{{ SITEURL }}|{{ shadowed }}|{{ only_in_part }}]",
    "macros.html": "{% macro link(x) %}<a href='{{ SITEURL }}/{{ x }}'>{{ x }}</a>{% endmacro %}",
    "page.html": "{% extends 'base.html' %}{% from 'macros.html' import link with context %}"
                 "{% block body %}{{ link(page) }}{{ shout(page) }}{{ missing }}{% endblock %}",
}


def _env(**globals_) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES), autoescape=True)
    env.globals.update({"shadowed": "global", "shout": str.upper, **globals_})
    return env


def _context() -> ChainMap:
    own = {"page": "<p&>", "shadowed": "page's own", "output_file": "x.html"}
    shared = {"SITENAME": "Site", "SITEURL": "/s", "only_in_part": "part", "page": "old",
              **{f"SETTING_{n}": n for n in range(200)}}
    return ChainMap(own, shared)


def test_names_include_parents_partials_imports_and_globals():
    renderer, template = PageRenderer(), _env().get_template("page.html")
    renderer.prepare({template: pagerender.ANALYSED_FROM})
    names = renderer._plan(template)[1]
    assert {"SITENAME", "SITEURL", "page", "shadowed", "only_in_part", "missing"} <= names
    assert "SETTING_3" not in names and "output_file" not in names
    assert renderer.render(template, _context()) == template.render(dict(_context()))


@pytest.mark.parametrize("pages", [1, pagerender.ANALYSED_FROM])
def test_same_page_whether_analysed_or_not(pages):
    renderer, template = PageRenderer(), _env().get_template("page.html")
    renderer.prepare({template: pages})
    assert renderer.render(template, _context()) == template.render(dict(_context()))


def test_a_global_given_the_context_gets_the_whole_context():
    @jinja2.pass_context
    def setting(context, n):
        return context.get(f"SETTING_{n}")

    env = _env(setting=setting)
    env.loader.mapping["page.html"] = TEMPLATES["page.html"].replace(
        "{{ missing }}", "{{ setting(7) }}")
    renderer, template = PageRenderer(), env.get_template("page.html")
    renderer.prepare({template: pagerender.ANALYSED_FROM})
    assert renderer._plan(template)[1] is None
    assert renderer.render(template, _context()).endswith("&gt;7")


def test_site_pages_equal_with_and_without_analysis(tmp_path, monkeypatch):
    content = write_content(tmp_path / "content", [
        opportunity("boulangerie", Address="2 rue <b>&</b>", Visit="Le lundi"),
        opportunity("cafe", Sector="56.30Z", State="pourvue"),
        project("fournil", Experience="Dix ans"), project("bar", Territories="44131")])
    monkeypatch.setattr(pagerender, "ANALYSED_FROM", 0)
    narrowed = dated_build(content, tmp_path / "narrowed")
    monkeypatch.setattr(pagerender, "ANALYSED_FROM", 10**9)
    whole = dated_build(content, tmp_path / "whole")
    compared = filecmp.dircmp(narrowed, whole, ignore=["pagefind"])
    assert not _differences(compared)
    assert (narrowed / "opportunites" / "boulangerie" / "index.html").is_file()


def _differences(compared: filecmp.dircmp) -> list[str]:
    found = compared.left_only + compared.right_only + compared.diff_files + compared.funny_files
    for sub in compared.subdirs.values():
        found += _differences(sub)
    return found


def test_site_pages_equal_with_markupsafe_escape(tmp_path, monkeypatch):
    """Template output and fragments escaped by `escape_text` give the bytes of `escape`."""
    content = write_content(tmp_path / "content", [
        opportunity("boulangerie", Address="2 rue <b>&</b> \"l'Église\"", Visit="Le <i>lundi</i>"),
        project("fournil", Experience="Dix ans & <plus>")])
    fast = dated_build(content, tmp_path / "fast")
    assert jinja2.runtime.escape is textfmt.escape_text  # in force for the build above
    monkeypatch.setattr(fastbuild, "install_escape", lambda: None)
    monkeypatch.setattr(jinja2.runtime, "escape", markupsafe.escape)
    monkeypatch.setattr(fragments, "escape", markupsafe.escape)
    plain = dated_build(content, tmp_path / "plain")
    compared = filecmp.dircmp(fast, plain, ignore=["pagefind"])
    assert not _differences(compared)
    page = (fast / "opportunites" / "boulangerie" / "index.html").read_text("utf-8")
    assert "2 rue &lt;b&gt;&amp;&lt;/b&gt; &#34;l&#39;Église&#34;" in page


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(),
                 st.text().map(markupsafe.Markup), st.text().map(markupsafe.escape)))
def test_escape_text_holds_what_escape_returns(value):
    assert str(textfmt.escape_text(value)) == str(markupsafe.escape(value))
