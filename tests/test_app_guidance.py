"""The help under the commune, sector and territory fields matches what the form accepts."""
# ruff: noqa: F811 (pytest fixtures imported from app_helpers are redefined as arguments)

from __future__ import annotations

from html import unescape

import pytest
from app_helpers import added_files, app, client, git, opportunity, project, repo  # noqa: F401

from pasdeporte import metadata
from submit_app import forms

# What each guided field's example alternatives must give once typed in the form.
EXPECTED = {
    "commune": {"44131"},
    "naf": {"10.71C", "47.73Z"},
    "territories": {"dep-85, dep-44, 44131"},
}


def listing_meta(client, repo, data, kind="opportunite") -> dict[str, str]:
    """Submit a form and return the metadata of the listing its branch adds."""
    response = client.post(f"/proposer/{kind}", data=data)
    assert response.status_code == 303, unescape(response.get_data(as_text=True))[-3000:]
    branch = f"proposition/{response.headers['Location'].rsplit('/', 1)[1]}"
    (path,) = [p for _, p in added_files(repo, branch) if p.endswith(".md")]
    return metadata.loads(git(repo, "show", f"{branch}:{path}")).meta


@pytest.mark.parametrize(("kind", "name", "words"), [
    ("opportunite", "commune", ("nom", "code postal", "code INSEE")),
    ("opportunite", "sector", ("boulangerie", "pharmacie", "code NAF")),
    ("projet", "territories", ("nom", "code INSEE", "département")),
])
def test_help_says_what_can_be_typed(client, kind, name, words):
    html = unescape(client.get(f"/proposer/{kind}").get_data(as_text=True))
    start = html.index(f'id="{name}-aide"')
    hint = html[start:html.index("</p>", start)]
    for word in words:
        assert word in hint, (word, hint)
    assert "code NAF rév. 2 de" not in hint  # not the schema's file-oriented wording


@pytest.mark.parametrize("kind", ["commune", "naf", "territories"])
def test_every_example_is_accepted_as_typed(kind):
    convert = forms.CONVERTERS[kind]
    results = {convert(example) for example in forms.GUIDANCE[kind][2]}
    assert results <= EXPECTED[kind] and results


@pytest.mark.parametrize(("typed", "code"), [
    ("boucherie", "47.22Z"), ("pharmacie", "47.73Z"), ("boulangerie", "10.71C"),
    ("Boucherie", "47.22Z"), ("tabac", "47.26Z"),
])
def test_sector_exact_trade_name_is_taken(client, repo, typed, code):
    assert listing_meta(client, repo, opportunity(sector=typed))["Sector"] == code


def test_sector_with_two_exact_matches_asks_to_choose(client, repo):
    html = unescape(client.post("/proposer/opportunite", data=opportunity(sector="épicerie"))
                    .get_data(as_text=True))
    assert 'id="sector-erreur"' in html and "47.11B" in html and "47.11C" in html


def test_territories_by_name_and_department_number(client, repo):
    meta = listing_meta(client, repo, project(territories="85, Loire-Atlantique, Pornic"),
                        kind="projet")
    assert meta["Territories"] == "dep-85, dep-44, 44131"
