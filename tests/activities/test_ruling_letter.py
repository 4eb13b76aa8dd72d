"""The ruling letter in each language and for each ruling: the body and its minutes, the administrative court and
its 30 days, the amended grant's terms, nothing in another language, and no law cited as in force by a demo."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from activities.serving.letter_template import Signatory
from activities.serving.letters import dispatch_of
from activities.serving.ruling_letter import RulingLetterFacts, ruling_letter_html
from core.settings import PROJECT_ROOT
from models.appeals.courts import administrative_court
from models.grants.programme import Programme, load_programmes
from models.time_limits import Channel
from tests.workflow_helpers import TITLES

LANGUAGES = ("fi", "sv", "en")
TEMPLATE = PROJECT_ROOT / "templates" / "documents" / "ruling_letter.html"
RULINGS = [("dismiss", None), ("reject", None), ("amend", "approve"), ("amend", "reject")]


def facts(
    programme: Programme, language: str, ruling: str, new_outcome: str | None, **changes: Any
) -> RulingLetterFacts:
    values: dict[str, Any] = {
        "language": language,
        "programme": programme,
        "number": "ESP 2020/000321",
        "decided_at": datetime(2020, 10, 13, 9, 0, tzinfo=UTC),
        "presenter": Signatory("Liisa Legal", dict(TITLES)),
        "body": "Espoon kaupunginhallitus",
        "meeting_ref": "12.10.2020 § 345",
        "met_on": date(2020, 10, 12),
        "reference": "ESP-2020-000042",
        "applicant_name": "Maija Meikäläinen",
        "business_name": "Toiminimi Virtanen",
        "business_id": "0112038-9",
        "requester_name": "Maija Meikäläinen",
        "by_member": False,
        "received_on": date(2020, 6, 10),
        "late": ruling == "dismiss",
        "demand": "Liikevaihto laski 45 %.",
        "original_number": "ESP 2020/000123",
        "original_outcome": "reject",
        "ruling": ruling,
        "justification": {"fi": "Luvut tarkistettiin.", "sv": "Siffrorna kontrollerades.", "en": "Checked."}[language],
        "court": administrative_court("helsinki"),
        "dispatch": dispatch_of(Channel.EMAIL, date(2020, 10, 13), programme, "ruling"),
        "new_outcome": new_outcome,
        "amount": Decimal("2000.00") if new_outcome == "approve" else Decimal("0.00"),
        "reasons": ("TURNOVER_DROP",) if new_outcome == "reject" else (),
        "checks": {"TURNOVER_DROP": {"turnover_drop": "0.2240", "threshold": "0.30"}},
        "iban": "FI2112345600000785" if new_outcome == "approve" else "",
    }
    return RulingLetterFacts(**(values | changes))


def words(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def template_sentences(language: str) -> list[str]:
    """The template's own sentences as they read in `language` (the longest part between placeholders)."""
    msgids = set(re.findall(r'_\("([^"]+)"', TEMPLATE.read_text(encoding="utf-8")))
    if language == "en":
        texts = list(msgids)
    else:
        with (PROJECT_ROOT / "web" / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalogue = read_po(handle)
        texts = [str(catalogue[m].string) for m in msgids if catalogue.get(m) and catalogue[m].string]
    return [part for text in texts if len(part := max(re.split(r"%\(\w+\)s", text), key=len).strip()) > 15]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("ruling", "new_outcome"), RULINGS)
def test_every_ruling_letter_names_the_body_the_court_and_its_days(
    programme: Programme, language: str, ruling: str, new_outcome: str | None
) -> None:
    text = words(ruling_letter_html(facts(programme, language, ruling, new_outcome)))

    court = administrative_court("helsinki")
    assert court.name_in(language) in text and "30" in text
    assert "Espoon kaupunginhallitus, 12.10.2020 § 345" in text  # the minutes' day is not said twice
    assert "Liisa Legal" in text
    assert ("2 000,00" in text or "2,000.00" in text) == (new_outcome == "approve")
    foreign = [s for other in LANGUAGES if other != language for s in template_sentences(other) if s in text]
    assert foreign == []


def test_the_meeting_day_is_said_when_the_minutes_do_not_say_it(programme: Programme) -> None:
    text = words(ruling_letter_html(facts(programme, "fi", "reject", None, meeting_ref="§ 345")))

    assert "Espoon kaupunginhallitus, 12. lokakuuta 2020, § 345" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_demo_ruling_cites_no_law_as_in_force(language: str) -> None:
    demo = next(p for p in load_programmes(Path(PROJECT_ROOT / "programmes"), include_demo=True).values() if p.demo)

    text = words(ruling_letter_html(facts(demo, language, "reject", None)))

    assert "410/2015" not in text and "DEMO" in text
