"""Sending the e-mail the web app queued (`web/services/outgoing_mail.py`)."""

import asyncio

from sqlmodel import select
from temporalio import activity

from activities.heartbeat import heartbeating
from core.db import Database
from core.mail import Mailer, OutgoingEmail
from models.notifications import EmailLog, QueuedEmailRef
from models.types import utcnow


class MailActivities:
    def __init__(self, db: Database, mailer: Mailer) -> None:
        self._db, self._mailer = db, mailer

    @activity.defn(name="send_queued_email")
    async def send_queued_email(self, ref: QueuedEmailRef) -> None:
        async with heartbeating():
            email = await asyncio.to_thread(self._prepare, ref.key)
            if email is None:
                return
            await self._mailer.send(email)
            await asyncio.to_thread(self._mark_sent, ref.key)
        activity.logger.info("sent queued e-mail %s", ref.key)

    def _prepare(self, key: str) -> OutgoingEmail | None:
        """The message, or None once it went out (a retry after a crash resends with the same Message-ID)."""
        with self._db.session() as session:
            log = session.exec(select(EmailLog).where(EmailLog.key == key)).one()
            if log.sent_at is not None or log.body is None:
                return None
            return OutgoingEmail(to=log.to_address, subject=log.subject, text=log.body, message_id=log.message_id)

    def _mark_sent(self, key: str) -> None:
        with self._db.session() as session:
            log = session.exec(select(EmailLog).where(EmailLog.key == key)).one()
            log.sent_at, log.body = utcnow(), None
            session.add(log)
            session.commit()
