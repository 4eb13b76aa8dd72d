"""Sending an application's private status link again, to the address on the application only.

The answer never says whether anything matched: the page reads the same either way, so it cannot be
used to find out who has applied. At most one such e-mail per application an hour (its message key).
"""

from datetime import datetime

from sqlmodel import Session, func, select

from core.emails import render_email
from models.grants.applications import Application
from models.grants.status_links import status_link
from models.subjects import SubjectType
from web.services.outgoing_mail import queue_email


def resend_status_link(
    session: Session, *, reference: str, email: str, now: datetime, base_url: str, secret: str
) -> bool:
    """Queues the link if the reference and e-mail belong together; True when an e-mail was queued."""
    application = session.exec(
        select(Application).where(func.upper(Application.reference) == reference.strip().upper())
    ).first()
    if application is None or application.id is None or application.email.casefold() != email.strip().casefold():
        return False
    subject, body = render_email(
        "status_link",
        application.language,
        name=application.applicant_name,
        reference=application.reference,
        status_url=status_link(base_url, application.id, secret, application.language),
    )
    queued = queue_email(
        session,
        key=f"status-link:{application.id}:{now:%Y%m%d%H}",
        to=application.email,
        subject=subject,
        body=body,
        subject_type=SubjectType.GRANT_APPLICATION,
        subject_id=application.id,
        application_id=application.id,
    )
    session.commit()
    return queued
