"""An organisation's administrators manage its staff accounts: list, invite, roles, deactivate, password reset.

Every account in a path is loaded by `ManagedUser` (web/scope.py): another organisation's account
answers 404, as a missing one does.
"""

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.staff import Role, User
from web.csrf import require_csrf
from web.deps import NowDep, RelayDep, SessionDep, SettingsDep, StaffDep, require_roles
from web.i18n import negotiate_language
from web.routes.staff_account import LetterDetailsForm
from web.scope import ManagedUser
from web.services import staff_users
from web.services.auth import StaffUser
from web.templating import render

router = APIRouter(
    prefix="/staff/users",
    tags=["staff"],
    dependencies=[Depends(require_roles(Role.ADMIN))],
    include_in_schema=False,
)
CSRF = [Depends(require_csrf)]


@router.get("", response_class=HTMLResponse)
def user_list(request: Request, admin: StaffDep, session: SessionDep) -> HTMLResponse:
    context = {"user": admin, "members": staff_users.members(session, admin.organisation_code)}
    return render(request, "staff/users.html", context)


@router.get("/new", response_class=HTMLResponse)
def new_user_form(request: Request, admin: StaffDep) -> HTMLResponse:
    values = {"language": negotiate_language(request), "roles": []}
    return _new_user_page(request, admin, values, {})


@router.post("", response_class=HTMLResponse, dependencies=CSRF)
async def create_user(
    request: Request,
    admin: StaffDep,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    relay: RelayDep,
    full_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    language: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """Creates the account and e-mails the person a one-time link to choose their password."""
    roles = [str(role) for role in (await request.form()).getlist("roles")]
    member = staff_users.check_new_member(session, email=email, full_name=full_name, roles=roles, language=language)
    if member.errors:
        values = {"full_name": full_name, "email": email, "language": language, "roles": roles}
        return _new_user_page(request, admin, values, member.errors, status_code=422)
    user, _token = staff_users.invite(
        session,
        organisation_code=admin.organisation_code,
        member=member,
        operator=staff_users.Operator(actor_id=admin.id),
        settings=settings,
        now=now,
    )
    relay.wake()
    request.session["flash"] = "user_invited"
    return RedirectResponse(f"/staff/users/{user.id}", status_code=303)


@router.get("/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, member: ManagedUser, admin: StaffDep, session: SessionDep) -> HTMLResponse:
    return _user_page(request, session, admin, member)


@router.post("/{user_id}/roles", response_class=HTMLResponse, dependencies=CSRF)
async def change_roles(request: Request, member: ManagedUser, admin: StaffDep, session: SessionDep) -> Response:
    roles = [str(role) for role in (await request.form()).getlist("roles")]
    operator = staff_users.Operator(actor_id=admin.id)
    try:
        staff_users.set_roles(session, user=member, roles=roles, operator=operator)
    except staff_users.AccountRefused as refused:
        errors = {refused.field: refused.reason}
        return _user_page(request, session, admin, member, errors=errors, roles=roles, status_code=422)
    request.session["flash"] = "roles_changed"
    return RedirectResponse(f"/staff/users/{member.id}", status_code=303)


@router.post("/{user_id}/letters", response_class=HTMLResponse, dependencies=CSRF)
def save_letter_details(
    request: Request, member: ManagedUser, admin: StaffDep, session: SessionDep, details: LetterDetailsForm
) -> Response:
    """The titles and phone decision letters give for the person (a letter is not made without the title)."""
    operator = staff_users.Operator(actor_id=admin.id)
    try:
        staff_users.save_letter_details(session, user=member, details=details, operator=operator)
    except staff_users.AccountRefused as refused:
        errors = {refused.field: refused.reason}
        return _user_page(request, session, admin, member, errors=errors, details=details, status_code=422)
    request.session["flash"] = "letter_details_saved"
    return RedirectResponse(f"/staff/users/{member.id}", status_code=303)


@router.post("/{user_id}/deactivate", response_class=HTMLResponse, dependencies=CSRF)
def deactivate_user(
    request: Request, member: ManagedUser, admin: StaffDep, session: SessionDep, now: NowDep
) -> Response:
    try:
        staff_users.deactivate_member(session, user=member, operator=staff_users.Operator(actor_id=admin.id), now=now)
    except staff_users.AccountRefused as refused:
        return _user_page(request, session, admin, member, errors={refused.field: refused.reason}, status_code=422)
    request.session["flash"] = "user_deactivated"
    return RedirectResponse(f"/staff/users/{member.id}", status_code=303)


@router.post("/{user_id}/reset", response_class=HTMLResponse, dependencies=CSRF)
def reset_password(
    request: Request,
    member: ManagedUser,
    admin: StaffDep,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    relay: RelayDep,
) -> Response:
    """E-mails the person a one-time link to choose a new password; older links stop working."""
    operator = staff_users.Operator(actor_id=admin.id)
    try:
        staff_users.request_reset(session, user=member, operator=operator, settings=settings, now=now)
    except staff_users.AccountRefused as refused:
        return _user_page(request, session, admin, member, errors={refused.field: refused.reason}, status_code=409)
    relay.wake()
    request.session["flash"] = "reset_sent"
    return RedirectResponse(f"/staff/users/{member.id}", status_code=303)


def _new_user_page(
    request: Request, admin: StaffUser, values: Mapping[str, object], errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    context = {"user": admin, "values": values, "errors": errors, "all_roles": staff_users.ROLES}
    return render(request, "staff/user_new.html", context, status_code=status_code)


def _user_page(
    request: Request,
    session: SessionDep,
    admin: StaffUser,
    member: User,
    *,
    errors: dict[str, str] | None = None,
    roles: list[str] | None = None,
    details: staff_users.LetterDetails | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    details = details or staff_users.LetterDetails(titles=member.titles, phone=member.phone)
    context = {
        "user": admin,
        "member": member,
        "details": details._asdict(),
        # What the form showed: the roles as typed after a refusal, else as stored.
        "roles": roles if roles is not None else staff_users.roles_of(session, member.id or 0),
        "all_roles": staff_users.ROLES,
        "errors": errors or {},
        "is_self": member.id == admin.id,
    }
    return render(request, "staff/user.html", context, status_code=status_code)
