"""Reading an application's state for the applicant's status page and the staff pages."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from models.documents import Document, DocumentKind
from models.grants.applications import Application, AssessmentRecord, TimelineEvent
from models.grants.decisions import Decision, grant_decision_of
from models.grants.info_requests import InfoRequest, InfoRequestStatus
from models.payments.payments import AccountChange, AccountChangeStatus, Payment, PaymentStatus
from models.payments.recovery import Recovery, RecoveryStatus


@dataclass(frozen=True)
class ApplicationView:
    application: Application
    timeline: list[TimelineEvent]
    assessment: AssessmentRecord | None


def application_view(session: Session, application_id: int) -> ApplicationView | None:
    application = session.get(Application, application_id)
    if application is None:
        return None
    timeline = session.exec(
        select(TimelineEvent)
        .where(TimelineEvent.application_id == application_id)
        .order_by(col(TimelineEvent.at), col(TimelineEvent.id))
    ).all()
    assessment = session.exec(
        select(AssessmentRecord)
        .where(AssessmentRecord.application_id == application_id)
        .order_by(col(AssessmentRecord.round).desc())
    ).first()
    return ApplicationView(application=application, timeline=list(timeline), assessment=assessment)


def open_info_request(session: Session, application_id: int) -> InfoRequest | None:
    return session.exec(
        select(InfoRequest).where(
            InfoRequest.application_id == application_id, InfoRequest.status == InfoRequestStatus.OPEN
        )
    ).first()


def recent_applications(session: Session, programme_codes: list[str], limit: int = 100) -> list[Application]:
    if not programme_codes:
        return []
    return list(
        session.exec(
            select(Application)
            .where(col(Application.programme_code).in_(programme_codes))
            .order_by(col(Application.id).desc())
            .limit(limit)
        ).all()
    )


def decision_of(session: Session, application_id: int) -> Decision | None:
    return session.exec(grant_decision_of(application_id)).first()


def decision_letters(session: Session, application_id: int, decision_id: int | None = None) -> list[Document]:
    """The decision letters as sent (of one decision, when given), one per dispatch day, newest first."""
    query = select(Document).where(
        Document.application_id == application_id, Document.kind == DocumentKind.DECISION_LETTER
    )
    if decision_id is not None:
        query = query.where(Document.decision_id == decision_id)
    return list(session.exec(query.order_by(col(Document.id).desc())).all())


def latest_letter(session: Session, application_id: int, decision_id: int | None = None) -> Document | None:
    """The grant decision's letter as last sent (a decision re-sent on another day has a newer, differently
    dated letter), or that of the decision given."""
    if decision_id is None:
        decision = decision_of(session, application_id)
        if decision is None:
            return None
        decision_id = decision.id
    return next(iter(decision_letters(session, application_id, decision_id)), None)


@dataclass(frozen=True)
class RecoveryView:
    """A recovery the applicant is told of: its decision, how to repay, and its letter."""

    recovery: Recovery
    decision: Decision
    letter: Document | None


def hearings_open(session: Session, application_id: int, today: date) -> list[Recovery]:
    """Recovery cases the grantee may still explain before the decision."""
    return [
        r
        for r in session.exec(
            select(Recovery).where(
                Recovery.application_id == application_id,
                Recovery.status == RecoveryStatus.PROPOSED,
                col(Recovery.hearing_due_on).is_not(None),
            )
        ).all()
        if r.hearing_due_on is not None and today <= r.hearing_due_on
    ]


def recoveries_told(session: Session, application_id: int) -> list[RecoveryView]:
    """Recovery decisions made on the application (a case still being decided, or waived, is not shown)."""
    found = []
    rows = session.exec(
        select(Recovery, Decision)
        .join(Decision, col(Decision.id) == col(Recovery.decision_id))
        .where(Recovery.application_id == application_id)
        .order_by(col(Recovery.seq))
    ).all()
    for recovery, decision in rows:
        found.append(RecoveryView(recovery, decision, latest_letter(session, application_id, decision.id)))
    return found


@dataclass(frozen=True)
class PaymentView:
    """The grant's payment as the applicant and staff see it."""

    payment: Payment
    # The account the applicant gave after a return, while two staff members check it.
    pending_change: AccountChange | None

    @property
    def needs_account(self) -> bool:
        return self.payment.status == PaymentStatus.REJECTED and self.pending_change is None


def payment_of(session: Session, application_id: int) -> PaymentView | None:
    payment = session.exec(select(Payment).where(Payment.application_id == application_id)).first()
    if payment is None:
        return None
    pending = session.exec(
        select(AccountChange)
        .where(
            AccountChange.payment_id == payment.id,
            col(AccountChange.status).in_([AccountChangeStatus.GIVEN, AccountChangeStatus.CHECKED]),
        )
        .order_by(col(AccountChange.seq).desc())
    ).first()
    return PaymentView(payment=payment, pending_change=pending)
