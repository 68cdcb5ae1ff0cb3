"""Render one listing as a full page with the theme's listing template, without a build.

Used by the submission app's "Aperçu" button: same template, same derived facts, same
safe Markdown as the site; only the match list is left empty.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import jinja2
import markdown

from pasdeporte import build
from pasdeporte.site.listing import make_view
from pasdeporte.site.plugin import build_date

SLUG_RE = re.compile(r"[^a-z0-9-]+")


@cache
def _settings() -> dict:
    # Pelican reads the same file for the build; the paths do not matter for one page.
    return build.pelican_settings(build.ROOT / "content", build.ROOT / "output")


@cache
def _environment() -> jinja2.Environment:
    settings = _settings()
    theme = Path(settings["THEME"]) / "templates"
    options = {k: v for k, v in settings["JINJA_ENVIRONMENT"].items() if k != "autoescape"}
    # Escape always, as the build does: every listing value comes from the public.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(theme)), autoescape=True,
                             **options)
    env.filters.update(settings["JINJA_FILTERS"])
    env.globals.update(settings["JINJA_GLOBALS"])
    return env


def render_body(body: str) -> str:
    """The body as the site renders it (same Markdown settings as the build)."""
    config = _settings()["MARKDOWN"]
    engine = markdown.Markdown(extensions=config.get("extensions", []),
                               extension_configs=config.get("extension_configs", {}),
                               output_format=config.get("output_format", "html5"))
    return engine.convert(body)


def render_preview(meta: dict[str, str], body: str, today: date | None = None) -> str:
    """The full HTML page of one listing, marked as a preview and not indexable."""
    settings = _settings()
    today = today or build_date(settings)
    content = render_body(body)
    slug = SLUG_RE.sub("-", meta.get("Reference", "apercu").lower()).strip("-") or "apercu"
    view = make_view(meta, content, slug, today)
    article = SimpleNamespace(title=view.title, content=content, url=view.url, slug=slug,
                              pdp=view)
    context = {k: v for k, v in settings.items() if k.isupper()}
    return _environment().get_template("article.html").render(
        **context, article=article, preview=True, catalog=None)
