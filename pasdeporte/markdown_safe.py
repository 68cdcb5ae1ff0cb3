"""A Python-Markdown extension that makes listing bodies safe to publish.

Bodies are written by the public: raw HTML is shown as text, links keep only safe schemes,
images may only point inside the site, and nothing can reach Pelican's `{filename}` links.
"""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
SAFE_IMAGE_RE = re.compile(r"^/?images/[a-z0-9-]+/[a-z0-9_-]+\.(jpg|jpeg|png|webp)$")
# Pelican rewrites {filename}, {static}, |filename| ... in href/src: never let users use it.
PELICAN_LINK_CHARS = ("{", "}", "|")


def site_markdown() -> dict:
    """The site's Markdown settings (pelicanconf.MARKDOWN), for previews and search text too."""
    # A new dict each time: Pelican adds its `meta` extension to the settings it is given.
    return {"extensions": ["pasdeporte.markdown_safe", "markdown.extensions.sane_lists"],
            "output_format": "html5"}


def safe_link(url: str) -> bool:
    """Whether a link target may be published as is."""
    # Browsers ignore ASCII whitespace and controls inside a scheme ("java\tscript:").
    url = re.sub(r"[\x00-\x20\x7f]", "", url)
    if any(char in url for char in PELICAN_LINK_CHARS) or url.startswith("//"):
        return False
    scheme = SCHEME_RE.match(url)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


class SanitizeTreeprocessor(Treeprocessor):
    """Drop unsafe link targets and images that point outside the site."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "a":
                    if not safe_link(child.get("href", "")):
                        child.attrib.pop("href", None)
                    child.set("rel", "nofollow noopener")
                elif child.tag == "img" and not SAFE_IMAGE_RE.match(child.get("src", "")):
                    span = etree.Element("span")
                    span.text = child.get("alt", "")
                    span.tail = child.tail
                    parent.insert(list(parent).index(child), span)
                    parent.remove(child)


class SafeExtension(Extension):
    """Escape raw HTML and sanitize links and images in user-written Markdown."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(SanitizeTreeprocessor(md), "pasdeporte_sanitize", 0)


def makeExtension(**kwargs) -> SafeExtension:  # noqa: N802 (Markdown's entry point name)
    """Entry point for `extensions=["pasdeporte.markdown_safe"]`."""
    return SafeExtension(**kwargs)


# Plain prose, paragraphs of words without any Markdown or HTML syntax, becomes one <p> per
# paragraph and nothing else: recognising it takes a regex, Python-Markdown 0.2 ms a listing.
# A line must start with a letter (not a digit, space or list, quote or heading mark), hold
# none of the characters of inline syntax or HTML, and not end with a space (a line break).
_PROSE_LINE = r"(?:[^\W\d_]|[«\"'(])[^<>&*_`\[\]\\\x00-\x1f\x7f-\x9f\u2028\u2029]*(?<!\s)"
_PARAGRAPH = re.compile(rf"{_PROSE_LINE}(?:\n{_PROSE_LINE})*")
_PROSE_EXTENSIONS = {"pasdeporte.markdown_safe", "markdown.extensions.sane_lists",
                     "markdown.extensions.meta"}


def prose_ready(settings: dict) -> bool:
    """Whether Markdown made with these settings may use `convert`'s shortcut (site settings)."""
    names = settings.get("extensions", [])
    return (set(names) <= _PROSE_EXTENSIONS and all(isinstance(n, str) for n in names)
            and not settings.get("extension_configs") and settings.get("output_format") == "html5")


def prose_html(lines: list[str]) -> str | None:
    """The HTML of preprocessed lines if they are plain prose, else None."""
    text = "\n".join(lines).strip("\n")
    paragraphs = re.split(r"\n\n+", text)
    if not text or not all(_PARAGRAPH.fullmatch(p) for p in paragraphs):
        return None
    return "\n".join(f"<p>{p}</p>" for p in paragraphs)


def convert(converter: markdown.Markdown, source: str) -> str:
    """`converter.reset().convert(source)` for a `prose_ready` converter, faster on prose."""
    converter.reset()
    lines = source.split("\n")
    for preprocessor in converter.preprocessors:  # whitespace, and the header (md.Meta)
        lines = preprocessor.run(lines)
    html = prose_html(lines)
    return html if html is not None else converter.reset().convert(source)


_local = threading.local()


def render(body: str) -> str:
    """Render a listing body to safe HTML, as the site does."""
    # Building a Markdown instance costs more than converting a listing: one per thread.
    converter = getattr(_local, "markdown", None)
    if converter is None:
        converter = _local.markdown = markdown.Markdown(**site_markdown())
    try:
        return convert(converter, body)
    except BaseException:
        _local.markdown = None  # never reuse an instance left half-way through a document
        raise
