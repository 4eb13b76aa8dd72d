"""E-mails to staff: the invitation, the password reset link, and "a task was assigned to you".

Each is queued in the transaction of the change it reports (`queue_email`), in the person's own
language (`User.language`). The assignment e-mail names the task and the application's reference
only: no applicant's name or other personal data travels by e-mail to a staff mailbox.
"""

from sqlmodel import Session

from core.emails import render_email
from core.settings import Settings
from models.grants.applications import Application
from models.staff import Organisation, PasswordLink, User
from models.subjects import SubjectType
from models.tasks import Task
from web.services.outgoing_mail import queue_email
from web.services.password_links import link_url


def queue_invitation(session: Session, *, user: User, link: PasswordLink, token: str, settings: Settings) -> None:
    organisation = session.get(Organisation, user.organisation_code)
    subject, body = render_email(
        "staff_invitation",
        user.language,
        name=user.full_name,
        email=user.email,
        organisation=organisation.name if organisation else user.organisation_code,
        url=link_url(settings.public_base_url, token),
        hours=settings.invitation_link_hours,
    )
    _queue(session, key=f"staff-invitation:{link.id}", user=user, subject=subject, body=body)


def queue_password_reset(session: Session, *, user: User, link: PasswordLink, token: str, settings: Settings) -> None:
    subject, body = render_email(
        "staff_password_reset",
        user.language,
        name=user.full_name,
        email=user.email,
        url=link_url(settings.public_base_url, token),
        hours=settings.password_reset_link_hours,
    )
    _queue(session, key=f"staff-reset:{link.id}", user=user, subject=subject, body=body)


def queue_assignment(session: Session, *, task: Task, user: User, assigned_by: str, base_url: str) -> None:
    """One message per assignment: the key names the task, the person and the moment it was given."""
    application = session.get(Application, task.application_id) if task.application_id else None
    reference = (application.reference if application else None) or f"#{task.id}"
    moment = task.claimed_at.strftime("%Y%m%dT%H%M%S%f") if task.claimed_at else "waiting"
    subject, body = render_email(
        "task_assigned",
        user.language,
        name=user.full_name,
        kind=task.kind,
        reference=reference,
        assigned_by=assigned_by,
        url=f"{base_url.rstrip('/')}/staff/tasks/{task.id}",
        account_url=f"{base_url.rstrip('/')}/staff/account",
    )
    _queue(session, key=f"task-assigned:{task.id}:{user.id}:{moment}", user=user, subject=subject, body=body)


def _queue(session: Session, *, key: str, user: User, subject: str, body: str) -> None:
    queue_email(
        session,
        key=key,
        to=user.email,
        subject=subject,
        body=body,
        subject_type=SubjectType.STAFF_USER,
        subject_id=user.id or 0,
    )
