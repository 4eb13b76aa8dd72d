"""Recovery cases: a handler opens one on a paid grant (its case page), a decider who did not open it decides
(the recovery task's page). Finance marks repayments on its own page (web/routes/finance.py)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.i18n import N_
from models.payments.payloads import RecoveryDecideInput
from models.staff import Role
from web.csrf import require_csrf
from web.deps import GatewayDep, RelayDep, SessionDep, require_roles
from web.routes.staff import case_page
from web.routes.staff_tasks import act_on_task, refuse_form
from web.scope import ScopedApplication, ScopeDep, ScopedTask
from web.services import recoveries
from web.services.processing import actor_of
from workflows.payments.recovery import RecoveryWorkflow

router = APIRouter(prefix="/staff", tags=["staff"], include_in_schema=False)
CSRF = [Depends(require_csrf)]


@router.post(
    "/applications/{application_id}/recovery",
    response_class=HTMLResponse,
    dependencies=[Depends(require_roles(Role.HANDLER)), *CSRF],
)
def open_recovery(
    request: Request,
    application: ScopedApplication,
    scope: ScopeDep,
    session: SessionDep,
    relay: RelayDep,
    reason: Annotated[str, Form(max_length=4000)] = "",
    amount: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A recovery case with its grounds and amount; a decider who did not open it decides."""
    try:
        recoveries.open_recovery(session, application=application, user=scope.user, reason=reason, amount_text=amount)
    except recoveries.RecoveryRefused as refused:
        values = {"reason": reason, "amount": amount}
        return case_page(request, application, scope, session, recovery_error=refused, values=values)
    relay.wake()
    request.session["flash"] = "recovery_opened"
    return RedirectResponse(f"/staff/applications/{application.id}", status_code=303)


@router.post("/tasks/{task_id}/decide-recovery", dependencies=[Depends(require_roles(Role.DECIDER)), *CSRF])
async def decide_recovery(
    request: Request,
    task: ScopedTask,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    verdict: Annotated[str, Form(max_length=10)] = "",
    justification: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    values = {"verdict": verdict, "justification": justification}
    if verdict not in ("recover", "waive"):
        message = N_("Decide whether the grant is recovered.")
        return await refuse_form(request, session, scope.user, task, message, values)
    recovery = await run_in_threadpool(recoveries.recovery_of_task, session, task)
    if recovery is None:
        return await refuse_form(
            request, session, scope.user, task, N_("This task is out of date; reload the page."), values
        )
    argument = RecoveryDecideInput(
        task_key=task.key, actor=actor_of(scope.user), recover=verdict == "recover", justification=justification
    )
    return await act_on_task(request, gateway, session, scope.user, task, RecoveryWorkflow.decide, argument, values)
