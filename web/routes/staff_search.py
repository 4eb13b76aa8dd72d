"""Search, and the queue and search results taken away as CSV or XLSX; all through the caller's scope.

The search form posts (with CSRF) rather than putting what was typed in the URL: a personal identity
code in a query string would end up in access logs and browser history.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from core.clock import helsinki_today
from web.csrf import require_csrf
from web.deps import SessionDep, SettingsDep, require_roles
from web.i18n import formatting_gettext, negotiate_language
from web.routes.staff_tasks import QueueFiltersDep
from web.scope import CASE_ROLES, ScopeDep
from web.services import tasks as queue
from web.services.exports import MAX_ROWS, MEDIA_TYPES, ExportFormat, export, filename
from web.services.list_tables import queue_table, search_table
from web.services.search import QueryRefused, SearchQuery, parse_query, search
from web.templating import render

router = APIRouter(
    prefix="/staff", tags=["staff"], dependencies=[Depends(require_roles(*CASE_ROLES))], include_in_schema=False
)
CSRF = [Depends(require_csrf)]
Typed = Annotated[str, Form(max_length=200)]


def _download(data: bytes, format: ExportFormat, name: str) -> Response:
    return Response(
        data, media_type=MEDIA_TYPES[format], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _refused(request: Request, scope: ScopeDep, q: str, refused: QueryRefused) -> HTMLResponse:
    translate = formatting_gettext(negotiate_language(request))
    context = {"user": scope.user, "q": q, "error": translate(str(refused)), "query": None, "rows": []}
    return render(request, "staff/search.html", context, status_code=422)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, scope: ScopeDep) -> HTMLResponse:
    return render(request, "staff/search.html", {"user": scope.user, "q": "", "error": None, "query": None, "rows": []})


@router.post("/search", response_class=HTMLResponse, dependencies=CSRF)
def search_results(
    request: Request, scope: ScopeDep, session: SessionDep, settings: SettingsDep, q: Typed = ""
) -> HTMLResponse:
    try:
        query = parse_query(q, secret=settings.secret_key)
    except QueryRefused as refused:
        return _refused(request, scope, q, refused)
    rows = search(session, query, programme_codes=scope.codes)
    context = {"user": scope.user, "q": q, "error": None, "query": query, "rows": rows}
    return render(request, "staff/search.html", context)


@router.post("/search/export", dependencies=CSRF)
def search_export(
    request: Request,
    scope: ScopeDep,
    session: SessionDep,
    settings: SettingsDep,
    format: Annotated[ExportFormat, Form()],
    q: Typed = "",
) -> Response:
    try:
        query = parse_query(q, secret=settings.secret_key)
    except QueryRefused as refused:
        return _refused(request, scope, q, refused)
    rows = search(session, query, programme_codes=scope.codes, limit=MAX_ROWS)
    table = search_table(rows, language=negotiate_language(request))
    data = export(session, table=table, format=format, user=scope.user, filters=_described(query))
    return _download(data, format, filename(table, format, helsinki_today()))


@router.get("/queue/export")
def queue_export(
    request: Request,
    scope: ScopeDep,
    session: SessionDep,
    filters: QueueFiltersDep,
    format: Annotated[ExportFormat, Query()],
) -> Response:
    today = helsinki_today()
    rows = queue.list_queue(session, user=scope.user, programme_codes=scope.codes, filters=filters, limit=MAX_ROWS)
    table = queue_table(rows, language=negotiate_language(request), today=today)
    described = {k: (str(v) if v is not None else None) for k, v in vars(filters).items()}
    data = export(session, table=table, format=format, user=scope.user, filters=described)
    return _download(data, format, filename(table, format, today))


def _described(query: SearchQuery) -> dict[str, str | None]:
    """For the audit: the key searched by and what was typed, but never an identity code (nor its digest)."""
    return {"by": str(query.key), "value": query.shown}
