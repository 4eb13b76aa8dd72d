"""One grant application from receipt to decision (workflow id `grant-<application id>`).

Stages: assessed (in the handlers' queue) → optionally waiting for the applicant → in decision →
decided, or withdrawn at any point before the decision. Staff act through updates whose
validators refuse wrong roles, wrong stages, stale tasks and a proposer deciding their own case.
"""

from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.assessment import AssessmentActivities
    from activities.decisions import DecisionActivities
    from activities.delivery import DeliveryActivities
    from activities.errors import NON_RETRYABLE, BudgetExhausted
    from activities.grant_records import GrantRecordActivities
    from activities.info_requests import InfoRequestActivities
    from activities.tasks import TaskActivities
    from core.i18n import N_
    from models.payloads import (
        Actor,
        AnswerInput,
        ApplicationRef,
        AssessApplicationInput,
        AssessmentOutcome,
        CloseTaskInput,
        DecideInput,
        DecisionOutcome,
        FinalizeDecisionInput,
        GrantApplicationInput,
        GrantApplicationResult,
        InfoRequestRef,
        OpenInfoRequestInput,
        OpenTaskInput,
        ProcessingState,
        ProposeInput,
        RecordAnswerInput,
        RecordProposalInput,
        RedeliverInput,
        RequestInfoInput,
        ReturnProposalInput,
        StageUpdateInput,
        WithdrawInput,
    )

RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=5),
    non_retryable_error_types=NON_RETRYABLE,
)
ACTIVITY_TIMEOUT = timedelta(seconds=60)
# A mail server down for hours is retried for about a day before a person is asked to step in.
EMAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=30), backoff_coefficient=2.0, maximum_interval=timedelta(hours=2),
    maximum_attempts=15, non_retryable_error_types=NON_RETRYABLE,
)

ASSESSED = "assessed"
WAITING = "waiting_for_applicant"
DECIDING = "in_decision"
DECIDED = "decided"
WITHDRAWN = "withdrawn"
FINISHED = (DECIDED, WITHDRAWN)


@workflow.defn
class GrantApplicationWorkflow:
    def __init__(self) -> None:
        self._application_id = 0
        self._stage = "received"
        self._assessment: AssessmentOutcome | None = None
        self._assessment_round = 0
        self._task_key: str | None = None
        self._task_count = 0
        self._proposal_seq = 0
        self._proposer_id: int | None = None
        self._info_seq = 0
        self._info_deadline: datetime | None = None
        self._decision: DecisionOutcome | None = None
        self._busy = False  # an update is between its first and last activity
        self._redelivery: str | None = "pending"  # set to None while a person is asked to choose

    @workflow.run
    async def run(self, request: GrantApplicationInput) -> GrantApplicationResult:
        self._application_id = request.application_id
        await self._act(GrantRecordActivities.record_receipt, ApplicationRef(application_id=self._application_id))
        await self._assess()
        await self._open_task("handle", "handler", due_in_days=14)
        # Only now: a page or test that sees "assessed" finds the handler task in the table.
        self._stage = ASSESSED
        while self._stage not in FINISHED:
            if self._stage == WAITING:
                await self._wait_for_reply()
            else:
                stage = self._stage
                await workflow.wait_condition(lambda stage=stage: self._stage != stage)  # type: ignore[misc]
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._decision is not None:
            await self._after_decision(self._decision)
        return GrantApplicationResult(
            application_id=self._application_id, status=self._stage, assessment=self._assessment
        )

    # --- the seam for the next stages (decision letter, notification, payment, appeal window) ---

    async def _after_decision(self, decision: DecisionOutcome) -> None:
        """Everything after "decided" starts here: the decision is served (payment and appeals come next)."""
        await self._stage_update("approved" if decision.outcome == "approve" else "rejected", "decided")
        ref = ApplicationRef(application_id=self._application_id)
        channel = await self._act(DeliveryActivities.choose_channel, ref)
        while True:
            if channel == "letter":
                await self._act(DeliveryActivities.queue_for_post, ref)
                return
            try:
                await workflow.execute_activity_method(
                    DeliveryActivities.send_decision_email, ref,
                    start_to_close_timeout=timedelta(minutes=2), retry_policy=EMAIL_RETRY,
                )
                return
            except ActivityError:
                # The mail server stayed down through every retry: a person decides how to serve it.
                await self._open_task("deliver", "handler", note="email_failed")
                self._redelivery = None
                await workflow.wait_condition(lambda: self._redelivery is not None)
                channel = self._redelivery or "letter"
                await self._close_task("done")

    @workflow.update
    async def redeliver(self, request: RedeliverInput) -> None:
        self._redelivery = request.channel

    @redeliver.validator
    def _validate_redeliver(self, request: RedeliverInput) -> None:
        if request.channel not in ("email", "letter"):
            raise ValueError(N_("Choose e-mail or post."))
        self._check(request.task_key, request.actor.roles, "handler", DECIDED)
        if self._redelivery is not None:
            raise ValueError(N_("This task is out of date; reload the page."))

    # --- staff actions -----------------------------------------------------------------------

    @workflow.update
    async def request_info(self, request: RequestInfoInput) -> str:
        self._busy = True
        self._info_seq += 1
        opened = await self._act(
            InfoRequestActivities.open_info_request,
            OpenInfoRequestInput(
                application_id=self._application_id, seq=self._info_seq, message=request.message,
                reply_by=request.reply_by or "", actor=request.actor,
            ),
        )
        await self._act(InfoRequestActivities.send_info_request, self._info_ref())
        await self._close_task("waiting")
        await self._stage_update(WAITING, "info_requested", actor=request.actor)
        self._info_deadline = datetime.fromisoformat(opened)
        self._stage, self._busy = WAITING, False
        return opened

    @request_info.validator
    def _validate_request_info(self, request: RequestInfoInput) -> None:
        self._check(request.task_key, request.actor.roles, "handler", ASSESSED)
        if not request.message.strip():
            raise ValueError(N_("Write the message to the applicant."))

    @workflow.update
    async def propose(self, request: ProposeInput) -> int:
        self._busy = True
        self._proposal_seq += 1
        self._proposer_id = request.actor.user_id
        await self._act(
            DecisionActivities.record_proposal,
            RecordProposalInput(application_id=self._application_id, seq=self._proposal_seq, proposal=request),
        )
        await self._close_task("done")
        await self._open_task("decide", "decider")
        await self._stage_update(DECIDING, "proposed", actor=request.actor)
        self._stage, self._busy = DECIDING, False
        return self._proposal_seq

    @propose.validator
    def _validate_propose(self, request: ProposeInput) -> None:
        self._check(request.task_key, request.actor.roles, "handler", ASSESSED)
        if request.outcome not in ("approve", "reject"):
            raise ValueError(N_("The proposal is to approve or to reject."))
        if not request.justification.strip():
            raise ValueError(N_("Write the justification."))
        if request.outcome == "reject" and not request.reasons:
            raise ValueError(N_("A rejection needs at least one reason."))
        failed = self._assessment.reasons if self._assessment else []
        if request.outcome == "approve" and failed and not (request.override_reason or "").strip():
            raise ValueError(N_("A rule failed: approving needs a written override reason."))

    @workflow.update
    async def decide(self, request: DecideInput) -> str:
        self._busy = True
        try:
            if request.approve:
                return await self._approve(request)
            await self._act(
                DecisionActivities.return_proposal,
                ReturnProposalInput(
                    application_id=self._application_id, proposal_seq=self._proposal_seq,
                    decider=request.actor, comment=request.comment,
                ),
            )
            await self._close_task("done")
            await self._open_task("handle", "handler", assignee_id=self._proposer_id, note=request.comment)
            await self._stage_update(ASSESSED, "returned", actor=request.actor)
            self._stage = ASSESSED
            return "returned"
        finally:
            self._busy = False

    @decide.validator
    def _validate_decide(self, request: DecideInput) -> None:
        self._check(request.task_key, request.actor.roles, "decider", DECIDING)
        if request.actor.user_id == self._proposer_id:
            raise ValueError(N_("You proposed this decision; another decider must make it (four eyes)."))
        if not request.approve and not request.comment.strip():
            raise ValueError(N_("Say why the proposal is returned."))

    async def _approve(self, request: DecideInput) -> str:
        try:
            self._decision = await self._act(
                DecisionActivities.finalize_decision,
                FinalizeDecisionInput(
                    application_id=self._application_id, proposal_seq=self._proposal_seq, decider=request.actor
                ),
            )
        except ActivityError as err:
            if isinstance(err.cause, ApplicationError) and err.cause.type == BudgetExhausted.__name__:
                raise ApplicationError(
                    N_("The budget does not cover this grant. Return the proposal for a rejection."),
                    type=BudgetExhausted.__name__,
                ) from err
            raise
        await self._close_task("done")
        self._stage = DECIDED
        return self._decision.number

    # --- the applicant's actions ---------------------------------------------------------------

    @workflow.update
    async def answer_info(self, answer: AnswerInput) -> None:
        self._busy = True
        await self._act(
            InfoRequestActivities.record_answer,
            RecordAnswerInput(
                application_id=self._application_id, seq=answer.info_request_seq, answer=answer.answer,
                attachment_ids=answer.attachment_ids,
            ),
        )
        await self._assess()
        await self._close_task("reopen", note="answered")
        await self._stage_update(ASSESSED, "info_answered")
        self._stage, self._busy = ASSESSED, False

    @answer_info.validator
    def _validate_answer(self, answer: AnswerInput) -> None:
        if self._stage != WAITING or self._busy or answer.info_request_seq != self._info_seq:
            raise ValueError(N_("No question is waiting for an answer."))

    @workflow.update
    async def withdraw(self, request: WithdrawInput) -> None:
        self._busy = True
        if self._stage == WAITING:
            await self._act(InfoRequestActivities.cancel, self._info_ref())
        await self._close_task("cancelled", note="withdrawn")
        await self._stage_update(WITHDRAWN, "withdrawn", detail={"reason": request.reason[:500]})
        self._stage, self._busy = WITHDRAWN, False

    @withdraw.validator
    def _validate_withdraw(self, request: WithdrawInput) -> None:
        if self._stage in FINISHED or self._busy or self._stage == "received":
            raise ValueError(N_("The application can no longer be withdrawn."))

    @workflow.query
    def state(self) -> ProcessingState:
        return ProcessingState(
            stage=self._stage, task_key=self._task_key, proposer_id=self._proposer_id,
            info_request_seq=self._info_seq or None,
            decision_number=self._decision.number if self._decision else None,
        )

    # --- helpers -------------------------------------------------------------------------------

    def _check(self, task_key: str, roles: list[str], role: str, stage: str) -> None:
        if role not in roles:
            needs = N_("This needs the handler role.") if role == "handler" else N_("This needs the decider role.")
            raise ValueError(needs)
        if self._busy:
            raise ValueError(N_("Another action on this application is in progress; try again in a moment."))
        if self._stage != stage:
            raise ValueError(N_("This action is not possible at this stage of the application."))
        if task_key != self._task_key:
            raise ValueError(N_("This task is out of date; reload the page."))

    async def _wait_for_reply(self) -> None:
        """A reminder halfway to the deadline; without a reply the handler decides on what there is."""
        assert self._info_deadline is not None
        answered = lambda: self._stage != WAITING  # noqa: E731
        remaining = self._info_deadline - workflow.now()
        try:
            await workflow.wait_condition(answered, timeout=max(remaining / 2, timedelta(seconds=1)))
            return
        except TimeoutError:
            await self._act(InfoRequestActivities.remind, self._info_ref())
        try:
            remaining = self._info_deadline - workflow.now()
            await workflow.wait_condition(answered, timeout=max(remaining, timedelta(seconds=1)))
            return
        except TimeoutError:
            pass
        await workflow.wait_condition(lambda: not self._busy)
        if self._stage != WAITING:
            return
        await self._act(InfoRequestActivities.expire, self._info_ref())
        await self._close_task("reopen", note="no_reply")
        await self._stage_update(ASSESSED, "info_deadline_passed")
        self._stage = ASSESSED

    async def _assess(self) -> None:
        self._assessment_round += 1
        self._assessment = await self._act(
            AssessmentActivities.assess_application,
            AssessApplicationInput(application_id=self._application_id, round=self._assessment_round),
        )

    async def _open_task(
        self, kind: str, role: str, *, due_in_days: int | None = None, assignee_id: int | None = None,
        note: str | None = None,
    ) -> None:
        self._task_count += 1
        self._task_key = f"{workflow.info().workflow_id}/{kind}/{self._task_count}"
        await self._act(
            TaskActivities.open_task,
            OpenTaskInput(
                key=self._task_key, application_id=self._application_id, kind=kind, role=role,
                due_in_days=due_in_days, assignee_id=assignee_id, note=note,
            ),
        )

    async def _close_task(self, status: str, note: str | None = None) -> None:
        if self._task_key is not None:
            await self._act(TaskActivities.close_task, CloseTaskInput(key=self._task_key, status=status, note=note))

    async def _stage_update(
        self, status: str, event: str, *, actor: Actor | None = None, detail: dict[str, str] | None = None
    ) -> None:
        await self._act(
            GrantRecordActivities.update_stage,
            StageUpdateInput(
                application_id=self._application_id, status=status, event=event,
                actor_id=actor.user_id if actor else None,
                organisation_code=actor.organisation_code if actor else None,
                detail=detail or {},
            ),
        )

    def _info_ref(self) -> InfoRequestRef:
        return InfoRequestRef(application_id=self._application_id, seq=self._info_seq)

    async def _act(self, activity: Any, arg: Any) -> Any:
        return await workflow.execute_activity_method(
            activity, arg, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=RETRY
        )

