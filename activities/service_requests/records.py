"""The service request's record, written only here: each activity checks whether its change is in the database
already (keyed by the workflow's numbers), so a retried activity changes nothing twice."""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select
from temporalio import activity

from activities.errors import ServiceRequestNotFound, UnknownOrganisation
from core.db import Database
from models.actors import Actor
from models.audit import AuditEvent, audit_subject
from models.service_requests.payloads import (
    AcceptRecord,
    Begun,
    CloseRecord,
    FeedbackRecord,
    MeetingRecord,
    MessageRecord,
    ReferRecord,
    ReopenRecord,
    RequestRef,
    Routed,
    RouteInput,
    ServiceTaskInput,
)
from models.service_requests.requests import (
    Feedback,
    Meeting,
    MessageDirection,
    RequestStatus,
    RouteVia,
    ServiceMessage,
    ServiceRequest,
    ServiceRoute,
)
from models.service_requests.routing import Need, RoutingRule, route_for
from models.service_requests.sla import ResponseTerms, plan_first_response
from models.staff import Organisation
from models.subjects import SubjectType
from models.tasks import Task, TaskStatus
from models.types import utcnow


def load_request(session: Session, request_id: int) -> ServiceRequest:
    request = session.get(ServiceRequest, request_id)
    if request is None:
        raise ServiceRequestNotFound(request_id)
    return request


def _audit(
    session: Session, request_id: int | None, action: str, *, key: str, actor: Actor | None = None, **detail: Any
) -> None:
    """An event about the request, keyed so that a retried activity writes it once; `actor` did it (None: the
    customer or the system)."""
    audit_subject(
        session,
        action=action,
        subject_type=SubjectType.SERVICE_REQUEST,
        subject_id=request_id or 0,
        actor_id=actor.user_id if actor else None,
        organisation_code=actor.organisation_code if actor else None,
        key=key,
        **detail,
    )


class ServiceRequestActivities:
    def __init__(
        self,
        db: Database,
        *,
        terms: ResponseTerms,
        network_organisation: str,
        confirm_days: int,
        feedback_days: int,
    ) -> None:
        self._db, self._terms, self._network = db, terms, network_organisation
        self._confirm_days, self._feedback_days = confirm_days, feedback_days

    @activity.defn(name="service_begin")
    def begin(self, ref: RequestRef) -> Begun:
        with self._db.session() as session:
            request = load_request(session, ref.request_id)
            return Begun(
                confirmed=request.confirmed_at is not None,
                share_consent=request.share_consent,
                confirm_days=self._confirm_days,
                feedback_days=self._feedback_days,
            )

    @activity.defn(name="service_record_confirmation")
    def record_confirmation(self, ref: RequestRef) -> None:
        with self._db.session() as session:
            request = load_request(session, ref.request_id)
            if request.confirmed_at is None:
                request.confirmed_at = utcnow()
                session.add(request)
                _audit(session, request.id, "service_request_confirmed", key=f"service_request_confirmed:{request.id}")
                session.commit()

    @activity.defn(name="service_expire")
    def expire(self, ref: RequestRef) -> None:
        with self._db.session() as session:
            request = load_request(session, ref.request_id)
            if request.status == RequestStatus.UNCONFIRMED:
                request.status = RequestStatus.EXPIRED
                session.add(request)
                _audit(session, request.id, "service_request_expired", key=f"service_request_expired:{request.id}")
                session.commit()

    @activity.defn(name="service_route")
    def route(self, request_in: RouteInput) -> Routed:
        """The first organisation: the routing rules' (or the front desk's); routed once, whatever the retries."""
        with self._db.session() as session:
            request = load_request(session, request_in.request_id)
            first = self._route_at(session, request.id or 0, 1)
            if first is None:
                rules = session.exec(select(RoutingRule)).all()
                organisation = route_for(rules, Need(request.package, request.stage, request.customer_group))
                first = ServiceRoute(
                    request_id=request.id or 0,
                    position=1,
                    organisation_code=organisation or self._network,
                    via=RouteVia.ROUTING if organisation else RouteVia.TRIAGE,
                    at=request_in.routed_at,
                )
                self._move_to(session, request, first)
                _audit(
                    session,
                    request.id,
                    "service_request_routed",
                    key=f"service_request_routed:{request.id}",
                    to=first.organisation_code,
                    via=first.via,
                )
                session.commit()
            return self._routed(first)

    @activity.defn(name="service_refer")
    def refer(self, record: ReferRecord) -> Routed:
        with self._db.session() as session:
            request = load_request(session, record.request_id)
            route = self._route_at(session, record.request_id, record.position)
            if route is None:
                if session.get(Organisation, record.organisation_code) is None:
                    raise UnknownOrganisation(record.organisation_code)
                previous = self._route_at(session, record.request_id, record.position - 1)
                front_desk = previous is not None and previous.via == RouteVia.TRIAGE
                route = ServiceRoute(
                    request_id=record.request_id,
                    position=record.position,
                    organisation_code=record.organisation_code,
                    via=RouteVia.ROUTING if front_desk else RouteVia.REFERRAL,
                    reason=record.reason,
                    referred_by=record.actor.user_id,
                    at=record.at,
                )
                self._move_to(session, request, route)
                _audit(
                    session,
                    record.request_id,
                    "service_request_referred",
                    key=f"service_request_referred:{record.request_id}:{record.position}",
                    actor=record.actor,
                    to=record.organisation_code,
                    via=route.via,
                )
                session.commit()
            return self._routed(route)

    def _move_to(self, session: Session, request: ServiceRequest, route: ServiceRoute) -> None:
        plan = plan_first_response(route.at, self._terms)
        request.organisation_code = route.organisation_code
        request.status = RequestStatus.NEW
        request.assignee_id = None
        request.first_response_due_at = plan.due_at
        request.first_response_at = None
        request.escalation = None
        session.add(route)
        session.add(request)

    def _route_at(self, session: Session, request_id: int, position: int) -> ServiceRoute | None:
        return session.exec(
            select(ServiceRoute).where(ServiceRoute.request_id == request_id, ServiceRoute.position == position)
        ).first()

    def _routed(self, route: ServiceRoute) -> Routed:
        plan = plan_first_response(route.at, self._terms)
        return Routed(
            position=route.position,
            organisation_code=route.organisation_code,
            triage=route.via == RouteVia.TRIAGE,
            due_on=plan.due_on,
            due_at=plan.due_at,
            remind_at=plan.remind_at,
            escalate_at=plan.escalate_at,
            network_at=plan.network_at,
        )

    @activity.defn(name="service_open_task")
    def open_task(self, request_in: ServiceTaskInput) -> None:
        with self._db.session() as session:
            if session.exec(select(Task).where(Task.key == request_in.key)).first() is not None:
                return
            request = load_request(session, request_in.request_id)
            session.add(
                Task(
                    key=request_in.key,
                    workflow_id=request.workflow_id,
                    subject_type=SubjectType.SERVICE_REQUEST,
                    subject_id=request_in.request_id,
                    organisation_code=request_in.organisation_code,
                    kind=request_in.kind,
                    role=request_in.role,
                    status=TaskStatus.CLAIMED if request_in.assignee_id else TaskStatus.OPEN,
                    assignee_id=request_in.assignee_id,
                    claimed_at=utcnow() if request_in.assignee_id else None,
                    arrived_at=request.received_at,
                    due_on=request_in.due_on,
                    note=request_in.note,
                )
            )
            session.commit()

    @activity.defn(name="service_accept")
    def accept(self, record: AcceptRecord) -> None:
        with self._db.session() as session:
            request = load_request(session, record.request_id)
            session.execute(
                update(Task)
                .where(col(Task.key) == record.task_key, col(Task.status) == TaskStatus.OPEN)
                .values(status=TaskStatus.CLAIMED, assignee_id=record.actor.user_id, claimed_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if request.assignee_id != record.actor.user_id:
                request.assignee_id = record.actor.user_id
                request.status = RequestStatus.ACCEPTED
                session.add(request)
                _audit(
                    session,
                    record.request_id,
                    "service_request_accepted",
                    key=f"service_request_accepted:{record.task_key}",
                    actor=record.actor,
                )
            session.commit()

    @activity.defn(name="service_record_message")
    def record_message(self, record: MessageRecord) -> None:
        """A reply to the customer (first response given, waiting for them) or the customer's own message."""
        with self._db.session() as session:
            if session.exec(select(ServiceMessage).where(ServiceMessage.key == record.key)).first() is not None:
                return
            request = load_request(session, record.request_id)
            actor = record.actor
            session.add(
                ServiceMessage(
                    key=record.key,
                    request_id=record.request_id,
                    direction=MessageDirection.TO_CUSTOMER if actor else MessageDirection.FROM_CUSTOMER,
                    author_id=actor.user_id if actor else None,
                    organisation_code=actor.organisation_code if actor else None,
                    body=record.body,
                )
            )
            if actor is not None:
                self._responded(request, RequestStatus.ANSWERED)
                session.add(request)
            _audit(
                session,
                record.request_id,
                "service_reply_sent" if actor else "service_customer_wrote",
                key=f"message:{record.key}",
                actor=actor,
            )
            session.commit()

    @activity.defn(name="service_record_meeting")
    def record_meeting(self, record: MeetingRecord) -> None:
        with self._db.session() as session:
            if session.exec(select(Meeting).where(Meeting.key == record.key)).first() is not None:
                return
            request = load_request(session, record.request_id)
            meeting, actor = record.meeting, record.meeting.actor
            session.add(
                Meeting(
                    key=record.key,
                    request_id=record.request_id,
                    organisation_code=actor.organisation_code,
                    booked_by=actor.user_id,
                    starts_at=meeting.starts_at,
                    minutes=meeting.minutes,
                    place=(meeting.place or "").strip() or None,
                    video_url=(meeting.video_url or "").strip() or None,
                    note=(meeting.note or "").strip() or None,
                )
            )
            self._responded(request, RequestStatus.ANSWERED)
            session.add(request)
            _audit(
                session,
                record.request_id,
                "service_meeting_booked",
                key=f"meeting:{record.key}",
                actor=actor,
                starts_at=meeting.starts_at.isoformat(),
            )
            session.commit()

    @activity.defn(name="service_close")
    def close(self, record: CloseRecord) -> None:
        with self._db.session() as session:
            request = load_request(session, record.request_id)
            key = f"service_request_closed:{record.request_id}:{record.number}"
            if session.exec(select(AuditEvent.id).where(AuditEvent.key == key)).first() is not None:
                return
            actor = record.closing.actor
            self._responded(request, RequestStatus.CLOSED)
            request.outcome = record.closing.outcome
            request.closed_at = utcnow()
            session.add(request)
            _audit(
                session,
                record.request_id,
                "service_request_closed",
                key=key,
                actor=actor,
                outcome=record.closing.outcome,
                note=record.closing.note,
            )
            session.commit()

    @activity.defn(name="service_reopen")
    def reopen(self, record: ReopenRecord) -> None:
        """The customer wrote: a closed request opens again with the person who had it; an answered one is theirs
        to act on again."""
        with self._db.session() as session:
            request = load_request(session, record.request_id)
            if request.status in (RequestStatus.CLOSED, RequestStatus.ANSWERED):
                request.status = RequestStatus.ACCEPTED if record.assignee_id else RequestStatus.NEW
                request.assignee_id = record.assignee_id
                request.outcome, request.closed_at = None, None
                session.add(request)
                session.commit()

    @activity.defn(name="service_record_feedback")
    def record_feedback(self, record: FeedbackRecord) -> None:
        with self._db.session() as session:
            if session.get(Feedback, record.request_id) is not None:
                return
            request = load_request(session, record.request_id)
            comment = (record.feedback.comment or "").strip() or None
            session.add(
                Feedback(
                    request_id=record.request_id,
                    rating=record.feedback.rating,
                    comment=comment,
                    organisation_code=request.organisation_code,
                )
            )
            _audit(
                session,
                request.id,
                "service_feedback_given",
                key=f"service_feedback_given:{request.id}",
                rating=record.feedback.rating,
            )
            session.commit()

    @staticmethod
    def _responded(request: ServiceRequest, status: RequestStatus) -> None:
        request.status = status
        if request.first_response_at is None:
            request.first_response_at = utcnow()
