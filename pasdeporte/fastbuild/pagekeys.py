"""Skip rendering a page whose inputs and output file are the same as last build.

A listing page (theme `article.html`) reads only its listing (`article.pdp`, `article.content`),
the cards of its matches, the settings, the theme and the project's code, and the build date.
The generated list pages (territory, communes, sector, paged lists) read their territory,
sector or slice of the catalog: `listkeys` says exactly what. A page's key hashes these with
its template, path and SITEURL (`skip.base_key` covers settings, theme, code, libraries and
date); the store keeps, per output file, the key and the size and time the file had once
written. A page is skipped only if its key is the same and its file is untouched. Any other
page (or a listing whose body holds Pelican intra-site links, which depend on other files) is
rendered.
"""

from __future__ import annotations

import hashlib
import os
import pickle

from pasdeporte.fastbuild import listkeys, paths, skip

TEMPLATE = "article.html"


class PageKeys:
    """The keys of the last build of one output folder, and those of the current build."""

    def __init__(self, settings: dict, output: str, fresh: bool):
        from pasdeporte.site.plugin import build_date

        self.file = paths.cache_dir(settings) / f"pages-{paths.output_key(output)}.pickle"
        self.base = skip.base_key(settings, build_date(settings).isoformat())
        self.previous: dict = {}
        if not fresh:
            try:
                self.previous = pickle.loads(self.file.read_bytes())  # noqa: S301 (our cache)
            except (FileNotFoundError, EOFError, pickle.UnpicklingError):
                self.previous = {}
        # A failed run must not leave keys describing files it may have half rewritten.
        self.file.unlink(missing_ok=True)
        self.current: dict[str, str] = {}
        self._cards: dict[int, bytes] = {}
        self._views: dict[int, bytes] = {}
        self.lists = listkeys.Fingerprints(self._card, self._view)

    def _card(self, view) -> bytes:
        # A card shows a listing's URL and metadata-derived fields (and the date: base key).
        found = self._cards.get(id(view))
        if found is None:
            text = repr((view.url, view.slug, sorted(view.meta.items())))
            found = self._cards[id(view)] = hashlib.sha256(text.encode("utf-8")).digest()
        return found

    def _view(self, view) -> bytes:
        found = self._views.get(id(view))
        if found is None:
            found = hashlib.sha256(self._card(view) + view.content.encode("utf-8")).digest()
            self._views[id(view)] = found
        return found

    def key(self, template, localcontext: dict, path: str) -> str | None:
        """The key of a queued page, or None if it must always be rendered."""
        name = getattr(template, "name", None)
        function = getattr(template, "function", None)  # a file made by a function (feeds)
        if function is not None:
            name = f"{function.__module__}.{function.__qualname__}"
            parts = self.lists.output(function, template.args)
        elif name == TEMPLATE:
            parts = self._listing(localcontext)
        else:
            parts = self.lists.page(name, localcontext)
        if parts is None:
            return None
        digest = hashlib.sha256(
            f"{self.base}\0{name}\0{path}\0{localcontext.get('SITEURL')}\0".encode())
        digest.update(parts)
        return digest.hexdigest()

    def _listing(self, localcontext: dict) -> bytes | None:
        """What a listing page reads: its listing, its body and its matches' cards."""
        article = localcontext.get("article")
        view = getattr(article, "pdp", None)
        if view is None:
            return None
        # Pelican rewrites {filename}/{static} links with other files' URLs: not covered.
        if hasattr(article, "_get_content") or article._get_intrasite_link_regex().search(
                article._content or ""):
            return None
        parts = [self._view(view), hashlib.sha256((article._content or "").encode()).digest(),
                 f"{view.match_count}\0".encode()]
        parts.extend(self._view(other) + reason.encode("utf-8") + b"\0"
                     for other, reason in view.matches)
        return b"".join(parts)

    def prime(self, jobs) -> None:
        """Digest every listing of the queued listing pages, before the renderers fork.

        Each renderer reads nearly every listing (cards on list pages, matches), and would
        digest them all again; forked after this, they inherit the digests.
        """
        for template, localcontext, _path, _shared in jobs:
            if getattr(template, "name", None) == TEMPLATE:
                view = getattr(localcontext.get("article"), "pdp", None)
                if view is not None:
                    self._view(view)

    def intact(self, path: str, key: str) -> bool:
        """Whether `path` was rendered from `key` by the last build and is untouched since."""
        found = self.previous.get(path)
        if found is None or found[0] != key:
            return False
        try:
            info = os.stat(path)
        except FileNotFoundError:
            return False
        return (info.st_size, info.st_mtime_ns) == (found[1], found[2])

    def note(self, path: str, key: str) -> None:
        """Remember the key of a page of this build (its file is stamped in `save`)."""
        self.current[path] = key

    def stamped(self) -> dict[str, tuple[str, int, int]]:
        """The noted keys with their files' size and time (once the files are written)."""
        stamped = {}
        for path, key in self.current.items():
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue
            stamped[path] = (key, info.st_size, info.st_mtime_ns)
        return stamped

    def save(self, *more: dict) -> None:
        """Record `stamped` and those of other processes, once every page is written."""
        stamped = self.stamped()
        for part in more:
            stamped.update(part)
        paths.atomic_pickle(self.file, stamped)
