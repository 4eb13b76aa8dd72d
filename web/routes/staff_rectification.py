"""Rectification requests on the staff pages: one that came by post, e-mail or in person is registered on the
case page (by legal staff or a handler), and legal staff record the body's ruling on the request's task."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.i18n import N_
from models.appeals.payloads import RuleInput
from models.appeals.requests import ArrivedBy, Requester, Ruling
from models.grants.decisions import Outcome
from models.staff import Role
from web.csrf import require_csrf
from web.deps import FilesDep, GatewayDep, NowDep, RelayDep, SessionDep, SettingsDep, get_programmes, require_roles
from web.i18n import LANGUAGE_ENDONYMS, formatting_gettext, negotiate_language
from web.routes.staff import case_page
from web.routes.staff_tasks import act_on_task, refuse_form
from web.scope import ScopedApplication, ScopeDep, ScopedTask
from web.services.letter_language import ruling_refusal
from web.services.processing import actor_of
from web.services.rectifications import (
    RequestRefused,
    StatusLinks,
    applicant_requesting,
    member_requesting,
    record_request,
)
from web.services.uploads import UploadRefused, uploads_in
from workflows.appeals.rectification import RectificationWorkflow

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)
CSRF = [Depends(require_csrf)]
REGISTER_FIELDS = (
    "decision", "requester", "name", "street", "postcode", "post_office", "country", "email", "language", "arrived_by",
    "received_on", "demand", "key",
)  # fmt: skip


@router.post(
    "/applications/{application_id}/rectification-requests",
    response_class=HTMLResponse,
    dependencies=[Depends(require_roles(Role.LEGAL, Role.HANDLER)), *CSRF],
)
async def register_request(
    request: Request,
    application: ScopedApplication,
    scope: ScopeDep,
    session: SessionDep,
    settings: SettingsDep,
    files: FilesDep,
    relay: RelayDep,
    now: NowDep,
) -> Response:
    """A request that came by post, e-mail or in person, with the day it arrived (the time limit is judged on
    it); a member of the municipality's with their name and address, for the ruling to reach them."""
    form = await request.form()
    typed = {name: str(form.get(name) or "").strip()[: 8000 if name == "demand" else 200] for name in REGISTER_FIELDS}
    typed["email_consent"] = "yes" if form.get("email_consent") == "yes" else ""
    uploads = await uploads_in(form)

    def refused(field: str, reason: str) -> HTMLResponse:
        error = RequestRefused(field, reason)
        return case_page(request, application, scope, session, rectification_error=error, values=typed)

    try:
        received_on = date.fromisoformat(typed["received_on"])
    except ValueError:
        return await run_in_threadpool(refused, "received_on", N_("Enter the day the request arrived."))
    if typed["arrived_by"] not in (ArrivedBy.POST, ArrivedBy.EMAIL, ArrivedBy.IN_PERSON):
        return await run_in_threadpool(refused, "arrived_by", N_("Say how the request arrived."))
    if typed["requester"] == Requester.MEMBER:
        try:
            requesting = member_requesting(typed)
        except RequestRefused as error:
            return await run_in_threadpool(refused, error.field, error.reason)
    elif typed["requester"] == Requester.PARTY:
        requesting = applicant_requesting(application)
    else:
        return await run_in_threadpool(refused, "requester", N_("Say who made the request."))
    try:
        await run_in_threadpool(
            record_request,
            session,
            files,
            application=application,
            programme=get_programmes(request)[application.programme_code],
            decision_number=typed["decision"],
            requesting=requesting,
            demand=typed["demand"],
            key=f"registered:{application.id}:{typed['key'] or now.isoformat()}",
            arrived_by=ArrivedBy(typed["arrived_by"]),
            received_on=received_on,
            uploads=uploads,
            max_bytes=settings.max_upload_bytes,
            max_files=settings.max_uploads,
            acknowledgement=StatusLinks(base_url=settings.public_base_url, secret=settings.secret_key),
            registered_by=scope.user,
            now=now,
        )
    except RequestRefused as error:
        return await run_in_threadpool(refused, error.field, error.reason)
    except UploadRefused as error:
        return await run_in_threadpool(refused, "files", error.message % error.values)
    relay.wake()
    request.session["flash"] = "rectification_registered"
    return RedirectResponse(f"/staff/applications/{application.id}", status_code=303)


@router.post("/tasks/{task_id}/rule", dependencies=[Depends(require_roles(Role.LEGAL)), *CSRF])
async def rule(
    request: Request,
    task: ScopedTask,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    ruling: Annotated[str, Form(max_length=10)] = "",
    new_outcome: Annotated[str, Form(max_length=10)] = "",
    reasons: Annotated[list[str] | None, Form(max_length=40)] = None,
    justification: Annotated[str, Form(max_length=4000)] = "",
    body: Annotated[str, Form(max_length=200)] = "",
    meeting_ref: Annotated[str, Form(max_length=200)] = "",
    met_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The body's ruling as its minutes record it; the ruling letter is then served like a decision."""
    values = {
        "ruling": ruling, "new_outcome": new_outcome, "reasons": reasons or [], "justification": justification,
        "body": body, "meeting_ref": meeting_ref, "met_on": met_on,
    }  # fmt: skip
    if ruling not in set(Ruling):
        return await refuse_form(request, session, scope.user, task, N_("Choose the ruling."), values)
    try:
        met = date.fromisoformat(met_on)
    except ValueError:
        return await refuse_form(request, session, scope.user, task, N_("Enter the day the body met."), values)
    refusal = await run_in_threadpool(ruling_refusal, session, task, scope.user.id, justification)
    if refusal is not None:
        reason, language = refusal
        translate = formatting_gettext(negotiate_language(request))
        message = translate(reason, language=LANGUAGE_ENDONYMS.get(language, language))
        return await refuse_form(request, session, scope.user, task, message, values)
    argument = RuleInput(
        task_key=task.key,
        actor=actor_of(scope.user),
        ruling=Ruling(ruling),
        justification=justification,
        body=body,
        meeting_ref=meeting_ref,
        met_on=met,
        new_outcome=Outcome(new_outcome) if ruling == Ruling.AMEND and new_outcome in set(Outcome) else None,
        reasons=reasons or [],
    )
    return await act_on_task(
        request, gateway, session, scope.user, task, RectificationWorkflow.rule, argument, values, "/staff/legal"
    )
