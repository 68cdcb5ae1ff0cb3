"""Matching of opportunities and projects: sector and territory levels, filters, order, reasons."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pasdeporte import matching, refdata

TODAY = date(2026, 12, 1)
PORNIC = "44131"  # CA Pornic Agglo Pays de Retz (200067346), Loire-Atlantique, Pays de la Loire


def opportunity(**values):
    """A typed opportunity with sensible defaults."""
    base = {"reference": "op", "sector": "10.71C", "commune": PORNIC, "state": "ouverte",
            "date": date(2026, 10, 1)}
    return base | values


def project(**values):
    """A typed project with sensible defaults."""
    base = {"reference": "pr", "sector": "10.71C", "territories": ["dep-44"],
            "state": "ouverte", "date": date(2026, 10, 1)}
    return base | values


@pytest.mark.parametrize(("a", "b", "level"), [
    ("10.71C", "10.71C", "sous-classe"),
    ("10.71C", "10.71D", "classe"),
    ("10.71C", "10.72Z", "groupe"),
    ("10.71C", "10.13B", None),
    ("47.11B", "10.71C", None),
])
def test_sector_level(a, b, level):
    assert matching.sector_level(a, b) == level
    assert matching.sector_level(b, a) == level


@pytest.mark.parametrize(("territories", "kind"), [
    ([PORNIC], "commune"),
    (["200067346"], "epci"),
    (["dep-44"], "departement"),
    (["reg-52"], "region"),
    (["reg-52", "dep-44", PORNIC], "commune"),  # the finest wins
    (["dep-85", "reg-75"], None),
    (["85191"], None),
    ([], None),
])
def test_territory_level(territories, kind):
    assert matching.territory_level(PORNIC, territories) == kind


@pytest.mark.parametrize(("opp", "proj"), [
    ({"state": "pourvue"}, {}),
    ({"state": "retiree"}, {}),
    ({"expires": date(2026, 11, 30)}, {}),
    ({}, {"state": "pourvue"}),
    ({}, {"state": "retiree"}),
    ({}, {"expires": date(2026, 11, 30)}),
    ({}, {"territories": ["dep-85"]}),
    ({}, {"sector": "47.11B"}),
])
def test_no_match(opp, proj):
    assert matching.matches_for_opportunity(opportunity(**opp), [project(**proj)], TODAY) == []
    assert matching.matches_for_project(project(**proj), [opportunity(**opp)], TODAY) == []


def test_expiring_today_is_still_active():
    assert matching.is_active(opportunity(expires=TODAY), TODAY)
    assert matching.is_active(opportunity(state="en-discussion"), TODAY)


def test_reasons_and_order():
    projects = [
        project(reference="region", territories=["reg-52"]),
        project(reference="classe-epci", sector="10.71D", territories=["200067346"]),
        project(reference="commune", territories=[PORNIC]),
        project(reference="dep", territories=["dep-44"]),
        project(reference="groupe-dep", sector="10.72Z", territories=["dep-44"]),
    ]
    found = matching.matches_for_opportunity(opportunity(), projects, TODAY)
    assert [m.listing["reference"] for m in found] == [
        "commune", "dep", "classe-epci", "region", "groupe-dep"]
    reasons = {m.listing["reference"]: m.reason for m in found}
    assert reasons["dep"] == "même activité (10.71C), cherche dans votre département"
    assert reasons["classe-epci"] == (
        "activité voisine (classe 10.71), cherche dans votre intercommunalité")
    assert reasons["groupe-dep"] == "même groupe d'activités (10.7), cherche dans votre département"
    back = matching.matches_for_project(project(), [opportunity()], TODAY)
    assert back[0].reason == "même activité (10.71C), dans votre département cible"


def test_ties_break_on_newest_then_reference():
    older = opportunity(reference="b", date=date(2026, 1, 1))
    newer = opportunity(reference="c", date=date(2026, 6, 1))
    same = opportunity(reference="a", date=date(2026, 6, 1))
    found = matching.matches_for_project(project(), [older, newer, same], TODAY)
    assert [m.listing["reference"] for m in found] == ["a", "c", "b"]


SECTORS = ["10.71C", "10.71D", "10.72Z", "47.11B", "47.11C", "56.10A", "96.02A"]
TERRITORIES = [PORNIC, "44106", "85191", "200067346", "dep-44", "dep-85", "reg-52", "reg-75"]


@given(st.sampled_from(SECTORS), st.sampled_from(SECTORS), st.sampled_from([PORNIC, "85191"]),
       st.lists(st.sampled_from(TERRITORIES), min_size=1, max_size=4))
def test_symmetric_and_consistent(opp_sector, proj_sector, commune, territories):
    opp = opportunity(sector=opp_sector, commune=commune)
    proj = project(sector=proj_sector, territories=territories)
    forward = matching.matches_for_opportunity(opp, [proj], TODAY)
    backward = matching.matches_for_project(proj, [opp], TODAY)
    assert len(forward) == len(backward)
    fits_sector = opp_sector[:4] == proj_sector[:4]
    fits_place = any(refdata.commune_in_territory(commune, t) for t in territories)
    assert bool(forward) == (fits_sector and fits_place)
    if forward:
        assert forward[0].score == backward[0].score
        assert 40 <= forward[0].score <= 100
