"""The windows to contest a served decision (the party's and the members'), and its finality once both have
closed with no request in time; for a ruling on rectification, the windows to appeal to the court."""

from datetime import date

from sqlmodel import Session, col, select
from temporalio import activity

from core.db import Database
from models.appeals.payloads import RecordFinalInput, Window, WindowInput
from models.appeals.requests import RectificationRequest, Ruling
from models.audit import audit
from models.grants.applications import add_timeline_event
from models.grants.decisions import Decision, DecisionKind
from models.grants.programme import Programme
from models.time_limits import members_last_day


class AppealWindowActivities:
    def __init__(self, db: Database, programmes: dict[str, Programme]) -> None:
        self._db, self._programmes = db, programmes

    @activity.defn(name="open_appeal_window")
    def open_window(self, request: WindowInput) -> Window:
        """The party's last day (from the serving) and the members' (from the publication), as recorded."""
        with self._db.session() as session:
            decision = self._decision(session, request.decision_number)
            if decision.rectification_last_day is None or decision.published_on is None:
                raise ValueError(f"decision {decision.number} is not served and published yet")
            programme = self._programmes[decision.programme_code]
            return Window(
                party_last_day=decision.rectification_last_day,
                members_last_day=members_last_day(decision.published_on, programme, decision.kind),
            )

    @activity.defn(name="record_final")
    def record_final(self, request: RecordFinalInput) -> date | None:
        """Final from the day after the later last day, unless a request arrived in time (its ruling then
        decides): recorded once, on the timeline and in the audit trail. A ruling final makes the decision
        it upheld final with it."""
        with self._db.session() as session:
            decision = self._decision(session, request.decision_number)
            if decision.final_on is not None:
                return decision.final_on
            if _contested_in_time(session, decision):
                return None
            _record_final(session, decision, request.final_on)
            upheld = _upheld_decision(session, decision)
            if upheld is not None and upheld.final_on is None and _every_timely_request_settled(session, upheld):
                _record_final(session, upheld, request.final_on)
            session.commit()
            return request.final_on

    @staticmethod
    def _decision(session: Session, number: str) -> Decision:
        decision = session.exec(select(Decision).where(Decision.number == number)).first()
        if decision is None:
            raise ValueError(f"no decision {number}")
        return decision


def _record_final(session: Session, decision: Decision, final_on: date) -> None:
    decision.final_on = final_on
    session.add(decision)
    add_timeline_event(session, decision.application_id, f"final:{decision.number}", "final")
    audit(
        session,
        action="decision_final",
        application_id=decision.application_id,
        key=f"decision_final:{decision.id}:{final_on.isoformat()}",  # a finality withdrawn may be recorded anew
        number=decision.number,
        final_on=final_on.isoformat(),
    )


def _contested_in_time(session: Session, decision: Decision) -> bool:
    timely = select(RectificationRequest).where(
        RectificationRequest.decision_id == decision.id, col(RectificationRequest.late).is_(False)
    )
    return session.exec(timely).first() is not None


def _upheld_decision(session: Session, decision: Decision) -> Decision | None:
    """The decision a ruling let stand (dismissed or rejected the request against it); None otherwise."""
    if decision.kind != DecisionKind.RULING or decision.outcome == Ruling.AMEND:
        return None
    request = session.exec(
        select(RectificationRequest).where(RectificationRequest.ruling_decision_id == decision.id)
    ).first()
    return session.get(Decision, request.decision_id) if request else None


def _every_timely_request_settled(session: Session, decision: Decision) -> bool:
    """Every request in time against the decision has a ruling that is final and let it stand (with the one
    being recorded final now): a second requester's pending request keeps the decision open."""
    timely = session.exec(
        select(RectificationRequest).where(
            RectificationRequest.decision_id == decision.id, col(RectificationRequest.late).is_(False)
        )
    ).all()
    for request in timely:
        ruling = session.get(Decision, request.ruling_decision_id) if request.ruling_decision_id else None
        if ruling is None or ruling.final_on is None or ruling.outcome == Ruling.AMEND:
            return False
    return True
