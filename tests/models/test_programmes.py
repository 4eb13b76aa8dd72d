"""Programmes are data: a second programme is a second file."""

import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT
from models.grants.eligibility import ReasonCode
from models.grants.programme import Programme, load_programmes

PROGRAMMES = PROJECT_ROOT / "programmes"


def test_the_2020_programme_holds_the_municipality_settings() -> None:
    programme = load_programmes(PROGRAMMES, include_demo=False)["sole-entrepreneur-2020"]
    assert programme.amount == Decimal("2000.00")
    assert programme.turnover.drop_threshold == Decimal("0.30")
    assert programme.deemed_received_days.email == 3
    assert programme.deemed_received_days.letter == 7
    # Wall-clock Helsinki time: 23:59:59 in summer time is 20:59:59 UTC.
    assert programme.closes_at.astimezone(UTC) == datetime(2020, 9, 30, 20, 59, 59, tzinfo=UTC)
    assert programme.is_open(datetime(2020, 9, 30, 20, 59, 59, tzinfo=UTC))
    assert not programme.is_open(datetime(2020, 9, 30, 21, 0, 0, tzinfo=UTC))


def test_a_second_programme_is_added_by_adding_a_file(tmp_path: Path) -> None:
    shutil.copy(PROGRAMMES / "sole-entrepreneur-2020.toml", tmp_path / "sole-entrepreneur-2020.toml")
    vantaa = (PROGRAMMES / "sole-entrepreneur-2020.toml").read_text(encoding="utf-8")
    vantaa = vantaa.replace('municipality = "Espoo"', 'municipality = "Vantaa"').replace(
        'municipality_aliases = ["Esbo"]', 'municipality_aliases = ["Vanda"]'
    )
    (tmp_path / "vantaa-2020.toml").write_text(vantaa, encoding="utf-8")

    programmes = load_programmes(tmp_path, include_demo=False)

    assert set(programmes) == {"sole-entrepreneur-2020", "vantaa-2020"}
    assert programmes["vantaa-2020"].accepts_municipality("Vanda")
    assert not programmes["vantaa-2020"].accepts_municipality("Espoo")


def test_demo_programmes_only_when_asked() -> None:
    assert "sole-entrepreneur-demo" not in load_programmes(PROGRAMMES, include_demo=False)
    demo = load_programmes(PROGRAMMES, include_demo=True)["sole-entrepreneur-demo"]
    assert demo.demo


@pytest.mark.parametrize("programme", load_programmes(PROGRAMMES, include_demo=True).values(), ids=lambda p: p.code)
def test_every_reason_and_the_approval_have_a_standard_justification_in_each_language(programme: Programme) -> None:
    for key in ["approve", *ReasonCode]:
        texts = programme.justifications[key]
        assert set(texts) == {"fi", "sv", "en"}, key
        assert all(text.strip() for text in texts.values()), key


def test_justifications_come_in_the_asked_language_one_paragraph_per_reason() -> None:
    programme = load_programmes(PROGRAMMES, include_demo=False)["sole-entrepreneur-2020"]

    swedish = programme.justification_in("sv", approve=False, reasons=["TURNOVER_DROP", "TAX_DEBT"])

    assert swedish.split("\n\n") == [
        programme.justifications["TURNOVER_DROP"]["sv"],
        programme.justifications["TAX_DEBT"]["sv"],
    ]
    assert programme.justification_in("fi", approve=True).startswith("Hakija täyttää")


@pytest.mark.parametrize("programme", load_programmes(PROGRAMMES, include_demo=True).values(), ids=lambda p: p.code)
def test_every_programme_has_a_whole_privacy_notice_in_each_language(programme: Programme) -> None:
    for section in programme.privacy.SECTIONS:
        assert set(getattr(programme.privacy, section)) == {"fi", "sv", "en"}, section
