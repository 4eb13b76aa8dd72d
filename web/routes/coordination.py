"""Coordinators: the budget left, who holds what, moving work from one person to another, the post room."""

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.clock import helsinki_today
from models.staff import Role
from models.tasks import Task
from web.csrf import require_csrf
from web.deps import GatewayDep, NowDep, RelayDep, SessionDep, SettingsDep, require_roles
from web.ids import parse_id
from web.scope import Scope, ScopeDep, ScopedPrintBatch
from web.services import tasks as queue
from web.services.auth import StaffUser, load_staff_user
from web.services.coordination import budget_overview, workloads
from web.services.print_batch import (
    check_posting_day,
    confirm_posting,
    pending_letter_count,
    print_batches,
    request_print_batches,
)
from web.services.processing import ActionRefused
from web.templating import render

router = APIRouter(
    prefix="/staff/coordination",
    tags=["staff"],
    dependencies=[Depends(require_roles(Role.COORDINATOR))],
    include_in_schema=False,
)
CSRF = [Depends(require_csrf)]


@router.get("", response_class=HTMLResponse)
def coordination(request: Request, scope: ScopeDep, session: SessionDep, now: NowDep) -> HTMLResponse:
    return _coordination_page(request, scope, session, now)


def _coordination_page(
    request: Request,
    scope: Scope,
    session: SessionDep,
    now: datetime,
    posting: Mapping[str, object] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """`posting`: a refused posting confirmation, re-shown with its batch, the day typed and the reason."""
    context = {
        "today": helsinki_today(now),
        "posting": posting or {},
        "user": scope.user,
        "budgets": budget_overview(session, list(scope.programmes)),
        "counts": queue.stage_counts(session, scope.codes),
        "workloads": workloads(session, scope.codes),
        "colleagues": queue.colleagues(session, organisations=scope.organisations),
        "pending_letters": pending_letter_count(session, scope.codes),
        "batches": print_batches(session, scope.codes),
    }
    return render(request, "staff/coordination.html", context, status_code=status_code)


def _target(session: SessionDep, scope: Scope, to_user: str) -> StaffUser | None:
    """The person to receive the work (a handler or decider of a processing organisation), or None: the queue."""
    if not to_user:
        return None
    user_id = parse_id(to_user)
    target = load_staff_user(session, user_id) if user_id else None
    if target is None or not target.has_any(*queue.TASK_ROLES) or target.organisation_code not in scope.organisations:
        raise HTTPException(status_code=422, detail="to_user")
    return target


@router.post("/reassign", dependencies=CSRF)
async def reassign(request: Request, scope: ScopeDep, session: SessionDep, settings: SettingsDep) -> Response:
    form = await request.form()
    target = _target(session, scope, str(form.get("to_user") or ""))
    task_ids = [task_id for value in form.getlist("task_ids") if (task_id := parse_id(value))]
    in_scope = [t for t in task_ids if (task := session.get(Task, t)) and scope.covers(task.programme_code)]
    moved = queue.reassign(
        session, task_ids=in_scope, to_user=target, coordinator=scope.user, base_url=settings.public_base_url
    )
    request.session["flash"] = f"moved:{moved}/{len(task_ids)}"
    return RedirectResponse("/staff/queue", status_code=303)


@router.post("/reassign-all", dependencies=CSRF)
def reassign_all(
    request: Request,
    scope: ScopeDep,
    session: SessionDep,
    settings: SettingsDep,
    from_user: Annotated[str, Form(max_length=10)] = "",
    to_user: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    absent = parse_id(from_user)
    if absent is None or load_staff_user(session, absent) is None:
        raise HTTPException(status_code=422, detail="from_user")
    target = _target(session, scope, to_user)
    task_ids = queue.active_task_ids_of(session, absent, scope.codes)
    moved = queue.reassign(
        session, task_ids=task_ids, to_user=target, coordinator=scope.user, base_url=settings.public_base_url
    )
    request.session["flash"] = f"moved:{moved}/{len(task_ids)}"
    return RedirectResponse("/staff/coordination", status_code=303)


@router.post("/print-batch", dependencies=CSRF)
def print_batch(request: Request, scope: ScopeDep, session: SessionDep, now: NowDep, relay: RelayDep) -> Response:
    """The waiting letters for the post room, one batch per programme, printed on the worker (undated)."""
    batches = request_print_batches(session, programme_codes=scope.codes, user=scope.user, now=now)
    relay.wake()
    request.session["flash"] = f"batches_requested:{len(batches)}"
    return RedirectResponse("/staff/coordination", status_code=303)


@router.post("/print-batches/{batch_id}/posted", response_class=HTMLResponse, dependencies=CSRF)
async def confirm_posted(
    request: Request,
    batch: ScopedPrintBatch,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    now: NowDep,
    posted_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The post room says the day the batch's letters left; from that day their time limits count."""
    try:
        day = check_posting_day(batch, posted_on, now)
        await confirm_posting(gateway, batch=batch, posted_on=day, user=scope.user)
    except ActionRefused as refused:
        posting = {"batch_id": batch.id, "value": posted_on, "error": str(refused)}
        return _coordination_page(request, scope, session, now, posting=posting, status_code=422)
    request.session["flash"] = "posting_confirmed"
    return RedirectResponse("/staff/coordination", status_code=303)
