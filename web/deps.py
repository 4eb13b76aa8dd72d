"""FastAPI dependencies: the database session, settings, the clock, the file store, the Temporal gateway,
the outbox relay, the programme catalogue, the trade register, the Mandates service and the signed-in staff
member.

Routes take these as parameters instead of reaching into `request.app.state`, so a test can see (and
`app.dependency_overrides` can replace) everything a route uses.
"""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from core.mandates import Mandates
from core.settings import Settings
from core.storage import FileStore
from core.temporal import TemporalGateway
from core.trade_register import TradeRegister
from models.grants.programme import Programme
from runtime.outbox_relay import OutboxRelay
from web.services.auth import StaffUser, load_staff_user

SESSION_USER_KEY = "staff_user_id"
SESSION_VERSION_KEY = "staff_session_version"


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_now(request: Request) -> datetime:
    """The current time from the app's clock (a fixed day in the tests)."""
    now: datetime = request.app.state.clock()
    return now


async def get_files(request: Request) -> FileStore:
    files: FileStore = request.app.state.files
    return files


async def get_gateway(request: Request) -> TemporalGateway:
    gateway: TemporalGateway = request.app.state.gateway
    return gateway


async def get_relay(request: Request) -> OutboxRelay:
    relay: OutboxRelay = request.app.state.relay
    return relay


def get_programmes(request: Request) -> dict[str, Programme]:
    programmes: dict[str, Programme] = request.app.state.programmes
    return programmes


async def get_register(request: Request) -> TradeRegister:
    register: TradeRegister = request.app.state.register
    return register


async def get_mandates(request: Request) -> Mandates:
    mandates: Mandates = request.app.state.mandates
    return mandates


# The dependencies only read the app's state: async, so FastAPI calls them on the event loop instead of sending
# each to the thread pool (a hop costs more than the read). The sync readers stay for pages that call them.
async def _now(request: Request) -> datetime:
    return get_now(request)


async def _programmes(request: Request) -> dict[str, Programme]:
    return get_programmes(request)


NowDep = Annotated[datetime, Depends(_now)]
FilesDep = Annotated[FileStore, Depends(get_files)]
GatewayDep = Annotated[TemporalGateway, Depends(get_gateway)]
RelayDep = Annotated[OutboxRelay, Depends(get_relay)]
ProgrammesDep = Annotated[dict[str, Programme], Depends(_programmes)]
RegisterDep = Annotated[TradeRegister, Depends(get_register)]
MandatesDep = Annotated[Mandates, Depends(get_mandates)]


async def get_programme(programmes: ProgrammesDep, programme: str) -> Programme:
    found = programmes.get(programme)
    if found is None:
        raise HTTPException(status_code=404, detail="programme")
    return found


ProgrammeDep = Annotated[Programme, Depends(get_programme)]


class NotSignedIn(Exception):
    """Raised for staff pages without a session; answered with a redirect to the sign-in page."""


class PasswordChangeRequired(Exception):
    """Raised for staff pages while the user has a temporary password; answered with the change-password page."""


# What opens with a temporary password: changing it, and signing out.
PASSWORD_CHANGE_PATHS = ("/staff/password", "/staff/logout")


def start_staff_session(request: Request, user: StaffUser) -> None:
    """The cookie names the user and their session version; see `current_staff`."""
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_VERSION_KEY] = user.session_version


def current_staff(request: Request, session: SessionDep) -> StaffUser:
    """The signed-in user, checked against the database on every request.

    A cookie is only as good as the user's current session version: signing out, a password change
    and deactivation raise it, so a copied cookie stops working at once instead of after 8 hours.
    """
    user_id = request.session.get(SESSION_USER_KEY)
    user = load_staff_user(session, user_id) if isinstance(user_id, int) else None
    if user is None or request.session.get(SESSION_VERSION_KEY) != user.session_version:
        request.session.pop(SESSION_USER_KEY, None)
        request.session.pop(SESSION_VERSION_KEY, None)
        raise NotSignedIn()
    request.state.staff_user = user
    if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    return user


StaffDep = Annotated[StaffUser, Depends(current_staff)]


def require_roles(*roles: str) -> Callable[[StaffUser], StaffUser]:
    def check(user: StaffDep) -> StaffUser:
        if not user.has_any(*roles):
            raise HTTPException(status_code=403, detail="role")
        return user

    return check
