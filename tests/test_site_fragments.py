"""The Python fragments write exactly what the Jinja macros they replaced wrote."""
# ruff: noqa: E501 (the reference macros keep their original lines)

from __future__ import annotations

import itertools
from types import SimpleNamespace

import jinja2
import pytest

from pasdeporte.site import fragments
from pasdeporte.site.paging import Page

# The macros of theme/templates/_macros.html before they became pasdeporte/site/fragments.py:
# the reference, rendered with the theme's Jinja options.
MACROS = """{% macro badges(v) %}
<span class="badge state-{{ v.state }}">{{ v.state_label }}</span>
{% if v.expired %} <span class="badge expired">Expirée</span>{% endif %}
{% endmacro %}

{% macro card_body(v, level) %}
<h{{ level }} class="card-title"><a href="{{ SITEURL }}/{{ v.url }}">{{ v.title }}</a></h{{ level }}>
<p class="card-meta">{{ v.kind_label }} · {{ v.place }}{% if v.naf %} · {{ v.naf.label }}{% endif %}</p>
<p class="card-badges">{{ badges(v) }}</p>
{% endmacro %}

{% macro card(v, reason="", level=3) %}
<li class="card{% if not v.active %} inactive{% endif %}">
{{ remember(v, ("body", level, SITEURL), card_body, v, level) }}
{% if reason %}
<p class="reason">{{ reason[:1]|upper }}{{ reason[1:] }}</p>
{% endif %}
</li>
{% endmacro %}

{% macro cards(views, empty="Aucune annonce pour l'instant.", level=3) %}
{% if views %}
<ul class="cards">
{% for v in views %}
{# The same listing is shown on many pages: its card is rendered once per build. #}
{{ remember(v, (level, SITEURL), card, v, level=level) }}
{% endfor %}
</ul>
{% else %}
<p class="empty">{{ empty }}</p>
{% endif %}
{% endmacro %}

{% macro breadcrumb(items) %}
<nav class="breadcrumb" aria-label="Fil d'Ariane">
<ol>
<li><a href="{{ SITEURL }}/">Accueil</a></li>
{% for label, url in items %}
{% if loop.last %}
<li aria-current="page">{{ label }}</li>
{% else %}
<li><a href="{{ SITEURL }}/{{ url }}">{{ label }}</a></li>
{% endif %}
{% endfor %}
</ol>
</nav>
{% endmacro %}

{% macro feed_list(links) %}
<ul class="feeds">
{% for label, url in links %}
<li><a href="{{ SITEURL }}/{{ url }}" type="application/atom+xml">{{ label }}</a> <span class="small">(flux Atom)</span></li>
{% endfor %}
</ul>
{% endmacro %}

{% macro page_title(p) %}{% if p and p.number > 1 %} — page {{ p.number }} sur {{ p.count }}{% endif %}{% endmacro %}

{% macro page_links(p) %}
{% if p and p.prev_url %}<link rel="prev" href="{{ SITEURL }}/{{ p.prev_url }}">
{% endif %}
{% if p and p.next_url %}<link rel="next" href="{{ SITEURL }}/{{ p.next_url }}">
{% endif %}
{% endmacro %}

{% macro span(p, total, one, many) %}
{% if p.count > 1 and total > p.size %}
{% set first, last = p.span(total) %}
{% if first <= total %}<p class="small span">{{ many|capitalize }} {{ first }} à {{ last }} sur {{ total }}</p>
{% else %}<p class="small span">{{ "Le" if total == 1 else "Les" }} {{ total }} {{ one if total == 1 else many }} {{ "est" if total == 1 else "sont" }} sur les pages précédentes.</p>{% endif %}
{% endif %}
{% endmacro %}

{% macro pagination(p, label="Pages de la liste") %}
{% if p and p.count > 1 %}
<nav class="pagination" aria-label="{{ label }}">
<p>Page {{ p.number }} sur {{ p.count }}</p>
<ul>
{% if p.prev_url %}<li><a rel="prev" href="{{ SITEURL }}/{{ p.prev_url }}">‹ Page précédente</a></li>
{% endif %}
{% for number, url in p.links() %}
{% if number is none %}<li class="gap" aria-hidden="true">…</li>
{% elif number == p.number %}<li><a href="{{ SITEURL }}/{{ url }}" aria-current="page" aria-label="Page {{ number }}, page actuelle">{{ number }}</a></li>
{% else %}<li><a href="{{ SITEURL }}/{{ url }}" aria-label="Page {{ number }}">{{ number }}</a></li>
{% endif %}
{% endfor %}
{% if p.next_url %}<li><a rel="next" href="{{ SITEURL }}/{{ p.next_url }}">Page suivante ›</a></li>
{% endif %}
</ul>
</nav>
{% endif %}
{% endmacro %}

"""
HOSTILE = ["", "Épicerie", "<script>alert('x')</script>", 'a "b" & c', "l'été > 3 < 4"]


def _macros(siteurl: str):
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, autoescape=True)
    env.globals["remember"] = lambda _view, _key, render, *args, **kwargs: render(*args, **kwargs)
    return env.from_string(MACROS).make_module({"SITEURL": siteurl})


def _view(text: str, number: int, **more) -> SimpleNamespace:
    naf = SimpleNamespace(label=f"NAF {text}") if number % 2 else None
    values = {"state": f"ouverte{text}", "state_label": f"Ouverte {text}",
              "expired": number % 3 == 0, "url": f"opportunites/{text}-{number}/",
              "title": f"Titre {text}", "kind_label": f"Type {text}", "place": f"Lieu {text}",
              "naf": naf, "active": number % 4 != 0, "cards": {}}
    return SimpleNamespace(**{**values, **more})


@pytest.mark.parametrize(("text", "siteurl"), list(itertools.product(
    HOSTILE, ["", "https://x.fr/a&b"])))
def test_cards_badges_breadcrumb_and_feeds(text, siteurl):
    fragments.forget_cards()
    macros = _macros(siteurl)
    views = [_view(text, number) for number in range(6)]
    for v in views:
        assert fragments.badges(v) == macros.badges(v)
        for reason in ("", text, f"même secteur {text}"):
            assert fragments.card(v, siteurl, reason) == macros.card(v, reason)
            assert fragments.card(v, siteurl, reason) == macros.card(v, reason)  # kept
        assert fragments.card(v, siteurl, level=4) == macros.card(v, level=4)
    for level, empty in ((3, text), (4, "Aucune")):
        assert fragments.cards(views, siteurl, empty, level) == macros.cards(views, empty, level)
        assert fragments.cards([], siteurl, empty, level) == macros.cards([], empty, level)
    pairs = [(v, f"raison {text} {n}") for n, v in enumerate(views)]
    listed = "".join(f"{macros.card(v, reason)}\n" for v, reason in pairs)
    assert fragments.match_cards(pairs, siteurl) == f'<ol class="cards">\n{listed}</ol>'
    for count in range(4):
        items = [(f"{text} {n}", f"{text}/{n}/") for n in range(count)]
        assert fragments.breadcrumb(items, siteurl) == macros.breadcrumb(items)
        assert fragments.feed_list(items, siteurl) == macros.feed_list(items)


@pytest.mark.parametrize("siteurl", ["", "https://x.fr/a&b"])
def test_pagination_span_and_links(siteurl):
    macros = _macros(siteurl)
    assert fragments.page_title(None) == str(macros.page_title(None))
    assert fragments.page_links(None, siteurl) == macros.page_links(None)
    for count in range(1, 13):
        for number in range(1, count + 1):
            p = Page(f"liste/<{count}>&/", number, count, 12)
            assert fragments.page_title(p) == str(macros.page_title(p))
            assert fragments.page_links(p, siteurl) == macros.page_links(p)
            assert fragments.pagination(p, siteurl, "Pages & <co>") == \
                macros.pagination(p, "Pages & <co>")
            for total in (0, 1, 5, 12, 13, 40, 200):
                assert fragments.span(p, total, "projet <1>", "projets & co") == \
                    macros.span(p, total, "projet <1>", "projets & co")
