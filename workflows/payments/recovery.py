"""Recovering a paid grant (takaisinperintä), id `grant-<application id>/recovery-<n>`, started when a handler
opens a recovery case with its reason.

The grantee is heard first (Administrative Procedure Act 34 §): told what is intended and why, and given
the programme's days to explain on the status page. Then a decider who did not open the case decides (four
eyes): recover, or not. A recovery decision is served like the
grant decision (its own `ServeDecisionWorkflow`, e-mail or post, appealable with the same rectification
instruction) and then waits for the money: the bank's report of a payment with its RF reference, or finance
marking it by hand. Past the due date, finance gets a task to follow it up.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from temporalio import workflow

from workflows.appeals.window import AppealWindowWorkflow
from workflows.human_actions import close_task, open_task, recheck, refuse_while_busy
from workflows.options import DATABASE, MAIL
from workflows.serving.decision import ServeDecisionWorkflow

with workflow.unsafe.imports_passed_through():
    from activities.payments.recovery import RecoveryActivities
    from core.clock import end_of_day
    from core.i18n import N_
    from models.appeals.payloads import WindowInput
    from models.payments.payloads import (
        ExplainInput,
        FinalizeRecoveryInput,
        Hearing,
        MarkRepaidInput,
        RecordExplanationInput,
        RecordRepaymentInput,
        RecoveryDecided,
        RecoveryDecideInput,
        RecoveryInput,
        RecoveryRef,
        RecoverySettled,
        RepaymentNotice,
    )
    from models.serving.payloads import ServeDecisionInput
    from models.staff import Role
    from models.tasks import TaskClosing, TaskKind


@dataclass
class RecoveryState:
    recovery_id: int
    application_id: int
    opened_by: int
    task_key: str | None = None
    tasks_opened: int = 0
    hearing: Hearing | None = None
    explained: bool = False
    decided: RecoveryDecided | None = None
    repaid: Decimal = Decimal("0.00")
    repaid_on: date | None = None
    marks: int = 0


@workflow.defn
class RecoveryWorkflow:
    @workflow.init
    def __init__(self, request: RecoveryInput) -> None:
        self._state = RecoveryState(
            recovery_id=request.recovery_id, application_id=request.application_id, opened_by=request.opened_by
        )
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, request: RecoveryInput) -> RecoverySettled:
        s = self._state
        # Heard first: the grantee may explain until the end of the hearing's last day.
        s.hearing = await workflow.execute_activity_method(
            RecoveryActivities.start_hearing, RecoveryRef(recovery_id=s.recovery_id), **MAIL
        )
        until = end_of_day(s.hearing.due_on) - workflow.now()
        try:
            await workflow.wait_condition(lambda: s.explained, timeout=max(until, timedelta(seconds=1)))
        except TimeoutError:
            workflow.logger.info("recovery %s: no explanation by %s", s.recovery_id, s.hearing.due_on)
        note = "recovery_explained" if s.explained else "recovery_not_explained"
        s.task_key = await self._open_task(TaskKind.RECOVERY, Role.DECIDER, note)
        await workflow.wait_condition(lambda: s.decided is not None)
        assert s.decided is not None
        if s.decided.number is None:
            return RecoverySettled(waived=True)
        await workflow.execute_child_workflow(
            ServeDecisionWorkflow.run,
            ServeDecisionInput(application_id=s.application_id, decision_number=s.decided.number),
            id=f"{workflow.info().workflow_id}/serving",
        )
        # Appealable like the grant decision: its own rectification windows, beside the wait for the money.
        window = await workflow.start_child_workflow(
            AppealWindowWorkflow.run,
            WindowInput(application_id=s.application_id, decision_number=s.decided.number),
            id=f"{workflow.info().workflow_id}/appeal-window",
        )
        amount = s.decided.amount
        due = end_of_day(s.decided.due_on or workflow.now().date())
        try:
            await workflow.wait_condition(
                lambda: s.repaid >= amount, timeout=max(due - workflow.now(), timedelta(seconds=1))
            )
        except TimeoutError:
            workflow.logger.warning("recovery %s: not repaid by its due date", s.recovery_id)
            s.task_key = await self._open_task(TaskKind.REPAYMENT, Role.FINANCE, "repayment_overdue")
            await workflow.wait_condition(lambda: s.repaid >= amount)
            await self._close_task(TaskClosing.DONE)
        closed = await window
        return RecoverySettled(repaid_on=s.repaid_on, final_on=closed.final_on)

    # --- the grantee is heard ------------------------------------------------------------------------------

    @workflow.update
    async def explain(self, request: ExplainInput) -> None:
        async with self._lock:
            self._recheck(self._check_explain, request)
            s = self._state
            await workflow.execute_activity_method(
                RecoveryActivities.record_explanation,
                RecordExplanationInput(recovery_id=s.recovery_id, text=request.text.strip()),
                **DATABASE,
            )
            s.explained = True

    @explain.validator
    def _validate_explain(self, request: ExplainInput) -> None:
        self._refuse_while_busy()
        self._check_explain(request)

    def _check_explain(self, request: ExplainInput) -> None:
        s = self._state
        if s.hearing is None or s.explained or s.task_key is not None or s.decided is not None:
            raise ValueError(N_("The time to explain has passed; you may still request rectification of the decision."))
        if not request.text.strip():
            raise ValueError(N_("Write your explanation."))

    # --- the decider ---------------------------------------------------------------------------------------

    @workflow.update
    async def decide(self, request: RecoveryDecideInput) -> str | None:
        async with self._lock:
            self._recheck(self._check_decide, request)
            s = self._state
            s.decided = await workflow.execute_activity_method(
                RecoveryActivities.finalize,
                FinalizeRecoveryInput(
                    recovery_id=s.recovery_id,
                    actor=request.actor,
                    recover=request.recover,
                    justification=request.justification,
                ),
                **DATABASE,
            )
            await self._close_task(TaskClosing.DONE)
            s.task_key = None
            return s.decided.number

    @decide.validator
    def _validate_decide(self, request: RecoveryDecideInput) -> None:
        self._refuse_while_busy()
        self._check_decide(request)

    def _check_decide(self, request: RecoveryDecideInput) -> None:
        s = self._state
        if Role.DECIDER not in request.actor.roles:
            raise ValueError(N_("This needs the decider role."))
        if s.decided is not None or request.task_key != s.task_key:
            raise ValueError(N_("This task is out of date; reload the page."))
        if request.actor.user_id == s.opened_by:
            raise ValueError(N_("You opened this recovery case; another decider must decide it (four eyes)."))
        if request.recover and not request.justification.strip():
            raise ValueError(N_("Write the justification."))

    # --- the money coming back -----------------------------------------------------------------------------

    @workflow.signal
    def repayment(self, notice: RepaymentNotice) -> None:
        s = self._state
        if notice.repaid_total > s.repaid:
            s.repaid, s.repaid_on = notice.repaid_total, notice.on

    @workflow.update
    async def mark_repaid(self, request: MarkRepaidInput) -> Decimal:
        """Finance records a repayment the bank report does not show (paid at the cash desk, say)."""
        async with self._lock:
            self._recheck(self._check_mark, request)
            s = self._state
            s.marks += 1
            total = await workflow.execute_activity_method(
                RecoveryActivities.record_repayment,
                RecordRepaymentInput(
                    recovery_id=s.recovery_id,
                    key=f"{workflow.info().workflow_id}/marked/{s.marks}",
                    amount=request.amount,
                    on=request.on,
                    recorded_by=request.actor.user_id,
                ),
                **DATABASE,
            )
            if total > s.repaid:
                s.repaid, s.repaid_on = total, request.on
            return total

    @mark_repaid.validator
    def _validate_mark(self, request: MarkRepaidInput) -> None:
        self._refuse_while_busy()
        self._check_mark(request)

    def _check_mark(self, request: MarkRepaidInput) -> None:
        if Role.FINANCE not in request.actor.roles:
            raise ValueError(N_("This needs the finance role."))
        decided = self._state.decided
        if decided is None or decided.number is None:
            raise ValueError(N_("Nothing has been decided to be repaid."))
        if request.amount <= 0:
            raise ValueError(N_("Enter the amount repaid."))
        if request.amount > decided.amount - self._state.repaid:
            raise ValueError(N_("That is more than is left to repay; an overpayment is refunded, not recorded here."))

    # --- helpers -------------------------------------------------------------------------------------------

    def _refuse_while_busy(self) -> None:
        refuse_while_busy(self._lock)

    def _recheck(self, check: Callable[[Any], None], request: object) -> None:
        recheck(check, request)

    async def _open_task(self, kind: TaskKind, role: Role, note: str) -> str:
        s = self._state
        s.tasks_opened += 1
        return await open_task(number=s.tasks_opened, application_id=s.application_id, kind=kind, role=role, note=note)

    async def _close_task(self, status: TaskClosing) -> None:
        await close_task(self._state.task_key, status)
