"""Matching of opportunities and projects: sector and territory levels, filters, order, reasons."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
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


# Communes in and around Pornic's EPCI, Vendée and another région, with territory codes of
# every kind (and spellings refdata accepts) that hold some of them and not others.
COMMUNES = [PORNIC, "44106", "44109", "85191", "85246", "23079", "99999"]
PLACES = [*TERRITORIES, "44109", "DEP-44", "reg-75", "dep-23", "nonsense", "200067346"]
STATES = ["ouverte", "en-discussion", "pourvue", "retiree"]
DATES = st.dates(min_value=date(2026, 9, 1), max_value=date(2026, 12, 31))


@st.composite
def corpora(draw, dense=False):
    """Small random corpora with unique references; `dense` ones match a lot."""
    sectors, communes, places = ((["10.71C", "10.71D"], [PORNIC, "44106"], PLACES[:7]) if dense
                                 else (SECTORS, COMMUNES, PLACES))
    states = ["ouverte"] if dense else STATES

    def common(prefix, number):
        return {"reference": f"{prefix}{number}", "sector": draw(st.sampled_from(sectors)),
                "state": draw(st.sampled_from(states)), "date": draw(DATES),
                **({"expires": draw(DATES)} if not dense and draw(st.booleans()) else {})}

    opportunities = [common("o", n) | {"commune": draw(st.sampled_from(communes))}
                     for n in range(draw(st.integers(0, 12 if dense else 8)))]
    projects = [common("p", n) | {"territories": draw(st.lists(st.sampled_from(places),
                                                               max_size=4))}
                for n in range(draw(st.integers(0, 12 if dense else 8)))]
    return opportunities, projects


def brute_force(opportunity, project):
    """The plain definition: both active, same groupe, a project territory holds the commune."""
    if not (matching.is_active(opportunity, TODAY) and matching.is_active(project, TODAY)):
        return None
    if opportunity["sector"][:4] != project["sector"][:4]:
        return None
    kinds = [refdata.territory(t).kind for t in project["territories"]
             if refdata.territory(t) and refdata.commune_in_territory(opportunity["commune"], t)]
    if not kinds:
        return None
    level = matching.sector_level(opportunity["sector"], project["sector"])
    return matching.SECTOR_POINTS[level] + max(matching.TERRITORY_POINTS[k] for k in kinds)


def listed(found):
    return [(m.listing["reference"], m.score, m.reason) for m in found]


@settings(deadline=None, max_examples=200)
@given(corpora())
def test_indexed_matching_equals_definition(corpus):
    opportunities, projects = corpus
    for_opportunities, for_projects = matching.match_all(opportunities, projects, TODAY)
    for opp, found in zip(opportunities, for_opportunities, strict=True):
        assert listed(found) == listed(matching.matches_for_opportunity(opp, projects, TODAY))
        expected = {p["reference"]: brute_force(opp, p) for p in projects}
        assert {m.listing["reference"]: m.score for m in found} == {
            ref: score for ref, score in expected.items() if score}
    for proj, found in zip(projects, for_projects, strict=True):
        assert listed(found) == listed(matching.matches_for_project(proj, opportunities, TODAY))
        expected = {o["reference"]: brute_force(o, proj) for o in opportunities}
        assert {m.listing["reference"]: m.score for m in found} == {
            ref: score for ref, score in expected.items() if score}


@settings(deadline=None)
@given(corpora(dense=True), st.integers(1, 3))
def test_indexed_matching_keeps_the_best(corpus, limit):
    opportunities, projects = corpus
    full = matching.match_all(opportunities, projects, TODAY)
    cut = matching.match_all(opportunities, projects, TODAY, limit=limit)
    for every, best in zip(full[0] + full[1], cut[0] + cut[1], strict=True):
        assert listed(best) == listed(every)[:limit]
        assert best.total == every.total == len(every)


def test_indexed_matching_finds_every_level():
    opp = opportunity()
    projects = [project(reference=r, territories=t) for r, t in (
        ("commune", [PORNIC]), ("epci", ["200067346"]), ("dep", ["DEP-44"]), ("reg", ["reg-52"]),
        ("ailleurs", ["dep-85"]))]
    found, back = matching.match_all([opp], projects, TODAY)
    assert [m.listing["reference"] for m in found[0]] == ["commune", "epci", "dep", "reg"]
    assert [len(b) for b in back] == [1, 1, 1, 1, 0]
    assert back[2][0].reason == "même activité (10.71C), dans votre département cible"
