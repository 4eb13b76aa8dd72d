"""One grant application from receipt to decision, its serving and its payment (workflow id `grant-<application id>`).

Stages (`models.grants.applications.Stage`): received → assessed (in the handlers' queue) → optionally waiting
for the applicant → in decision → approved or rejected, or withdrawn at any point before the
decision. Staff act through updates whose validators refuse wrong roles, wrong stages, stale tasks
and a proposer deciding their own case.

Every update that runs activities holds one `asyncio.Lock`: validators refuse while it is held, an
update re-checks its conditions once it has it, and the workflow's state changes only after every
activity of the update succeeded. A failed update (an activity failing for good) releases the lock
and leaves the case exactly where it was, ready for the next action.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as ActivityTimeout
from temporalio.workflow import ActivityHandle, ChildWorkflowHandle

from workflows.appeals.window import AppealWindowWorkflow
from workflows.options import DATABASE, DECISION_MAIL, MAIL, REGISTER_CHECK
from workflows.payments.grant_payment import GrantPaymentWorkflow
from workflows.serving.decision import ServeDecisionWorkflow

with workflow.unsafe.imports_passed_through():
    from activities.errors import BudgetExhausted, LegalBasisNotInForce
    from activities.grants.assessment import AssessmentActivities
    from activities.grants.decisions import DecisionActivities
    from activities.grants.info_requests import InfoRequestActivities
    from activities.grants.receipts import ReceiptActivities
    from activities.grants.records import GrantRecordActivities
    from activities.serving.delivery import DeliveryActivities
    from activities.tasks import TaskActivities
    from core.i18n import N_
    from models.actors import Actor
    from models.appeals.payloads import WindowClosed, WindowInput
    from models.grants.applications import Stage
    from models.grants.decisions import Outcome
    from models.grants.payloads import (
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
        Verdict,
        WithdrawInput,
    )
    from models.payments.payloads import PaymentInput, PaymentSettled
    from models.serving.payloads import Served, ServeDecisionInput, ServingRef
    from models.staff import Role
    from models.tasks import TaskClosing, TaskKind
    from models.time_limits import Channel


ACTION_REFUSED = "ActionRefused"
# Patch id: from here on a decision is served by ServeDecisionWorkflow (older cases replay the inline path).
SERVING_AS_CHILD = "serving-as-child-workflow"
# Patch id: from here on the applicant gets a receipt e-mail right after the application is recorded.
RECEIPT_EMAIL = "receipt-email"
# Patch id: from here on an approved grant is paid by GrantPaymentWorkflow after it is served.
PAYMENT_AS_CHILD = "payment-as-child-workflow"
# Patch id: from here on a served decision's rectification windows are AppealWindowWorkflow's, and it turns final.
APPEAL_WINDOW = "appeal-window"
# Days a task has before the queue marks it overdue: preparing a proposal, then deciding on it. Only the
# task row's due date changes with these (an activity argument), so running cases still replay.
HANDLING_DUE_DAYS = 14
DECISION_DUE_DAYS = 7
# The note on a handler task when the trade register could not be asked: check it by hand.
REGISTER_CHECK_FAILED = "register_check_failed"
# Waits between tries of an assessment whose register did not answer: about half an hour in all.
REGISTER_PAUSES = tuple(timedelta(minutes=m) for m in (0.5, 1, 2, 5, 10, 15))
LOST_WORKER_RETRIES = 3
# Why finalising a decision can be refused for good, as the decider reads it.
DECISION_REFUSALS = {
    BudgetExhausted.__name__: N_("The budget does not cover this grant. Return the proposal for a rejection."),
    LegalBasisNotInForce.__name__: N_(
        "The programme's legal basis is not in force today, so no decision can be made under it."
    ),
}
Request = TypeVar("Request")
WITHDRAWABLE = (Stage.ASSESSED, Stage.WAITING_FOR_APPLICANT, Stage.IN_DECISION)


@dataclass
class Proposed:
    """The proposal waiting for a decider."""

    seq: int
    proposer_id: int


@dataclass
class OpenQuestion:
    """The information request waiting for the applicant's answer."""

    seq: int
    deadline: datetime


@dataclass
class GrantState:
    application_id: int
    stage: Stage = Stage.RECEIVED
    assessment: AssessmentOutcome | None = None
    assessment_rounds: int = 0
    task_key: str | None = None  # the task staff act on now; an action naming another is stale
    # Numbers handed out so far: an action that failed half-way leaves a gap, never a reused number.
    tasks_opened: int = 0
    proposals_made: int = 0
    questions_asked: int = 0
    proposal: Proposed | None = None
    question: OpenQuestion | None = None
    decision: DecisionOutcome | None = None
    served: Served | None = None
    payment: PaymentSettled | None = None
    final_on: date | None = None
    # (Cases decided before serving became its own workflow:) while the decision e-mail has failed for
    # good, a handler chooses how to serve it.
    awaiting_redelivery: bool = False
    redelivery: Channel | None = None


@workflow.defn
class GrantApplicationWorkflow:
    @workflow.init
    def __init__(self, request: GrantApplicationInput) -> None:
        self._state = GrantState(application_id=request.application_id)
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, request: GrantApplicationInput) -> GrantApplicationResult:
        s = self._state
        await workflow.execute_activity_method(GrantRecordActivities.record_receipt, self._ref(), **DATABASE)
        # The receipt goes out beside the assessment: a slow or unreachable mail server never holds up the case.
        receipt = self._start_receipt() if workflow.patched(RECEIPT_EMAIL) else None
        register_checked = await self._assess()
        # The stage changes only now: a page that sees "assessed" finds the handler task in the table.
        s.task_key = await self._open_task(
            TaskKind.HANDLE,
            Role.HANDLER,
            due_in_days=HANDLING_DUE_DAYS,
            note=None if register_checked else REGISTER_CHECK_FAILED,
        )
        self._enter(Stage.ASSESSED)
        while not s.stage.is_final:
            if s.stage == Stage.WAITING_FOR_APPLICANT:
                await self._wait_for_reply()
            else:
                await workflow.wait_condition(lambda stage=s.stage: s.stage != stage)  # type: ignore[misc]
        await workflow.wait_condition(workflow.all_handlers_finished)
        if s.decision is not None:
            await self._serve(s.decision)
            # The rectification windows run beside the payment: an approval is paid before it is final.
            window = await self._open_window(s.decision) if workflow.patched(APPEAL_WINDOW) else None
            if s.decision.outcome == Outcome.APPROVE and workflow.patched(PAYMENT_AS_CHILD):
                await self._pay(s.decision)
            if window is not None:
                s.final_on = (await window).final_on
        if receipt is not None:
            await self._receipt_sent(receipt)
        return GrantApplicationResult(
            application_id=s.application_id,
            stage=s.stage,
            assessment=s.assessment,
            served=s.served,
            payment=s.payment,
            final_on=s.final_on,
        )

    def _start_receipt(self) -> ActivityHandle[None]:
        # Retried for about a day, like a decision e-mail.
        return workflow.start_activity_method(ReceiptActivities.send_receipt, self._ref(), **DECISION_MAIL)

    async def _receipt_sent(self, receipt: ActivityHandle[None]) -> None:
        """A receipt that failed for good does not fail the case: the status page has the same facts."""
        try:
            await receipt
        except ActivityError:
            workflow.logger.warning("application %s: the receipt e-mail could not be sent", self._state.application_id)

    # --- after the decision: serving, then an approval's payment (the appeal window comes next) -------------

    async def _serve(self, decision: DecisionOutcome) -> None:
        """The decision is served by its own workflow, which says when and how it reached the applicant."""
        s = self._state
        await self._stage_update(s.stage, "decided")
        if not workflow.patched(SERVING_AS_CHILD):
            await self._serve_inline(decision)
            return
        s.served = await workflow.execute_child_workflow(
            ServeDecisionWorkflow.run,
            ServeDecisionInput(application_id=s.application_id, decision_number=decision.number),
            id=f"{workflow.info().workflow_id}/serving",
        )
        workflow.logger.info(
            "decision %s served by %s on %s", decision.number, s.served.channel, s.served.dispatched_on
        )

    async def _open_window(self, decision: DecisionOutcome) -> ChildWorkflowHandle[Any, WindowClosed]:
        """Its own workflow: waits out both rectification windows, and records the decision final."""
        return await workflow.start_child_workflow(
            AppealWindowWorkflow.run,
            WindowInput(application_id=self._state.application_id, decision_number=decision.number),
            id=f"{workflow.info().workflow_id}/appeal-window",
        )

    async def _pay(self, decision: DecisionOutcome) -> None:
        """The grant's payment is its own workflow: it ends when the bank has paid it (or it is cancelled)."""
        s = self._state
        s.payment = await workflow.execute_child_workflow(
            GrantPaymentWorkflow.run,
            PaymentInput(application_id=s.application_id, decision_number=decision.number),
            id=f"{workflow.info().workflow_id}/payment",
        )

    async def _serve_inline(self, decision: DecisionOutcome) -> None:
        """How cases decided before serving became its own workflow go on (their histories replay this)."""
        s = self._state
        channel = await workflow.execute_activity_method(
            DeliveryActivities.choose_channel, self._serving_ref(), **DATABASE
        )
        while True:
            if channel == Channel.LETTER:
                await workflow.execute_activity_method(
                    DeliveryActivities.queue_for_post, self._serving_ref(), **DATABASE
                )
                return
            try:
                await workflow.execute_activity_method(
                    DeliveryActivities.send_decision_email, self._serving_ref(), **DECISION_MAIL
                )
                return
            except ActivityError:
                workflow.logger.warning(
                    "decision %s: e-mail failed through every retry; a handler decides", decision.number
                )
                s.task_key = await self._open_task(TaskKind.DELIVER, Role.HANDLER, note="email_failed")
                s.redelivery, s.awaiting_redelivery = None, True
                await workflow.wait_condition(lambda: s.redelivery is not None)
                channel, s.awaiting_redelivery = s.redelivery or Channel.LETTER, False
                await self._close_task(TaskClosing.DONE)

    @workflow.update
    async def redeliver(self, request: RedeliverInput) -> None:
        self._recheck(self._check_redeliver, request)
        self._state.redelivery = request.channel

    @redeliver.validator
    def _validate_redeliver(self, request: RedeliverInput) -> None:
        self._check_redeliver(request)

    def _check_redeliver(self, request: RedeliverInput) -> None:
        self._check(request.task_key, request.actor, Role.HANDLER, Stage.APPROVED, Stage.REJECTED)
        if not self._state.awaiting_redelivery:
            raise ValueError(N_("This task is out of date; reload the page."))

    # --- staff actions -------------------------------------------------------------------------------------

    @workflow.update
    async def request_info(self, request: RequestInfoInput) -> datetime:
        async with self._lock:
            self._recheck(self._check_request_info, request)
            s = self._state
            s.questions_asked += 1
            seq = s.questions_asked
            opened = await workflow.execute_activity_method(
                InfoRequestActivities.open_info_request,
                OpenInfoRequestInput(
                    application_id=s.application_id,
                    seq=seq,
                    message=request.message,
                    reply_by=request.reply_by,
                    actor=request.actor,
                ),
                **DATABASE,
            )
            question = InfoRequestRef(application_id=s.application_id, seq=seq)
            await workflow.execute_activity_method(InfoRequestActivities.send_info_request, question, **MAIL)
            await self._close_task(TaskClosing.WAITING)
            await self._stage_update(Stage.WAITING_FOR_APPLICANT, "info_requested", actor=request.actor)
            s.question = OpenQuestion(seq=seq, deadline=opened.deadline)
            self._enter(Stage.WAITING_FOR_APPLICANT)
            return opened.deadline

    @request_info.validator
    def _validate_request_info(self, request: RequestInfoInput) -> None:
        self._refuse_while_busy()
        self._check_request_info(request)

    def _check_request_info(self, request: RequestInfoInput) -> None:
        self._check(request.task_key, request.actor, Role.HANDLER, Stage.ASSESSED)
        if not request.message.strip():
            raise ValueError(N_("Write the message to the applicant."))

    @workflow.update
    async def propose(self, request: ProposeInput) -> int:
        async with self._lock:
            self._recheck(self._check_propose, request)
            s = self._state
            s.proposals_made += 1
            seq = s.proposals_made
            await workflow.execute_activity_method(
                DecisionActivities.record_proposal,
                RecordProposalInput(application_id=s.application_id, seq=seq, proposal=request),
                **DATABASE,
            )
            await self._close_task(TaskClosing.DONE)
            decide_key = await self._open_task(TaskKind.DECIDE, Role.DECIDER, due_in_days=DECISION_DUE_DAYS)
            await self._stage_update(Stage.IN_DECISION, "proposed", actor=request.actor)
            s.proposal = Proposed(seq=seq, proposer_id=request.actor.user_id)
            s.task_key = decide_key
            self._enter(Stage.IN_DECISION)
            return seq

    @propose.validator
    def _validate_propose(self, request: ProposeInput) -> None:
        self._refuse_while_busy()
        self._check_propose(request)

    def _check_propose(self, request: ProposeInput) -> None:
        self._check(request.task_key, request.actor, Role.HANDLER, Stage.ASSESSED)
        if not request.justification.strip():
            raise ValueError(N_("Write the justification."))
        if request.outcome == Outcome.REJECT and not request.reasons:
            raise ValueError(N_("A rejection needs at least one reason."))
        failed = self._state.assessment.reasons if self._state.assessment else []
        if request.outcome == Outcome.APPROVE and failed and not (request.override_reason or "").strip():
            raise ValueError(N_("A rule failed: approving needs a written override reason."))

    @workflow.update
    async def decide(self, request: DecideInput) -> str:
        async with self._lock:
            self._recheck(self._check_decide, request)
            if request.verdict == Verdict.ACCEPT:
                return await self._accept(request)
            return await self._return(request)

    @decide.validator
    def _validate_decide(self, request: DecideInput) -> None:
        self._refuse_while_busy()
        self._check_decide(request)

    def _check_decide(self, request: DecideInput) -> None:
        self._check(request.task_key, request.actor, Role.DECIDER, Stage.IN_DECISION)
        proposal = self._state.proposal
        if proposal is not None and request.actor.user_id == proposal.proposer_id:
            raise ValueError(N_("You proposed this decision; another decider must make it (four eyes)."))
        if request.verdict == Verdict.RETURN and not request.comment.strip():
            raise ValueError(N_("Say why the proposal is returned."))

    async def _accept(self, request: DecideInput) -> str:
        s = self._state
        assert s.proposal is not None
        try:
            decision = await workflow.execute_activity_method(
                DecisionActivities.finalize_decision,
                FinalizeDecisionInput(
                    application_id=s.application_id, proposal_seq=s.proposal.seq, decider=request.actor
                ),
                **DATABASE,
            )
        except ActivityError as err:
            refused = err.cause.type if isinstance(err.cause, ApplicationError) else None
            if refused in DECISION_REFUSALS:
                raise ApplicationError(DECISION_REFUSALS[refused], type=refused) from err
            raise
        await self._close_task(TaskClosing.DONE)
        s.decision = decision
        self._enter(Stage.APPROVED if decision.outcome == Outcome.APPROVE else Stage.REJECTED)
        return decision.number

    async def _return(self, request: DecideInput) -> str:
        s = self._state
        assert s.proposal is not None
        await workflow.execute_activity_method(
            DecisionActivities.return_proposal,
            ReturnProposalInput(
                application_id=s.application_id,
                proposal_seq=s.proposal.seq,
                decider=request.actor,
                comment=request.comment,
            ),
            **DATABASE,
        )
        await self._close_task(TaskClosing.DONE)
        handle_key = await self._open_task(
            TaskKind.HANDLE, Role.HANDLER, assignee_id=s.proposal.proposer_id, note=request.comment
        )
        await self._stage_update(Stage.ASSESSED, "returned", actor=request.actor)
        s.proposal, s.task_key = None, handle_key
        self._enter(Stage.ASSESSED)
        return "returned"

    # --- the applicant's actions ---------------------------------------------------------------------------

    @workflow.update
    async def answer_info(self, answer: AnswerInput) -> None:
        async with self._lock:
            self._recheck(self._check_answer, answer)
            s = self._state
            await workflow.execute_activity_method(
                InfoRequestActivities.record_answer,
                RecordAnswerInput(
                    application_id=s.application_id,
                    seq=answer.info_request_seq,
                    answer=answer.answer,
                    attachment_ids=answer.attachment_ids,
                ),
                **DATABASE,
            )
            # The applicant waits for this answer on the page: one try of the register, not the pauses.
            register_checked = await self._assess(pauses=())
            await self._close_task(TaskClosing.REOPEN, note="answered" if register_checked else REGISTER_CHECK_FAILED)
            await self._stage_update(Stage.ASSESSED, "info_answered")
            s.question = None
            self._enter(Stage.ASSESSED)

    @answer_info.validator
    def _validate_answer(self, answer: AnswerInput) -> None:
        self._refuse_while_busy()
        self._check_answer(answer)

    def _check_answer(self, answer: AnswerInput) -> None:
        s = self._state
        if s.stage != Stage.WAITING_FOR_APPLICANT or s.question is None or answer.info_request_seq != s.question.seq:
            raise ValueError(N_("No question is waiting for an answer."))

    @workflow.update
    async def withdraw(self, request: WithdrawInput) -> None:
        async with self._lock:
            self._recheck(self._check_withdraw, request)
            s = self._state
            if s.question is not None:
                await workflow.execute_activity_method(
                    InfoRequestActivities.cancel, self._question_ref(s.question), **DATABASE
                )
            await self._close_task(TaskClosing.CANCELLED, note="withdrawn")
            await self._stage_update(Stage.WITHDRAWN, "withdrawn", detail={"reason": request.reason[:500]})
            s.question = None
            self._enter(Stage.WITHDRAWN)

    @withdraw.validator
    def _validate_withdraw(self, request: WithdrawInput) -> None:
        self._refuse_while_busy()
        self._check_withdraw(request)

    def _check_withdraw(self, request: WithdrawInput) -> None:
        if self._state.stage not in WITHDRAWABLE:
            raise ValueError(N_("The application can no longer be withdrawn."))

    @workflow.query
    def state(self) -> ProcessingState:
        s = self._state
        return ProcessingState(
            stage=s.stage,
            task_key=s.task_key,
            proposer_id=s.proposal.proposer_id if s.proposal else None,
            info_request_seq=s.question.seq if s.question else None,
            decision_number=s.decision.number if s.decision else None,
        )

    # --- helpers -------------------------------------------------------------------------------------------

    def _refuse_while_busy(self) -> None:
        if self._lock.locked():
            raise ValueError(N_("Another action on this application is in progress; try again in a moment."))

    def _check(self, task_key: str, actor: Actor, role: Role, *stages: Stage) -> None:
        if role not in actor.roles:
            raise ValueError(
                N_("This needs the handler role.") if role == Role.HANDLER else N_("This needs the decider role.")
            )
        if self._state.stage not in stages:
            raise ValueError(N_("This action is not possible at this stage of the application."))
        if task_key != self._state.task_key:
            raise ValueError(N_("This task is out of date; reload the page."))

    def _recheck(self, check: Callable[[Request], None], request: Request) -> None:
        """Inside the lock, the validator's conditions again: another update may have changed them meanwhile."""
        try:
            check(request)
        except ValueError as refused:
            workflow.logger.info("application %s: action refused: %s", self._state.application_id, refused)
            raise ApplicationError(str(refused), type=ACTION_REFUSED, non_retryable=True) from None

    def _enter(self, stage: Stage) -> None:
        workflow.logger.info("application %s: %s → %s", self._state.application_id, self._state.stage, stage)
        self._state.stage = stage

    async def _wait_for_reply(self) -> None:
        """A reminder halfway to the deadline; without a reply the handler decides on what there is."""
        s = self._state
        assert s.question is not None
        question = s.question
        answered = lambda: s.question is not question  # noqa: E731
        try:
            remaining = question.deadline - workflow.now()
            await workflow.wait_condition(answered, timeout=max(remaining / 2, timedelta(seconds=1)))
            return
        except TimeoutError:
            await workflow.execute_activity_method(InfoRequestActivities.remind, self._question_ref(question), **MAIL)
        try:
            remaining = question.deadline - workflow.now()
            await workflow.wait_condition(answered, timeout=max(remaining, timedelta(seconds=1)))
            return
        except TimeoutError:
            pass
        async with self._lock:
            if s.question is not question:  # answered or withdrawn while we waited for the lock
                return
            await workflow.execute_activity_method(
                InfoRequestActivities.expire, self._question_ref(question), **DATABASE
            )
            await self._close_task(TaskClosing.REOPEN, note="no_reply")
            await self._stage_update(Stage.ASSESSED, "info_deadline_passed")
            s.question = None
            self._enter(Stage.ASSESSED)

    async def _assess(self, pauses: tuple[timedelta, ...] = REGISTER_PAUSES) -> bool:
        """Runs the rules; False when the trade register did not answer for a long while, so the rules ran on
        the applicant's declarations and a handler checks the register by hand. Intake never waits on it."""
        s = self._state
        s.assessment_rounds += 1
        request = AssessApplicationInput(application_id=s.application_id, round=s.assessment_rounds)
        lost_workers = 0
        remaining = list(pauses)
        while True:
            try:
                s.assessment = await workflow.execute_activity_method(
                    AssessmentActivities.assess_application, request, **REGISTER_CHECK
                )
                return True
            except ActivityError as err:
                # A worker that died holding the activity is no sign of the register being down: tried again at
                # once (a few times), not after a pause meant for the register.
                lost = isinstance(err.cause, ActivityTimeout) and lost_workers < LOST_WORKER_RETRIES
                if lost and workflow.patched("assessment-retried-at-once-after-a-lost-worker"):
                    lost_workers += 1
                    continue
                if not remaining:
                    break
                await workflow.sleep(remaining.pop(0))
        workflow.logger.warning("application %s: the trade register did not answer", s.application_id)
        s.assessment = await workflow.execute_activity_method(
            AssessmentActivities.assess_application,
            request.model_copy(update={"register_unavailable": True}),
            **DATABASE,
        )
        return False

    async def _open_task(
        self,
        kind: TaskKind,
        role: Role,
        *,
        due_in_days: int | None = None,
        assignee_id: int | None = None,
        note: str | None = None,
    ) -> str:
        """Opens a task and returns its key; the caller makes it current once its whole action succeeded."""
        s = self._state
        s.tasks_opened += 1
        key = f"{workflow.info().workflow_id}/{kind}/{s.tasks_opened}"
        await workflow.execute_activity_method(
            TaskActivities.open_task,
            OpenTaskInput(
                key=key,
                application_id=s.application_id,
                kind=kind,
                role=role,
                due_in_days=due_in_days,
                assignee_id=assignee_id,
                note=note,
            ),
            **DATABASE,
        )
        return key

    async def _close_task(self, status: TaskClosing, note: str | None = None) -> None:
        if self._state.task_key is not None:
            await workflow.execute_activity_method(
                TaskActivities.close_task,
                CloseTaskInput(key=self._state.task_key, status=status, note=note),
                **DATABASE,
            )

    async def _stage_update(
        self, status: Stage, event: str, *, actor: Actor | None = None, detail: dict[str, str] | None = None
    ) -> None:
        await workflow.execute_activity_method(
            GrantRecordActivities.update_stage,
            StageUpdateInput(
                application_id=self._state.application_id,
                status=status,
                event=event,
                actor_id=actor.user_id if actor else None,
                organisation_code=actor.organisation_code if actor else None,
                detail=detail or {},
            ),
            **DATABASE,
        )

    def _ref(self) -> ApplicationRef:
        return ApplicationRef(application_id=self._state.application_id)

    def _serving_ref(self) -> ServingRef:
        return ServingRef(application_id=self._state.application_id)

    def _question_ref(self, question: OpenQuestion) -> InfoRequestRef:
        return InfoRequestRef(application_id=self._state.application_id, seq=question.seq)
