"""Decision letters: the facts from the record, rendered and archived once per decision and dispatch day."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from activities.errors import MissingLetterFact
from activities.serving.letter_template import Dispatch, LetterFacts, Signatory, address_lines, letter_html
from activities.serving.recovery_letter import RecoveryLetterFacts, recovery_letter_html
from activities.serving.ruling_letter import RulingLetterFacts, ruling_letter_html
from core.clock import helsinki_today
from core.storage import FileStore
from models.appeals.courts import administrative_court
from models.appeals.requests import RectificationRequest, Requester
from models.documents import Document, DocumentKind
from models.grants.applications import Application, AssessmentRecord
from models.grants.decisions import Decision, DecisionKind
from models.grants.programme import Programme
from models.payments.payments import Payment
from models.payments.recovery import Recovery
from models.staff import User
from models.time_limits import Channel, appeal_days_of, deemed_received_on, last_day_of, rectification_last_day

LETTER = DocumentKind.DECISION_LETTER


@dataclass(frozen=True)
class Letter:
    """A decision letter ready to render, of whatever kind of decision, with how it leaves."""

    html: str
    language: str
    dispatch: Dispatch


def dispatch_of(
    channel: Channel, dispatched_on: date | None, programme: Programme, kind: str = DecisionKind.GRANT
) -> Dispatch:
    """The days a letter's time limit counts by: rectification, or for a ruling the court appeal's 30 days."""
    received = None if dispatched_on is None else deemed_received_on(dispatched_on, channel, programme)
    last_day = None if received is None else last_day_of(received, appeal_days_of(kind, programme))
    return Dispatch(channel=channel, dispatched_on=dispatched_on, deemed_received_on=received, last_day=last_day)


@dataclass(frozen=True)
class Recipient:
    """Whom a decision is served to: the applicant, or for a ruling on a member's request that member."""

    name: str
    email: str | None
    email_consent: bool
    address: dict[str, Any] | None
    language: str
    is_applicant: bool  # has the private status link

    @property
    def address_lines(self) -> tuple[str, ...]:
        return address_lines(self.name, self.address, self.language)


def recipient_of(session: Session, decision: Decision) -> Recipient:
    request = ruled_request(session, decision) if decision.kind == DecisionKind.RULING else None
    if request is not None and request.requester == Requester.MEMBER:
        return Recipient(
            name=request.requester_name,
            email=request.requester_email,
            email_consent=request.email_consent and bool(request.requester_email),
            address=request.requester_address,
            language=request.language,
            is_applicant=False,
        )
    application = session.get(Application, decision.application_id)
    if application is None:
        raise ValueError(f"decision {decision.number}: its application is missing")
    applicant = application.form["applicant"]
    return Recipient(
        name=application.applicant_name,
        email=application.email,
        email_consent=bool(applicant.get("email_consent")),
        address=applicant.get("address"),
        language=application.language,
        is_applicant=True,
    )


def ruled_request(session: Session, decision: Decision) -> RectificationRequest | None:
    return session.exec(
        select(RectificationRequest).where(RectificationRequest.ruling_decision_id == decision.id)
    ).first()


def letter_of(
    session: Session, decision: Decision, programme: Programme, channel: Channel, dispatched_on: date | None
) -> Letter:
    """The letter of a grant, recovery or ruling decision, or MissingLetterFact naming what it would lack."""
    if decision.kind == DecisionKind.RULING:
        ruling = ruling_letter_facts(session, decision, programme, channel, dispatched_on)
        return Letter(ruling_letter_html(ruling), ruling.language, ruling.dispatch)
    if decision.kind == DecisionKind.RECOVERY:
        recovery = recovery_letter_facts(session, decision, programme, channel, dispatched_on)
        return Letter(recovery_letter_html(recovery), recovery.language, recovery.dispatch)
    facts = letter_facts(session, decision, programme, channel, dispatched_on)
    dispatch = Dispatch(facts.channel, facts.dispatched_on, facts.deemed_received_on, facts.last_day)
    return Letter(letter_html(facts), facts.language, dispatch)


def recovery_letter_facts(
    session: Session, decision: Decision, programme: Programme, channel: Channel, dispatched_on: date | None
) -> RecoveryLetterFacts:
    application = session.get(Application, decision.application_id)
    recovery = session.exec(select(Recovery).where(Recovery.decision_id == decision.id)).first()
    payment = session.get(Payment, recovery.payment_id) if recovery else None
    grant = session.get(Decision, payment.decision_id) if payment else None
    if application is None or recovery is None or payment is None or grant is None or payment.paid_on is None:
        raise MissingLetterFact(f"recovery decision {decision.number}: its recovery case or paid grant is missing")
    if recovery.due_on is None or recovery.creditor_reference is None:
        raise MissingLetterFact(f"recovery decision {decision.number}: no due date or reference")
    return RecoveryLetterFacts(
        language=application.language,
        programme=programme,
        number=decision.number,
        decided_at=decision.decided_at,
        decider=_signatory(session, decision.decider_id),
        presenter=_signatory(session, decision.presenter_id),
        reference=application.reference or "",
        applicant_name=application.applicant_name,
        business_name=application.business_name,
        business_id=application.business_id,
        grant_number=grant.number,
        paid_amount=payment.amount,
        paid_on=payment.paid_on,
        amount=decision.amount,
        reason=recovery.reason,
        justification=decision.justification,
        due_on=recovery.due_on,
        creditor_reference=recovery.creditor_reference,
        dispatch=dispatch_of(channel, dispatched_on, programme),
        hearing_due_on=recovery.hearing_due_on,
        explained_on=helsinki_today(recovery.explained_at) if recovery.explained_at else None,
        address_lines=address_lines(
            application.applicant_name, application.form["applicant"].get("address"), application.language
        ),
    )


def ruling_letter_facts(
    session: Session, decision: Decision, programme: Programme, channel: Channel, dispatched_on: date | None
) -> RulingLetterFacts:
    application = session.get(Application, decision.application_id)
    request = ruled_request(session, decision)
    original = session.get(Decision, request.decision_id) if request else None
    if application is None or request is None or original is None:
        raise MissingLetterFact(f"ruling {decision.number}: its request or the decision it rules on is missing")
    recipient = recipient_of(session, decision)
    details = decision.details
    new_outcome = details.get("new_outcome")
    return RulingLetterFacts(
        language=recipient.language,
        programme=programme,
        number=decision.number,
        decided_at=decision.decided_at,
        presenter=_signatory(session, decision.presenter_id),
        body=str(details.get("body", "")),
        meeting_ref=str(details.get("meeting_ref", "")),
        met_on=date.fromisoformat(str(details.get("met_on") or helsinki_today(decision.decided_at).isoformat())),
        reference=application.reference or "",
        applicant_name=application.applicant_name,
        business_name=application.business_name,
        business_id=application.business_id,
        requester_name=request.requester_name,
        by_member=request.requester == Requester.MEMBER,
        received_on=request.received_on,
        late=request.late,
        demand=request.demand,
        original_number=original.number,
        original_outcome=original.outcome,
        ruling=decision.outcome,
        justification=decision.justification,
        court=administrative_court(str(details.get("court", "helsinki"))),
        dispatch=dispatch_of(channel, dispatched_on, programme, DecisionKind.RULING),
        new_outcome=new_outcome,
        amount=decision.amount,
        reasons=tuple(decision.reasons),
        checks=_assessment_checks(session, decision.application_id) if new_outcome == "reject" else None,
        iban=str(application.form["payment"]["iban"]) if new_outcome == "approve" else "",
        address_lines=recipient.address_lines,
    )


def _assessment_checks(session: Session, application_id: int) -> dict[str, dict[str, str]]:
    """Each rule's figures from the latest assessment, for the reasons a letter states."""
    assessment = session.exec(
        select(AssessmentRecord)
        .where(AssessmentRecord.application_id == application_id)
        .order_by(col(AssessmentRecord.round).desc())
    ).first()
    return {c["code"]: c.get("detail", {}) for c in (assessment.result["checks"] if assessment else [])}


def letter_facts(
    session: Session, decision: Decision, programme: Programme, channel: Channel, dispatched_on: date | None
) -> LetterFacts:
    """What the letter states; `dispatched_on` None for a printed letter whose posting day is not yet known."""
    application = session.get(Application, decision.application_id)
    assert application is not None
    checks = _assessment_checks(session, decision.application_id)
    received = None if dispatched_on is None else deemed_received_on(dispatched_on, channel, programme)
    return LetterFacts(
        language=application.language,
        programme=programme,
        number=decision.number,
        outcome=decision.outcome,
        amount=decision.amount,
        decided_at=decision.decided_at,
        justification=decision.justification,
        reasons=list(decision.reasons),
        checks=checks,
        presenter=_signatory(session, decision.presenter_id),
        decider=_signatory(session, decision.decider_id),
        reference=application.reference or "",
        applicant_name=application.applicant_name,
        business_name=application.business_name,
        business_id=application.business_id,
        iban=str(application.form["payment"]["iban"]),
        channel=channel,
        dispatched_on=dispatched_on,
        deemed_received_on=received,
        last_day=None if received is None else rectification_last_day(received, programme),
        address_lines=address_lines(
            application.applicant_name, application.form["applicant"].get("address"), application.language
        ),
    )


def stored_letter(session: Session, decision_id: int, dispatched_on: date) -> Document | None:
    return session.exec(
        select(Document).where(
            Document.decision_id == decision_id, Document.kind == LETTER, Document.version == dispatched_on.isoformat()
        )
    ).first()


def archive(
    session: Session,
    store: FileStore,
    *,
    pdf: bytes,
    kind: str,
    version: str,
    language: str,
    programme_code: str,
    decision: Decision | None = None,
) -> Document:
    document = Document(
        kind=kind,
        version=version,
        programme_code=programme_code,
        application_id=decision.application_id if decision else None,
        decision_id=decision.id if decision else None,
        language=language,
        content_type="application/pdf",
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        storage_key=store.put(pdf),
    )
    session.add(document)
    session.flush()
    return document


def record_service(session: Session, decision: Decision, dispatch: Dispatch, sent_at: datetime) -> None:
    """The decision row says when and how it was served, and so when the rectification period ends."""
    if dispatch.dispatched_on is None:
        raise ValueError(f"decision {decision.number}: an undated letter serves nothing")
    decision.channel = dispatch.channel
    decision.sent_at = sent_at
    decision.dispatched_on = dispatch.dispatched_on
    decision.letter_held = None
    decision.deemed_received_on = dispatch.deemed_received_on
    decision.rectification_last_day = dispatch.last_day
    session.add(decision)


def _signatory(session: Session, user_id: int) -> Signatory:
    user = session.get(User, user_id)
    if user is None:
        raise MissingLetterFact(f"staff user {user_id} named in the decision does not exist")
    return Signatory(name=user.full_name, titles=dict(user.titles))
