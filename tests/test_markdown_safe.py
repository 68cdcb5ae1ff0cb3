"""User-written Markdown never becomes live HTML, script or an outside request."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pasdeporte.markdown_safe import convert, prose_html, render, safe_link


@pytest.mark.parametrize(
    "body, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ("Texte <img src=x onerror=alert(1)> fin", "<img"),
        ("<div onclick='x'>bloc</div>", "<div"),
        ("[clic](javascript:alert(1))", "javascript:"),
        ("[clic](JaVaScRiPt:alert(1))", "JaVaScRiPt"),
        ("[clic](java\tscript:alert(1))", "script:"),
        ("[clic](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
        ("[clic](//evil.example/x)", "//evil"),
        ("![traceur](https://evil.example/pixel.png)", "evil.example"),
        ("[lien]({filename}/../../pelicanconf.py)", "{filename}"),
        ("[lien](|static|/x)", "|static|"),
    ],
)
def test_hostile_body_is_neutralised(body, forbidden):
    html = render(body)
    assert forbidden not in html, html


def test_ordinary_markdown_still_works():
    html = render("**Gras**, [site](https://www.pornic.fr) et ![local](images/op-1/1.jpg)\n\n- a")
    assert "<strong>Gras</strong>" in html
    assert 'href="https://www.pornic.fr"' in html
    assert 'src="images/op-1/1.jpg"' in html
    assert "<li>a</li>" in html


@pytest.mark.parametrize("url", ["https://a.fr", "mailto:mairie@a.fr", "tel:+33240000000",
                                 "/territoires/", "#contact", "page/"])
def test_safe_links(url):
    assert safe_link(url)


# The shortcut for plain prose (markdown_safe.convert) must give exactly Python-Markdown's HTML.
PROSE_ALPHABET = "aeéçxYZ É19 \n\n\n\xa0\u202f.,;:!?'’\"«»()%€²/-+=#>*_`[]<>&\\|{}~\t"


def _markdown(meta: bool):
    import markdown

    from pasdeporte.markdown_safe import site_markdown

    settings = site_markdown()
    if meta:  # as Pelican's reader configures it
        settings["extensions"].append("markdown.extensions.meta")
    return markdown.Markdown(**settings)


@settings(max_examples=3000, deadline=None)
@given(text=st.text(alphabet=PROSE_ALPHABET, max_size=80), meta=st.booleans())
def test_prose_shortcut_gives_python_markdowns_html(text, meta):
    converter = _markdown(meta)
    source = f"Title: Essai\nKind: projet\n\n{text}" if meta else text
    fast = convert(converter, source)
    fast_meta = getattr(converter, "Meta", None)
    assert fast == converter.reset().convert(source)
    assert fast_meta == getattr(converter, "Meta", None)


# Words and separators of ordinary listings, with syntax now and then: mostly prose.
PROSE_TOKENS = ["Le", "local", "é", "Été", "m²", "€", "«", "»", "(centre)", "l’été", "d'un", "?",
                ";", ":", "%", "/", "!"] * 8 + ["85", "1.", "-", "*", "_x_", "#", ">", "&", "<b>",
                                                 "[a](b)", "=", "\\", "`c`", "\x02"]
SEPARATORS = [" "] * 12 + ["\n"] * 3 + ["\n\n"] * 2 + ["  ", "\n\n\n", "\xa0", "\u202f", "\t",
                                                        "\n ", "  \n", "", "\r\n"]
prose_like = st.lists(st.tuples(st.sampled_from(PROSE_TOKENS), st.sampled_from(SEPARATORS)),
                      max_size=12).map(lambda pairs: "".join(w + s for w, s in pairs))


@settings(max_examples=3000, deadline=None)
@given(text=prose_like, meta=st.booleans())
def test_prose_shortcut_on_listing_like_text(text, meta):
    test_prose_shortcut_gives_python_markdowns_html.hypothesis.inner_test(text=text, meta=meta)


@pytest.mark.parametrize("body", [
    "Le local de 85 m² donne sur la place.\n\nLoyer : 450 € par mois, « négociable ».",
    "Première ligne\nseconde ligne du même paragraphe.\n\n\n\nAutre paragraphe !",
])
def test_plain_prose_takes_the_shortcut(body):
    assert prose_html(body.split("\n")) == _markdown(False).convert(body)


@pytest.mark.parametrize("body", ["- une liste", "1. un", "Texte *gras*", "# Titre",
                                  "ligne  \nsuite", "    code", "a &amp; b", "> citation",
                                  "Titre\n=====", "", "2024 : année"])
def test_anything_else_goes_through_python_markdown(body):
    assert prose_html(body.split("\n")) is None
