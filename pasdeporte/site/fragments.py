"""Small HTML fragments repeated on most pages: cards, badges, breadcrumb, feeds, pagination.

They were Jinja macros; as Python they cost several times less (a macro call alone took
longer than most of them), and they are on all 17,000 pages of a 10,000-listing site.
Every value from a listing or a setting goes through `escape`, as autoescaping did; each
function returns `Markup`, so the template prints it as it is. The page structure stays in
the templates. Cards are kept on the listing view: a listing is shown on many pages.
"""

from __future__ import annotations

from collections import deque

from markupsafe import Markup

from pasdeporte.site.textfmt import escape_text as escape  # pieces of f-strings: no Markup

# Cards kept at most per process, oldest dropped first: at 100,000 listings keeping every card
# took 300 MB; up to about 15,000 listings they all fit.
CARDS_KEPT = 30_000
_kept: deque = deque()
# Feed lists kept at most, by their links (about 1 KB each).
FEED_LISTS_KEPT = 5_000
_feed_lists: dict[tuple, Markup] = {}


def _html(text: str) -> Markup:
    # The one place text becomes Markup: every value in it went through `escape`, or is
    # Markup made here.
    return Markup(text)  # noqa: S704


def remember(view, key: tuple, render, *args) -> Markup:
    """`render(*args)`, kept on the listing view under `key` while memory allows.

    `key` must hold everything the rendering depends on besides the listing (e.g. SITEURL).
    """
    found = view.cards.get(key)
    if found is None:
        found = view.cards[key] = render(*args)
        _kept.append((view, key))
        if len(_kept) > CARDS_KEPT:
            old_view, old_key = _kept.popleft()
            old_view.cards.pop(old_key, None)
    return found


def forget_cards() -> None:
    """Drop the kept cards (a new build has new listing views)."""
    while _kept:
        view, key = _kept.popleft()
        view.cards.pop(key, None)


def badges(v) -> Markup:
    """State badge of a listing, and "Expirée" when it has expired."""
    html = f'<span class="badge state-{escape(v.state)}">{escape(v.state_label)}</span>\n'
    if v.expired:
        html += ' <span class="badge expired">Expirée</span>'
    return _html(html)


def _card_body(v, siteurl: str, level: int) -> Markup:
    naf = f" · {escape(v.naf.label)}" if v.naf else ""
    return _html(
        f'<h{level} class="card-title"><a href="{escape(siteurl)}/{escape(v.url)}">'
        f"{escape(v.title)}</a></h{level}>\n"
        f'<p class="card-meta">{escape(v.kind_label)} · {escape(v.place)}{naf}</p>\n'
        f'<p class="card-badges">{badges(v)}</p>\n')


def _card(v, siteurl: str, reason: str, level: int) -> Markup:
    body = remember(v, ("body", level, siteurl), _card_body, v, siteurl, level)
    inactive = "" if v.active else " inactive"
    # The reason starts a sentence: its first letter in capitals.
    why = f'<p class="reason">{escape(reason[:1].upper())}{escape(reason[1:])}</p>\n' \
        if reason else ""
    return _html(f'<li class="card{inactive}">\n{body}\n{why}</li>\n')


def card(v, siteurl: str, reason: str = "", level: int = 3) -> Markup:
    """One listing as a card (`<li>`): title, kind, place, sector, badges, why it matches."""
    key = ("match", reason, siteurl) if reason else (level, siteurl)
    found = v.cards.get(key)  # (`remember` looks too: this spares a call on most cards)
    return remember(v, key, _card, v, siteurl, reason, level) if found is None else found


def match_cards(matches, siteurl: str) -> Markup:
    """The numbered cards of a listing's matches, from (listing, reason) pairs."""
    items = [card(other, siteurl, reason) for other, reason in matches]
    return _html('<ol class="cards">\n' + "\n".join(items) + "\n</ol>")  # the line ends it


def cards(views, siteurl: str, empty: str = "Aucune annonce pour l'instant.",
          level: int = 3) -> Markup:
    """A list of cards, or the `empty` sentence when there are none."""
    if not views:
        return _html(f'<p class="empty">{escape(empty)}</p>\n')
    key = (level, siteurl)
    items = [v.cards.get(key) or remember(v, key, _card, v, siteurl, "", level) for v in views]
    return _html('<ul class="cards">\n' + "\n".join(items) + "\n</ul>\n")


def breadcrumb(items, siteurl: str) -> Markup:
    """The breadcrumb: home, then (label, URL) pairs, the last being the current page."""
    site = escape(siteurl)
    parts = ['<nav class="breadcrumb" aria-label="Fil d\'Ariane">\n<ol>\n'
             f'<li><a href="{site}/">Accueil</a></li>\n']
    last = len(items) - 1
    for index, (label, url) in enumerate(items):
        if index == last:
            parts.append(f'<li aria-current="page">{escape(label)}</li>\n')
        else:
            parts.append(f'<li><a href="{site}/{escape(url)}">{escape(label)}</a></li>\n')
    parts.append("</ol>\n</nav>\n")
    return _html("".join(parts))


def feed_list(links, siteurl: str) -> Markup:
    """Links to Atom feeds, from (label, URL) pairs."""
    # Listings of one département and sector show the same feeds: kept, a few thousand lists.
    key = (tuple(links), siteurl)
    found = _feed_lists.get(key)
    if found is None:
        if len(_feed_lists) >= FEED_LISTS_KEPT:
            _feed_lists.clear()
        found = _feed_lists[key] = _feed_list(links, siteurl)
    return found


def _feed_list(links, siteurl: str) -> Markup:
    site = escape(siteurl)
    items = "".join([f'<li><a href="{site}/{escape(url)}" type="application/atom+xml">'
                     f'{escape(label)}</a> <span class="small">(flux Atom)</span></li>\n'
                     for label, url in links])
    return _html(f'<ul class="feeds">\n{items}</ul>\n')


def page_title(p) -> str:
    """" — page 2 sur 5" after the title of a list's later pages, else ""."""
    return f" — page {p.number} sur {p.count}" if p and p.number > 1 else ""


def page_links(p, siteurl: str) -> Markup:
    """`<link rel="prev|next">` of a page of a list."""
    html = ""
    if p and p.prev_url:
        html += f'<link rel="prev" href="{escape(siteurl)}/{escape(p.prev_url)}">\n'
    if p and p.next_url:
        html += f'<link rel="next" href="{escape(siteurl)}/{escape(p.next_url)}">\n'
    return _html(html)


def span(p, total: int, one: str, many: str) -> Markup:
    """Which items of a list of `total` this page shows, when the list has several pages."""
    if not (p.count > 1 and total > p.size):
        return Markup("")
    first, last = p.span(total)
    if first <= total:
        return _html(f'<p class="small span">{escape(many.capitalize())} {first} à {last} '
                      f"sur {total}</p>\n")
    # This list ended on an earlier page (the page goes on for a longer list beside it).
    words = ("Le", one, "est") if total == 1 else ("Les", many, "sont")
    return _html(f'<p class="small span">{words[0]} {total} {escape(words[1])} {words[2]} '
                  "sur les pages précédentes.</p>")


def pagination(p, siteurl: str, label: str = "Pages de la liste") -> Markup:
    """Navigation between the pages of a list: previous, numbers (with gaps), next."""
    if not (p and p.count > 1):
        return Markup("")
    site = escape(siteurl)
    parts = [f'<nav class="pagination" aria-label="{escape(label)}">\n'
             f"<p>Page {p.number} sur {p.count}</p>\n<ul>\n"]
    if p.prev_url:
        parts.append(f'<li><a rel="prev" href="{site}/{escape(p.prev_url)}">‹ Page précédente'
                     "</a></li>\n")
    for number, url in p.links():
        if number is None:
            parts.append('<li class="gap" aria-hidden="true">…</li>\n')
        elif number == p.number:
            parts.append(f'<li><a href="{site}/{escape(url)}" aria-current="page" aria-label='
                         f'"Page {number}, page actuelle">{number}</a></li>\n')
        else:
            parts.append(f'<li><a href="{site}/{escape(url)}" aria-label="Page {number}">'
                         f"{number}</a></li>\n")
    if p.next_url:
        parts.append(f'<li><a rel="next" href="{site}/{escape(p.next_url)}">Page suivante ›'
                     "</a></li>\n")
    parts.append("</ul>\n</nav>\n")
    return _html("".join(parts))
