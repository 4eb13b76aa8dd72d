"""The staff workplace: sign-in and sign-out, one's own password, and the applications one may see."""

import asyncio
import dataclasses
import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.clock import helsinki_today
from models.grants.applications import Application
from models.staff import Role
from web.csrf import require_csrf, rotate_csrf
from web.deps import SessionDep, SettingsDep, StaffDep, require_roles, start_staff_session
from web.forms import country_options
from web.i18n import negotiate_language
from web.scope import CASE_ROLES, Scope, ScopedApplication, ScopeDep
from web.services.applications import recent_applications
from web.services.auth import (
    InvalidCredentials,
    LoginLimits,
    PasswordRefused,
    TooManyAttempts,
    change_password,
    check_password,
    end_sessions,
    open_attempt,
)
from web.services.case_facts import reveal_personal_id
from web.services.task_view import case_file
from web.templating import render

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)
CSRF = [Depends(require_csrf)]


def _safe_next(target: str | None) -> str:
    # Only our own staff pages: never an open redirect to another site.
    if target and target.startswith("/staff") and not target.startswith("//"):
        return target
    return "/staff"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "staff/login.html", {"email": "", "next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse, dependencies=CSRF)
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "/staff",
) -> Response:
    # The client address is the peer's, or what a configured proxy says (TRUSTED_PROXIES), never a bare header.
    client_ip = request.client.host if request.client else "unknown"
    limits = LoginLimits(max_failures=settings.login_max_failures, window_seconds=settings.login_window_seconds)
    context = {"email": email, "next": _safe_next(next)}
    try:
        gate = await run_in_threadpool(open_attempt, session, email=email, client_ip=client_ip, limits=limits)
        if gate.delay:
            await asyncio.sleep(gate.delay)  # slows guessing at one account without locking its owner out
        user = await run_in_threadpool(check_password, session, gate, password)
    except TooManyAttempts:
        return render(request, "staff/login.html", {**context, "error": "too_many"}, status_code=429)
    except InvalidCredentials:
        return render(request, "staff/login.html", {**context, "error": "invalid"}, status_code=401)
    request.session.clear()
    start_staff_session(request, user)
    rotate_csrf(request)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=CSRF)
def logout(request: Request, session: SessionDep, user: StaffDep) -> RedirectResponse:
    """Ends every session of this person, on every device, not only this browser's cookie."""
    end_sessions(session, user.id)
    request.session.clear()
    return RedirectResponse("/staff/login", status_code=303)


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, user: StaffDep) -> HTMLResponse:
    return render(request, "staff/password.html", {"user": user, "error": None})


@router.post("/password", response_class=HTMLResponse, dependencies=CSRF)
async def password_change(
    request: Request,
    session: SessionDep,
    user: StaffDep,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
    repeat: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """A new password ends every other session of this person; this one continues."""
    if new != repeat:
        return render(request, "staff/password.html", {"user": user, "error": "mismatch"}, status_code=422)
    try:
        version = await run_in_threadpool(change_password, session, user_id=user.id, current=current, new=new)
    except InvalidCredentials:
        return render(request, "staff/password.html", {"user": user, "error": "current"}, status_code=422)
    except PasswordRefused as refused:
        return render(request, "staff/password.html", {"user": user, "error": str(refused)}, status_code=422)
    start_staff_session(request, dataclasses.replace(user, session_version=version))
    rotate_csrf(request)
    request.session["flash"] = "password_changed"
    return RedirectResponse("/staff", status_code=303)


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, scope: ScopeDep, session: SessionDep) -> Response:
    if not scope.reads_cases and scope.user.has_any(Role.FINANCE):
        return RedirectResponse("/staff/finance", status_code=303)  # finance works on payments, not cases
    applications = recent_applications(session, scope.codes) if scope.reads_cases else []
    context = {"user": scope.user, "programmes": scope.programmes, "applications": applications}
    return render(request, "staff/dashboard.html", context)


@router.get(
    "/applications/{application_id}", response_class=HTMLResponse, dependencies=[Depends(require_roles(*CASE_ROLES))]
)
def application_detail(
    request: Request, application: ScopedApplication, scope: ScopeDep, session: SessionDep
) -> HTMLResponse:
    return case_page(request, application, scope, session)


def case_page(
    request: Request,
    application: Application,
    scope: Scope,
    session: SessionDep,
    *,
    recovery_error: Any = None,
    rectification_error: Any = None,
    values: Mapping[str, object] | None = None,
) -> HTMLResponse:
    """The case page; a refused recovery case or rectification request comes back with the reason at its
    field and what was typed."""
    case = case_file(session, application.id or 0)
    context = {
        "user": scope.user,
        "case": case,
        "recovery_error": recovery_error,
        "rectification_error": rectification_error,
        "values": values or {},
        "today": helsinki_today(),
        "new_key": uuid.uuid4().hex,
        "countries": country_options(negotiate_language(request)),
    }
    refused = recovery_error or rectification_error
    return render(request, "staff/application.html", context, status_code=422 if refused else 200)


@router.post(
    "/applications/{application_id}/personal-id",
    response_class=HTMLResponse,
    dependencies=[Depends(require_roles(*CASE_ROLES)), *CSRF],
)
def application_personal_id(
    request: Request, application: ScopedApplication, scope: ScopeDep, session: SessionDep
) -> HTMLResponse:
    """The application page with the applicant's personal identity code in full; the look is audited."""
    personal_id = reveal_personal_id(session, application=application, user=scope.user)
    case = case_file(session, application.id or 0)
    context: dict[str, object] = {
        "user": scope.user,
        "case": case,
        "revealed_personal_id": personal_id,
        "values": {},
        "today": helsinki_today(),
        "new_key": uuid.uuid4().hex,
        "countries": country_options(negotiate_language(request)),
    }
    return render(request, "staff/application.html", context)
