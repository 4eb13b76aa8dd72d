"""The staff workplace: sign-in, and the applications an organisation is allowed to see."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.programme import Programme
from web.csrf import require_csrf, rotate_csrf
from web.deps import SESSION_USER_KEY, SessionDep, SettingsDep, StaffDep, require_roles
from web.services.applications import recent_applications
from web.services.auth import InvalidCredentials, StaffUser, TooManyAttempts, authenticate
from web.services.task_view import case_file
from web.templating import render

router = APIRouter(prefix="/staff", tags=["staff"])

CASE_ROLES = ("handler", "decider", "legal", "coordinator", "admin")


def visible_programmes(request: Request, user: StaffUser) -> list[Programme]:
    """A programme's cases are open to the organisations it names as processing organisations."""
    programmes: dict[str, Programme] = request.app.state.programmes
    return [p for p in programmes.values() if user.organisation_code in p.processing_organisations]


def _safe_next(target: str | None) -> str:
    # Only our own staff pages: never an open redirect to another site.
    if target and target.startswith("/staff") and not target.startswith("//"):
        return target
    return "/staff"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "staff/login.html", {"email": "", "next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "/staff",
) -> Response:
    client_ip = request.client.host if request.client else "unknown"
    try:
        user = await run_in_threadpool(
            authenticate,
            session,
            email=email,
            password=password,
            client_ip=client_ip,
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_window_seconds,
        )
    except TooManyAttempts:
        context = {"email": email, "next": _safe_next(next), "error": "too_many"}
        return render(request, "staff/login.html", context, status_code=429)
    except InvalidCredentials:
        context = {"email": email, "next": _safe_next(next), "error": "invalid"}
        return render(request, "staff/login.html", context, status_code=401)
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    rotate_csrf(request)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(require_csrf)])
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/staff/login", status_code=303)


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, user: StaffDep, session: SessionDep) -> HTMLResponse:
    programmes = visible_programmes(request, user)
    applications = recent_applications(session, [p.code for p in programmes]) if user.has_any(*CASE_ROLES) else []
    return render(
        request, "staff/dashboard.html", {"user": user, "programmes": programmes, "applications": applications}
    )


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application_detail(
    request: Request,
    application_id: int,
    session: SessionDep,
    user: Annotated[StaffUser, Depends(require_roles(*CASE_ROLES))],
) -> HTMLResponse:
    case = case_file(session, application_id)
    allowed = {p.code for p in visible_programmes(request, user)}
    # Another organisation's case answers exactly like a missing one: its existence is not disclosed.
    if case is None or case.view.application.programme_code not in allowed:
        raise HTTPException(status_code=404)
    return render(request, "staff/application.html", {"user": user, "case": case})
