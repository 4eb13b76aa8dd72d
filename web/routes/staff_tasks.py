"""The shared queue and the task page: take, release, ask the applicant, propose, decide."""

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.clock import helsinki_today
from core.i18n import N_, formatting_gettext
from models.documents import DocumentKind
from models.grants.applications import Application
from models.grants.decisions import Outcome
from models.grants.eligibility import ReasonCode
from models.grants.payloads import DecideInput, ProposeInput, RedeliverInput, RequestInfoInput, Verdict
from models.tasks import Task, TaskKind
from models.time_limits import Channel
from web.csrf import require_csrf
from web.deps import FilesDep, GatewayDep, SessionDep, get_programmes, require_roles
from web.i18n import LANGUAGE_ENDONYMS, negotiate_language
from web.scope import CASE_ROLES, ScopedAttachment, ScopedDocument, ScopeDep, ScopedTask
from web.services import tasks as queue
from web.services.auth import StaffUser
from web.services.case_facts import reveal_personal_id
from web.services.justifications import standard_justifications
from web.services.letter_language import (
    UNTITLED,
    WRONG_LANGUAGE,
    untitled_signatories,
    written_in_applicants_language,
)
from web.services.processing import ActionRefused, actor_of, require_holder, send_update
from web.services.rectifications import request_of_task
from web.services.task_view import CaseFile, case_file
from web.templating import pdf_response, render
from workflows.grants.application import GrantApplicationWorkflow
from workflows.serving.decision import ServeDecisionWorkflow

router = APIRouter(
    prefix="/staff", tags=["staff"], dependencies=[Depends(require_roles(*CASE_ROLES))], include_in_schema=False
)
CSRF = [Depends(require_csrf)]
QUEUE_FILTERS = ("status", "assignee", "organisation", "due_before", "role")


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def queue_filters(
    status: str | None = None,
    assignee: str | None = None,
    organisation: str | None = None,
    due_before: str | None = None,
    role: str | None = None,
) -> queue.QueueFilters:
    """The queue's filters from its query string: the page and its export read the same ones."""
    return queue.QueueFilters(
        status=status or None,
        assignee=assignee or None,
        organisation=organisation or None,
        due_before=_parse_date(due_before),
        role=role or None,
    )


QueueFiltersDep = Annotated[queue.QueueFilters, Depends(queue_filters)]


# A page of the queue: a hundred tasks is more than a day's work, and the whole list is one export away.
QUEUE_PAGE = 100


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    scope: ScopeDep,
    session: SessionDep,
    filters: QueueFiltersDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    # One more than a page: whether there is a next one, without counting them all.
    found = queue.list_queue(
        session,
        user=scope.user,
        programme_codes=scope.codes,
        filters=filters,
        limit=QUEUE_PAGE + 1,
        offset=(page - 1) * QUEUE_PAGE,
    )
    filter_query = {k: v for k, v in request.query_params.items() if k in QUEUE_FILTERS and v}
    context = {
        "user": scope.user,
        "rows": found[:QUEUE_PAGE],
        "page": page,
        "first_row": (page - 1) * QUEUE_PAGE + 1,
        "next_page": urlencode({**filter_query, "page": page + 1}) if len(found) > QUEUE_PAGE else None,
        "previous_page": urlencode({**filter_query, "page": page - 1}) if page > 1 else None,
        "export_query": urlencode({k: v for k, v in request.query_params.items() if k in QUEUE_FILTERS and v}),
        "counts": queue.stage_counts(session, scope.codes),
        "filters": filters,
        "organisations": scope.organisations,
        "handlers": queue.staff_with_role(session, role="handler", organisations=scope.organisations),
        "colleagues": queue.colleagues(session, organisations=scope.organisations),
        "today": helsinki_today(),
    }
    return render(request, "staff/queue.html", context)


@router.post("/queue/next", dependencies=CSRF)
def take_next(
    request: Request, scope: ScopeDep, session: SessionDep, role: Annotated[str, Form(max_length=20)] = "handler"
) -> Response:
    user = scope.user
    if role not in ("handler", "decider", "legal") or role not in user.roles:
        raise HTTPException(status_code=403)
    task = queue.claim_next(session, user=user, programme_codes=scope.codes, role=role)
    if task is None:
        request.session["flash"] = "queue_empty"
        return RedirectResponse("/staff/legal" if role == "legal" else "/staff/queue", status_code=303)
    return RedirectResponse(f"/staff/tasks/{task.id}", status_code=303)


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(request: Request, task: ScopedTask, scope: ScopeDep, session: SessionDep) -> HTMLResponse:
    return _task_page(request, session, scope.user, task)


def _letter_language(session: SessionDep, task: Task, case: CaseFile) -> str:
    """The language a ruling's letter is written in: its requester's (a member's may differ from the applicant's)."""
    request = request_of_task(session, task) if task.kind == TaskKind.RECTIFICATION else None
    return request.language if request else case.view.application.language


def _task_page(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    task: Task,
    *,
    error: str | None = None,
    values: Mapping[str, object] | None = None,
    status_code: int = 200,
    revealed_personal_id: str | None = None,
) -> HTMLResponse:
    # Only the grant family has tasks yet; another family's task gets its own page with its family.
    case = case_file(session, task.application_id) if task.application_id is not None else None
    if case is None:
        raise HTTPException(status_code=404)
    programme = get_programmes(request)[case.view.application.programme_code]
    context = {
        "revealed_personal_id": revealed_personal_id,
        "user": user,
        "task": task,
        "case": case,
        "error": error,
        "values": values or {},
        "reason_codes": [str(code) for code in ReasonCode],
        "justifications": standard_justifications(programme, case),
        # A ruling is made by the body the programme names for rectification requests (prefilled, editable).
        "case_programme_body": programme.rectification.authority_in(_letter_language(session, task, case)),
        "today": helsinki_today(),
        "holds": task.assignee_id == user.id and task.status == "claimed",
    }
    return render(request, "staff/task.html", context, status_code=status_code)


@router.post("/tasks/{task_id}/personal-id", dependencies=CSRF)
def show_personal_id(request: Request, task: ScopedTask, scope: ScopeDep, session: SessionDep) -> HTMLResponse:
    """The task page with the applicant's personal identity code in full; the look is audited."""
    application = session.get(Application, task.application_id) if task.application_id is not None else None
    if application is None:
        raise HTTPException(status_code=404)
    personal_id = reveal_personal_id(session, application=application, user=scope.user)
    return _task_page(request, session, scope.user, task, revealed_personal_id=personal_id)


@router.post("/tasks/{task_id}/claim", dependencies=CSRF)
def claim_task(request: Request, task: ScopedTask, scope: ScopeDep, session: SessionDep) -> Response:
    user = scope.user
    if task.role not in user.roles:
        return _task_page(request, session, user, task, error="role", status_code=403)
    try:
        queue.claim(session, task_id=task.id or 0, user=user)
    except queue.TaskNotAvailable:
        session.refresh(task)
        return _task_page(request, session, user, task, error="taken", status_code=409)
    return RedirectResponse(f"/staff/tasks/{task.id}", status_code=303)


@router.post("/tasks/{task_id}/release", dependencies=CSRF)
def release_task(request: Request, task: ScopedTask, scope: ScopeDep, session: SessionDep) -> Response:
    try:
        queue.release(session, task_id=task.id or 0, user=scope.user)
    except queue.TaskNotAvailable:
        return _task_page(request, session, scope.user, task, error="not_holder", status_code=409)
    return RedirectResponse("/staff/queue", status_code=303)


async def refuse_form(
    request: Request, session: SessionDep, user: StaffUser, task: Task, message: str, values: Mapping[str, object]
) -> Response:
    """The form did not say what to do: the task page again, with what was typed and why."""
    return await run_in_threadpool(
        _task_page, request, session, user, task, error=message, values=values, status_code=422
    )


async def act_on_task(
    request: Request,
    gateway: GatewayDep,
    session: SessionDep,
    user: StaffUser,
    task: Task,
    update: Any,
    argument: Any,
    values: Mapping[str, object],
    next_url: str = "/staff/queue?assignee=me",
) -> Response:
    try:
        require_holder(task, user)
        await send_update(gateway, task.workflow_id, update, argument)
    except ActionRefused as refused:
        return await run_in_threadpool(
            _task_page, request, session, user, task, error=str(refused), values=values, status_code=409
        )
    request.session["flash"] = "done"
    return RedirectResponse(next_url, status_code=303)


@router.post("/tasks/{task_id}/request-info", dependencies=CSRF)
async def request_info(
    request: Request,
    task: ScopedTask,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    message: Annotated[str, Form(max_length=4000)] = "",
    reply_by: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    values = {"message": message, "reply_by": reply_by}
    deadline = _parse_date(reply_by)
    if reply_by and (deadline is None or deadline <= helsinki_today()):
        return await run_in_threadpool(
            _task_page,
            request,
            session,
            scope.user,
            task,
            error="The reply date must be a date after today.",
            values=values,
            status_code=422,
        )
    if not written_in_applicants_language(session, task, message):
        return await refuse_form(request, session, scope.user, task, WRONG_LANGUAGE, values)
    argument = RequestInfoInput(task_key=task.key, actor=actor_of(scope.user), message=message, reply_by=deadline)
    return await act_on_task(
        request, gateway, session, scope.user, task, GrantApplicationWorkflow.request_info, argument, values
    )


@router.post("/tasks/{task_id}/propose", dependencies=CSRF)
async def propose(
    request: Request,
    task: ScopedTask,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    outcome: Annotated[str, Form(max_length=10)] = "",
    justification: Annotated[str, Form(max_length=4000)] = "",
    override_reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    form = await request.form()
    reasons = [ReasonCode(r) for r in form.getlist("reasons") if isinstance(r, str) and r in ReasonCode.__members__]
    values = {
        "outcome": outcome,
        "justification": justification,
        "override_reason": override_reason,
        "reasons": [str(r) for r in reasons],
    }
    if outcome not in set(Outcome):
        return await refuse_form(
            request, session, scope.user, task, N_("The proposal is to approve or to reject."), values
        )
    if not written_in_applicants_language(session, task, justification):
        return await refuse_form(request, session, scope.user, task, WRONG_LANGUAGE, values)
    argument = ProposeInput(
        task_key=task.key,
        actor=actor_of(scope.user),
        outcome=Outcome(outcome),
        reasons=reasons,
        justification=justification,
        override_reason=override_reason or None,
    )
    return await act_on_task(
        request, gateway, session, scope.user, task, GrantApplicationWorkflow.propose, argument, values
    )


@router.post("/tasks/{task_id}/decide", dependencies=CSRF)
async def decide(
    request: Request,
    task: ScopedTask,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    verdict: Annotated[str, Form(max_length=10)] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    values = {"verdict": verdict, "comment": comment}
    if verdict not in set(Verdict):
        return await refuse_form(request, session, scope.user, task, N_("Accept the proposal or return it."), values)
    language, untitled = untitled_signatories(session, task, scope.user.id)
    if verdict == Verdict.ACCEPT and untitled:
        translate = formatting_gettext(negotiate_language(request))
        message = translate(UNTITLED, language=LANGUAGE_ENDONYMS.get(language, language), names=", ".join(untitled))
        return await refuse_form(request, session, scope.user, task, message, values)
    argument = DecideInput(task_key=task.key, actor=actor_of(scope.user), verdict=Verdict(verdict), comment=comment)
    return await act_on_task(
        request, gateway, session, scope.user, task, GrantApplicationWorkflow.decide, argument, values
    )


@router.post("/tasks/{task_id}/redeliver", dependencies=CSRF)
async def redeliver(
    request: Request,
    task: ScopedTask,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    channel: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The decision could not be served (the e-mail failed, or the letter lacked a fact): try again, or post it."""
    if channel not in set(Channel):
        return await refuse_form(request, session, scope.user, task, N_("Choose e-mail or post."), {"channel": channel})
    application = session.get(Application, task.application_id) if task.application_id is not None else None
    if channel == Channel.EMAIL and not (application and application.form["applicant"].get("email_consent")):
        message = N_("The applicant has not agreed to be served by e-mail: the decision goes by post.")
        return await refuse_form(request, session, scope.user, task, message, {"channel": channel})
    argument = RedeliverInput(task_key=task.key, actor=actor_of(scope.user), channel=Channel(channel))
    # The task names its workflow: the decision's serving workflow (or, for a case decided before serving
    # became its own workflow, the grant workflow, whose update has the same name).
    return await act_on_task(
        request, gateway, session, scope.user, task, ServeDecisionWorkflow.redeliver, argument, {"channel": channel}
    )


@router.get("/attachments/{attachment_id}")
def attachment(found: ScopedAttachment, files: FilesDep) -> Response:
    """An applicant's file, for staff of the organisations processing that programme only."""
    data = files.get(found.storage_key)
    # Always a download, never rendered inline: an uploaded file cannot run in our origin.
    disposition = f"attachment; filename*=UTF-8''{quote(found.filename)}"
    return Response(data, media_type=found.content_type, headers={"Content-Disposition": disposition})


@router.get("/documents/{document_id}")
def document(found: ScopedDocument, files: FilesDep) -> Response:
    """Archived documents: letters to case workers, print batches to coordinators, of the processing organisations."""
    # Named as the pages name them: "Print batch 3" is print-batch-3.pdf; a letter by its decision and day.
    name = f"print-{found.version}" if found.kind == DocumentKind.PRINT_BATCH else f"letter-{found.version}-{found.id}"
    return pdf_response(files.get(found.storage_key), f"{name}.pdf")
