"""The rectification windows of a served decision, and its finality once both have closed unrequested."""

from sqlmodel import Session, select
from temporalio import activity

from activities.grants.records import add_timeline_event
from core.db import Database
from models.appeals.payloads import RecordFinalInput, Window, WindowInput
from models.audit import audit
from models.grants.decisions import Decision
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
    def record_final(self, request: RecordFinalInput) -> None:
        """Final from the day after the later last day: recorded once, on the timeline and in the audit trail."""
        with self._db.session() as session:
            decision = self._decision(session, request.decision_number)
            if decision.final_on is not None:
                return
            decision.final_on = request.final_on
            session.add(decision)
            add_timeline_event(session, decision.application_id, f"final:{decision.number}", "final")
            audit(
                session,
                action="decision_final",
                application_id=decision.application_id,
                key=f"decision_final:{decision.id}",
                number=decision.number,
                final_on=request.final_on.isoformat(),
            )
            session.commit()

    @staticmethod
    def _decision(session: Session, number: str) -> Decision:
        decision = session.exec(select(Decision).where(Decision.number == number)).first()
        if decision is None:
            raise ValueError(f"no decision {number}")
        return decision
