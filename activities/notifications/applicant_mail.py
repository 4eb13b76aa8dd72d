"""An e-mail to a grant applicant or a customer, sent at most once per message key (the mail log remembers it).

A retried activity finds the log row: sent already → nothing happens; written but not sent (the worker
died in between) → sent again with the same Message-ID, so the recipient's mail client shows one message.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from activities.grants.records import load_application
from activities.heartbeat import heartbeating
from core.db import Database
from core.mail import Attachment, Mailer, OutgoingEmail
from models.grants.applications import Application
from models.notifications import EmailLog
from models.subjects import SubjectType
from models.types import utcnow

# (session, application) → (subject, text), rendered in the applicant's language.
Compose = Callable[[Session, Application], tuple[str, str]]


@dataclass(frozen=True)
class Composed:
    """A message about one subject, ready to log and send."""

    to: str
    subject: str
    text: str
    subject_type: SubjectType
    subject_id: int
    application_id: int | None = None
    attachments: list[Attachment] = field(default_factory=list)


def message_id_for(key: str) -> str:
    return f"<{key.replace(':', '.')}@grantdesk>"


class KeyedMail:
    def __init__(self, db: Database, mailer: Mailer) -> None:
        self._db, self._mailer = db, mailer

    async def send_once(self, key: str, compose: Callable[[Session], Composed]) -> bool:
        """Sends unless the log says this key went out; True when a message was sent now."""
        async with heartbeating():
            email = await asyncio.to_thread(self._prepare, key, compose)
            if email is None:
                return False
            await self._mailer.send(email)
            await asyncio.to_thread(self._mark_sent, key)
        return True

    def _prepare(self, key: str, compose: Callable[[Session], Composed]) -> OutgoingEmail | None:
        with self._db.session() as session:
            log = session.exec(select(EmailLog).where(EmailLog.key == key)).first()
            if log is not None and log.sent_at is not None:
                return None
            message = compose(session)
            message_id = message_id_for(key)
            if log is None:
                session.add(
                    EmailLog(
                        key=key,
                        subject_type=message.subject_type,
                        subject_id=message.subject_id,
                        application_id=message.application_id,
                        to_address=message.to,
                        subject=message.subject[:300],
                        message_id=message_id,
                    )
                )
                session.commit()
            return OutgoingEmail(
                to=message.to,
                subject=message.subject,
                text=message.text,
                message_id=message_id,
                attachments=message.attachments,
            )

    def _mark_sent(self, key: str) -> None:
        with self._db.session() as session:
            log = session.exec(select(EmailLog).where(EmailLog.key == key)).one()
            log.sent_at = utcnow()
            session.add(log)
            session.commit()


class ApplicantMail:
    """Keyed mail to the applicant of one application, in their language."""

    def __init__(self, db: Database, mailer: Mailer) -> None:
        self._mail = KeyedMail(db, mailer)

    async def send_once(self, key: str, application_id: int, compose: Compose) -> bool:
        def composed(session: Session) -> Composed:
            application = load_application(session, application_id)
            subject, text = compose(session, application)
            return Composed(
                to=application.email,
                subject=subject,
                text=text,
                subject_type=SubjectType.GRANT_APPLICATION,
                subject_id=application_id,
                application_id=application_id,
            )

        return await self._mail.send_once(key, composed)
