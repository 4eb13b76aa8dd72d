"""Stand-ins for every activity of the grant workflow, registered under the real names.

For the fast tier of workflow tests and for recording the replay histories: they hold no database,
and a test can make any of them fail for good or wait on demand.
"""

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.actors import Actor
from models.grants.decisions import Outcome
from models.grants.payloads import (
    ApplicationRef,
    AssessApplicationInput,
    AssessmentOutcome,
    CloseTaskInput,
    DecisionOutcome,
    FinalizeDecisionInput,
    InfoRequestOpened,
    InfoRequestRef,
    OpenInfoRequestInput,
    OpenTaskInput,
    RecordAnswerInput,
    RecordProposalInput,
    ReturnProposalInput,
    StageUpdateInput,
)
from models.serving.payloads import ClaimedLetters, PrintBatchDone, PrintBatchRef, RecordPostingInput, Served
from models.staff import Role
from models.time_limits import Channel

HANDLER = Actor(user_id=1, name="Hanna", organisation_code="E", roles=[Role.HANDLER])
DECIDER = Actor(user_id=2, name="Tuula", organisation_code="E", roles=[Role.DECIDER])
COORDINATOR = Actor(user_id=3, name="Kaija", organisation_code="E", roles=[Role.COORDINATOR])


class StandIns:
    """Every activity the grant workflow calls, under its real name; `fail` and `hold` steer them."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail: set[str] = set()  # these fail for good (non-retryable), as a bank's refusal would
        self.fail_as: dict[str, tuple[str, str]] = {}  # these fail for good with this (error type, message)
        self.hold: dict[str, asyncio.Event] = {}  # these wait until the test lets them go on
        self.tasks: list[OpenTaskInput] = []
        self._called: dict[str, asyncio.Event] = {}
        self.channel = "email"  # how the decision is served: "email" (the applicant consented) or "letter"
        self.waiting_letters: list[str] = []  # serving workflows whose letters a print batch claims
        # A batch made before the post room confirmed postings was dated when made; now it is None until confirmed.
        self.batch_dated_on: date | None = None

    async def called(self, name: str, seconds: float = 10) -> None:
        """Returns once the activity has been called."""
        async with asyncio.timeout(seconds):
            await self._event(name).wait()

    def _event(self, name: str) -> asyncio.Event:
        return self._called.setdefault(name, asyncio.Event())

    async def _do(self, name: str) -> None:
        self.calls.append(name)
        self._event(name).set()
        if name in self.hold:
            await self.hold[name].wait()
        if name in self.fail:
            raise ApplicationError(f"{name} refused", type="Refused", non_retryable=True)
        if name in self.fail_as:
            kind, message = self.fail_as[name]
            raise ApplicationError(message, type=kind, non_retryable=True)

    @activity.defn(name="record_receipt")
    async def record_receipt(self, ref: ApplicationRef) -> None:
        await self._do("record_receipt")

    @activity.defn(name="send_receipt")
    async def send_receipt(self, ref: ApplicationRef) -> None:
        await self._do("send_receipt")

    @activity.defn(name="assess_application")
    async def assess_application(self, request: AssessApplicationInput) -> AssessmentOutcome:
        await self._do("assess_application")
        return AssessmentOutcome(eligible=True, reasons=[], turnover_drop=Decimal("0.5"), rules_version="test")

    @activity.defn(name="open_task")
    async def open_task(self, request: OpenTaskInput) -> None:
        await self._do("open_task")
        self.tasks.append(request)
        self._event(f"open_task_{request.kind}").set()

    @activity.defn(name="close_task")
    async def close_task(self, request: CloseTaskInput) -> None:
        await self._do("close_task")

    @activity.defn(name="update_stage")
    async def update_stage(self, request: StageUpdateInput) -> None:
        await self._do("update_stage")

    @activity.defn(name="record_proposal")
    async def record_proposal(self, request: RecordProposalInput) -> None:
        await self._do("record_proposal")

    @activity.defn(name="return_proposal")
    async def return_proposal(self, request: ReturnProposalInput) -> None:
        await self._do("return_proposal")

    @activity.defn(name="finalize_decision")
    async def finalize_decision(self, request: FinalizeDecisionInput) -> DecisionOutcome:
        await self._do("finalize_decision")
        return DecisionOutcome(number="T 2020/000001", outcome=Outcome.APPROVE, amount=Decimal("2000.00"), reasons=[])

    @activity.defn(name="open_info_request")
    async def open_info_request(self, request: OpenInfoRequestInput) -> InfoRequestOpened:
        await self._do("open_info_request")
        return InfoRequestOpened(deadline=datetime.now(UTC) + timedelta(days=14))

    @activity.defn(name="send_info_request")
    async def send_info_request(self, ref: InfoRequestRef) -> None:
        await self._do("send_info_request")

    @activity.defn(name="remind_info_request")
    async def remind(self, ref: InfoRequestRef) -> None:
        await self._do("remind_info_request")

    @activity.defn(name="expire_info_request")
    async def expire(self, ref: InfoRequestRef) -> None:
        await self._do("expire_info_request")

    @activity.defn(name="cancel_info_request")
    async def cancel(self, ref: InfoRequestRef) -> None:
        await self._do("cancel_info_request")

    @activity.defn(name="record_answer")
    async def record_answer(self, request: RecordAnswerInput) -> None:
        await self._do("record_answer")

    @activity.defn(name="choose_channel")
    async def choose_channel(self, ref: ApplicationRef) -> str:
        await self._do("choose_channel")
        return self.channel

    @activity.defn(name="queue_for_post")
    async def queue_for_post(self, ref: ApplicationRef) -> None:
        await self._do("queue_for_post")

    @activity.defn(name="send_decision_email")
    async def send_decision_email(self, ref: ApplicationRef) -> Served:
        await self._do("send_decision_email")
        return Served(channel=Channel.EMAIL, dispatched_on=date(2020, 6, 1))

    @activity.defn(name="claim_letters")
    async def claim_letters(self, ref: PrintBatchRef) -> ClaimedLetters:
        await self._do("claim_letters")
        return ClaimedLetters(
            letters=len(self.waiting_letters),
            posted_on=self.batch_dated_on,
            made_on=date(2020, 6, 1),
            serving_workflow_ids=self.waiting_letters,
        )

    @activity.defn(name="render_print_batch")
    async def render_print_batch(self, ref: PrintBatchRef) -> PrintBatchDone:
        await self._do("render_print_batch")
        return PrintBatchDone(letters=len(self.waiting_letters), document_id=1, posted_on=self.batch_dated_on)

    @activity.defn(name="record_posting")
    async def record_posting(self, request: RecordPostingInput) -> PrintBatchDone:
        await self._do("record_posting")
        return PrintBatchDone(letters=len(self.waiting_letters), document_id=1, posted_on=request.posted_on)

    def all(self) -> list[Any]:
        return [
            self.record_receipt,
            self.send_receipt,
            self.assess_application,
            self.open_task,
            self.close_task,
            self.update_stage,
            self.record_proposal,
            self.return_proposal,
            self.finalize_decision,
            self.open_info_request,
            self.send_info_request,
            self.remind,
            self.expire,
            self.cancel,
            self.record_answer,
            self.choose_channel,
            self.queue_for_post,
            self.send_decision_email,
            self.claim_letters,
            self.render_print_batch,
            self.record_posting,
        ]
