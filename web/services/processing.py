"""Staff and applicant actions sent to the application's workflow as Temporal updates.

The workflow's validators have the last word (role, stage, stale task, four eyes); their refusal
comes back here as ActionRefused with the validator's message, shown next to the form.
"""

from typing import Any

from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from core.i18n import N_
from core.temporal import TemporalGateway
from models.actors import Actor
from models.tasks import Task, TaskStatus
from web.services.auth import StaffUser


class ActionRefused(Exception):
    """The action was not carried out; the message says why in words for the person who tried."""


def actor_of(user: StaffUser) -> Actor:
    return Actor(
        user_id=user.id, name=user.full_name, organisation_code=user.organisation_code, roles=sorted(user.roles)
    )


def require_holder(task: Task, user: StaffUser) -> None:
    """Only the person holding a task may complete it."""
    if task.assignee_id != user.id or task.status != TaskStatus.CLAIMED:
        raise ActionRefused(N_("Take the task first: only the person holding it can act on it."))


UNREACHABLE = N_("The case service is not reachable just now; please try again shortly.")


async def send_update(gateway: TemporalGateway, workflow_id: str, update: Any, argument: Any) -> Any:
    try:
        client = await gateway.client()
    except RuntimeError as err:  # the first connect failed: Temporal is down, the person may try again
        raise ActionRefused(UNREACHABLE) from err
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(update, argument)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        raise ActionRefused(getattr(cause, "message", None) or str(cause) or N_("The action was refused.")) from err
    except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as err:
        # No worker took the update in time (being restarted, say): nothing was done, and trying again is safe.
        raise ActionRefused(UNREACHABLE) from err
