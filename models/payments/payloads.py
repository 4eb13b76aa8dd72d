"""What goes in and out of the payment workflows and their activities."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from models.actors import Actor
from models.payments.bank_reports import Outcome


class PaymentInput(BaseModel):
    application_id: int
    decision_number: str


class PaymentRef(BaseModel):
    payment_id: int


class PaymentSettled(BaseModel):
    """How a grant's payment ended: paid on a day, or cancelled."""

    paid_on: date | None = None
    cancelled: bool = False


class BankOutcome(BaseModel):
    """Signal from a bank report to a payment's workflow: the bank paid the transfer, or returned it."""

    outcome: Outcome
    on: date | None = None
    reason: str | None = None


class GiveAccountInput(BaseModel):
    """The applicant, on the status page, gives a corrected account after the bank returned the payment."""

    iban: str


class AccountChangeRef(BaseModel):
    payment_id: int
    seq: int


class RecordAccountInput(BaseModel):
    payment_id: int
    seq: int
    iban: str


class CheckAccountInput(BaseModel):
    """A staff member's check of the new account: the handler first, then a second person (finance)."""

    task_key: str
    actor: Actor
    accept: bool
    note: str = ""


class AccountCheckRecord(BaseModel):
    payment_id: int
    seq: int
    actor: Actor
    accept: bool
    note: str = ""


class CancelPaymentInput(BaseModel):
    actor: Actor
    reason: str


class RecordCancellationInput(BaseModel):
    payment_id: int
    actor: Actor
    reason: str


class PaymentRunInput(BaseModel):
    """Make payment batches now: for these programmes (None: every programme), asked for by a person or not."""

    programme_codes: list[str] | None = None
    requested_by: int | None = None


class OpenBatchesInput(BaseModel):
    run_id: str
    programme_codes: list[str] | None = None
    requested_by: int | None = None


class OpenedBatches(BaseModel):
    batch_ids: list[int]


class PaymentBatchRef(BaseModel):
    batch_id: int


class BatchFile(BaseModel):
    """The batch's file, written and valid (or why not: then nobody can approve it)."""

    batch_id: int
    sha256: str | None = None
    invalid: str | None = None


class ApproveBatchInput(BaseModel):
    actor: Actor


class RecordApprovalInput(BaseModel):
    batch_id: int
    actor: Actor


class RefuseBatchInput(BaseModel):
    actor: Actor
    reason: str


class CancelBatchInput(BaseModel):
    batch_id: int
    reason: str
    actor_id: int | None = None


class Released(BaseModel):
    batch_id: int
    released: bool
    refused: str | None = None  # why the bank connection could not take it (e.g. its execution date passed)


class BankReportRef(BaseModel):
    report_id: int


class SignalledOutcome(BaseModel):
    workflow_id: str
    outcome: BankOutcome


class SignalledRepayment(BaseModel):
    workflow_id: str  # the recovery's workflow
    notice: "RepaymentNotice"


class AppliedReport(BaseModel):
    signals: list[SignalledOutcome]
    repayments: list[SignalledRepayment] = []


class RecoveryInput(BaseModel):
    recovery_id: int
    application_id: int
    opened_by: int  # the handler who opened it: they may not decide it


class RecoveryDecideInput(BaseModel):
    task_key: str
    actor: Actor
    recover: bool
    justification: str = ""


class FinalizeRecoveryInput(BaseModel):
    recovery_id: int
    actor: Actor
    recover: bool
    justification: str = ""


class RecoveryDecided(BaseModel):
    number: str | None  # None: decided not to recover
    amount: Decimal = Decimal("0.00")
    due_on: date | None = None


class RepaymentNotice(BaseModel):
    """Signal to a recovery's workflow: this much has now been repaid in all (from a bank report)."""

    repaid_total: Decimal
    on: date


class MarkRepaidInput(BaseModel):
    """Finance marks a repayment by hand (paid at the cash desk, say)."""

    actor: Actor
    amount: Decimal
    on: date


class RecordRepaymentInput(BaseModel):
    recovery_id: int
    key: str
    amount: Decimal
    on: date
    recorded_by: int | None = None


class RecoverySettled(BaseModel):
    waived: bool = False
    repaid_on: date | None = None
    final_on: date | None = None  # the recovery decision is final from this day


SignalledRepayment.model_rebuild()


class RecoveryRef(BaseModel):
    recovery_id: int


class Hearing(BaseModel):
    """The grantee is heard before the decision: they may explain by the end of `due_on`."""

    due_on: date


class ExplainInput(BaseModel):
    """The grantee's explanation, given on the status page while the hearing is open."""

    text: str


class RecordExplanationInput(BaseModel):
    recovery_id: int
    text: str
