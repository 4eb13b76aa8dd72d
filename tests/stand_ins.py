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
from models.appeals.payloads import (
    RecordFinalInput,
    RecordRulingInput,
    RequestRef,
    Review,
    RulingRecorded,
    Window,
    WindowInput,
    Withdrawal,
    WithdrawalStep,
)
from models.appeals.requests import Ruling
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
from models.payments.payloads import (
    AccountChangeRef,
    AccountCheckRecord,
    AppliedReport,
    BankReportRef,
    BatchFile,
    CancelBatchInput,
    FinalizeRecoveryInput,
    Hearing,
    OpenBatchesInput,
    OpenedBatches,
    PaymentBatchRef,
    PaymentInput,
    PaymentRef,
    RecordAccountInput,
    RecordApprovalInput,
    RecordCancellationInput,
    RecordExplanationInput,
    RecordRepaymentInput,
    RecoveryDecided,
    RecoveryRef,
    Released,
    SignalledOutcome,
)
from models.serving.payloads import (
    ClaimedLetters,
    PrintBatchDone,
    PrintBatchRef,
    RecordPostingInput,
    Served,
    ServingRef,
)
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
        self.proposed = Outcome.APPROVE  # what the decision decides: the last proposal
        self.batches_to_open: list[int] = []  # what a payment run opens
        self.approvals = 0
        # The windows of a served decision: the party's last day and the members' (their own test days).
        self.window = Window(party_last_day=date(2020, 6, 22), members_last_day=date(2020, 6, 15))
        self.final_on: date | None = None
        self.invalid_file: str | None = None  # why the batch's file does not validate, if it should not
        self.report_signals: list[SignalledOutcome] = []  # whom a bank report tells what
        # A rectification request: late or not, what the decision ruled on decided, and what each look at
        # an approval's withdrawn payment finds (the last one repeats).
        self.late = False
        self.original_outcome = Outcome.REJECT
        self.withdrawals: list[Withdrawal] = [Withdrawal(step=WithdrawalStep.NOTHING)]
        self.rulings: list[RecordRulingInput] = []

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
        self.proposed = request.proposal.outcome

    @activity.defn(name="return_proposal")
    async def return_proposal(self, request: ReturnProposalInput) -> None:
        await self._do("return_proposal")

    @activity.defn(name="finalize_decision")
    async def finalize_decision(self, request: FinalizeDecisionInput) -> DecisionOutcome:
        await self._do("finalize_decision")
        if self.proposed == Outcome.REJECT:
            return DecisionOutcome(number="T 2020/000001", outcome=Outcome.REJECT, amount=Decimal("0.00"), reasons=[])
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
    async def choose_channel(self, ref: ServingRef) -> str:
        await self._do("choose_channel")
        return self.channel

    @activity.defn(name="queue_for_post")
    async def queue_for_post(self, ref: ServingRef) -> None:
        await self._do("queue_for_post")

    @activity.defn(name="send_decision_email")
    async def send_decision_email(self, ref: ServingRef) -> Served:
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

    @activity.defn(name="mark_posting")
    async def mark_posting(self, request: RecordPostingInput) -> None:
        await self._do("mark_posting")

    @activity.defn(name="record_posting")
    async def record_posting(self, request: RecordPostingInput) -> PrintBatchDone:
        await self._do("record_posting")
        return PrintBatchDone(letters=len(self.waiting_letters), document_id=1, posted_on=request.posted_on)

    # --- payments -----------------------------------------------------------------------------------------

    @activity.defn(name="create_payment")
    async def create_payment(self, request: PaymentInput) -> PaymentRef:
        await self._do("create_payment")
        return PaymentRef(payment_id=1)

    @activity.defn(name="ask_for_account")
    async def ask_for_account(self, request: AccountChangeRef) -> None:
        await self._do("ask_for_account")

    @activity.defn(name="record_account_change")
    async def record_account_change(self, request: RecordAccountInput) -> None:
        await self._do("record_account_change")

    @activity.defn(name="check_account_change")
    async def check_account_change(self, request: AccountCheckRecord) -> None:
        await self._do("check_account_change")

    @activity.defn(name="approve_account_change")
    async def approve_account_change(self, request: AccountCheckRecord) -> None:
        await self._do("approve_account_change")

    @activity.defn(name="cancel_payment")
    async def cancel_payment(self, request: RecordCancellationInput) -> None:
        await self._do("cancel_payment")

    @activity.defn(name="open_payment_batches")
    async def open_payment_batches(self, request: OpenBatchesInput) -> OpenedBatches:
        await self._do("open_payment_batches")
        return OpenedBatches(batch_ids=self.batches_to_open)

    @activity.defn(name="write_payment_file")
    async def write_payment_file(self, ref: PaymentBatchRef) -> BatchFile:
        await self._do("write_payment_file")
        if self.invalid_file:
            return BatchFile(batch_id=ref.batch_id, invalid=self.invalid_file)
        return BatchFile(batch_id=ref.batch_id, sha256="0" * 64)

    @activity.defn(name="record_batch_approval")
    async def record_batch_approval(self, request: RecordApprovalInput) -> int:
        await self._do("record_batch_approval")
        self.approvals += 1
        return self.approvals

    @activity.defn(name="release_payment_batch")
    async def release_payment_batch(self, ref: PaymentBatchRef) -> Released:
        await self._do("release_payment_batch")
        return Released(batch_id=ref.batch_id, released=True)

    @activity.defn(name="cancel_payment_batch")
    async def cancel_payment_batch(self, request: CancelBatchInput) -> None:
        await self._do("cancel_payment_batch")

    @activity.defn(name="apply_bank_report")
    async def apply_bank_report(self, ref: BankReportRef) -> AppliedReport:
        await self._do("apply_bank_report")
        return AppliedReport(signals=self.report_signals)

    @activity.defn(name="open_appeal_window")
    async def open_appeal_window(self, request: WindowInput) -> Window:
        await self._do("open_appeal_window")
        return self.window

    @activity.defn(name="record_final")
    async def record_final(self, request: RecordFinalInput) -> date | None:
        await self._do("record_final")
        self.final_on = request.final_on
        return request.final_on

    # --- rectification ------------------------------------------------------------------------------------

    @activity.defn(name="review_rectification_request")
    async def review_rectification_request(self, ref: RequestRef) -> Review:
        await self._do("review_rectification_request")
        return Review(late=self.late, decision_number="T 2020/000001", received_at=datetime(2020, 6, 10, tzinfo=UTC))

    @activity.defn(name="record_ruling")
    async def record_ruling(self, request: RecordRulingInput) -> RulingRecorded:
        await self._do("record_ruling")
        self.rulings.append(request)
        rule = request.rule
        amended = rule.new_outcome if rule.ruling == Ruling.AMEND else None
        return RulingRecorded(
            number="T 2020/000009",
            ruling=rule.ruling,
            new_outcome=amended,
            amount=Decimal("2000.00") if amended == Outcome.APPROVE else Decimal("0.00"),
            original_outcome=self.original_outcome,
        )

    @activity.defn(name="withdraw_approval")
    async def withdraw_approval(self, ref: RequestRef) -> Withdrawal:
        await self._do("withdraw_approval")
        return self.withdrawals.pop(0) if len(self.withdrawals) > 1 else self.withdrawals[0]

    @activity.defn(name="ruling_served")
    async def ruling_served(self, ref: RequestRef) -> None:
        await self._do("ruling_served")

    @activity.defn(name="start_hearing")
    async def start_hearing(self, ref: RecoveryRef) -> Hearing:
        await self._do("start_hearing")
        return Hearing(due_on=date(2020, 9, 15))

    @activity.defn(name="record_explanation")
    async def record_explanation(self, request: RecordExplanationInput) -> None:
        await self._do("record_explanation")

    @activity.defn(name="finalize_recovery")
    async def finalize_recovery(self, request: FinalizeRecoveryInput) -> RecoveryDecided:
        await self._do("finalize_recovery")
        if not request.recover:
            return RecoveryDecided(number=None)
        return RecoveryDecided(number="T 2020/000002", amount=Decimal("2000.00"), due_on=date(2020, 10, 1))

    @activity.defn(name="record_repayment")
    async def record_repayment(self, request: RecordRepaymentInput) -> Decimal:
        await self._do("record_repayment")
        return request.amount

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
            self.mark_posting,
            self.record_posting,
            self.create_payment,
            self.ask_for_account,
            self.record_account_change,
            self.check_account_change,
            self.approve_account_change,
            self.cancel_payment,
            self.open_payment_batches,
            self.write_payment_file,
            self.record_batch_approval,
            self.release_payment_batch,
            self.cancel_payment_batch,
            self.apply_bank_report,
            self.open_appeal_window,
            self.record_final,
            self.review_rectification_request,
            self.record_ruling,
            self.withdraw_approval,
            self.ruling_served,
            self.start_hearing,
            self.record_explanation,
            self.finalize_recovery,
            self.record_repayment,
        ]
