"""What the service request workflow sends: to the customer (confirmation, receipt, replies, meeting invitations,
referrals, the feedback link) and to staff (the first-response reminder and escalations). Each message once per
key, whatever the retries (activities/notifications/applicant_mail.py)."""

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from babel.dates import format_date, format_time
from icalendar import Calendar, Event, vCalAddress
from sqlmodel import Session, col, select
from temporalio import activity

from activities.notifications.applicant_mail import Composed, KeyedMail
from activities.service_requests.records import load_request
from core.db import Database
from core.emails import render_email
from core.i18n import babel_locale, formatting_gettext
from core.mail import Attachment, Mailer
from models.audit import audit_subject
from models.grants.programme import HELSINKI
from models.service_requests.catalogue import PACKAGE_NAMES, ServicePackage
from models.service_requests.links import confirmation_link, request_status_link
from models.service_requests.payloads import AlertInput, CustomerWrote, KeyRef, PositionRef, RequestRef
from models.service_requests.requests import Meeting, RouteVia, ServiceMessage, ServiceRequest, ServiceRoute
from models.service_requests.sla import AlertStep, ResponseTerms
from models.staff import Organisation, Role, User, UserRole
from models.subjects import SubjectType

# (session, request) → (subject, text, attachments), in the customer's language.
CustomerCompose = Callable[[Session, ServiceRequest], tuple[str, str, list[Attachment]]]


class ServiceMailActivities:
    def __init__(
        self,
        db: Database,
        mailer: Mailer,
        *,
        base_url: str,
        secret: str,
        terms: ResponseTerms,
        network_organisation: str,
        confirm_days: int,
    ) -> None:
        self._db, self._mail = db, KeyedMail(db, mailer)
        self._base_url, self._secret, self._terms = base_url, secret, terms
        self._network, self._confirm_days = network_organisation, confirm_days

    # --- to the customer -----------------------------------------------------------------------------------------

    @activity.defn(name="service_ask_confirmation")
    async def ask_confirmation(self, ref: RequestRef) -> None:
        def compose(session: Session, request: ServiceRequest) -> tuple[str, str, list[Attachment]]:
            subject, text = render_email(
                "service_confirm",
                request.language,
                name=request.name,
                reference=request.reference,
                confirm_url=confirmation_link(self._base_url, ref.request_id, self._secret, request.language),
                days=self._confirm_days,
            )
            return subject, text, []

        await self._to_customer(f"service:{ref.request_id}:confirm", ref.request_id, compose)

    @activity.defn(name="service_send_receipt")
    async def send_receipt(self, ref: RequestRef) -> None:
        def compose(session: Session, request: ServiceRequest) -> tuple[str, str, list[Attachment]]:
            translate = formatting_gettext(request.language)
            subject, text = render_email(
                "service_receipt",
                request.language,
                name=request.name,
                reference=request.reference,
                package=translate(PACKAGE_NAMES[ServicePackage(request.package)]),
                days=self._terms.first_response_days,
                status_url=self._status_url(request),
            )
            return subject, text, []

        await self._to_customer(f"service:{ref.request_id}:receipt", ref.request_id, compose)

    @activity.defn(name="service_send_reply")
    async def send_reply(self, ref: KeyRef) -> None:
        def compose(session: Session, request: ServiceRequest) -> tuple[str, str, list[Attachment]]:
            message = session.exec(select(ServiceMessage).where(ServiceMessage.key == ref.key)).one()
            subject, text = render_email(
                "service_reply",
                request.language,
                name=request.name,
                reference=request.reference,
                adviser=_name_of(session, message.author_id),
                organisation=_organisation_name(session, message.organisation_code),
                body=message.body,
                status_url=self._status_url(request),
            )
            return subject, text, []

        await self._to_customer(f"service-reply:{ref.key}", self._request_of_message(ref.key), compose)

    @activity.defn(name="service_send_invitation")
    async def send_invitation(self, ref: KeyRef) -> None:
        def compose(session: Session, request: ServiceRequest) -> tuple[str, str, list[Attachment]]:
            meeting = session.exec(select(Meeting).where(Meeting.key == ref.key)).one()
            adviser = session.get(User, meeting.booked_by)
            organisation = _organisation_name(session, meeting.organisation_code)
            local, locale = meeting.starts_at.astimezone(HELSINKI), babel_locale(request.language)
            day, hour = format_date(local.date(), "full", locale=locale), format_time(local, "short", HELSINKI, locale)
            when = f"{day} {hour}"
            subject, text = render_email(
                "service_meeting",
                request.language,
                name=request.name,
                reference=request.reference,
                adviser=adviser.full_name if adviser else "",
                organisation=organisation,
                when=when,
                minutes=meeting.minutes,
                place=meeting.place,
                video_url=meeting.video_url,
                note=meeting.note,
                status_url=self._status_url(request),
            )
            invitation = _invitation(meeting, request, organisation, adviser, subject)
            return subject, text, [Attachment("invitation.ics", "text/calendar", invitation)]

        await self._to_customer(f"meeting:{ref.key}", self._request_of_meeting(ref.key), compose)

    @activity.defn(name="service_tell_referred")
    async def tell_referred(self, ref: PositionRef) -> None:
        def compose(session: Session, request: ServiceRequest) -> tuple[str, str, list[Attachment]]:
            route = session.exec(
                select(ServiceRoute).where(
                    ServiceRoute.request_id == ref.request_id, ServiceRoute.position == ref.position
                )
            ).one()
            subject, text = render_email(
                "service_referred",
                request.language,
                name=request.name,
                reference=request.reference,
                organisation=_organisation_name(session, route.organisation_code),
                consented=route.via == RouteVia.REFERRAL,
                days=self._terms.first_response_days,
                status_url=self._status_url(request),
            )
            return subject, text, []

        await self._to_customer(f"service:{ref.request_id}:referred:{ref.position}", ref.request_id, compose)

    @activity.defn(name="service_ask_feedback")
    async def ask_feedback(self, ref: PositionRef) -> None:
        def compose(session: Session, request: ServiceRequest) -> tuple[str, str, list[Attachment]]:
            subject, text = render_email(
                "service_feedback",
                request.language,
                name=request.name,
                reference=request.reference,
                feedback_url=f"{self._status_url(request)}#feedback",
            )
            return subject, text, []

        await self._to_customer(f"service:{ref.request_id}:feedback:{ref.position}", ref.request_id, compose)

    # --- to staff: the customer wrote ---------------------------------------------------------------------------------

    @activity.defn(name="service_tell_holder")
    async def tell_holder(self, notice: CustomerWrote) -> None:
        """The person who has the request hears that the customer wrote (nobody has it: it is in the queue)."""
        with self._db.session() as session:
            request_id = session.exec(select(ServiceMessage.request_id).where(ServiceMessage.key == notice.key)).one()
            request = load_request(session, request_id)
            holder, reference = request.assignee_id, request.reference
        if holder is None:
            return

        def compose(session: Session) -> Composed:
            user = session.get(User, holder)
            assert user is not None
            subject, text = render_email(
                "service_customer_wrote",
                user.language,
                name=user.full_name,
                reference=reference,
                reopened=notice.reopened,
                url=f"{self._base_url}/staff/service-requests/{request_id}",
            )
            return Composed(
                to=user.email,
                subject=subject,
                text=text,
                subject_type=SubjectType.SERVICE_REQUEST,
                subject_id=request_id,
            )

        await self._mail.send_once(f"service-wrote:{notice.key}", compose)

    # --- to staff: the first response is due, then overdue ------------------------------------------------------------

    @activity.defn(name="service_alert")
    async def alert(self, alert: AlertInput) -> None:
        """Mails each person the step reaches, and marks the request as escalated that far."""
        recipients = self._mark_escalated(alert)
        for user_id in recipients:
            await self._mail.send_once(
                f"service:{alert.request_id}:{alert.position}:{alert.step}:{user_id}",
                partial(self._alert_message, alert=alert, user_id=user_id),
            )

    def _mark_escalated(self, alert: AlertInput) -> list[int]:
        with self._db.session() as session:
            request = load_request(session, alert.request_id)
            organisation = request.organisation_code or self._network
            if alert.step == AlertStep.REMINDER and request.assignee_id is not None:
                recipients = [request.assignee_id]
            elif alert.step == AlertStep.REMINDER:
                triage = session.exec(
                    select(ServiceRoute.via).where(
                        ServiceRoute.request_id == alert.request_id, ServiceRoute.position == alert.position
                    )
                ).one()
                role = Role.COORDINATOR if triage == RouteVia.TRIAGE else Role.HANDLER
                recipients = _people(session, organisation, role)
            elif alert.step == AlertStep.ORGANISATION:
                recipients = _people(session, organisation, Role.COORDINATOR)
            else:
                recipients = _people(session, self._network, Role.COORDINATOR)
            if request.escalation != alert.step:
                request.escalation = alert.step
                session.add(request)
                audit_subject(
                    session,
                    action="service_response_" + alert.step,
                    subject_type=SubjectType.SERVICE_REQUEST,
                    subject_id=alert.request_id,
                    key=f"service_alert:{alert.request_id}:{alert.position}:{alert.step}",
                    organisation_code=organisation,
                    recipients=recipients,
                )
            session.commit()
            return recipients

    def _alert_message(self, session: Session, *, alert: AlertInput, user_id: int) -> Composed:
        request = load_request(session, alert.request_id)
        user = session.get(User, user_id)
        assert user is not None
        due_on = request.first_response_due_at.astimezone(HELSINKI).date() - timedelta(days=1)  # type: ignore[union-attr]
        subject, text = render_email(
            "service_alert",
            user.language,
            step=alert.step,
            name=user.full_name,
            reference=request.reference,
            organisation=_organisation_name(session, request.organisation_code),
            due_on=due_on,
            # The network's coordinators are not in the request's chain: they get the overview without personal data.
            url=f"{self._base_url}/staff/service-requests/overdue"
            if alert.step == AlertStep.NETWORK
            else f"{self._base_url}/staff/service-requests/{alert.request_id}",
        )
        return Composed(
            to=user.email,
            subject=subject,
            text=text,
            subject_type=SubjectType.SERVICE_REQUEST,
            subject_id=request.id or 0,
        )

    # --- helpers ------------------------------------------------------------------------------------------------------

    async def _to_customer(self, key: str, request_id: int, compose: CustomerCompose) -> None:
        def composed(session: Session) -> Composed:
            request = load_request(session, request_id)
            subject, text, attachments = compose(session, request)
            return Composed(
                to=request.email,
                subject=subject,
                text=text,
                subject_type=SubjectType.SERVICE_REQUEST,
                subject_id=request_id,
                attachments=attachments,
            )

        if await self._mail.send_once(key, composed):
            activity.logger.info("sent %s", key)

    def _status_url(self, request: ServiceRequest) -> str:
        return request_status_link(self._base_url, request.id or 0, self._secret, request.language)

    def _request_of_message(self, key: str) -> int:
        with self._db.session() as session:
            return session.exec(select(ServiceMessage.request_id).where(ServiceMessage.key == key)).one()

    def _request_of_meeting(self, key: str) -> int:
        with self._db.session() as session:
            return session.exec(select(Meeting.request_id).where(Meeting.key == key)).one()


def _people(session: Session, organisation: str, role: str) -> list[int]:
    """The active people of an organisation in a role."""
    return [
        user_id
        for user_id in session.exec(
            select(User.id)
            .join(UserRole, col(UserRole.user_id) == col(User.id))
            .where(User.organisation_code == organisation, UserRole.role == role, col(User.is_active))
            .order_by(col(User.id))
        ).all()
        if user_id is not None
    ]


def _name_of(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.full_name if user else ""


def _organisation_name(session: Session, code: str | None) -> str:
    organisation = session.get(Organisation, code) if code else None
    return organisation.name if organisation else (code or "")


def _invitation(
    meeting: Meeting, request: ServiceRequest, organisation: str, adviser: User | None, summary: str
) -> bytes:
    """An iCalendar invitation (RFC 5545, METHOD:REQUEST): its UID is the meeting's key, so a resent copy
    updates the same calendar entry instead of adding another."""
    calendar = Calendar()
    calendar.add("prodid", "-//grantdesk//service requests//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"{meeting.key}@grantdesk")
    event.add("dtstamp", meeting.booked_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.minutes))
    event.add("summary", summary)
    location = meeting.video_url or meeting.place
    if location:
        event.add("location", location)
    if meeting.video_url:
        event.add("url", meeting.video_url)
    event.add("description", "\n".join(filter(None, [organisation, meeting.note])))
    if adviser is not None:
        organizer = vCalAddress(f"mailto:{adviser.email}")
        organizer.params["cn"] = adviser.full_name
        event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{request.email}")
    attendee.params["cn"] = request.name
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["rsvp"] = "TRUE"
    event.add("attendee", attendee)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
