"""A handler's first check of a changed bank account (after the bank returned a payment); finance makes the
second on its own page (web/routes/finance.py). Sent to the payment's workflow, which refuses a stale task."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from core.i18n import N_
from models.payments.payloads import CheckAccountInput
from models.staff import Role
from web.csrf import require_csrf
from web.deps import GatewayDep, SessionDep, require_roles
from web.routes.staff_tasks import act_on_task, refuse_form
from web.scope import ScopeDep, ScopedTask
from web.services.processing import actor_of
from workflows.payments.grant_payment import GrantPaymentWorkflow

router = APIRouter(
    prefix="/staff", tags=["staff"], dependencies=[Depends(require_roles(Role.HANDLER))], include_in_schema=False
)


@router.post("/tasks/{task_id}/check-account", dependencies=[Depends(require_csrf)])
async def check_account(
    request: Request,
    task: ScopedTask,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    decision: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"decision": decision, "note": note}
    if decision not in ("accept", "refuse"):
        return await refuse_form(request, session, scope.user, task, N_("Accept or refuse the account."), values)
    argument = CheckAccountInput(
        task_key=task.key, actor=actor_of(scope.user), accept=decision == "accept", note=note.strip()
    )
    return await act_on_task(
        request, gateway, session, scope.user, task, GrantPaymentWorkflow.check_account, argument, values
    )
