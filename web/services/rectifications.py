"""Rectification requests on the pages: the applicant's from the status page, and those staff register when one
comes by post, e-mail or in person (a member of the municipality's too). The request, its attachments and the
promise to start its workflow are written in one transaction; a late one is recorded and marked, never refused.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from core.clock import helsinki_today
from core.emails import render_email
from core.i18n import LANGUAGES, N_
from core.storage import FileStore
from models.appeals.payloads import RuleInput
from models.appeals.requests import ArrivedBy, RectificationRequest, Requester, RequestStage, is_late
from models.audit import audit
from models.documents import Document
from models.grants.application_form import PostalAddress
from models.grants.applications import Application, TimelineEvent, add_timeline_event, grant_workflow_id
from models.grants.decisions import Decision, DecisionKind
from models.grants.info_requests import Attachment
from models.grants.programme import Programme
from models.grants.status_links import status_link
from models.outbox import START_RECTIFICATION, OutboxMessage
from models.staff import User
from models.subjects import SubjectType
from models.tasks import ACTIVE_STATUSES, Task, TaskKind
from models.time_limits import members_last_day
from models.types import utcnow
from web.services.applications import latest_letter
from web.services.auth import StaffUser
from web.services.outgoing_mail import queue_email
from web.services.processing import actor_of, send_update
from web.services.uploads import Upload, add_attachments, checked_uploads
from workflows.appeals.rectification import RectificationWorkflow

CONTESTABLE = (DecisionKind.GRANT, DecisionKind.RECOVERY)  # a ruling is appealed to the court instead
MAX_DEMAND = 8000
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # what a person can be written to; the mail server says the rest


@dataclass(frozen=True)
class RequestRefused(Exception):
    """The request cannot be recorded as given: which field, and why (a msgid)."""

    field: str
    reason: str


@dataclass(frozen=True)
class StatusLinks:
    """How an acknowledgement links the applicant to their application's page."""

    base_url: str
    secret: str


@dataclass(frozen=True)
class Requesting:
    """Who asks and how they are reached: the applicant's own details, or a member's as staff wrote them."""

    requester: Requester
    name: str
    language: str
    email: str | None = None
    email_consent: bool = False
    address: dict[str, str] | None = None


@dataclass(frozen=True)
class RequestView:
    request: RectificationRequest
    decision: Decision  # the decision asked to be rectified
    ruling: Decision | None
    attachments: list[Attachment] = field(default_factory=list)
    letter: Document | None = None  # the ruling's letter as sent

    @property
    def by_party(self) -> bool:
        return self.request.requester == Requester.PARTY


def contestable(session: Session, application_id: int) -> list[Decision]:
    """The decisions on the application a request may be made against: a grant or recovery decision that is
    served or at least published, and not replaced by a ruling; newest first."""
    decisions = session.exec(
        select(Decision)
        .where(
            Decision.application_id == application_id,
            col(Decision.kind).in_(CONTESTABLE),
            col(Decision.superseded_by_id).is_(None),
            col(Decision.published_on).is_not(None),
        )
        .order_by(col(Decision.id).desc())
    ).all()
    return list(decisions)


def last_day_for(decision: Decision, requester: Requester, programme: Programme) -> date | None:
    """The requester's last day: the party's counts from service (none before it), a member's from publication."""
    if requester == Requester.MEMBER:
        return members_last_day(decision.published_on, programme) if decision.published_on else None
    return decision.rectification_last_day


def applicant_requesting(application: Application) -> Requesting:
    applicant = application.form["applicant"]
    return Requesting(
        requester=Requester.PARTY,
        name=application.applicant_name,
        language=application.language,
        email=application.email,
        email_consent=bool(applicant.get("email_consent")),
        address=applicant.get("address"),
    )


def member_requesting(typed: dict[str, str]) -> Requesting:
    """A member of the municipality as staff typed them: a name and a postal address the ruling can be posted
    to (a Finnish postcode has five digits), an e-mail address only if the ruling may be sent there."""
    if not typed.get("name"):
        raise RequestRefused("name", N_("Write the name of the member who made the request."))
    try:
        address = PostalAddress(
            street=typed.get("street", ""),
            postcode=typed.get("postcode", ""),
            post_office=typed.get("post_office", ""),
            country=typed.get("country") or "FI",
        )
    except ValidationError as invalid:
        field = "postcode" if "postcode" in str(invalid) else "street"
        reason = (
            N_("Write the postcode as it is written in the member's country (in Finland, five digits).")
            if field == "postcode"
            else N_("Write the member's postal address: the ruling is posted to them.")
        )
        raise RequestRefused(field, reason) from None
    email = typed.get("email") or None
    if email is not None and not EMAIL.fullmatch(email):
        raise RequestRefused("email", N_("Write the member's e-mail address as name@example.fi, or leave it empty."))
    return Requesting(
        requester=Requester.MEMBER,
        name=typed["name"],
        language=language if (language := typed.get("language", "")) in LANGUAGES else "fi",
        email=email,
        email_consent=email is not None and typed.get("email_consent") == "yes",
        address=address.model_dump(),
    )


def record_request(
    session: Session,
    store: FileStore,
    *,
    application: Application,
    programme: Programme,
    decision_number: str,
    requesting: Requesting,
    demand: str,
    key: str,
    arrived_by: ArrivedBy,
    received_on: date,
    uploads: list[Upload],
    max_bytes: int,
    max_files: int,
    acknowledgement: StatusLinks,
    registered_by: StaffUser | None = None,
    now: datetime | None = None,
) -> RectificationRequest:
    """Records the request once per key (a second submit of the same form finds the first)."""
    existing = session.exec(select(RectificationRequest).where(RectificationRequest.key == key)).first()
    if existing is not None:
        return existing
    decision = next((d for d in contestable(session, application.id or 0) if d.number == decision_number), None)
    if decision is None:
        raise RequestRefused("decision", N_("Choose the decision the request is about."))
    text = demand.strip()
    if not text:
        raise RequestRefused("demand", N_("Write what should change in the decision, and why."))
    if len(text) > MAX_DEMAND:
        raise RequestRefused(
            "demand", N_("The request can be at most 8,000 characters; attach a longer text as a file.")
        )
    today = helsinki_today(now)
    if received_on > today or received_on < helsinki_today(decision.decided_at):
        raise RequestRefused("received_on", N_("The day it arrived is between the decision's day and today."))
    checked = checked_uploads(uploads, max_bytes=max_bytes, max_files=max_files)
    seq = 1 + int(
        session.exec(
            select(func.count())
            .select_from(RectificationRequest)
            .where(RectificationRequest.application_id == application.id)
        ).one()
    )
    workflow_id = f"{grant_workflow_id(application.id or 0)}/rectification-{seq}"
    last_day = last_day_for(decision, requesting.requester, programme)
    request = RectificationRequest(
        application_id=application.id or 0,
        decision_id=decision.id or 0,
        programme_code=application.programme_code,
        seq=seq,
        key=key,
        requester=requesting.requester,
        requester_name=requesting.name.strip()[:200],
        requester_email=requesting.email,
        email_consent=requesting.email_consent,
        requester_address=requesting.address,
        language=requesting.language,
        arrived_by=arrived_by,
        received_on=received_on,
        received_at=now or utcnow(),
        demand=text,
        last_day=last_day,
        late=is_late(received_on, last_day),
        registered_by=registered_by.id if registered_by else None,
        workflow_id=workflow_id,
    )
    session.add(request)
    session.flush()
    if not request.late and decision.final_on is not None:
        _withdraw_finality(session, decision, request, registered_by)
    add_attachments(
        session, store, checked, application_id=application.id or 0, rectification_request_id=request.id or 0
    )
    payload = {"request_id": request.id, "application_id": application.id}
    session.add(OutboxMessage(topic=START_RECTIFICATION, key=workflow_id, payload=payload))
    add_timeline_event(session, application.id or 0, f"rectification:{seq}", "rectification_requested")
    if requesting.email:
        _acknowledge(session, request, decision, programme, application, acknowledgement)
    audit(
        session,
        action="rectification_requested",
        application_id=application.id,
        actor_id=registered_by.id if registered_by else None,
        organisation_code=registered_by.organisation_code if registered_by else None,
        key=f"rectification_requested:{request.id}",
        decision=decision.number,
        requester=str(requesting.requester),
        arrived_by=str(arrived_by),
        late=request.late,
    )
    session.commit()
    return request


def _acknowledge(
    session: Session,
    request: RectificationRequest,
    decision: Decision,
    programme: Programme,
    application: Application,
    links: StatusLinks,
) -> None:
    """The requester is told it arrived (and whether in time), in their language; the party gets the link to
    the application's page, a member only the reference."""
    by_party = request.requester == Requester.PARTY
    subject, body = render_email(
        "rectification_received",
        request.language,
        name=request.requester_name,
        reference=application.reference,
        number=decision.number,
        received_on=request.received_on,
        late=request.late,
        last_day=request.last_day,
        authority=programme.rectification.authority_in(request.language),
        status_url=status_link(links.base_url, application.id or 0, links.secret, request.language)
        if by_party
        else None,
    )
    queue_email(
        session,
        key=f"rectification_received:{request.id}",
        to=request.requester_email or "",
        subject=subject,
        body=body,
        subject_type=SubjectType.GRANT_APPLICATION,
        subject_id=application.id or 0,
        application_id=application.id,
    )


def _withdraw_finality(
    session: Session, decision: Decision, request: RectificationRequest, registered_by: StaffUser | None
) -> None:
    """A request that arrived in time but was registered after the windows closed (a letter entered late):
    the decision was never final, so the record of it goes; the ruling decides when it is."""
    final_on, decision.final_on = decision.final_on, None
    session.add(decision)
    event = session.exec(
        select(TimelineEvent).where(
            TimelineEvent.application_id == decision.application_id, TimelineEvent.key == f"final:{decision.number}"
        )
    ).first()
    if event is not None:
        session.delete(event)
    audit(
        session,
        action="finality_withdrawn",
        application_id=decision.application_id,
        actor_id=registered_by.id if registered_by else None,
        organisation_code=registered_by.organisation_code if registered_by else None,
        key=f"finality_withdrawn:{decision.id}:{request.id}",
        number=decision.number,
        was_final_on=final_on.isoformat() if final_on else None,
        received_on=request.received_on.isoformat(),
    )


def requests_of(session: Session, application_id: int) -> list[RequestView]:
    requests = session.exec(
        select(RectificationRequest)
        .where(RectificationRequest.application_id == application_id)
        .order_by(col(RectificationRequest.seq))
    ).all()
    views = []
    for request in requests:
        decision = session.get(Decision, request.decision_id)
        assert decision is not None
        ruling = session.get(Decision, request.ruling_decision_id) if request.ruling_decision_id else None
        attachments = session.exec(
            select(Attachment).where(Attachment.rectification_request_id == request.id).order_by(col(Attachment.id))
        ).all()
        letter = latest_letter(session, application_id, ruling.id) if ruling and ruling.sent_at else None
        views.append(
            RequestView(request=request, decision=decision, ruling=ruling, attachments=list(attachments), letter=letter)
        )
    return views


def contested_in_time(views: list[RequestView]) -> set[int]:
    """The ids of the decisions a request in time was made against: their finality waits for the ruling."""
    return {v.decision.id or 0 for v in views if not v.request.late}


@dataclass(frozen=True)
class LegalQueueRow:
    request: RectificationRequest
    application: Application
    task: Task | None
    assignee: User | None

    def age_in_days(self, today: date) -> int:
        return (today - self.request.received_on).days


def legal_queue(session: Session, programme_codes: list[str]) -> list[LegalQueueRow]:
    """Requests not yet ruled on, oldest first, with their legal task and who holds it."""
    if not programme_codes:
        return []
    rows = session.exec(
        select(RectificationRequest, Application)
        .join(Application, col(Application.id) == col(RectificationRequest.application_id))
        .where(
            col(RectificationRequest.programme_code).in_(programme_codes),
            RectificationRequest.stage == RequestStage.RECEIVED,
        )
        .order_by(col(RectificationRequest.received_at), col(RectificationRequest.id))
    ).all()
    result = []
    for request, application in rows:
        task = session.exec(
            select(Task).where(
                Task.workflow_id == request.workflow_id,
                Task.kind == TaskKind.RECTIFICATION,
                col(Task.status).in_(ACTIVE_STATUSES),
            )
        ).first()
        assignee = session.get(User, task.assignee_id) if task and task.assignee_id else None
        result.append(LegalQueueRow(request=request, application=application, task=task, assignee=assignee))
    return result


def request_of_task(session: Session, task: Task) -> RectificationRequest | None:
    return session.exec(
        select(RectificationRequest).where(RectificationRequest.workflow_id == task.workflow_id)
    ).first()


async def rule(gateway: Any, *, task: Task, user: StaffUser, values: dict[str, Any]) -> str:
    """The body's ruling, recorded by the legal officer who holds the task; the workflow checks the rest."""
    request = RuleInput(task_key=task.key, actor=actor_of(user), **values)
    return str(await send_update(gateway, task.workflow_id, RectificationWorkflow.rule, request))
