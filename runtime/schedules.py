"""The Temporal Schedules the system runs by: the daily payment run. Made (or brought in line with the
settings) whenever a worker starts, so changing PAYMENT_RUN_TIME and restarting is all it takes."""

import logging

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from core.settings import Settings
from models.payments.payloads import PaymentRunInput
from workflows.payments.payment_run import PaymentRunWorkflow

log = logging.getLogger(__name__)
PAYMENT_RUN_SCHEDULE = "payment-run-daily"


def payment_run_schedule(settings: Settings) -> Schedule:
    """Monday to Friday at the set time, Helsinki time; a run still going when the next is due is not doubled."""
    hour, minute = (int(part) for part in settings.payment_run_time.split(":"))
    return Schedule(
        action=ScheduleActionStartWorkflow(
            PaymentRunWorkflow.run, PaymentRunInput(), id=PAYMENT_RUN_SCHEDULE, task_queue=settings.task_queue
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    hour=[ScheduleRange(hour)], minute=[ScheduleRange(minute)], day_of_week=[ScheduleRange(1, 5)]
                )
            ],
            time_zone_name="Europe/Helsinki",
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def ensure_schedules(client: Client, settings: Settings) -> None:
    handle = client.get_schedule_handle(PAYMENT_RUN_SCHEDULE)
    if not settings.payment_run_time:
        try:
            await handle.delete()
            log.info("payment run schedule removed (PAYMENT_RUN_TIME is empty)")
        except RPCError as missing:
            if missing.status != RPCStatusCode.NOT_FOUND:
                raise
        return
    schedule = payment_run_schedule(settings)
    try:
        await client.create_schedule(PAYMENT_RUN_SCHEDULE, schedule)
        log.info("payment run scheduled daily at %s", settings.payment_run_time)
    except ScheduleAlreadyRunningError:

        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await handle.update(update)
