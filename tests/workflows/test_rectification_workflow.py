"""RectificationWorkflow with stand-in activities on a time-skipping server of each test's own: a legal task
(marked when late), the ruling refused without the legal role or its facts, served and then its own appeal
window; an approval granted on rectification is paid once through the payment workflow; an approval
withdrawn has its payment cancelled, or looked at each day while the bank has it."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.actors import Actor
from models.appeals.payloads import RectificationInput, RuleInput, Withdrawal, WithdrawalStep
from models.appeals.requests import Ruling
from models.grants.decisions import Outcome
from models.payments.bank_reports import Outcome as BankResult
from models.payments.payloads import BankOutcome, PaymentInput
from models.staff import Role
from models.tasks import TaskKind
from tests.stand_ins import HANDLER, StandIns
from tests.workflow_helpers import until_called
from workflows.appeals.rectification import RectificationWorkflow
from workflows.appeals.window import AppealWindowWorkflow
from workflows.payments.grant_payment import GrantPaymentWorkflow
from workflows.serving.decision import ServeDecisionWorkflow

LEGAL = Actor(user_id=8, name="Liisa", organisation_code="E", roles=[Role.LEGAL])
WORKFLOWS = [RectificationWorkflow, AppealWindowWorkflow, ServeDecisionWorkflow, GrantPaymentWorkflow]


@dataclass
class Case:
    env: WorkflowEnvironment
    stand_ins: StandIns
    queue: str
    application_id: int

    @property
    def workflow_id(self) -> str:
        return f"grant-{self.application_id}/rectification-1"

    @property
    def task_key(self) -> str:
        return f"{self.workflow_id}/{TaskKind.RECTIFICATION}/1"

    async def start(self) -> WorkflowHandle:
        handle = await self.env.client.start_workflow(
            RectificationWorkflow.run,
            RectificationInput(request_id=1, application_id=self.application_id),
            id=self.workflow_id,
            task_queue=self.queue,
        )
        await until_called(self.stand_ins.calls, "open_task", 1)
        return handle

    def payment(self) -> WorkflowHandle:
        return self.env.client.get_workflow_handle_for(GrantPaymentWorkflow.run, f"grant-{self.application_id}/payment")


@pytest.fixture
async def case(own_temporal_env: WorkflowEnvironment) -> AsyncIterator[Case]:
    stand_ins, queue = StandIns(), f"rectification-{uuid.uuid4()}"
    async with Worker(own_temporal_env.client, task_queue=queue, workflows=WORKFLOWS, activities=stand_ins.all()):
        yield Case(own_temporal_env, stand_ins, queue, application_id=int(uuid.uuid4().int % 10**9))


def ruling(case: Case, ruling: Ruling, **changes: object) -> RuleInput:
    facts: dict[str, object] = {
        "task_key": case.task_key,
        "actor": LEGAL,
        "ruling": ruling,
        "justification": "The turnover figures given with the request show a drop of 42 %.",
        "body": "Espoon kaupunginhallitus",
        "meeting_ref": "12.10.2020 § 345",
        "met_on": date(2020, 10, 12),
    }
    return RuleInput.model_validate(facts | changes)


async def refusal(handle: WorkflowHandle, request: RuleInput) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(RectificationWorkflow.rule, request)
    return str(getattr(failure.value.cause, "message", failure.value.cause))


async def test_a_late_request_opens_a_marked_legal_task_and_is_dismissed_then_final(case: Case) -> None:
    case.stand_ins.late = True
    handle = await case.start()
    [task] = case.stand_ins.tasks
    assert (task.kind, task.role, task.note) == (TaskKind.RECTIFICATION, Role.LEGAL, "late")

    as_handler = ruling(case, Ruling.DISMISS, actor=HANDLER)
    assert "legal role" in await refusal(handle, as_handler)
    assert "body that ruled" in await refusal(handle, ruling(case, Ruling.DISMISS, body=" "))
    assert "grounds" in await refusal(handle, ruling(case, Ruling.DISMISS, justification=""))
    assert "out of date" in await refusal(handle, ruling(case, Ruling.DISMISS, task_key="another"))
    assert "before the request arrived" in await refusal(handle, ruling(case, Ruling.DISMISS, met_on=date(2020, 6, 9)))
    assert "amended to" in await refusal(handle, ruling(case, Ruling.AMEND))
    amended_to_reject = ruling(case, Ruling.AMEND, new_outcome=Outcome.REJECT)
    assert "at least one reason" in await refusal(handle, amended_to_reject)
    assert case.stand_ins.rulings == []  # nothing recorded by a refused ruling

    number = await handle.execute_update(RectificationWorkflow.rule, ruling(case, Ruling.DISMISS))
    result = await handle.result()

    assert (result.ruling, result.number) == (Ruling.DISMISS, number)
    assert result.final_on == case.stand_ins.final_on  # the ruling's own window closed
    assert case.stand_ins.calls.count("record_ruling") == 1
    assert case.stand_ins.calls.count("close_task") == 1
    assert case.stand_ins.calls.index("send_decision_email") < case.stand_ins.calls.index("ruling_served")
    assert "ruling_served" in case.stand_ins.calls and "record_final" in case.stand_ins.calls
    assert "create_payment" not in case.stand_ins.calls and "withdraw_approval" not in case.stand_ins.calls


async def test_a_rejected_request_leaves_the_decision_and_its_money_alone(case: Case) -> None:
    handle = await case.start()
    await handle.execute_update(RectificationWorkflow.rule, ruling(case, Ruling.REJECT))
    result = await handle.result()

    assert result.ruling == Ruling.REJECT
    untouched = {"create_payment", "withdraw_approval", "cancel_payment"}
    assert untouched.isdisjoint(case.stand_ins.calls)


async def test_a_rejection_amended_to_an_approval_is_paid_once_through_the_payment_workflow(case: Case) -> None:
    handle = await case.start()
    approve = ruling(case, Ruling.AMEND, new_outcome=Outcome.APPROVE)
    await handle.execute_update(RectificationWorkflow.rule, approve)
    await until_called(case.stand_ins.calls, "create_payment", 1)

    payment = case.payment()
    await payment.signal(GrantPaymentWorkflow.bank_outcome, BankOutcome(outcome=BankResult.PAID, on=date(2020, 11, 2)))
    result = await handle.result()
    settled = await payment.result()

    assert result.ruling == Ruling.AMEND
    assert settled.paid_on == date(2020, 11, 2)
    assert case.stand_ins.calls.count("create_payment") == 1
    description = await payment.describe()
    assert description.parent_id == handle.id  # the ruling's payment, as the grant workflow's would be
    assert "withdraw_approval" not in case.stand_ins.calls


async def test_an_approval_withdrawn_before_its_payment_went_to_the_bank_cancels_it(case: Case) -> None:
    case.stand_ins.original_outcome = Outcome.APPROVE
    case.stand_ins.withdrawals = [Withdrawal(step=WithdrawalStep.CANCEL, payment_id=1)]
    payment = await case.env.client.start_workflow(
        GrantPaymentWorkflow.run,
        PaymentInput(application_id=case.application_id, decision_number="T 2020/000001"),
        id=f"grant-{case.application_id}/payment",
        task_queue=case.queue,
    )
    await until_called(case.stand_ins.calls, "create_payment", 1)
    handle = await case.start()

    withdraw = ruling(case, Ruling.AMEND, new_outcome=Outcome.REJECT, reasons=["turnover_drop"])
    await handle.execute_update(RectificationWorkflow.rule, withdraw)
    await handle.result()
    settled = await payment.result()

    assert settled.cancelled is True
    assert case.stand_ins.calls.count("cancel_payment") == 1
    assert case.stand_ins.calls.count("create_payment") == 1  # no new payment for a rejection


async def test_a_withdrawn_approval_whose_payment_the_bank_has_is_looked_at_daily_until_recovered(
    case: Case,
) -> None:
    case.stand_ins.original_outcome = Outcome.APPROVE
    with_the_bank = Withdrawal(step=WithdrawalStep.WITH_THE_BANK, payment_id=1)
    case.stand_ins.withdrawals = [with_the_bank, with_the_bank, Withdrawal(step=WithdrawalStep.RECOVER, payment_id=1)]
    handle = await case.start()
    started = await case.env.get_current_time()

    withdraw = ruling(case, Ruling.AMEND, new_outcome=Outcome.REJECT, reasons=["turnover_drop"])
    await handle.execute_update(RectificationWorkflow.rule, withdraw)
    await handle.result()

    assert case.stand_ins.calls.count("withdraw_approval") == 3
    assert await case.env.get_current_time() - started >= timedelta(days=2)  # a day between the looks
    assert "cancel_payment" not in case.stand_ins.calls  # paid: recovered, not cancelled
