"""An e-mail to a grant applicant, sent at most once per message key (the mail log remembers it).

A retried activity finds the log row: sent already → nothing happens; written but not sent (the worker
died in between) → sent again with the same Message-ID, so the applicant's mail client shows one message.
"""

import asyncio
from collections.abc import Callable

from sqlmodel import Session, select

from activities.grants.records import load_application
from activities.heartbeat import heartbeating
from core.db import Database
from core.mail import Mailer, OutgoingEmail
from models.grants.applications import Application
from models.notifications import EmailLog
from models.types import utcnow

# (session, application) → (subject, text), rendered in the applicant's language.
Compose = Callable[[Session, Application], tuple[str, str]]


def message_id_for(key: str) -> str:
    return f"<{key.replace(':', '.')}@grantdesk>"


class ApplicantMail:
    def __init__(self, db: Database, mailer: Mailer) -> None:
        self._db, self._mailer = db, mailer

    async def send_once(self, key: str, application_id: int, compose: Compose) -> bool:
        """Sends unless the log says this key went out; True when a message was sent now."""
        async with heartbeating():
            email = await asyncio.to_thread(self._prepare, key, application_id, compose)
            if email is None:
                return False
            await self._mailer.send(email)
            await asyncio.to_thread(self._mark_sent, key)
        return True

    def _prepare(self, key: str, application_id: int, compose: Compose) -> OutgoingEmail | None:
        with self._db.session() as session:
            log = session.exec(select(EmailLog).where(EmailLog.key == key)).first()
            if log is not None and log.sent_at is not None:
                return None
            application = load_application(session, application_id)
            subject, text = compose(session, application)
            message_id = message_id_for(key)
            if log is None:
                session.add(
                    EmailLog.about_application(
                        key=key,
                        application_id=application_id,
                        to_address=application.email,
                        subject=subject,
                        message_id=message_id,
                    )
                )
                session.commit()
            return OutgoingEmail(to=application.email, subject=subject, text=text, message_id=message_id)

    def _mark_sent(self, key: str) -> None:
        with self._db.session() as session:
            log = session.exec(select(EmailLog).where(EmailLog.key == key)).one()
            log.sent_at = utcnow()
            session.add(log)
            session.commit()
