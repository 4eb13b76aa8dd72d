"""Checks every request passes before any route sees it: clean text in URLs and forms, a rate on public posts.

Both run as app-wide dependencies (see `create_app`), so a route or form added later is covered
without remembering to ask for it.
"""

import math
import time

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.datastructures import FormData

from models.text import CONTROL_CHARACTER, CONTROL_CHARACTER_MESSAGE, has_control_characters

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Staff sign-in has its own, stricter limits (web/services/auth.py); staff pages and the codec endpoint
# need a staff session.
STAFF_PREFIX = ("/staff", "/codec/")


def _refused(location: str, field: str) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": (location, field), "msg": CONTROL_CHARACTER_MESSAGE, "type": CONTROL_CHARACTER}]
    )


async def clean_url(request: Request) -> None:
    """Path and query values with control characters are a 422, never a database error."""
    for location, values in (("path", request.path_params), ("query", request.query_params)):
        for name, value in values.items():
            if isinstance(value, str) and (has_control_characters(value) or has_control_characters(name)):
                raise _refused(location, name)


def check_form_text(form: FormData) -> None:
    """Every text field of a posted form (files are checked by their own rules)."""
    for name, value in form.multi_items():
        if has_control_characters(name) or (isinstance(value, str) and has_control_characters(value)):
            raise _refused("body", name)


class PublicPostLimit:
    """Per client address, on every state-changing request outside the staff pages: 429 with Retry-After.

    `spec` is in the `limits` notation, e.g. "30/minute;300/hour"; empty switches it off (load tests).
    The default in-memory storage counts per web process; "redis://…" shares the count between them.
    """

    def __init__(self, spec: str, storage_uri: str = "memory://", *, namespace: str = "public-post") -> None:
        self._namespace = namespace
        self._items: list[RateLimitItem] = parse_many(spec) if spec.strip() else []
        uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
        self._limiter = MovingWindowRateLimiter(storage_from_string(uri)) if self._items else None

    async def __call__(self, request: Request) -> None:
        if self._limiter is None or request.method in SAFE_METHODS or request.url.path.startswith(STAFF_PREFIX):
            return
        client = request.client.host if request.client else "unknown"
        for item in self._items:
            if not await self._limiter.hit(item, self._namespace, client):
                stats = await self._limiter.get_window_stats(item, self._namespace, client)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                raise HTTPException(
                    status_code=429,
                    detail=[{"field": "", "message": "too many requests; try again later", "type": "rate_limited"}],
                    headers={"Retry-After": str(retry_after)},
                )


async def lost_link_limit(request: Request) -> None:
    """The "lost your link?" page's own, stricter limit (a page that sends e-mail is worth abusing)."""
    await request.app.state.lost_link_limit(request)
