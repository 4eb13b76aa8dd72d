"""The web application factory: wiring only; the pages live in web/routes, the logic in web/services."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from core.db import Database
from core.mandates import RecordedMandates
from core.settings import PROJECT_ROOT, Settings, get_settings
from core.storage import LocalFileStore
from core.temporal import TemporalGateway
from core.trade_register.configured import trade_register_from
from models.grants.programme import Programme, load_programmes
from models.types import utcnow
from runtime.outbox_relay import OutboxRelay
from web.deps import NotSignedIn, PasswordChangeRequired
from web.form_errors import field_errors, friendly_message
from web.guards import PublicPostLimit, clean_url
from web.i18n import formatting_gettext, negotiate_language
from web.middleware import BodySizeLimit, SecurityHeaders
from web.routes import (
    api,
    applicant_payment,
    codec,
    coordination,
    docs,
    finance,
    identification,
    legal,
    lost_link,
    public,
    public_decisions,
    public_rectification,
    staff,
    staff_account,
    staff_account_checks,
    staff_recovery,
    staff_rectification,
    staff_search,
    staff_tasks,
    staff_users,
)
from web.routes.service_requests import api as service_requests_api
from web.routes.service_requests import public as service_requests_public
from web.routes.service_requests import staff as service_requests_staff
from web.templating import render

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    programmes: dict[str, Programme] | None = None,
    gateway: TemporalGateway | None = None,
    clock: Callable[[], datetime] = utcnow,
    run_relay: bool = True,
) -> FastAPI:
    settings = settings or get_settings()
    db = db or Database(settings.database_url)
    gateway = gateway or TemporalGateway(settings.temporal_address, settings.temporal_namespace, settings.payload_key)
    relay = OutboxRelay(db, gateway.client, settings.task_queue)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(relay.run_forever(settings.outbox_poll_seconds)) if run_relay else None
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="grantdesk",
        version="0.1.0",
        lifespan=lifespan,
        # Served by web/routes/docs.py: open in dev, for administrators elsewhere.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # Every route, including those added later: a rate on public posts, no control characters in URLs.
        dependencies=[
            Depends(PublicPostLimit(settings.public_post_limit, settings.rate_limit_storage)),
            Depends(clean_url),
        ],
    )
    app.state.settings = settings
    app.state.lost_link_limit = PublicPostLimit(
        settings.lost_link_limit, settings.rate_limit_storage, namespace="lost-link"
    )
    app.state.db = db
    app.state.programmes = (
        programmes
        if programmes is not None
        else load_programmes(settings.programmes_dir, include_demo=settings.demo_programmes)
    )
    app.state.relay = relay
    app.state.gateway = gateway
    app.state.files = LocalFileStore(settings.documents_dir)
    app.state.clock = clock
    app.state.register = trade_register_from(settings, db)
    app.state.mandates = RecordedMandates(db)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="grantdesk_session",
        same_site="lax",
        https_only=settings.secure_cookies,
        max_age=8 * 3600,
    )
    upload_limit = settings.max_uploads * settings.max_upload_bytes + settings.max_body_bytes
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        # Answers carry files; the Temporal UI decodes a whole history's payloads at once.
        larger={r"/status/[^/]+/answer": upload_limit, r"/codec/decode": 8 * 1024 * 1024},
    )
    if settings.trusted_proxy_list:
        # The client's address from X-Forwarded-For, believed only from our own proxies.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    app.add_middleware(SecurityHeaders, hsts=settings.environment == "production")  # added last: outermost
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "web" / "static"), name="static")
    app.mount(docs.ASSETS_URL, StaticFiles(directory=str(docs.ASSETS)), name="docs-static")
    app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    app.include_router(public.router)
    app.include_router(identification.router)
    app.include_router(applicant_payment.router)
    app.include_router(lost_link.router)
    app.include_router(public_decisions.router)
    app.include_router(public_rectification.router)
    app.include_router(api.router)
    app.include_router(staff.router)
    app.include_router(staff_tasks.router)
    app.include_router(staff_account_checks.router)
    app.include_router(staff_recovery.router)
    app.include_router(staff_rectification.router)
    app.include_router(staff_search.router)
    app.include_router(coordination.router)
    app.include_router(finance.router)
    app.include_router(legal.router)
    app.include_router(staff_users.router)
    app.include_router(staff_account.router)
    app.include_router(docs.router)
    app.include_router(codec.router)
    app.include_router(service_requests_public.router)
    app.include_router(service_requests_staff.router)
    app.include_router(service_requests_api.router)
    _install_error_handlers(app)
    return app


async def healthz() -> dict[str, str]:
    """For load balancers and the compose health check: the process answers."""
    return {"status": "ok"}


# The `type` of an API error that carries no field (the API documents every error as field, message, type).
ERROR_TYPES = {
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/codec/"))


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if all(str(error.get("loc", ("",))[0]) == "path" for error in exc.errors()):
            # /staff/tasks/0 or /staff/tasks/²: a page that cannot exist, not a form to correct.
            return await http_error(request, StarletteHTTPException(status_code=404))
        errors = field_errors(exc.errors(), skip=1)
        if _wants_json(request):
            return JSONResponse({"detail": [e.model_dump() for e in errors]}, status_code=422)
        # A form or link that did not validate: say which field and why, in the reader's language.
        translate = formatting_gettext(negotiate_language(request))
        fields = [(e.field, translate(friendly_message(e))) for e in errors]
        return render(request, "errors/error.html", {"status": 422, "fields": fields}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            detail = (
                exc.detail
                if isinstance(exc.detail, list)
                else [{"field": "", "message": str(exc.detail), "type": ERROR_TYPES.get(exc.status_code, "error")}]
            )
            return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)
        retry_after = (exc.headers or {}).get("Retry-After")
        context = {"status": exc.status_code, "retry_after": retry_after}
        page = render(request, "errors/error.html", context, status_code=exc.status_code)
        page.headers.update(exc.headers or {})  # Retry-After on a 429
        return page

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _wants_json(request):  # the staff JSON API: the session cookie is missing or has ended
            message = "sign in first: /staff/login"
            detail = [{"field": "", "message": message, "type": ERROR_TYPES[401]}]
            return JSONResponse({"detail": detail}, status_code=401)
        # Back to the same page afterwards, with its query (the language, the queue's filters).
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = f"/staff/login?next={quote(target, safe='')}"
        if request.query_params.get("lang"):
            login += f"&lang={quote(request.query_params['lang'], safe='')}"
        return RedirectResponse(login, status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(request: Request, exc: PasswordChangeRequired) -> Response:
        # A temporary password (given by the command line) is replaced before anything else opens.
        if _wants_json(request):
            message = "change your temporary password first"
            return JSONResponse({"detail": [{"field": "", "message": message, "type": "forbidden"}]}, status_code=403)
        return RedirectResponse("/staff/password", status_code=303)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Logged in full for us; the user gets a plain page or JSON, never a stack trace.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _wants_json(request):
            return JSONResponse({"detail": [{"field": "", "message": "internal error"}]}, status_code=500)
        return render(request, "errors/error.html", {"status": 500}, status_code=500)
