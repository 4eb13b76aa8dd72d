"""One's own account (e-mail language, assignment e-mails) and the one-time links that set a password.

The set-password page needs no session: the link is the proof. Any link that cannot be used
(unknown, expired, used, replaced, or the account deactivated) answers the same 404 page.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.staff import User
from web.csrf import require_csrf
from web.deps import NowDep, SessionDep, StaffDep
from web.services import staff_users
from web.services.auth import PasswordRefused
from web.services.password_links import LinkUnusable, set_password_from_link, usable_link
from web.templating import render

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)
CSRF = [Depends(require_csrf)]
# A token is 43 URL-safe characters; anything much longer is no token of ours.
Token = Annotated[str, Path(min_length=20, max_length=100)]


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, user: StaffDep, session: SessionDep) -> HTMLResponse:
    return _account_page(request, user, session)


@router.post("/account", response_class=HTMLResponse, dependencies=CSRF)
def save_account(
    request: Request,
    user: StaffDep,
    session: SessionDep,
    language: Annotated[str, Form(max_length=2)] = "",
    notify_on_assignment: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    return _save(
        request,
        user,
        session,
        lambda: staff_users.save_preferences(
            session, user_id=user.id, language=language, notify_on_assignment=notify_on_assignment == "yes"
        ),
    )


def letter_details_form(
    title_fi: Annotated[str, Form(max_length=120)] = "",
    title_sv: Annotated[str, Form(max_length=120)] = "",
    title_en: Annotated[str, Form(max_length=120)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
) -> staff_users.LetterDetails:
    """The titles and phone as typed on the account page or an administrator's user page."""
    return staff_users.LetterDetails.typed(title_fi=title_fi, title_sv=title_sv, title_en=title_en, phone=phone)


LetterDetailsForm = Annotated[staff_users.LetterDetails, Depends(letter_details_form)]


@router.post("/account/letters", response_class=HTMLResponse, dependencies=CSRF)
def save_letter_details(request: Request, user: StaffDep, session: SessionDep, details: LetterDetailsForm) -> Response:
    account = session.get(User, user.id)
    assert account is not None
    operator = staff_users.Operator(actor_id=user.id)
    return _save(
        request,
        user,
        session,
        lambda: staff_users.save_letter_details(session, user=account, details=details, operator=operator),
        details=details,
    )


def _save(
    request: Request,
    user: StaffDep,
    session: SessionDep,
    save: Callable[[], None],
    details: staff_users.LetterDetails | None = None,
) -> Response:
    """Saved: back to the account page with a notice; refused: the page again with the reason at the field
    and what was typed."""
    try:
        save()
    except staff_users.AccountRefused as refused:
        errors = {refused.field: refused.reason}
        return _account_page(request, user, session, errors=errors, details=details, status_code=422)
    request.session["flash"] = "account_saved"
    return RedirectResponse("/staff/account", status_code=303)


def _account_page(
    request: Request,
    user: StaffDep,
    session: SessionDep,
    errors: dict[str, str] | None = None,
    details: staff_users.LetterDetails | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    account = session.get(User, user.id)
    assert account is not None
    details = details or staff_users.LetterDetails(titles=account.titles, phone=account.phone)
    context = {"user": user, "account": account, "details": details._asdict(), "errors": errors or {}}
    return render(request, "staff/account.html", context, status_code=status_code)


@router.get("/set-password/{token}", response_class=HTMLResponse)  # SET_PASSWORD_PATH
def set_password_form(request: Request, token: Token, session: SessionDep, now: NowDep) -> HTMLResponse:
    try:
        link, user = usable_link(session, token, now)
    except LinkUnusable:
        return _link_unusable(request)
    context = {"purpose": link.purpose, "email": user.email, "token": token, "error": None}
    return render(request, "staff/set_password.html", context)


@router.post("/set-password/{token}", response_class=HTMLResponse, dependencies=CSRF)
async def set_password(
    request: Request,
    token: Token,
    session: SessionDep,
    now: NowDep,
    new: Annotated[str, Form(max_length=1024)] = "",
    repeat: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Spends the link; then the person signs in with the new password."""
    try:
        await run_in_threadpool(set_password_from_link, session, token=token, new=new, repeat=repeat, now=now)
    except LinkUnusable:
        return _link_unusable(request)
    except PasswordRefused as refused:
        link, user = usable_link(session, token, now)
        context = {"purpose": link.purpose, "email": user.email, "token": token, "error": str(refused)}
        return render(request, "staff/set_password.html", context, status_code=422)
    request.session["flash"] = "password_set"
    return RedirectResponse("/staff/login", status_code=303)


def _link_unusable(request: Request) -> HTMLResponse:
    return render(request, "staff/link_unusable.html", {}, status_code=404)
