"""E-mail the web app promises to send: written in the caller's transaction, sent once by the worker.

A page never talks to the mail server: it adds the message (an `EmailLog` row with its text) and an
outbox row in the same transaction as the change it reports. The relay starts a `SendEmailWorkflow`
whose id is the message key, so the message goes out once even if the relay runs twice, and is not
lost if the mail server or the worker is down when the page is submitted.
"""

import hashlib

from sqlmodel import Session, select

from models.notifications import EmailLog
from models.outbox import SEND_EMAIL, OutboxMessage
from models.subjects import SubjectType


def queue_email(
    session: Session,
    *,
    key: str,
    to: str,
    subject: str,
    body: str,
    subject_type: SubjectType,
    subject_id: int,
    application_id: int | None = None,
) -> bool:
    """Adds the message to the session (the caller commits); False if a message with this key exists.

    `key` names the message ("receipt:12", "invite:7:3"): the same key is the same message.
    """
    if session.exec(select(EmailLog.id).where(EmailLog.key == key)).first() is not None:
        return False
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    session.add(
        EmailLog(
            key=key,
            subject_type=subject_type,
            subject_id=subject_id,
            application_id=application_id,
            to_address=to,
            subject=subject[:300],
            message_id=f"<mail.{digest}@grantdesk>",
            body=body,
        )
    )
    session.add(OutboxMessage(topic=SEND_EMAIL, key=f"mail-{digest}", payload={"key": key}))
    return True
