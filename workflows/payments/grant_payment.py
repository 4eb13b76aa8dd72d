"""The payment of one approved grant (a child of the grant workflow, id `<grant workflow id>/payment`).

Creates the payment (once per decision) and waits for the bank: a payment batch takes it, and a bank report
says it was paid (the result) or returned. A returned payment needs a corrected account: the applicant gives
it on the status page, a handler checks it, and a second person (finance) approves it before it is used,
because a changed account is the classic grant fraud. The payment then waits for the next batch. A
decider may cancel a payment that has not gone to the bank.
"""

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.human_actions import close_task, open_task, recheck, refuse_while_busy
from workflows.options import DATABASE, DECISION_MAIL

with workflow.unsafe.imports_passed_through():
    from activities.errors import InvalidAccount, PaymentOnItsWay
    from activities.payments.payments import PaymentActivities
    from core.i18n import N_
    from models.payments.bank_reports import Outcome
    from models.payments.payloads import (
        AccountChangeRef,
        AccountCheckRecord,
        BankOutcome,
        CancelPaymentInput,
        CheckAccountInput,
        GiveAccountInput,
        PaymentInput,
        PaymentSettled,
        RecordAccountInput,
        RecordCancellationInput,
    )
    from models.staff import Role
    from models.tasks import TaskClosing, TaskKind


IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
NOT_AN_IBAN = N_("Enter an account number in IBAN form in the SEPA area, e.g. FI21 1234 5600 0007 85.")
ON_ITS_WAY = N_("The payment is in a batch for the bank or already sent: it can no longer be cancelled.")


class Step:
    """Where a returned payment's new account is."""

    WAITING_FOR_ACCOUNT = "waiting_for_account"  # the applicant is asked for it
    FIRST_CHECK = "first_check"  # a handler checks the account given
    SECOND_CHECK = "second_check"  # another person approves it


@dataclass
class PaymentState:
    application_id: int
    payment_id: int | None = None
    outcome: BankOutcome | None = None  # the bank's latest word
    step: str | None = None  # None: nothing waits for a person
    changes: int = 0  # account changes given so far (their numbers)
    iban: str | None = None  # the account given, waiting for its checks
    first_checker: int | None = None
    task_key: str | None = None
    tasks_opened: int = 0
    cancelled: CancelPaymentInput | None = None


@workflow.defn
class GrantPaymentWorkflow:
    @workflow.init
    def __init__(self, request: PaymentInput) -> None:
        self._state = PaymentState(application_id=request.application_id)
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, request: PaymentInput) -> PaymentSettled:
        s = self._state
        created = await workflow.execute_activity_method(PaymentActivities.create_payment, request, **DATABASE)
        s.payment_id = created.payment_id
        while True:
            await workflow.wait_condition(lambda: s.outcome is not None or s.cancelled is not None)
            if s.cancelled is not None:
                await self._close_task(TaskClosing.CANCELLED, note="payment_cancelled")  # (withdrawn meanwhile)
                return PaymentSettled(cancelled=True)
            assert s.outcome is not None
            if s.outcome.outcome == Outcome.PAID:
                workflow.logger.info("payment of %s paid on %s", request.decision_number, s.outcome.on)
                return PaymentSettled(paid_on=s.outcome.on)
            workflow.logger.warning("payment of %s returned: %s", request.decision_number, s.outcome.reason)
            await self._new_account()
            s.outcome = None

    async def _new_account(self) -> None:
        """Until two staff members have accepted an account the applicant gave (the applicant is asked anew
        after a refusal), or the payment is cancelled meanwhile."""
        s = self._state
        assert s.payment_id is not None and s.outcome is not None
        s.task_key = await self._open_task(TaskKind.ACCOUNT, Role.HANDLER, "payment_returned", s.outcome.reason)
        while True:
            s.step, s.iban = Step.WAITING_FOR_ACCOUNT, None
            await self._ask_for_account(AccountChangeRef(payment_id=s.payment_id, seq=s.changes + 1))
            await workflow.wait_condition(lambda: s.step != Step.WAITING_FOR_ACCOUNT or s.cancelled is not None)
            if s.cancelled is not None:
                return
            await workflow.wait_condition(lambda: s.step is None or s.step == Step.WAITING_FOR_ACCOUNT)
            if s.step is None:
                return

    async def _ask_for_account(self, ref: AccountChangeRef) -> None:
        """An e-mail with the status link; one that cannot be sent in a day does not stop the case (the handler's
        task says the applicant is to be asked, and the status page has the form)."""
        try:
            await workflow.execute_activity_method(PaymentActivities.ask_for_account, ref, **DECISION_MAIL)
        except ActivityError:
            workflow.logger.warning("payment %s: the applicant could not be e-mailed", ref.payment_id)

    # --- the applicant gives a corrected account ----------------------------------------------------------

    @workflow.update
    async def give_account(self, request: GiveAccountInput) -> None:
        async with self._lock:
            self._recheck(self._check_give, request)
            s = self._state
            assert s.payment_id is not None
            seq = s.changes + 1
            iban = "".join(request.iban.split()).upper()
            try:
                await workflow.execute_activity_method(
                    PaymentActivities.record_account_change,
                    RecordAccountInput(payment_id=s.payment_id, seq=seq, iban=iban),
                    **DATABASE,
                )
            except ActivityError as failed:
                if isinstance(failed.cause, ApplicationError) and failed.cause.type == InvalidAccount.__name__:
                    raise ApplicationError(NOT_AN_IBAN, type="ActionRefused", non_retryable=True) from None
                raise
            await self._close_task(TaskClosing.REOPEN, note="account_given")
            s.changes, s.iban, s.step = seq, iban, Step.FIRST_CHECK

    @give_account.validator
    def _validate_give(self, request: GiveAccountInput) -> None:
        self._refuse_while_busy()
        self._check_give(request)

    def _check_give(self, request: GiveAccountInput) -> None:
        if self._state.step != Step.WAITING_FOR_ACCOUNT:
            raise ValueError(N_("No new account is needed for this payment."))
        # The shape only: the check digits and the SEPA area are the activity's (the IBAN registry is files).
        if not IBAN_SHAPE.fullmatch("".join(request.iban.split()).upper()):
            raise ValueError(NOT_AN_IBAN)

    # --- two staff members check it -----------------------------------------------------------------------

    @workflow.update
    async def check_account(self, request: CheckAccountInput) -> None:
        """The handler's check; then a finance task for the second person, or the applicant is asked again."""
        async with self._lock:
            self._recheck(self._check_first, request)
            s = self._state
            assert s.payment_id is not None
            record = AccountCheckRecord(
                payment_id=s.payment_id, seq=s.changes, actor=request.actor, accept=request.accept, note=request.note
            )
            await workflow.execute_activity_method(PaymentActivities.check_account_change, record, **DATABASE)
            await self._close_task(TaskClosing.DONE)
            if request.accept:
                s.task_key = await self._open_task(TaskKind.ACCOUNT_APPROVAL, Role.FINANCE, "account_checked")
                s.first_checker, s.step = request.actor.user_id, Step.SECOND_CHECK
            else:
                s.task_key = await self._open_task(TaskKind.ACCOUNT, Role.HANDLER, "account_refused", request.note)
                s.step = Step.WAITING_FOR_ACCOUNT

    @check_account.validator
    def _validate_first(self, request: CheckAccountInput) -> None:
        self._refuse_while_busy()
        self._check_first(request)

    def _check_first(self, request: CheckAccountInput) -> None:
        self._check_step(request, Step.FIRST_CHECK, Role.HANDLER)

    @workflow.update
    async def approve_account(self, request: CheckAccountInput) -> None:
        """The second check, by another person: only then does the payment go to the new account."""
        async with self._lock:
            self._recheck(self._check_second, request)
            s = self._state
            assert s.payment_id is not None
            record = AccountCheckRecord(
                payment_id=s.payment_id, seq=s.changes, actor=request.actor, accept=request.accept, note=request.note
            )
            await workflow.execute_activity_method(PaymentActivities.approve_account_change, record, **DATABASE)
            await self._close_task(TaskClosing.DONE)
            if request.accept:
                s.task_key, s.step = None, None
            else:
                s.task_key = await self._open_task(TaskKind.ACCOUNT, Role.HANDLER, "account_refused", request.note)
                s.step = Step.WAITING_FOR_ACCOUNT

    @approve_account.validator
    def _validate_second(self, request: CheckAccountInput) -> None:
        self._refuse_while_busy()
        self._check_second(request)

    def _check_second(self, request: CheckAccountInput) -> None:
        self._check_step(request, Step.SECOND_CHECK, Role.FINANCE)
        if request.actor.user_id == self._state.first_checker:
            raise ValueError(N_("You made the first check of this account; another person must approve it."))

    def _check_step(self, request: CheckAccountInput, step: str, role: Role) -> None:
        if role not in request.actor.roles:
            raise ValueError(
                N_("This needs the handler role.") if role == Role.HANDLER else N_("This needs the finance role.")
            )
        if self._state.step != step or request.task_key != self._state.task_key:
            raise ValueError(N_("This task is out of date; reload the page."))
        if not request.accept and not request.note.strip():
            raise ValueError(N_("Say why the account is refused."))

    # --- the bank, and cancelling ---------------------------------------------------------------------------

    @workflow.signal
    def bank_outcome(self, outcome: BankOutcome) -> None:
        if outcome.outcome in (Outcome.PAID, Outcome.REJECTED):
            self._state.outcome = outcome

    @workflow.signal
    def withdrawn(self, notice: CancelPaymentInput) -> None:
        """The approval was withdrawn on rectification and its payment cancelled (RectificationWorkflow ran the
        cancellation): the payment ends as cancelled, whatever it waited for."""
        if self._state.cancelled is None:
            self._state.cancelled = notice

    @workflow.update
    async def cancel(self, request: CancelPaymentInput) -> None:
        async with self._lock:
            self._recheck(self._check_cancel, request)
            s = self._state
            assert s.payment_id is not None
            try:
                await workflow.execute_activity_method(
                    PaymentActivities.cancel_payment,
                    RecordCancellationInput(payment_id=s.payment_id, actor=request.actor, reason=request.reason),
                    **DATABASE,
                )
            except ActivityError as failed:
                if isinstance(failed.cause, ApplicationError) and failed.cause.type == PaymentOnItsWay.__name__:
                    raise ApplicationError(ON_ITS_WAY, type="ActionRefused", non_retryable=True) from None
                raise
            await self._close_task(TaskClosing.CANCELLED, note="payment_cancelled")
            s.cancelled, s.step, s.task_key = request, None, None

    @cancel.validator
    def _validate_cancel(self, request: CancelPaymentInput) -> None:
        self._refuse_while_busy()
        self._check_cancel(request)

    def _check_cancel(self, request: CancelPaymentInput) -> None:
        if Role.DECIDER not in request.actor.roles:
            raise ValueError(N_("This needs the decider role."))
        if not request.reason.strip():
            raise ValueError(N_("Say why the payment is cancelled."))
        if self._state.payment_id is None or self._state.cancelled is not None:
            raise ValueError(N_("This payment cannot be cancelled now."))

    @workflow.query
    def step(self) -> str | None:
        """Where the payment is: None while it waits for the bank (or before it exists), else the account step."""
        return self._state.step if self._state.payment_id is not None else "creating"

    # --- helpers -------------------------------------------------------------------------------------------

    def _refuse_while_busy(self) -> None:
        refuse_while_busy(self._lock)

    def _recheck(self, check: Callable[[Any], None], request: object) -> None:
        recheck(check, request)

    async def _open_task(self, kind: TaskKind, role: Role, note: str, detail: str | None = None) -> str:
        s = self._state
        s.tasks_opened += 1
        return await open_task(
            number=s.tasks_opened, application_id=s.application_id, kind=kind, role=role, note=note, detail=detail
        )

    async def _close_task(self, status: TaskClosing, note: str | None = None) -> None:
        await close_task(self._state.task_key, status, note)
