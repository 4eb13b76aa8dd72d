"""Coordinators: the budget left, who holds what, and moving work from one person to another."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.staff import User
from models.tasks import Task
from web.csrf import require_csrf
from web.deps import SessionDep, require_roles
from web.routes.staff import visible_programmes
from web.services import tasks as queue
from web.services.auth import StaffUser, load_staff_user
from web.services.coordination import budget_overview, workloads
from web.services.print_batch import create_print_batch, pending_letters, print_batches
from web.templating import render

router = APIRouter(prefix="/staff/coordination", tags=["staff"])
Coordinator = Annotated[StaffUser, Depends(require_roles("coordinator"))]
CSRF = [Depends(require_csrf)]


@router.get("", response_class=HTMLResponse)
def coordination(request: Request, user: Coordinator, session: SessionDep) -> HTMLResponse:
    programmes = visible_programmes(request, user)
    codes = [p.code for p in programmes]
    organisations = sorted({o for p in programmes for o in p.processing_organisations})
    context = {
        "user": user,
        "budgets": budget_overview(session, programmes),
        "counts": queue.stage_counts(session, codes),
        "workloads": workloads(session, codes),
        "handlers": queue.staff_with_role(session, role="handler", organisations=organisations),
        "pending_letters": len(pending_letters(session, codes)),
        "batches": print_batches(session),
    }
    return render(request, "staff/coordination.html", context)


def _target(session: SessionDep, request: Request, coordinator: StaffUser, to_user: str) -> int | None:
    """The person to receive the work (must be a handler in a processing organisation), or None: the queue."""
    if not to_user:
        return None
    target = load_staff_user(session, int(to_user)) if to_user.isdigit() else None
    organisations = {o for p in visible_programmes(request, coordinator) for o in p.processing_organisations}
    if target is None or "handler" not in target.roles or target.organisation_code not in organisations:
        raise HTTPException(status_code=422, detail="to_user")
    return target.id


@router.post("/reassign", dependencies=CSRF)
async def reassign(request: Request, user: Coordinator, session: SessionDep) -> Response:
    form = await request.form()
    to_user = _target(session, request, user, str(form.get("to_user") or ""))
    codes = {p.code for p in visible_programmes(request, user)}
    task_ids = [int(str(v)) for v in form.getlist("task_ids") if str(v).isdigit()]
    allowed = [t for t in task_ids if (task := session.get(Task, t)) and task.programme_code in codes
               and task.role == "handler"]
    moved = queue.reassign(session, task_ids=allowed, to_user_id=to_user, coordinator=user)
    request.session["flash"] = f"moved:{moved}"
    return RedirectResponse("/staff/queue", status_code=303)


@router.post("/reassign-all", dependencies=CSRF)
def reassign_all(
    request: Request, user: Coordinator, session: SessionDep,
    from_user: Annotated[int, Form()], to_user: Annotated[str, Form()] = "",
) -> Response:
    if session.get(User, from_user) is None:
        raise HTTPException(status_code=422, detail="from_user")
    target = _target(session, request, user, to_user)
    codes = [p.code for p in visible_programmes(request, user)]
    task_ids = queue.active_task_ids_of(session, from_user, codes)
    moved = queue.reassign(session, task_ids=task_ids, to_user_id=target, coordinator=user)
    request.session["flash"] = f"moved:{moved}"
    return RedirectResponse("/staff/coordination", status_code=303)


@router.post("/print-batch", dependencies=CSRF)
def print_batch(request: Request, user: Coordinator, session: SessionDep) -> Response:
    """Today's letters for the post room, as one PDF; each decision is dated as posted today."""
    result = create_print_batch(
        session, request.app.state.files, programmes=request.app.state.programmes,
        programme_codes=[p.code for p in visible_programmes(request, user)], user=user, now=request.app.state.clock(),
    )
    request.session["flash"] = f"posted:{result.letters if result else 0}"
    return RedirectResponse("/staff/coordination", status_code=303)
