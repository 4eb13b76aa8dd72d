"""Requests for more information: the request, the e-mails about it, the answer, and the deadline."""

import asyncio
from datetime import timedelta

from sqlmodel import Session, select
from temporalio import activity

from activities.grants.records import load_application
from activities.notifications.applicant_mail import ApplicantMail
from core.clock import end_of_day, helsinki_today
from core.db import Database
from core.emails import render_email
from core.mail import Mailer
from models.audit import audit
from models.grants.applications import Application
from models.grants.info_requests import Attachment, InfoRequest, InfoRequestStatus
from models.grants.payloads import InfoRequestOpened, InfoRequestRef, OpenInfoRequestInput, RecordAnswerInput
from models.grants.programme import Programme
from models.grants.status_links import status_link
from models.types import utcnow


class InfoRequestActivities:
    def __init__(
        self, db: Database, mailer: Mailer, programmes: dict[str, Programme], *, base_url: str, secret: str
    ) -> None:
        self._db = db
        self._mail = ApplicantMail(db, mailer)
        self._programmes = programmes
        self._base_url = base_url
        self._secret = secret

    @activity.defn(name="open_info_request")
    def open_info_request(self, request: OpenInfoRequestInput) -> InfoRequestOpened:
        """Stores the request; returns its deadline, the end of the reply day in Helsinki."""
        with self._db.session() as session:
            existing = self._get(session, request.application_id, request.seq)
            if existing is not None:
                return InfoRequestOpened(deadline=end_of_day(existing.reply_by))
            application = load_application(session, request.application_id)
            days = self._programmes[application.programme_code].reply_deadline_days
            reply_by = request.reply_by or helsinki_today() + timedelta(days)
            session.add(
                InfoRequest(
                    application_id=request.application_id,
                    seq=request.seq,
                    message=request.message,
                    reply_by=reply_by,
                    requested_by=request.actor.user_id,
                )
            )
            session.commit()
            return InfoRequestOpened(deadline=end_of_day(reply_by))

    @activity.defn(name="send_info_request")
    async def send_info_request(self, ref: InfoRequestRef) -> None:
        await self._send(ref, "info_request")

    @activity.defn(name="remind_info_request")
    async def remind(self, ref: InfoRequestRef) -> None:
        """Halfway to the deadline, if the applicant has not answered yet."""
        if await asyncio.to_thread(self._set_status, ref, InfoRequestStatus.OPEN, reminded=True):
            await self._send(ref, "info_reminder")

    @activity.defn(name="expire_info_request")
    def expire(self, ref: InfoRequestRef) -> None:
        self._set_status(ref, InfoRequestStatus.EXPIRED)

    @activity.defn(name="cancel_info_request")
    def cancel(self, ref: InfoRequestRef) -> None:
        self._set_status(ref, InfoRequestStatus.CANCELLED)

    @activity.defn(name="record_answer")
    def record_answer(self, request: RecordAnswerInput) -> None:
        with self._db.session() as session:
            info = self._get(session, request.application_id, request.seq)
            if info is None or info.status != InfoRequestStatus.OPEN:
                return  # answered already (a retry), or no longer open
            info.status = InfoRequestStatus.ANSWERED
            info.answer = request.answer
            info.answered_at = utcnow()
            session.add(info)
            for attachment_id in request.attachment_ids:
                attachment = session.get(Attachment, attachment_id)
                # Only the applicant's own uploads can be attached to the answer.
                if attachment is not None and attachment.application_id == request.application_id:
                    attachment.info_request_id = info.id
                    session.add(attachment)
            audit(session, action="info_answer_received", application_id=request.application_id)
            session.commit()

    def _set_status(self, ref: InfoRequestRef, status: str, *, reminded: bool = False) -> bool:
        """Moves an open request on; False when it is no longer open (answered, or a retry)."""
        with self._db.session() as session:
            info = self._get(session, ref.application_id, ref.seq)
            if info is None or info.status != InfoRequestStatus.OPEN:
                return False
            if reminded:
                if info.reminded_at is not None:
                    return True  # reminded already; the send below is skipped by its message key
                info.reminded_at = utcnow()
            else:
                info.status = status
            session.add(info)
            session.commit()
            return True

    async def _send(self, ref: InfoRequestRef, template: str) -> None:
        def compose(session: Session, application: Application) -> tuple[str, str]:
            info = self._get(session, ref.application_id, ref.seq)
            assert info is not None
            return render_email(
                template,
                application.language,
                name=application.applicant_name,
                reference=application.reference,
                message=info.message,
                reply_by=info.reply_by,
                status_url=status_link(self._base_url, ref.application_id, self._secret, application.language),
            )

        key = f"{template}:{ref.application_id}:{ref.seq}"
        if await self._mail.send_once(key, ref.application_id, compose):
            activity.logger.info("sent %s to application %s", template, ref.application_id)

    @staticmethod
    def _get(session: Session, application_id: int, seq: int) -> InfoRequest | None:
        return session.exec(
            select(InfoRequest).where(InfoRequest.application_id == application_id, InfoRequest.seq == seq)
        ).first()
