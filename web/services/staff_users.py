"""An organisation's staff accounts: invite, change roles, deactivate, reset a password. Each change is audited.

Used by an organisation's administrators on the staff pages (`web/routes/staff_users.py`, which only
ever hand in users of the administrator's own organisation, see `web/scope.py`) and by the
`grantdesk users` command (`runtime/users_cli.py`), which audits as nobody, "via": "cli".
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.i18n import LANGUAGES, N_
from core.settings import Settings
from models.audit import audit_subject
from models.staff import LinkPurpose, PasswordLink, Role, User, UserRole
from models.subjects import SubjectType
from web.services.auth import deactivate, end_sessions, password_hash
from web.services.password_links import issue_link, revoke_links
from web.services.staff_mail import queue_invitation, queue_password_reset

ROLES = [str(role) for role in Role]


class AccountRefused(Exception):
    """The change was not made; `field` and `reason` (an N_ msgid) say why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


@dataclass(frozen=True)
class Operator:
    """Who changes an account: an administrator on the staff pages, or the command line (no actor)."""

    actor_id: int | None
    via: str = "web"

    @classmethod
    def cli(cls) -> "Operator":
        return cls(actor_id=None, via="cli")


@dataclass(frozen=True)
class Member:
    user: User
    roles: list[str]
    invited: bool = False  # invited, and has not yet set a password through any link


@dataclass(frozen=True)
class NewMember:
    email: str
    full_name: str
    roles: list[str]
    language: str = "fi"
    errors: dict[str, str] = field(default_factory=dict)


def members(session: Session, organisation_code: str) -> list[Member]:
    """The organisation's accounts, deactivated ones too (they stay in the audit trail)."""
    users = session.exec(
        select(User).where(User.organisation_code == organisation_code).order_by(col(User.full_name), col(User.id))
    ).all()
    ids = [u.id for u in users]
    links = session.exec(select(PasswordLink).where(col(PasswordLink.user_id).in_(ids))).all()
    invited = {link.user_id for link in links if link.purpose == LinkPurpose.INVITATION}
    settled = {link.user_id for link in links if link.used_at is not None}
    return [Member(user=u, roles=roles_of(session, u.id or 0), invited=u.id in invited - settled) for u in users]


def roles_of(session: Session, user_id: int) -> list[str]:
    found = set(session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all())
    return [role for role in ROLES if role in found]


def user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def check_new_member(session: Session, *, email: str, full_name: str, roles: list[str], language: str) -> NewMember:
    """The form's values cleaned, with an N_ reason per field in `errors` (empty when all is well)."""
    errors: dict[str, str] = {}
    full_name = " ".join(full_name.split())
    if not full_name:
        errors["full_name"] = N_("This field is required.")
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors["email"] = N_("Enter an e-mail address, e.g. name@example.fi.")
    else:
        if user_by_email(session, email) is not None:
            errors["email"] = N_("An account with this e-mail address already exists.")
    try:
        roles = check_roles(roles)
    except AccountRefused as refused:
        errors["roles"] = refused.reason
    if language not in LANGUAGES:
        errors["language"] = N_("Choose one of the options.")
    return NewMember(email=email, full_name=full_name, roles=roles, language=language, errors=errors)


def check_roles(roles: list[str]) -> list[str]:
    if not roles:
        raise AccountRefused("roles", N_("Choose at least one role."))
    if any(role not in ROLES for role in roles):
        raise AccountRefused("roles", N_("Choose one of the options."))
    return [role for role in ROLES if role in roles]


def invite(
    session: Session,
    *,
    organisation_code: str,
    member: NewMember,
    operator: Operator,
    settings: Settings,
    now: datetime,
) -> tuple[User, str]:
    """Creates the account and e-mails it a one-time link to choose a password; returns it and the link's token."""
    # Nobody knows this password: the account opens only through the link.
    user = _create(session, organisation_code, member, password=secrets.token_urlsafe(32), temporary=False)
    link, token = issue_link(
        session,
        user_id=user.id or 0,
        purpose=LinkPurpose.INVITATION,
        now=now,
        valid_for=timedelta(hours=settings.invitation_link_hours),
    )
    queue_invitation(session, user=user, link=link, token=token, settings=settings)
    _audit(session, "user_invited", user, operator, roles=member.roles, email=user.email)
    session.commit()
    return user, token


def create_with_temporary_password(
    session: Session, *, organisation_code: str, member: NewMember, operator: Operator
) -> tuple[User, str]:
    """For the first administrator of a new installation: a password to change at first sign-in."""
    password = secrets.token_urlsafe(12)
    user = _create(session, organisation_code, member, password=password, temporary=True)
    _audit(session, "user_created", user, operator, roles=member.roles, email=user.email, temporary_password=True)
    session.commit()
    return user, password


def _create(session: Session, organisation_code: str, member: NewMember, *, password: str, temporary: bool) -> User:
    user = User(
        email=member.email,
        full_name=member.full_name,
        organisation_code=organisation_code,
        password_hash=password_hash.hash(password),
        language=member.language,
        must_change_password=temporary,
    )
    session.add(user)
    session.flush()
    for role in member.roles:
        session.add(UserRole(user_id=user.id or 0, role=role))
    return user


def set_roles(session: Session, *, user: User, roles: list[str], operator: Operator) -> None:
    """The person's roles from now on (their next request already sees them)."""
    roles = check_roles(roles)
    if operator.actor_id == user.id and Role.ADMIN not in roles:
        # Otherwise the organisation could be left with nobody to manage its accounts.
        raise AccountRefused("roles", N_("You cannot remove your own administrator role."))
    before = roles_of(session, user.id or 0)
    if before == roles:
        return
    session.execute(delete(UserRole).where(col(UserRole.user_id) == user.id))
    for role in roles:
        session.add(UserRole(user_id=user.id or 0, role=role))
    _audit(session, "user_roles_changed", user, operator, before=before, after=roles)
    session.commit()


def deactivate_member(session: Session, *, user: User, operator: Operator, now: datetime) -> None:
    """No more sign-ins, every open session ends now, and unused links stop working."""
    if operator.actor_id == user.id:
        raise AccountRefused("deactivate", N_("You cannot deactivate your own account."))
    if not user.is_active:
        return
    revoke_links(session, user_id=user.id or 0, now=now)
    _audit(session, "user_deactivated", user, operator)
    deactivate(session, user.id or 0)  # commits the audit event with the change


def request_reset(session: Session, *, user: User, operator: Operator, settings: Settings, now: datetime) -> str:
    """E-mails a one-time link to choose a new password; returns its token. The old password works until then."""
    if not user.is_active:
        raise AccountRefused("reset", N_("The account is deactivated."))
    link, token = issue_link(
        session,
        user_id=user.id or 0,
        purpose=LinkPurpose.PASSWORD_RESET,
        now=now,
        valid_for=timedelta(hours=settings.password_reset_link_hours),
    )
    queue_password_reset(session, user=user, link=link, token=token, settings=settings)
    _audit(session, "password_reset_requested", user, operator)
    session.commit()
    return token


def set_temporary_password(session: Session, *, user: User, operator: Operator, now: datetime) -> str:
    """The command line's reset: a new password at once, to be changed at the next sign-in; sessions end."""
    if not user.is_active:
        raise AccountRefused("reset", N_("The account is deactivated."))
    password = secrets.token_urlsafe(12)
    revoke_links(session, user_id=user.id or 0, now=now)
    user.password_hash = password_hash.hash(password)
    user.must_change_password = True
    session.add(user)
    _audit(session, "temporary_password_set", user, operator)
    session.commit()
    end_sessions(session, user.id or 0)
    return password


def _audit(session: Session, action: str, user: User, operator: Operator, **detail: Any) -> None:
    audit_subject(
        session,
        action=action,
        subject_type=SubjectType.STAFF_USER,
        subject_id=user.id or 0,
        actor_id=operator.actor_id,
        organisation_code=user.organisation_code,
        via=operator.via,
        **detail,
    )


def save_preferences(session: Session, *, user_id: int, language: str, notify_on_assignment: bool) -> None:
    """One's own account: the language of one's e-mails, and whether an assignment is e-mailed."""
    if language not in LANGUAGES:
        raise AccountRefused("language", N_("Choose one of the options."))
    user = session.get(User, user_id)
    assert user is not None
    if (user.language, user.notify_on_assignment) == (language, notify_on_assignment):
        return
    user.language, user.notify_on_assignment = language, notify_on_assignment
    session.add(user)
    _audit(
        session,
        "account_preferences_changed",
        user,
        Operator(actor_id=user_id),
        language=language,
        notify_on_assignment=notify_on_assignment,
    )
    session.commit()


class LetterDetails(NamedTuple):
    """How decision letters name a person: their office per language, and the phone number they may give."""

    titles: dict[str, str]
    phone: str

    @classmethod
    def typed(cls, *, title_fi: str, title_sv: str, title_en: str, phone: str) -> "LetterDetails":
        titles = {"fi": title_fi.strip(), "sv": title_sv.strip(), "en": title_en.strip()}
        return cls(titles={language: title for language, title in titles.items() if title}, phone=phone.strip())


def save_letter_details(session: Session, *, user: User, details: LetterDetails, operator: Operator) -> None:
    """The person themselves, their organisation's administrator or the command line sets them; audited."""
    if details.phone and not (
        re.fullmatch(r"\+?[0-9 ()-]{6,20}", details.phone) and len(re.sub(r"\D", "", details.phone)) >= 6
    ):
        raise AccountRefused("phone", N_("Enter a phone number, for example +358 40 123 4567."))
    titles = {language: title for language, title in details.titles.items() if language in LANGUAGES and title}
    if (user.titles, user.phone) == (titles, details.phone):
        return
    user.titles, user.phone = titles, details.phone
    session.add(user)
    _audit(session, "account_letter_details_changed", user, operator, titles=titles, phone=details.phone)
    session.commit()
