"""Pagination of long lists: page 1 at the list's own URL, then `<url>page/<n>/`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil

# Listings per page of a single list: 30 cards are about 15 KB, so with the page around them
# and the stylesheet a page stays under 30 KB (the budget of issue 3) even with long titles.
PAGE_SIZE = 30
# Territory pages show two lists (opportunities, projects), wider projects and sub-territories:
# fewer of each per page.
TERRITORY_SIZE = 12
# Links per page of a département's full list of communes and EPCIs (about 90 bytes each).
CHILD_SIZE = 150
# Page numbers shown around the current one in the navigation.
WINDOW = 2


@dataclass(frozen=True)
class Page:
    """Page `number` of `count` of a list whose first page is at `base`."""

    base: str
    number: int
    count: int
    size: int

    @property
    def url(self) -> str:
        return url_of(self.base, self.number)

    @property
    def first(self) -> bool:
        return self.number == 1

    @property
    def prev_url(self) -> str:
        return url_of(self.base, self.number - 1) if self.number > 1 else ""

    @property
    def next_url(self) -> str:
        return url_of(self.base, self.number + 1) if self.number < self.count else ""

    @property
    def start(self) -> int:
        """Position (from 0) of the first item of this page."""
        return (self.number - 1) * self.size

    def items(self, items: Sequence) -> Sequence:
        """This page's share of `items`."""
        return items[self.start:self.start + self.size]

    def span(self, total: int) -> tuple[int, int]:
        """(first, last) positions, from 1, of this page's items among `total`."""
        return self.start + 1, min(self.start + self.size, total)

    def links(self) -> list[tuple[int | None, str]]:
        """(number, URL) of the pages to link to; (None, "") stands for a gap."""
        shown = sorted({1, self.count, *range(self.number - WINDOW, self.number + WINDOW + 1)})
        result: list[tuple[int | None, str]] = []
        for number in (n for n in shown if 1 <= n <= self.count):
            if result and result[-1][0] is not None and number > result[-1][0] + 1:
                result.append((None, ""))
            result.append((number, url_of(self.base, number)))
        return result


def url_of(base: str, number: int) -> str:
    """URL of page `number` of the list at `base` (a URL ending in "/")."""
    return base if number <= 1 else f"{base}page/{number}/"


def paginate(base: str, size: int, *lengths: int) -> list[Page]:
    """The pages needed to show lists of these lengths, `size` items of each per page."""
    count = max(1, *(ceil(n / size) for n in lengths)) if lengths else 1
    return [Page(base, number, count, size) for number in range(1, count + 1)]
