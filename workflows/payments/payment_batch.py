"""One payment batch (id `payment-batch-<batch id>`): its pain.001 file is written and validated, two different
finance users approve it (four eyes), and it is released to the bank, once.

A file that does not validate is never offered for approval: the batch is cancelled and its payments wait
for the next one. Finance may refuse a batch instead; a batch whose execution date passed while it waited
is cancelled at release, not sent with a date the bank would refuse.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from temporalio import workflow

from workflows.human_actions import recheck, refuse_while_busy
from workflows.options import DATABASE

with workflow.unsafe.imports_passed_through():
    from activities.payments.batches import APPROVALS_NEEDED, PaymentBatchActivities
    from core.i18n import N_
    from models.payments.payloads import (
        ApproveBatchInput,
        CancelBatchInput,
        PaymentBatchRef,
        RecordApprovalInput,
        RefuseBatchInput,
        Released,
    )
    from models.staff import Role


@dataclass
class BatchState:
    batch_id: int
    written: bool = False
    approvers: list[int] = field(default_factory=list)
    refused: RefuseBatchInput | None = None


@workflow.defn
class PaymentBatchWorkflow:
    @workflow.init
    def __init__(self, ref: PaymentBatchRef) -> None:
        self._state = BatchState(batch_id=ref.batch_id)
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, ref: PaymentBatchRef) -> Released:
        s = self._state
        written = await workflow.execute_activity_method(PaymentBatchActivities.write_file, ref, **DATABASE)
        if written.invalid is not None:
            return await self._cancel(f"the file does not validate: {written.invalid}", None)
        s.written = True
        await workflow.wait_condition(lambda: len(s.approvers) >= APPROVALS_NEEDED or s.refused is not None)
        if s.refused is not None:
            return await self._cancel(s.refused.reason, s.refused.actor.user_id)
        released = await workflow.execute_activity_method(PaymentBatchActivities.release, ref, **DATABASE)
        if not released.released:
            return await self._cancel(f"not released: {released.refused}", None)
        workflow.logger.info("payment batch %s released to the bank", ref.batch_id)
        return released

    async def _cancel(self, reason: str, actor_id: int | None) -> Released:
        s = self._state
        await workflow.execute_activity_method(
            PaymentBatchActivities.cancel,
            CancelBatchInput(batch_id=s.batch_id, reason=reason, actor_id=actor_id),
            **DATABASE,
        )
        workflow.logger.warning("payment batch %s cancelled: %s", s.batch_id, reason)
        return Released(batch_id=s.batch_id, released=False, refused=reason)

    @workflow.update
    async def approve(self, request: ApproveBatchInput) -> int:
        """Returns how many people have approved; the second approval releases the batch."""
        async with self._lock:
            self._recheck(self._check_approve, request)
            s = self._state
            await workflow.execute_activity_method(
                PaymentBatchActivities.record_approval,
                RecordApprovalInput(batch_id=s.batch_id, actor=request.actor),
                **DATABASE,
            )
            s.approvers.append(request.actor.user_id)
            return len(s.approvers)

    @approve.validator
    def _validate_approve(self, request: ApproveBatchInput) -> None:
        self._refuse_while_busy()
        self._check_approve(request)

    def _check_approve(self, request: ApproveBatchInput) -> None:
        self._check_open(request.actor.roles)
        if request.actor.user_id in self._state.approvers:
            raise ValueError(N_("You have approved this batch; another finance user must approve it too (four eyes)."))

    @workflow.update
    async def refuse(self, request: RefuseBatchInput) -> None:
        async with self._lock:
            self._recheck(self._check_refuse, request)
            self._state.refused = request

    @refuse.validator
    def _validate_refuse(self, request: RefuseBatchInput) -> None:
        self._refuse_while_busy()
        self._check_refuse(request)

    def _check_refuse(self, request: RefuseBatchInput) -> None:
        self._check_open(request.actor.roles)
        if not request.reason.strip():
            raise ValueError(N_("Say why the batch is refused."))

    def _check_open(self, roles: list[Role]) -> None:
        s = self._state
        if Role.FINANCE not in roles:
            raise ValueError(N_("This needs the finance role."))
        if not s.written:
            raise ValueError(N_("The batch's file is still being written; reload the page in a moment."))
        if len(s.approvers) >= APPROVALS_NEEDED or s.refused is not None:
            raise ValueError(N_("This batch has already been decided."))

    def _refuse_while_busy(self) -> None:
        refuse_while_busy(self._lock, N_("Another action on this batch is in progress; try again in a moment."))

    def _recheck(self, check: Callable[[Any], None], request: object) -> None:
        recheck(check, request)
