"""CSRF protection for every form: a per-session token, sent back in a hidden field."""

import secrets

from fastapi import HTTPException, Request
from starlette.datastructures import FormData

from web.guards import check_form_text

SESSION_KEY = "csrf"
FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return str(token)


def rotate_csrf(request: Request) -> None:
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)


async def require_csrf(request: Request) -> None:
    """Dependency for every state-changing form post: the CSRF token, then clean text in every field."""
    check_form_text(await _checked_form(request))


async def require_csrf_token(request: Request) -> None:
    """The token only, for a form whose schema refuses control characters field by field (models/text.py),
    so the form can come back with the reason next to the field and what was typed kept."""
    await _checked_form(request)


async def _checked_form(request: Request) -> FormData:
    form = await request.form()
    submitted = form.get(FIELD)
    expected = request.session.get(SESSION_KEY)
    if not isinstance(submitted, str) or not expected or not secrets.compare_digest(submitted, expected):
        raise HTTPException(status_code=403, detail="csrf")
    return form
