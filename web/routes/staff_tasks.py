"""The shared queue and the task page: take, release, ask the applicant, propose, decide."""

from collections.abc import Mapping
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.clock import helsinki_today
from models.documents import Document
from models.eligibility import ReasonCode
from models.grants import Application
from models.info_requests import Attachment
from models.payloads import DecideInput, ProposeInput, RedeliverInput, RequestInfoInput
from models.tasks import Task
from web.csrf import require_csrf
from web.deps import SessionDep, StaffDep, require_roles
from web.routes.staff import CASE_ROLES, visible_programmes
from web.services import tasks as queue
from web.services.auth import StaffUser
from web.services.print_batch import PRINT_BATCH
from web.services.processing import ActionRefused, actor_of, require_holder, send_update, workflow_id_of
from web.services.task_view import case_file
from web.templating import pdf_response, render
from workflows.grant_application import GrantApplicationWorkflow

router = APIRouter(prefix="/staff", tags=["staff"], dependencies=[Depends(require_roles(*CASE_ROLES))])
CSRF = [Depends(require_csrf)]


def _codes(request: Request, user: StaffUser) -> list[str]:
    return [p.code for p in visible_programmes(request, user)]


def _task(request: Request, session: SessionDep, user: StaffUser, task_id: int) -> Task:
    task = session.get(Task, task_id)
    # Another organisation's task answers like a missing one.
    if task is None or task.programme_code not in _codes(request, user):
        raise HTTPException(status_code=404)
    return task


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request, user: StaffDep, session: SessionDep, status: str | None = None, assignee: str | None = None,
    organisation: str | None = None, due_before: str | None = None, role: str | None = None,
) -> HTMLResponse:
    codes = _codes(request, user)
    filters = queue.QueueFilters(
        status=status or None, assignee=assignee or None, organisation=organisation or None,
        due_before=_parse_date(due_before), role=role or None,
    )
    programmes = visible_programmes(request, user)
    context = {
        "user": user,
        "rows": queue.list_queue(session, user=user, programme_codes=codes, filters=filters),
        "counts": queue.stage_counts(session, codes),
        "filters": filters,
        "organisations": sorted({o for p in programmes for o in p.processing_organisations}),
        "handlers": queue.staff_with_role(session, role="handler", organisations=_organisations(programmes)),
        "today": helsinki_today(),
    }
    return render(request, "staff/queue.html", context)


def _organisations(programmes: list) -> list[str]:
    return sorted({o for p in programmes for o in p.processing_organisations})


@router.post("/queue/next", dependencies=CSRF)
def take_next(
    request: Request, user: StaffDep, session: SessionDep, role: Annotated[str, Form()] = "handler"
) -> Response:
    if role not in ("handler", "decider") or role not in user.roles:
        raise HTTPException(status_code=403)
    task = queue.claim_next(session, user=user, programme_codes=_codes(request, user), role=role)
    if task is None:
        request.session["flash"] = "queue_empty"
        return RedirectResponse("/staff/queue", status_code=303)
    return RedirectResponse(f"/staff/tasks/{task.id}", status_code=303)


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(request: Request, task_id: int, user: StaffDep, session: SessionDep) -> HTMLResponse:
    return _task_page(request, session, user, _task(request, session, user, task_id))


def _task_page(
    request: Request, session: SessionDep, user: StaffUser, task: Task, *, error: str | None = None,
    values: Mapping[str, object] | None = None, status_code: int = 200,
) -> HTMLResponse:
    case = case_file(session, task.application_id)
    assert case is not None
    context = {
        "user": user, "task": task, "case": case, "error": error, "values": values or {},
        "reason_codes": [str(code) for code in ReasonCode], "today": helsinki_today(),
        "holds": task.assignee_id == user.id and task.status == "claimed",
    }
    return render(request, "staff/task.html", context, status_code=status_code)


@router.post("/tasks/{task_id}/claim", dependencies=CSRF)
def claim_task(request: Request, task_id: int, user: StaffDep, session: SessionDep) -> Response:
    task = _task(request, session, user, task_id)
    if task.role not in user.roles:
        return _task_page(request, session, user, task, error="role", status_code=403)
    try:
        queue.claim(session, task_id=task_id, user=user)
    except queue.TaskNotAvailable:
        session.refresh(task)
        return _task_page(request, session, user, task, error="taken", status_code=409)
    return RedirectResponse(f"/staff/tasks/{task_id}", status_code=303)


@router.post("/tasks/{task_id}/release", dependencies=CSRF)
def release_task(request: Request, task_id: int, user: StaffDep, session: SessionDep) -> Response:
    task = _task(request, session, user, task_id)
    try:
        queue.release(session, task_id=task_id, user=user)
    except queue.TaskNotAvailable:
        return _task_page(request, session, user, task, error="not_holder", status_code=409)
    return RedirectResponse("/staff/queue", status_code=303)


async def _act(request: Request, session: SessionDep, user: StaffUser, task: Task, update, argument,
               values: Mapping[str, object]) -> Response:
    try:
        require_holder(task, user)
        await send_update(request.app.state.gateway, workflow_id_of(task), update, argument)
    except ActionRefused as refused:
        return await run_in_threadpool(
            _task_page, request, session, user, task, error=str(refused), values=values, status_code=409
        )
    request.session["flash"] = "done"
    return RedirectResponse("/staff/queue?assignee=me", status_code=303)


@router.post("/tasks/{task_id}/request-info", dependencies=CSRF)
async def request_info(
    request: Request, task_id: int, user: StaffDep, session: SessionDep,
    message: Annotated[str, Form(max_length=4000)] = "", reply_by: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    task = await run_in_threadpool(_task, request, session, user, task_id)
    values = {"message": message, "reply_by": reply_by}
    deadline = _parse_date(reply_by)
    if reply_by and (deadline is None or deadline <= helsinki_today()):
        return await run_in_threadpool(_task_page, request, session, user, task,
                                       error="The reply date must be a date after today.", values=values,
                                       status_code=422)
    argument = RequestInfoInput(task_key=task.key, actor=actor_of(user), message=message,
                                reply_by=deadline.isoformat() if deadline else None)
    return await _act(request, session, user, task, GrantApplicationWorkflow.request_info, argument, values)


@router.post("/tasks/{task_id}/propose", dependencies=CSRF)
async def propose(
    request: Request, task_id: int, user: StaffDep, session: SessionDep,
    outcome: Annotated[str, Form(max_length=10)] = "", justification: Annotated[str, Form(max_length=4000)] = "",
    override_reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    task = await run_in_threadpool(_task, request, session, user, task_id)
    reasons = [str(r) for r in (await request.form()).getlist("reasons") if str(r) in ReasonCode.__members__]
    values = {"outcome": outcome, "justification": justification, "override_reason": override_reason,
              "reasons": reasons}
    argument = ProposeInput(task_key=task.key, actor=actor_of(user), outcome=outcome, reasons=reasons,
                            justification=justification, override_reason=override_reason or None)
    return await _act(request, session, user, task, GrantApplicationWorkflow.propose, argument, values)


@router.post("/tasks/{task_id}/decide", dependencies=CSRF)
async def decide(
    request: Request, task_id: int, user: StaffDep, session: SessionDep,
    decision: Annotated[str, Form(max_length=10)] = "", comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    task = await run_in_threadpool(_task, request, session, user, task_id)
    argument = DecideInput(task_key=task.key, actor=actor_of(user), approve=decision == "approve", comment=comment)
    values = {"decision": decision, "comment": comment}
    return await _act(request, session, user, task, GrantApplicationWorkflow.decide, argument, values)


@router.get("/attachments/{attachment_id}")
def attachment(request: Request, attachment_id: int, user: StaffDep, session: SessionDep) -> Response:
    """An applicant's file, for staff of the organisations processing that programme only."""
    found = session.get(Attachment, attachment_id)
    application = session.get(Application, found.application_id) if found else None
    if found is None or application is None or application.programme_code not in _codes(request, user):
        raise HTTPException(status_code=404)
    data = request.app.state.files.get(found.storage_key)
    # Always a download, never rendered inline: an uploaded file cannot run in our origin.
    disposition = f"attachment; filename*=UTF-8''{quote(found.filename)}"
    return Response(data, media_type=found.content_type, headers={"Content-Disposition": disposition})


@router.post("/tasks/{task_id}/redeliver", dependencies=CSRF)
async def redeliver(
    request: Request, task_id: int, user: StaffDep, session: SessionDep,
    channel: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The e-mail could not be sent: try it again, or send the decision by post."""
    task = await run_in_threadpool(_task, request, session, user, task_id)
    argument = RedeliverInput(task_key=task.key, actor=actor_of(user), channel=channel)
    return await _act(request, session, user, task, GrantApplicationWorkflow.redeliver, argument, {"channel": channel})


@router.get("/documents/{document_id}")
def document(request: Request, document_id: int, user: StaffDep, session: SessionDep) -> Response:
    """Archived documents: letters to staff of the processing organisations, print batches to coordinators."""
    found = session.get(Document, document_id)
    if found is None:
        raise HTTPException(status_code=404)
    if found.kind == PRINT_BATCH:
        allowed = "coordinator" in user.roles
    else:
        application = session.get(Application, found.application_id) if found.application_id else None
        allowed = application is not None and application.programme_code in _codes(request, user)
    if not allowed:
        raise HTTPException(status_code=404)
    return pdf_response(request.app.state.files.get(found.storage_key), f"{found.kind}-{found.id}.pdf")
