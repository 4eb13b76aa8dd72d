"""How long each kind of activity may take and how it is retried: shared by every workflow family."""

from datetime import timedelta
from typing import TypedDict

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.errors import NON_RETRYABLE


class ActivityOptions(TypedDict, total=False):
    start_to_close_timeout: timedelta
    heartbeat_timeout: timedelta
    retry_policy: RetryPolicy


RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=NON_RETRYABLE,
)
# A database write takes milliseconds: if the worker dies holding one, it is retried within seconds.
DATABASE = ActivityOptions(start_to_close_timeout=timedelta(seconds=10), retry_policy=RETRY)
# The assessment asks the trade register (an outside service) once per try; the workflow waits between tries
# on durable timers (REGISTER_PAUSES in the grant workflow), so a register down for minutes costs nothing.
# Its own time limit is the register's timeout (5 s) and a database write: a worker that dies holding it is
# noticed in 10 s.
REGISTER_CHECK = ActivityOptions(
    start_to_close_timeout=timedelta(seconds=10),
    retry_policy=RetryPolicy(maximum_attempts=1, non_retryable_error_types=NON_RETRYABLE),
)
# Mail (and a letter rendered for it) may take longer, but beats while it works: a dead worker is noticed in 15 s.
MAIL = ActivityOptions(
    start_to_close_timeout=timedelta(minutes=2), heartbeat_timeout=timedelta(seconds=15), retry_policy=RETRY
)
# A mail server down for hours is retried for about a day before a person is asked to step in.
DECISION_MAIL = ActivityOptions(
    start_to_close_timeout=timedelta(minutes=2),
    heartbeat_timeout=timedelta(seconds=15),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=30),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(hours=2),
        maximum_attempts=15,
        non_retryable_error_types=NON_RETRYABLE,
    ),
)
# A print batch renders every letter of the day: minutes for thousands, beating all along.
RENDERING = ActivityOptions(
    start_to_close_timeout=timedelta(minutes=30), heartbeat_timeout=timedelta(seconds=30), retry_policy=RETRY
)
