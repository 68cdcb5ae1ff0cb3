"""Filters and globals the theme uses; shared by the Pelican build and the preview."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from jinja2 import pass_environment
from markupsafe import Markup

from pasdeporte.site import fragments, mapdata, seo, urls
from pasdeporte.site.textfmt import format_number

# Rendered partials, per Jinja environment (a new build has new ones, and drops these).
_partials: WeakKeyDictionary = WeakKeyDictionary()


@pass_environment
def partial(env, name: str, **values) -> Markup:
    """Template `name` rendered with `values` alone (and the globals), kept for the next pages.

    Only for templates whose output depends on nothing else (the site's header and footer):
    unlike `include`, it does not pass the page's variables.
    """
    kept = _partials.get(env)
    if kept is None:
        kept = _partials[env] = {}
    # Most pages give the values of the page before: compared (in C) before anything else.
    last = kept.get(name)
    if last is not None and last[0] == values:
        return last[1]
    key = (name, repr(values))  # the values are a few strings and a small dict
    found = kept.get(key)
    if found is None:
        # An autoescaping environment's output is HTML with every value escaped.
        found = kept[key] = Markup(env.get_template(name).render(values))  # noqa: S704
    kept[name] = (values, found)
    return found


FILTERS = {"jsonld": seo.json_ld}
# The fragments take SITEURL as an argument rather than reading the page's context, so that
# what a page reads stays visible in its template (pasdeporte/fastbuild/names.py relies on it).
GLOBALS = {"urls": urls, "fmt_number": format_number, "plural_open": mapdata.plural,
           "partial": partial, "badges": fragments.badges, "cards": fragments.cards,
           "match_cards": fragments.match_cards, "breadcrumb": fragments.breadcrumb,
           "feed_list": fragments.feed_list, "page_title": fragments.page_title,
           "page_links": fragments.page_links, "span": fragments.span,
           "pagination": fragments.pagination}
