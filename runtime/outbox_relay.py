"""Starts the workflows the outbox promised. Retries while Temporal is down; starting twice is harmless."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlmodel import col, select
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from core.db import Database
from models.appeals.payloads import RectificationInput
from models.grants.payloads import GrantApplicationInput
from models.notifications import QueuedEmailRef
from models.outbox import (
    SEND_EMAIL,
    START_BANK_REPORT,
    START_GRANT_WORKFLOW,
    START_PAYMENT_RUN,
    START_PRINT_BATCH,
    START_RECOVERY,
    START_RECTIFICATION,
    START_SERVICE_REQUEST,
    OutboxMessage,
)
from models.payments.payloads import BankReportRef, PaymentRunInput, RecoveryInput
from models.service_requests.payloads import ServiceRequestInput
from models.serving.payloads import PrintBatchRef
from models.types import utcnow
from workflows.appeals.rectification import RectificationWorkflow
from workflows.grants.application import GrantApplicationWorkflow
from workflows.notifications.send_email import SendEmailWorkflow
from workflows.payments.bank_report import BankReportWorkflow
from workflows.payments.payment_run import PaymentRunWorkflow
from workflows.payments.recovery import RecoveryWorkflow
from workflows.service_requests.service_request import ServiceRequestWorkflow
from workflows.serving.print_batch import PrintBatchWorkflow

log = logging.getLogger(__name__)

ClientProvider = Callable[[], Awaitable[Client]]


@dataclass(frozen=True)
class WorkflowStart:
    """What an outbox topic starts: the workflow's run method and the model its payload is read as."""

    run: Any
    payload: type[BaseModel]


# Topic → workflow. A new kind of promised work is one line here and one topic in models/outbox.py.
STARTS: dict[str, WorkflowStart] = {
    START_GRANT_WORKFLOW: WorkflowStart(GrantApplicationWorkflow.run, GrantApplicationInput),
    START_PRINT_BATCH: WorkflowStart(PrintBatchWorkflow.run, PrintBatchRef),
    SEND_EMAIL: WorkflowStart(SendEmailWorkflow.run, QueuedEmailRef),
    START_PAYMENT_RUN: WorkflowStart(PaymentRunWorkflow.run, PaymentRunInput),
    START_BANK_REPORT: WorkflowStart(BankReportWorkflow.run, BankReportRef),
    START_RECOVERY: WorkflowStart(RecoveryWorkflow.run, RecoveryInput),
    START_RECTIFICATION: WorkflowStart(RectificationWorkflow.run, RectificationInput),
    START_SERVICE_REQUEST: WorkflowStart(ServiceRequestWorkflow.run, ServiceRequestInput),
}


class OutboxRelay:
    def __init__(self, db: Database, client: ClientProvider, task_queue: str, batch_size: int = 100) -> None:
        self._db = db
        self._client = client
        self._task_queue = task_queue
        self._batch_size = batch_size
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Called after a commit so a new application starts at once, not at the next poll."""
        self._wake.set()

    async def run_forever(self, poll_seconds: float) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # keep relaying; the next round retries what failed
                log.exception("outbox relay round failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()

    async def run_once(self) -> int:
        """Dispatches pending rows in order; stops at the first failure unless the row itself is at fault."""
        pending = await asyncio.to_thread(self._pending)
        dispatched = 0
        for message in pending:
            try:
                await self._dispatch(message)
            except Exception as exc:
                await asyncio.to_thread(self._record_failure, message.id or 0, exc)
                if _fault_of_the_row(exc):
                    # Kept and retried every round (a fix in code or data lets it through), but it must
                    # not hold back the applications accepted after it.
                    log.error("outbox %s cannot be dispatched: %s", message.key, exc)
                    continue
                log.warning("outbox %s not dispatched yet: %s", message.key, exc)
                break  # Temporal is probably down: the rest would fail the same way
            await asyncio.to_thread(self._mark_dispatched, message.id or 0)
            dispatched += 1
        return dispatched

    async def _dispatch(self, message: OutboxMessage) -> None:
        start = STARTS.get(message.topic)
        if start is None:
            raise ValueError(f"unknown outbox topic {message.topic}")
        client = await self._client()
        try:
            await client.start_workflow(
                start.run,
                start.payload.model_validate(message.payload),
                id=message.key,
                task_queue=self._task_queue,
                # A finished workflow must not be run again for the same business id.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            pass

    def _pending(self) -> list[OutboxMessage]:
        with self._db.session() as session:
            query = (
                select(OutboxMessage)
                .where(col(OutboxMessage.dispatched_at).is_(None))
                .order_by(col(OutboxMessage.id))
                .limit(self._batch_size)
            )
            return list(session.exec(query).all())

    def _mark_dispatched(self, message_id: int) -> None:
        with self._db.session() as session:
            message = session.get(OutboxMessage, message_id)
            if message is not None and message.dispatched_at is None:
                message.dispatched_at = utcnow()
                message.attempts += 1
                session.add(message)
                session.commit()

    def _record_failure(self, message_id: int, exc: Exception) -> None:
        with self._db.session() as session:
            message = session.get(OutboxMessage, message_id)
            if message is not None:
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                session.add(message)
                session.commit()


def _fault_of_the_row(exc: Exception) -> bool:
    """A payload or topic this code cannot start, as opposed to a Temporal that cannot be reached."""
    if isinstance(exc, RPCError):
        return exc.status == RPCStatusCode.INVALID_ARGUMENT
    return isinstance(exc, ValueError)  # pydantic's ValidationError is one too
