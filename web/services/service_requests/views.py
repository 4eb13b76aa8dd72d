"""What the pages show of service requests: the organisation's queue and list, and one request whole.

Every query takes its rows through the caller's `Scope` (web/scope.py); the customer's status page reads one
request by its signed token.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.service_requests.requests import (
    Feedback,
    Meeting,
    ServiceMessage,
    ServiceRequest,
    ServiceRoute,
)
from models.staff import Organisation, User
from models.tasks import ACTIVE_STATUSES, Task, TaskKind
from web.scope import Scope

SERVICE_KINDS = (TaskKind.SERVICE, TaskKind.TRIAGE)


@dataclass(frozen=True)
class QueueRow:
    task: Task
    request: ServiceRequest
    assignee: User | None


def organisation_queue(session: Session, scope: Scope) -> list[QueueRow]:
    """The active service tasks of the user's organisation in the roles the user has, oldest first."""
    if not scope.serves_requests:
        return []
    rows = session.exec(
        select(Task, ServiceRequest, User)
        .join(ServiceRequest, col(ServiceRequest.id) == col(Task.subject_id))
        .join(User, col(User.id) == col(Task.assignee_id), isouter=True)
        .where(
            col(Task.kind).in_(SERVICE_KINDS),
            Task.organisation_code == scope.user.organisation_code,
            col(Task.role).in_(sorted(scope.user.roles)),
            col(Task.status).in_(ACTIVE_STATUSES),
            scope.service_requests(),
        )
        .order_by(col(Task.arrived_at), col(Task.id))
    ).all()
    return [QueueRow(task=t, request=r, assignee=u) for t, r, u in rows]


def organisation_requests(session: Session, scope: Scope, *, status: str | None = None) -> list[ServiceRequest]:
    """Every request that is or was with the user's organisation, newest first."""
    query = select(ServiceRequest).where(scope.service_requests())
    if status:
        query = query.where(ServiceRequest.status == status)
    return list(session.exec(query.order_by(col(ServiceRequest.received_at).desc()).limit(500)).all())


@dataclass(frozen=True)
class ChainLink:
    route: ServiceRoute
    organisation: str
    referred_by: str | None


@dataclass(frozen=True)
class Entry:
    """One message of the conversation, with who wrote it."""

    message: ServiceMessage
    author: str | None
    organisation: str | None


@dataclass(frozen=True)
class RequestView:
    request: ServiceRequest
    chain: list[ChainLink]
    conversation: list[Entry]
    meetings: list[Meeting]
    feedback: Feedback | None
    task: Task | None
    organisation: str | None  # the one it is with now


def request_view(session: Session, request: ServiceRequest) -> RequestView:
    request_id = request.id or 0
    names = {o.code: o.name for o in session.exec(select(Organisation)).all()}
    people = _people(session, request_id)
    routes = session.exec(
        select(ServiceRoute).where(ServiceRoute.request_id == request_id).order_by(col(ServiceRoute.position))
    ).all()
    messages = session.exec(
        select(ServiceMessage).where(ServiceMessage.request_id == request_id).order_by(col(ServiceMessage.at))
    ).all()
    task = session.exec(
        select(Task).where(
            Task.subject_type == "service_request",
            Task.subject_id == request_id,
            col(Task.status).in_(ACTIVE_STATUSES),
        )
    ).first()
    return RequestView(
        request=request,
        chain=[
            ChainLink(r, names.get(r.organisation_code, r.organisation_code), people.get(r.referred_by or 0))
            for r in routes
        ],
        conversation=[Entry(m, people.get(m.author_id or 0), names.get(m.organisation_code or "")) for m in messages],
        meetings=list(
            session.exec(select(Meeting).where(Meeting.request_id == request_id).order_by(col(Meeting.starts_at))).all()
        ),
        feedback=session.get(Feedback, request_id),
        task=task,
        organisation=names.get(request.organisation_code or ""),
    )


def _people(session: Session, request_id: int) -> dict[int, str]:
    """Names of the staff who wrote, referred or hold the request."""
    ids = {
        *session.exec(select(ServiceMessage.author_id).where(ServiceMessage.request_id == request_id)).all(),
        *session.exec(select(ServiceRoute.referred_by).where(ServiceRoute.request_id == request_id)).all(),
    }
    found = session.exec(select(User).where(col(User.id).in_([i for i in ids if i]))).all()
    return {u.id or 0: u.full_name for u in found}


def network_organisations(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(col(Organisation.name))).all())


@dataclass(frozen=True)
class OverdueRow:
    """What the network's coordinators see of another organisation's overdue request: no personal data."""

    reference: str
    organisation: str
    package: str
    received_at: datetime
    due_at: datetime | None
    escalation: str | None


def network_overdue(session: Session) -> list[OverdueRow]:
    """Requests of every organisation whose first response is overdue (escalated past the reminder), oldest
    first: for steering the network, so without the customer's name, contact details or words."""
    names = {o.code: o.name for o in session.exec(select(Organisation)).all()}
    found = session.exec(
        select(ServiceRequest)
        .where(
            col(ServiceRequest.escalation).in_(["organisation", "network"]),
            col(ServiceRequest.first_response_at).is_(None),
            col(ServiceRequest.status).in_(["new", "accepted"]),
        )
        .order_by(col(ServiceRequest.first_response_due_at))
    ).all()
    return [
        OverdueRow(
            reference=r.reference or "",
            organisation=names.get(r.organisation_code or "", r.organisation_code or ""),
            package=r.package,
            received_at=r.received_at,
            due_at=r.first_response_due_at,
            escalation=r.escalation,
        )
        for r in found
    ]
