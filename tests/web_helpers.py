"""Helpers for driving the server-rendered pages like a browser would."""

import re
from typing import Any

from fastapi.testclient import TestClient

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def idempotency_key_from(html: str) -> str:
    match = _IDEMPOTENCY.search(html)
    assert match, "form has no idempotency token"
    return match.group(1)


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """The nested API body as the HTML form's flat field names; booleans as the form's yes/no."""
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, bool):
            flat[name] = "yes" if value else "no"
        elif value is None:
            flat[name] = ""
        else:
            flat[name] = str(value)
    return flat


def sign_in(client: TestClient, email: str, password: str) -> Any:
    page = client.get("/staff/login")
    return client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text), "next": "/staff"},
        follow_redirects=False,
    )
