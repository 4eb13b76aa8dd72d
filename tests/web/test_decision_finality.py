"""Decisions are published without personal data, and turn final once both rectification windows closed
unrequested: the public list, the status page and the staff's case page, through the whole system."""

import html
from datetime import date

import pytest
from sqlmodel import select

from core.db import Database
from models.grants.decisions import Decision
from models.grants.programme import Programme
from models.time_limits import members_last_day
from tests.desk import Desk, wait_until
from tests.factories import PERSONAL_IDS
from tests.web.test_serving import decide_through_the_pages, served
from tests.workflow_helpers import accept, seed_staff
from web.services import public_decisions


def test_the_public_list_names_the_decision_and_nobody(desk: Desk, programme: Programme) -> None:
    _, decision = decide_through_the_pages(desk)
    desk.client.cookies.clear()

    page = html.unescape(desk.client.get("/decisions?lang=en").text)

    assert decision.published_on is not None
    assert decision.number in page and "Grant awarded" in page
    assert "Espoo" in page  # the deciding authority, as an office
    assert f"{members_last_day(decision.published_on, programme):%-d %b %Y}" in page
    for personal in ("Maija", "Meikäläinen", "Toiminimi Virtanen", "0112038-9", "131052-308T", "maija@example"):
        assert personal not in page
    assert "All conditions met." not in page  # the justification is free text: never published
    assert "ESP-20" not in page  # nor the application's reference
    assert desk.client.get("/decisions?programme=no-such").status_code == 404
    for page in ("9", "0", "abc"):  # past either end, or no number: the nearest page, not an error
        other = desk.client.get(f"/decisions?programme=sole-entrepreneur-2020&page={page}&lang=en")
        assert other.status_code == 200 and decision.number in other.text


def test_the_list_pages_newest_first_and_leaves_unpublished_out(
    db: Database, programmes: dict[str, Programme], programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public_decisions, "PAGE_ROWS", 2)
    staff = seed_staff(db)
    published = [date(2020, 6, 1), date(2020, 6, 3), date(2020, 6, 2), None]
    with db.session() as session:
        for seq, day in enumerate(published, start=1):
            session.add(
                Decision(
                    application_id=accept(db, programme, applicant__personal_id=PERSONAL_IDS[seq]),
                    programme_code=programme.code, year=2020, seq=seq, number=f"ESP 2020/{seq:06d}",
                    outcome="approve", amount=programme.amount, reasons=[], justification="-",
                    presenter_id=staff["handler"].user_id, decider_id=staff["decider"].user_id, published_on=day,
                )
            )  # fmt: skip
        session.commit()

    with db.session() as session:
        first = public_decisions.published_decisions(session, programmes, programme_code=None, page=1)
        second = public_decisions.published_decisions(session, programmes, programme_code=programme.code, page=2)

    assert [d.number for d in first.rows] == ["ESP 2020/000002", "ESP 2020/000003"]
    assert [d.number for d in second.rows] == ["ESP 2020/000001"]  # the fourth is not published
    assert (first.pages, second.page) == (2, 2)
    assert second.rows[0].members_last_day == date(2020, 6, 22)  # 1.6. + 7 + 14 is Monday 22.6.


def test_a_decision_nobody_contests_is_final_after_both_windows(desk: Desk) -> None:
    status_url, _ = decide_through_the_pages(desk)
    decision = wait_until(lambda: (d := served(desk)).sent_at and d)
    assert decision.published_on is not None and decision.rectification_last_day is not None
    desk.client.cookies.clear()
    before = html.unescape(desk.client.get(f"{status_url}?lang=en").text)
    assert "Becomes final" in before and "members of the municipality may request it too" in before

    desk.skip_days(40)  # past the members' window too (published + 7 + 14, off holidays)

    def final() -> Decision | None:
        with desk.db.session() as session:
            found = session.exec(select(Decision)).one()
            return found if found.final_on else None

    decided = wait_until(final)
    later = max(decided.rectification_last_day or decision.rectification_last_day, decided.published_on)
    assert decided.final_on is not None and decided.final_on > later
    shown = f"{decided.final_on:%-d %b %Y}"
    after = html.unescape(desk.client.get(f"{status_url}?lang=en").text)
    assert f"from {shown} (no rectification was requested)" in after and "Becomes final" not in after
    desk.sign_in_as("handler")
    case = html.unescape(desk.client.get(f"/staff/applications/{decided.application_id}?lang=en").text)
    assert f"from {shown} (no rectification was requested)" in case
