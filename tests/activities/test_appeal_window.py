"""The rectification windows as recorded, on both databases: the members' window counts from the publication
(7 days to know of it, then the programme's days, off holidays); finality is recorded once."""

from datetime import date

import pytest
from sqlmodel import select

from activities.appeals.window import AppealWindowActivities
from core.db import Database
from models.appeals.payloads import RecordFinalInput, WindowInput
from models.appeals.requests import ArrivedBy, RectificationRequest, Requester
from models.audit import AuditEvent
from models.grants.applications import TimelineEvent
from models.grants.decisions import Decision
from models.grants.programme import Programme
from tests.workflow_helpers import decided_rejection

NUMBER = "ESP 2020/000001"


@pytest.fixture
def decided(db: Database, programme: Programme) -> int:
    """A rejection decided and published on Friday 29.5.2020, served by e-mail (last day Monday 15.6.2020)."""
    return decided_rejection(
        db, programme, number=NUMBER, published_on=date(2020, 5, 29), deemed_received_on=date(2020, 6, 1),
        last_day=date(2020, 6, 15),
    )  # fmt: skip


def test_the_members_window_runs_from_the_publication(
    db: Database, programmes: dict[str, Programme], decided: int
) -> None:
    window = AppealWindowActivities(db, programmes).open_window(
        WindowInput(application_id=decided, decision_number=NUMBER)
    )
    # Known to members on 5.6.; 14 days later is Midsummer Eve, Friday 19.6., so Monday 22.6.
    assert (window.party_last_day, window.members_last_day) == (date(2020, 6, 15), date(2020, 6, 22))
    assert window.last_day == date(2020, 6, 22)


def test_a_decision_not_yet_served_has_no_window(db: Database, programmes: dict[str, Programme], decided: int) -> None:
    with db.session() as session:
        decision = session.exec(select(Decision)).one()
        decision.rectification_last_day = None
        session.add(decision)
        session.commit()
    with pytest.raises(ValueError, match="not served and published"):
        AppealWindowActivities(db, programmes).open_window(WindowInput(application_id=decided, decision_number=NUMBER))


def test_finality_is_recorded_once(db: Database, programmes: dict[str, Programme], decided: int) -> None:
    activities = AppealWindowActivities(db, programmes)
    activities.record_final(RecordFinalInput(decision_number=NUMBER, final_on=date(2020, 6, 23)))
    activities.record_final(RecordFinalInput(decision_number=NUMBER, final_on=date(2020, 6, 24)))  # a retry

    with db.session() as session:
        decision = session.exec(select(Decision)).one()
        events = session.exec(select(TimelineEvent).where(TimelineEvent.kind == "final")).all()
        audited = session.exec(select(AuditEvent).where(AuditEvent.action == "decision_final")).all()
    assert decision.final_on == date(2020, 6, 23)
    assert len(events) == 1 and len(audited) == 1


def request_against(db: Database, application_id: int, *, late: bool) -> None:
    with db.session() as session:
        decision = session.exec(select(Decision)).one()
        session.add(
            RectificationRequest(
                application_id=application_id, decision_id=decision.id or 0, programme_code=decision.programme_code,
                seq=1, key=f"request-{late}", requester=Requester.PARTY, requester_name="Maija",
                arrived_by=ArrivedBy.POST, received_on=date(2020, 6, 16 if late else 15), demand="Please look again.",
                last_day=date(2020, 6, 15), late=late, workflow_id=f"grant-{application_id}/rectification-1",
            )
        )  # fmt: skip
        session.commit()


def test_a_request_in_time_keeps_the_decision_from_turning_final(
    db: Database, programmes: dict[str, Programme], decided: int
) -> None:
    request_against(db, decided, late=False)

    final_on = AppealWindowActivities(db, programmes).record_final(
        RecordFinalInput(decision_number=NUMBER, final_on=date(2020, 6, 23))
    )

    with db.session() as session:
        decision = session.exec(select(Decision)).one()
    assert final_on is None and decision.final_on is None  # the ruling decides


def test_a_late_request_does_not_keep_the_decision_from_turning_final(
    db: Database, programmes: dict[str, Programme], decided: int
) -> None:
    request_against(db, decided, late=True)

    final_on = AppealWindowActivities(db, programmes).record_final(
        RecordFinalInput(decision_number=NUMBER, final_on=date(2020, 6, 23))
    )

    assert final_on == date(2020, 6, 23)
