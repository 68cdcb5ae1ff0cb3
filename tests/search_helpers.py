"""Small factories and page helpers shared by the search tests (tests/test_search*.py)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from pasdeporte import metadata

TODAY = date.today()


def days(n: int) -> str:
    """ISO date `n` days from today (negative: in the past)."""
    return (TODAY + timedelta(days=n)).isoformat()


def opportunity(**fields: str) -> dict[str, str]:
    """Metadata of a valid open opportunity in Pornic (44), overridable field by field."""
    meta = {
        "Title": "Pornic recherche son boulanger", "Date": days(-10),
        "Kind": "commerce-recherche", "Sector": "10.71C", "Reference": "op-test-1",
        "State": "ouverte", "Commune": "44131", "Premises": "local-commercial",
        "Surface": "85", "Rent": "450", "Contact_name": "Mairie de Pornic",
        "Contact_email": "mairie@pornic.example.fr",
    }
    meta.update(fields)
    return {k: v for k, v in meta.items() if v is not None}


def project(**fields: str) -> dict[str, str]:
    """Metadata of a valid open project looking in Vendée, overridable field by field."""
    meta = {
        "Title": "Boulanger cherche un fournil en Vendée", "Date": days(-5), "Kind": "projet",
        "Sector": "10.71C", "Reference": "pr-test-1", "State": "ouverte",
        "Territories": "dep-85", "Surface_min": "60", "Surface_max": "120",
    }
    meta.update(fields)
    return {k: v for k, v in meta.items() if v is not None}


def write(content: Path, slug: str, meta: dict[str, str], body: str = "Une annonce.") -> Path:
    """Write one listing file into the right folder of `content`."""
    folder = "projets" if meta["Kind"] == "projet" else "opportunites"
    path = content / folder / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(metadata.dumps(meta, body), encoding="utf-8")
    return path


# The search page in Chromium (Playwright's sync page).

def search(page, base: str, query: str = "") -> None:
    """Open the search page at `query` (a URL query string) and wait for its results."""
    page.goto(f"{base}/recherche/{'?' + query if query else ''}")
    page.wait_for_function("document.getElementById('search-output').dataset.done")


def after(page, action) -> None:
    """Run `action`, then wait until the search it triggers has shown its results."""
    before = page.get_attribute("#search-output", "data-done")
    action()
    page.wait_for_function(
        f"document.getElementById('search-output').dataset.done !== {before!r}")


def titles(page) -> list[str]:
    return page.locator("#search-results h2").all_inner_texts()


def links(page) -> list[str]:
    return [a.get_attribute("href") for a in page.locator("#search-results h2 a").all()]


def result_count(page) -> int:
    status = page.inner_text("#search-status")
    match = re.match(r"(\d+) annonces? trouvées?", status)
    return int(match.group(1)) if match else 0


def show_filters(page) -> None:
    after(page, lambda: page.click("text=Afficher les filtres"))


def option_count(page, key: str, value: str) -> int:
    label = page.locator(f"#search-filters input[name={key}][value='{value}'] + label .count")
    return int(label.text_content().strip("()"))
