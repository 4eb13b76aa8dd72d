"""One grant application from receipt to its outcome (id `grant-<application id>`)."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.assessment import AssessmentActivities
    from activities.errors import NON_RETRYABLE
    from activities.grant_records import GrantRecordActivities
    from models.payloads import (
        ApplicationRef,
        AssessApplicationInput,
        AssessmentOutcome,
        GrantApplicationInput,
        GrantApplicationResult,
    )

RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=NON_RETRYABLE,
)
ACTIVITY_TIMEOUT = timedelta(seconds=60)


@workflow.defn
class GrantApplicationWorkflow:
    def __init__(self) -> None:
        self._status = "received"
        self._assessment: AssessmentOutcome | None = None

    @workflow.run
    async def run(self, request: GrantApplicationInput) -> GrantApplicationResult:
        await workflow.execute_activity_method(
            GrantRecordActivities.record_receipt,
            ApplicationRef(application_id=request.application_id),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY,
        )
        self._assessment = await workflow.execute_activity_method(
            AssessmentActivities.assess_application,
            AssessApplicationInput(application_id=request.application_id, round=1),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=RETRY,
        )
        self._status = "assessed"
        return self._result(request)

    @workflow.query
    def status(self) -> str:
        return self._status

    def _result(self, request: GrantApplicationInput) -> GrantApplicationResult:
        return GrantApplicationResult(
            application_id=request.application_id, status=self._status, assessment=self._assessment
        )
