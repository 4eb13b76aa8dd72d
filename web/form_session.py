"""What this browser has sent through the application form, kept in its signed session cookie.

The form's idempotency key belongs to the browser session, not to one page load: Back after sending,
a reload, or a second tab shows the same key, so sending again finds the first application instead of
making a second one. Only "start a new application" asks for a new key.
"""

import uuid

from starlette.requests import Request

DRAFT_KEYS = "application_form_keys"
SENT = "application_form_sent"


def draft_key(request: Request, programme_code: str, *, new: bool = False) -> str:
    keys = dict(request.session.get(DRAFT_KEYS, {}))
    if new or programme_code not in keys:
        keys[programme_code] = uuid.uuid4().hex
        request.session[DRAFT_KEYS] = keys
        forget_sent(request, programme_code)
    return str(keys[programme_code])


def remember_sent(request: Request, programme_code: str, status_path: str) -> None:
    request.session[SENT] = {**request.session.get(SENT, {}), programme_code: status_path}


def sent_status_path(request: Request, programme_code: str) -> str | None:
    """The status page of what this browser sent with the current key, if anything."""
    path = request.session.get(SENT, {}).get(programme_code)
    return str(path) if path else None


def forget_sent(request: Request, programme_code: str) -> None:
    sent = dict(request.session.get(SENT, {}))
    if sent.pop(programme_code, None) is not None:
        request.session[SENT] = sent
