"""Staff sign-in: argon2 password hashes (pwdlib) and a limit on failed attempts."""

from dataclasses import dataclass
from datetime import timedelta

from pwdlib import PasswordHash
from sqlmodel import Session, col, func, select

from models.staff import LoginAttempt, Organisation, User, UserRole
from models.types import utcnow

password_hash = PasswordHash.recommended()
# Verified when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = password_hash.hash("not-a-real-password")


class InvalidCredentials(Exception):
    pass


class TooManyAttempts(Exception):
    pass


@dataclass(frozen=True)
class StaffUser:
    """Who is signed in: what the pages and the queue scoping need, no ORM object."""

    id: int
    email: str
    full_name: str
    organisation_code: str
    organisation_name: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def _recent_failures(session: Session, *, email: str, client_ip: str, window: timedelta) -> tuple[int, int]:
    since = utcnow() - window
    failed = select(func.count()).select_from(LoginAttempt).where(
        col(LoginAttempt.succeeded).is_(False), LoginAttempt.at >= since
    )
    by_email = session.exec(failed.where(LoginAttempt.email == email)).one()
    by_ip = session.exec(failed.where(LoginAttempt.client_ip == client_ip)).one()
    return by_email, by_ip


def authenticate(
    session: Session, *, email: str, password: str, client_ip: str, max_failures: int, window_seconds: int
) -> StaffUser:
    """The signed-in user, or InvalidCredentials / TooManyAttempts (counted per address and per IP)."""
    email = email.strip().lower()
    by_email, by_ip = _recent_failures(
        session, email=email, client_ip=client_ip, window=timedelta(seconds=window_seconds)
    )
    # One address is guarded tightly; one IP (an office behind NAT) gets more room.
    if by_email >= max_failures or by_ip >= max_failures * 4:
        raise TooManyAttempts()
    user = session.exec(select(User).where(User.email == email)).first()
    valid = password_hash.verify(password, user.password_hash if user else _DUMMY_HASH)
    ok = bool(user and user.is_active and valid)
    session.add(LoginAttempt(email=email[:320], client_ip=client_ip[:64], succeeded=ok))
    session.commit()
    if not ok or user is None:
        raise InvalidCredentials()
    return load_staff_user(session, user.id or 0)  # type: ignore[return-value]


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
    )
