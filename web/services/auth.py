"""Staff sign-in: argon2 password hashes (pwdlib), throttled guessing, and sessions that can be ended.

Guessing is limited three ways, each counted over a sliding window:
- per account and address pair: a few wrong passwords, then that pair is refused for a while;
- per address: an address trying many accounts (password spraying) is refused;
- per account, from anywhere: every further attempt is answered more slowly, but the account is
  never locked, so nobody can lock a colleague out by typing wrong passwords on purpose.

An attempt is written down *before* its password is checked and the counts include it, so parallel
guesses cannot all slip in under the limit.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from core.passwords import password_hash
from models.staff import LoginAttempt, Organisation, User, UserRole
from models.types import utcnow

# Verified when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = password_hash.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 12
# Per-account slow-down: the first extra failure waits this long, each next one twice as long, up to the cap.
SLOWDOWN_START_SECONDS = 0.25
SLOWDOWN_CAP_SECONDS = 8.0


class InvalidCredentials(Exception):
    pass


class TooManyAttempts(Exception):
    pass


class PasswordRefused(Exception):
    """The new password was not accepted; the message says why (an N_ msgid)."""


@dataclass(frozen=True)
class StaffUser:
    """Who is signed in: what the pages and the queue scoping need, no ORM object."""

    id: int
    email: str
    full_name: str
    organisation_code: str
    organisation_name: str
    roles: frozenset[str]
    session_version: int = 0
    # Signed in with a temporary password: only the change-password page opens (web/deps.py).
    must_change_password: bool = False

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class LoginLimits:
    max_failures: int  # per account and address
    window_seconds: int

    @property
    def per_address(self) -> int:
        # An office behind one NAT address gets room for several people's typos.
        return self.max_failures * 4


@dataclass(frozen=True)
class LoginGate:
    """An attempt that may go ahead, after `delay` seconds."""

    attempt_id: int
    email: str
    delay: float


def open_attempt(session: Session, *, email: str, client_ip: str, limits: LoginLimits) -> LoginGate:
    """Records the attempt (as failed until proven otherwise), then decides whether it may proceed."""
    email = email.strip().lower()[:320]
    attempt = LoginAttempt(email=email, client_ip=client_ip[:64], succeeded=False)
    session.add(attempt)
    session.commit()
    since = utcnow() - timedelta(seconds=limits.window_seconds)
    failed = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(col(LoginAttempt.succeeded).is_(False), LoginAttempt.at >= since)
    )
    pair = session.exec(failed.where(LoginAttempt.email == email, LoginAttempt.client_ip == attempt.client_ip)).one()
    by_address = session.exec(failed.where(LoginAttempt.client_ip == attempt.client_ip)).one()
    by_account = session.exec(failed.where(LoginAttempt.email == email)).one()
    if pair > limits.max_failures or by_address > limits.per_address:
        raise TooManyAttempts()
    extra = by_account - limits.max_failures
    delay = 0.0 if extra <= 0 else min(SLOWDOWN_START_SECONDS * 2 ** (extra - 1), SLOWDOWN_CAP_SECONDS)
    return LoginGate(attempt_id=attempt.id or 0, email=email, delay=delay)


def check_password(session: Session, gate: LoginGate, password: str) -> StaffUser:
    """The signed-in user, or InvalidCredentials; a success is recorded on the attempt."""
    user = session.exec(select(User).where(User.email == gate.email)).first()
    valid = password_hash.verify(password, user.password_hash if user else _DUMMY_HASH)
    if not (user and user.is_active and valid):
        raise InvalidCredentials()
    session.execute(update(LoginAttempt).where(col(LoginAttempt.id) == gate.attempt_id).values(succeeded=True))
    session.commit()
    staff_user = load_staff_user(session, user.id or 0)
    assert staff_user is not None
    return staff_user


def load_staff_user(session: Session, user_id: int) -> StaffUser | None:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    organisation = session.get(Organisation, user.organisation_code)
    roles = session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all()
    return StaffUser(
        id=user_id,
        email=user.email,
        full_name=user.full_name,
        organisation_code=user.organisation_code,
        organisation_name=organisation.name if organisation else user.organisation_code,
        roles=frozenset(roles),
        session_version=user.session_version,
        must_change_password=user.must_change_password,
    )


def end_sessions(session: Session, user_id: int) -> int:
    """Every session of the user ends at its next request; returns the new session version."""
    session.execute(update(User).where(col(User.id) == user_id).values(session_version=col(User.session_version) + 1))
    session.commit()
    user = session.get(User, user_id)
    assert user is not None
    session.refresh(user)
    return user.session_version


def change_password(session: Session, *, user_id: int, current: str, new: str) -> int:
    """Sets a new password and ends every session; returns the session version to continue with."""
    user = session.get(User, user_id)
    if user is None or not password_hash.verify(current, user.password_hash):
        raise InvalidCredentials()
    if len(new) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused("too_short")
    if new == current:
        raise PasswordRefused("unchanged")
    user.password_hash = password_hash.hash(new)
    user.must_change_password = False
    session.add(user)
    session.commit()
    return end_sessions(session, user_id)


def deactivate(session: Session, user_id: int) -> None:
    """The person can no longer sign in, and any session they have open ends now."""
    session.execute(update(User).where(col(User.id) == user_id).values(is_active=False))
    end_sessions(session, user_id)
