"""The applicant asks for a decision to be rectified, from the private status page, and reads the ruling."""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.clock import helsinki_today
from models.appeals.requests import ArrivedBy
from models.grants.status_links import application_id_from_token
from web.csrf import require_csrf
from web.deps import FilesDep, NowDep, RelayDep, SessionDep, SettingsDep, get_programmes
from web.i18n import formatting_gettext, negotiate_language
from web.ids import RowId
from web.routes.public import render_status_page
from web.services.applications import application_view
from web.services.rectifications import RequestRefused, StatusLinks, applicant_requesting, record_request, requests_of
from web.services.uploads import UploadRefused, uploads_in
from web.templating import pdf_response

router = APIRouter(tags=["public"], include_in_schema=False)


@router.post("/status/{token}/rectification", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def request_rectification(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    files: FilesDep,
    relay: RelayDep,
    now: NowDep,
) -> Response:
    """Recorded whenever it comes: one after the time limit is marked late for legal staff, never refused."""
    application_id = application_id_from_token(token, settings.secret_key)
    view = application_view(session, application_id) if application_id else None
    if view is None:
        raise HTTPException(status_code=404)
    form = await request.form()
    typed = {
        "decision": str(form.get("decision") or "")[:40],
        "demand": str(form.get("demand") or "")[:20000],
        "key": str(form.get("key") or "")[:64],
    }
    uploads = await uploads_in(form)
    application = view.application
    translate = formatting_gettext(negotiate_language(request))
    try:
        if not typed["key"]:
            raise RequestRefused("demand", "Reload the page and send the request again.")
        await run_in_threadpool(
            record_request,
            session,
            files,
            application=application,
            programme=get_programmes(request)[application.programme_code],
            decision_number=typed["decision"],
            requesting=applicant_requesting(application),
            demand=typed["demand"],
            key=f"online:{application.id}:{typed['key']}",
            arrived_by=ArrivedBy.ONLINE,
            received_on=helsinki_today(now),
            uploads=uploads,
            max_bytes=settings.max_upload_bytes,
            max_files=settings.max_uploads,
            acknowledgement=StatusLinks(base_url=settings.public_base_url, secret=settings.secret_key),
            now=now,
        )
    except RequestRefused as refused:
        errors = {refused.field: translate(refused.reason)}
        return await _again(request, session, settings, token, errors, typed)
    except UploadRefused as refused:
        errors = {"files": translate(refused.message, **refused.values)}
        return await _again(request, session, settings, token, errors, typed)
    relay.wake()
    request.session["flash"] = "rectification_sent"
    return RedirectResponse(f"/status/{token}#rectification", status_code=303)


async def _again(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: str,
    errors: dict[str, str],
    typed: dict[str, str],
) -> HTMLResponse:
    """The status page again, with the reason at the field and what was typed."""
    return await run_in_threadpool(
        render_status_page,
        request,
        session,
        settings,
        token,
        rectification_error=errors,
        rectification=typed,
        status_code=422,
    )


@router.get("/status/{token}/ruling-letter/{request_seq}")
def ruling_letter(
    token: str, request_seq: RowId, session: SessionDep, settings: SettingsDep, files: FilesDep
) -> Response:
    """The ruling on the applicant's own request; a member's ruling letter is the member's (it bears their
    address), so the status page states its outcome only."""
    application_id = application_id_from_token(token, settings.secret_key)
    if application_id is None:
        raise HTTPException(status_code=404)
    found = [v for v in requests_of(session, application_id) if v.request.seq == request_seq and v.by_party]
    if not found or found[0].letter is None:
        raise HTTPException(status_code=404)
    return pdf_response(files.get(found[0].letter.storage_key), "ruling.pdf")
