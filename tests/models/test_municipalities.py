"""Municipalities are one place whatever language or case names them: compared by their official code."""

import pytest

from models.grants.eligibility import Discrepancy, assess
from models.grants.programme import Programme
from models.municipalities import all_municipalities, municipality, municipality_code, same_municipality
from tests.factories import no_registry, submitted


def test_the_file_holds_every_current_municipality_once_with_both_names() -> None:
    found = all_municipalities()
    codes = [m.code for m in found]
    assert len(codes) == len(set(codes)) == 309
    assert all(len(code) == 3 and code.isdigit() for code in codes)
    assert all(m.name_fi and m.name_sv for m in found)
    assert "099" not in codes  # Honkajoki joined Kankaanpää on 1.1.2021


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Espoo", "049"),
        ("Esbo", "049"),
        ("  ESBO ", "049"),
        ("049", "049"),
        ("49", "049"),
        ("Helsingfors", "091"),
        ("Vanda", "092"),
        ("Mikkeli", "491"),
        ("S:t Michel", "491"),
        ("St. Michel", "491"),
        ("Ackas", "020"),  # the recommended Swedish name of Akaa
        ("Pedersören kunta", "599"),
    ],
)
def test_finnish_and_swedish_names_give_the_official_code(name: str, code: str) -> None:
    assert municipality_code(name) == code


def test_names_in_the_readers_language() -> None:
    espoo = municipality("esbo")
    assert espoo is not None
    assert (espoo.name_in("fi"), espoo.name_in("sv"), espoo.name_in("en")) == ("Espoo", "Esbo", "Espoo")


def test_unknown_names_are_compared_as_written() -> None:
    assert municipality_code("Atlantis") is None
    assert same_municipality("Atlantis", "ATLANTIS ")
    assert not same_municipality("Atlantis", "Espoo")
    assert not same_municipality(None, "Espoo")
    assert not same_municipality("Espoo", "Vantaa")
    assert same_municipality("Espoo", "ESBO")


def test_a_swedish_name_in_the_register_is_no_disagreement(programme: Programme) -> None:
    result = assess(submitted(business__home_municipality="Espoo"), no_registry(home_municipality="Esbo"), programme)
    assert result.discrepancies == []
    assert "WRONG_MUNICIPALITY" not in result.reasons


def test_another_municipality_in_the_register_still_disagrees(programme: Programme) -> None:
    result = assess(submitted(business__home_municipality="Esbo"), no_registry(home_municipality="Vanda"), programme)
    assert result.discrepancies == [Discrepancy(field="business.home_municipality", declared="Esbo", registry="Vanda")]
    assert "WRONG_MUNICIPALITY" in result.reasons


def test_the_programme_accepts_its_municipality_by_code_without_aliases(programme: Programme) -> None:
    without_aliases = programme.model_copy(update={"municipality_aliases": []})
    for name in ("Espoo", "esbo", "049", " ESPOO "):
        assert without_aliases.accepts_municipality(name), name
    for other in ("Vantaa", "Kauniainen", "", None):
        assert not without_aliases.accepts_municipality(other), other
