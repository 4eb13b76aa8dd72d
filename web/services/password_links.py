"""One-time links to set a password: the invitation of a new account and a password reset.

The link carries a random token; the table keeps only its SHA-256. The token has 256 random bits,
so a plain digest is enough (no salt or key is needed against guessing), and a copy of the table is
no key to anyone's account. A link works once: it is spent by one conditional UPDATE, so two tabs
submitting together cannot both set a password. Issuing a new link, using one, and deactivating the
account end the links issued before.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.tokens import token_digest
from models.audit import audit_subject
from models.staff import LinkPurpose, PasswordLink, User
from models.subjects import SubjectType
from web.services.auth import MIN_PASSWORD_LENGTH, PasswordRefused, end_sessions, password_hash

SET_PASSWORD_PATH = "/staff/set-password"  # noqa: S105 (a page, not a password)


class LinkUnusable(Exception):
    """Unknown, expired, used, replaced by a newer link, or the account is deactivated: told apart to nobody."""


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{SET_PASSWORD_PATH}/{token}"


def issue_link(
    session: Session, *, user_id: int, purpose: LinkPurpose, now: datetime, valid_for: timedelta
) -> tuple[PasswordLink, str]:
    """A new link (added to the caller's transaction) and its token; the user's earlier links stop working."""
    revoke_links(session, user_id=user_id, now=now)
    token = secrets.token_urlsafe(32)
    link = PasswordLink(
        user_id=user_id, purpose=purpose, token_digest=token_digest(token), created_at=now, expires_at=now + valid_for
    )
    session.add(link)
    session.flush()
    return link, token


def revoke_links(session: Session, *, user_id: int, now: datetime) -> None:
    session.execute(
        update(PasswordLink)
        .where(
            col(PasswordLink.user_id) == user_id,
            col(PasswordLink.used_at).is_(None),
            col(PasswordLink.revoked_at).is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def usable_link(session: Session, token: str, now: datetime) -> tuple[PasswordLink, User]:
    """The link and its account, or LinkUnusable."""
    link = session.exec(select(PasswordLink).where(PasswordLink.token_digest == token_digest(token))).first()
    if link is None or link.used_at is not None or link.revoked_at is not None or link.expires_at <= now:
        raise LinkUnusable()
    user = session.get(User, link.user_id)
    if user is None or not user.is_active:
        raise LinkUnusable()
    return link, user


def check_new_password(new: str, repeat: str) -> None:
    """The rules of the change-password page: the same twice, at least 12 characters."""
    if new != repeat:
        raise PasswordRefused("mismatch")
    if len(new) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused("too_short")


def set_password_from_link(session: Session, *, token: str, new: str, repeat: str, now: datetime) -> User:
    """Spends the link and sets the password; every session of the account ends (they sign in anew)."""
    link, user = usable_link(session, token, now)
    check_new_password(new, repeat)
    spent = session.execute(
        update(PasswordLink)
        .where(
            col(PasswordLink.id) == link.id,
            col(PasswordLink.used_at).is_(None),
            col(PasswordLink.revoked_at).is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise LinkUnusable()  # the other tab was quicker
    revoke_links(session, user_id=user.id or 0, now=now)
    user.password_hash = password_hash.hash(new)
    user.must_change_password = False
    session.add(user)
    audit_subject(
        session,
        action="password_set_from_link",
        subject_type=SubjectType.STAFF_USER,
        subject_id=user.id or 0,
        actor_id=user.id,
        organisation_code=user.organisation_code,
        purpose=link.purpose,
    )
    session.commit()
    end_sessions(session, user.id or 0)
    return user
