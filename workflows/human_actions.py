"""What every workflow that people act on does alike, shared by the families (as `options.py` is).

Updates that run activities hold the workflow's lock: a validator refuses while it is held, and inside it
the update checks its conditions again (another update may have changed them meanwhile); a refusal is an
`ActionRefused` failure whose message the page shows, translated. Tasks are opened and closed by the
workflow that waits for them, with keys made of its id, the task's kind and a number it counts.
"""

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows.options import DATABASE

with workflow.unsafe.imports_passed_through():
    from activities.tasks import TaskActivities
    from core.i18n import N_
    from models.grants.payloads import CloseTaskInput, OpenTaskInput
    from models.staff import Role
    from models.tasks import TaskClosing, TaskKind

ACTION_REFUSED = "ActionRefused"
BUSY = N_("Another action on this application is in progress; try again in a moment.")
Request = TypeVar("Request")


def refuse_while_busy(lock: asyncio.Lock, message: str = BUSY) -> None:
    if lock.locked():
        raise ValueError(message)


def recheck(check: Callable[[Request], None], request: Request) -> None:
    """Inside the lock, the validator's conditions again; a refusal fails the update for good."""
    try:
        check(request)
    except ValueError as refused:
        workflow.logger.info("%s: action refused: %s", workflow.info().workflow_id, refused)
        raise ApplicationError(str(refused), type=ACTION_REFUSED, non_retryable=True) from None


async def open_task(
    *,
    number: int,
    application_id: int,
    kind: TaskKind,
    role: Role,
    note: str | None = None,
    detail: str | None = None,
    due_in_days: int | None = None,
    arrived_at: datetime | None = None,
) -> str:
    """Opens the workflow's `number`th task and returns its key (the caller counts, so a retry reuses it)."""
    key = f"{workflow.info().workflow_id}/{kind}/{number}"
    await workflow.execute_activity_method(
        TaskActivities.open_task,
        OpenTaskInput(
            key=key,
            application_id=application_id,
            kind=kind,
            role=role,
            note=note,
            detail=detail,
            due_in_days=due_in_days,
            arrived_at=arrived_at,
        ),
        **DATABASE,
    )
    return key


async def close_task(key: str | None, status: TaskClosing, note: str | None = None) -> None:
    if key is not None:
        await workflow.execute_activity_method(
            TaskActivities.close_task, CloseTaskInput(key=key, status=status, note=note), **DATABASE
        )
