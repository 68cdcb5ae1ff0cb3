"""User-written Markdown never becomes live HTML, script or an outside request."""

from __future__ import annotations

import pytest

from pasdeporte.markdown_safe import render, safe_link


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
