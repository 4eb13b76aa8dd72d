"""One rectification request, from its arrival to a final ruling (id `grant-<application id>/rectification-<n>`),
started from the outbox when the request is recorded (from the status page, or registered by staff).

A task waits in the legal queue (a late request is marked so: legal staff dismiss it, nobody refuses it at
the door). Legal staff prepare the ruling and record the body's decision on it: dismissed, rejected or
amended, with the body and its minutes' reference. The ruling is served like every decision (its own
`ServeDecisionWorkflow`) and has its own windows, for an appeal to the administrative court
(`AppealWindowWorkflow`); when they close the ruling is final, and the decision with it as ruled.

An amending ruling on a grant decision is the decision now: amended to an approval, the grant is paid
through the usual payment workflow; an approval amended to a rejection has its payment cancelled if it has
not gone to the bank, and a recovery case opened once it is paid.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.workflow import ChildWorkflowHandle

from workflows.appeals.window import AppealWindowWorkflow
from workflows.human_actions import close_task, open_task, recheck, refuse_while_busy
from workflows.options import DATABASE
from workflows.payments.grant_payment import GrantPaymentWorkflow
from workflows.serving.decision import ServeDecisionWorkflow

with workflow.unsafe.imports_passed_through():
    from activities.appeals.rectification import RectificationActivities
    from activities.payments.payments import PaymentActivities
    from core.clock import helsinki_today
    from core.i18n import N_
    from models.appeals.payloads import (
        RecordRulingInput,
        RectificationInput,
        RectificationResult,
        RequestRef,
        Review,
        RuleInput,
        RulingRecorded,
        WindowClosed,
        WindowInput,
        WithdrawalStep,
    )
    from models.appeals.requests import Ruling
    from models.grants.decisions import Outcome
    from models.payments.payloads import CancelPaymentInput, PaymentInput, RecordCancellationInput
    from models.serving.payloads import ServeDecisionInput
    from models.staff import Role
    from models.tasks import TaskClosing, TaskKind

# Days legal staff have to bring a request to the body before the queue marks it overdue.
REVIEW_DUE_DAYS = 30


@dataclass
class RectificationState:
    request_id: int
    application_id: int
    review: Review | None = None
    task_key: str | None = None
    tasks_opened: int = 0
    ruled: RulingRecorded | None = None
    ruled_by: RuleInput | None = None


@workflow.defn
class RectificationWorkflow:
    @workflow.init
    def __init__(self, request: RectificationInput) -> None:
        self._state = RectificationState(request_id=request.request_id, application_id=request.application_id)
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, request: RectificationInput) -> RectificationResult:
        s = self._state
        ref = RequestRef(request_id=s.request_id)
        s.review = await workflow.execute_activity_method(RectificationActivities.review, ref, **DATABASE)
        s.task_key = await self._open_task(note="late" if s.review.late else None, arrived_at=s.review.received_at)
        await workflow.wait_condition(lambda: s.ruled is not None)
        assert s.ruled is not None
        ruled = s.ruled
        await workflow.execute_child_workflow(
            ServeDecisionWorkflow.run,
            ServeDecisionInput(application_id=s.application_id, decision_number=ruled.number),
            id=f"{workflow.info().workflow_id}/serving",
        )
        await workflow.execute_activity_method(RectificationActivities.ruling_served, ref, **DATABASE)
        window: ChildWorkflowHandle[Any, WindowClosed] = await workflow.start_child_workflow(
            AppealWindowWorkflow.run,
            WindowInput(application_id=s.application_id, decision_number=ruled.number),
            id=f"{workflow.info().workflow_id}/appeal-window",
        )
        await self._carry_out(ruled)
        closed = await window
        return RectificationResult(ruling=ruled.ruling, number=ruled.number, final_on=closed.final_on)

    async def _carry_out(self, ruled: RulingRecorded) -> None:
        """What an amended grant decision means for the money."""
        s = self._state
        if ruled.new_outcome == Outcome.APPROVE and ruled.original_outcome != Outcome.APPROVE:
            # Paid like any approval; the payment's own workflow, as the grant workflow would have started it.
            await workflow.execute_child_workflow(
                GrantPaymentWorkflow.run,
                PaymentInput(application_id=s.application_id, decision_number=ruled.number),
                id=f"grant-{s.application_id}/payment",
            )
        elif ruled.new_outcome == Outcome.REJECT and ruled.original_outcome == Outcome.APPROVE:
            # A payment with the bank cannot be stopped: looked at again each day until the bank has paid it
            # (then it is recovered) or returned it (then it is cancelled).
            while True:
                withdrawal = await workflow.execute_activity_method(
                    RectificationActivities.withdraw_approval, RequestRef(request_id=s.request_id), **DATABASE
                )
                if withdrawal.step != WithdrawalStep.WITH_THE_BANK:
                    break
                await workflow.sleep(timedelta(days=1))
            if withdrawal.step == WithdrawalStep.CANCEL and withdrawal.payment_id is not None:
                await self._cancel_payment(withdrawal.payment_id)

    async def _cancel_payment(self, payment_id: int) -> None:
        s = self._state
        assert s.ruled_by is not None
        reason = f"withdrawn on rectification by ruling {s.ruled.number if s.ruled else ''}"
        await workflow.execute_activity_method(
            PaymentActivities.cancel_payment,
            RecordCancellationInput(payment_id=payment_id, actor=s.ruled_by.actor, reason=reason),
            **DATABASE,
        )
        payment = workflow.get_external_workflow_handle_for(
            GrantPaymentWorkflow.run, f"grant-{s.application_id}/payment"
        )
        await payment.signal(GrantPaymentWorkflow.withdrawn, CancelPaymentInput(actor=s.ruled_by.actor, reason=reason))

    # --- legal staff record the body's ruling --------------------------------------------------------------

    @workflow.update
    async def rule(self, request: RuleInput) -> str:
        async with self._lock:
            self._recheck(self._check_rule, request)
            s = self._state
            s.ruled = await workflow.execute_activity_method(
                RectificationActivities.record_ruling,
                RecordRulingInput(request_id=s.request_id, rule=request),
                **DATABASE,
            )
            s.ruled_by = request
            await close_task(s.task_key, TaskClosing.DONE)
            s.task_key = None
            return s.ruled.number

    @rule.validator
    def _validate_rule(self, request: RuleInput) -> None:
        self._refuse_while_busy()
        self._check_rule(request)

    def _check_rule(self, request: RuleInput) -> None:
        s = self._state
        if Role.LEGAL not in request.actor.roles:
            raise ValueError(N_("This needs the legal role."))
        if s.ruled is not None or s.task_key is None or request.task_key != s.task_key:
            raise ValueError(N_("This task is out of date; reload the page."))
        if not request.body.strip() or not request.meeting_ref.strip():
            raise ValueError(N_("Name the body that ruled and its minutes' reference (meeting and section)."))
        if request.met_on > helsinki_today(workflow.now()):
            raise ValueError(N_("The body's meeting cannot be in the future."))
        if s.review is not None and request.met_on < (s.review.received_on or helsinki_today(s.review.received_at)):
            raise ValueError(N_("The body cannot have ruled before the request arrived."))
        if not request.justification.strip():
            raise ValueError(N_("Write the grounds of the ruling."))
        if request.ruling == Ruling.AMEND:
            if request.new_outcome is None:
                raise ValueError(N_("Say what the decision is amended to: the grant approved, or rejected."))
            if request.new_outcome == Outcome.REJECT and not request.reasons:
                raise ValueError(N_("An amendment to a rejection needs at least one reason."))

    # --- helpers -------------------------------------------------------------------------------------------

    def _refuse_while_busy(self) -> None:
        refuse_while_busy(self._lock)

    def _recheck(self, check: Callable[[Any], None], request: object) -> None:
        recheck(check, request)

    async def _open_task(self, note: str | None, arrived_at: datetime) -> str:
        s = self._state
        s.tasks_opened += 1
        return await open_task(
            number=s.tasks_opened,
            application_id=s.application_id,
            kind=TaskKind.RECTIFICATION,
            role=Role.LEGAL,
            note=note,
            due_in_days=REVIEW_DUE_DAYS,
            arrived_at=arrived_at,
        )
