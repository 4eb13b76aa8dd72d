"""The rectification windows as recorded, on both databases: the members' window counts from the publication
(7 days to know of it, then the programme's days, off holidays); finality is recorded once."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from activities.appeals.window import AppealWindowActivities
from core.db import Database
from models.appeals.payloads import RecordFinalInput, WindowInput
from models.audit import AuditEvent
from models.grants.applications import TimelineEvent
from models.grants.decisions import Decision, Proposal
from models.grants.programme import Programme
from tests.workflow_helpers import accept, seed_staff

NUMBER = "ESP 2020/000001"


@pytest.fixture
def decided(db: Database, programme: Programme) -> int:
    """A rejection decided and published on Friday 29.5.2020, served by e-mail (last day Monday 15.6.2020)."""
    staff = seed_staff(db)
    application_id = accept(db, programme)
    with db.session() as session:
        proposal = Proposal(
            application_id=application_id, seq=1, outcome="reject", amount=Decimal(0), reasons=["TURNOVER_DROP"],
            justification="-", proposer_id=staff["handler"].user_id,
        )  # fmt: skip
        session.add(proposal)
        session.flush()
        session.add(
            Decision(
                application_id=application_id, programme_code=programme.code, year=2020, seq=1, number=NUMBER,
                outcome="reject", amount=Decimal(0), reasons=["TURNOVER_DROP"], justification="-",
                proposal_id=proposal.id or 0, presenter_id=staff["handler"].user_id,
                decider_id=staff["decider"].user_id, published_on=date(2020, 5, 29),
                deemed_received_on=date(2020, 6, 1), rectification_last_day=date(2020, 6, 15),
            )
        )  # fmt: skip
        session.commit()
    return application_id


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
