"""The payment workflows with stand-in activities: four eyes on a changed account and on a batch, a refusal
needs its reason, a cancelled payment ends, a payment on its way cannot be cancelled, an invalid file is
never offered for approval."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.actors import Actor
from models.payments.bank_reports import Outcome
from models.payments.payloads import (
    ApproveBatchInput,
    BankOutcome,
    CancelPaymentInput,
    CheckAccountInput,
    ExplainInput,
    GiveAccountInput,
    PaymentBatchRef,
    PaymentInput,
    RecoveryDecideInput,
    RecoveryInput,
    RefuseBatchInput,
)
from models.staff import Role
from models.tasks import TaskKind
from tests.stand_ins import DECIDER, HANDLER, StandIns
from tests.workflow_helpers import until_accepted, until_called
from workflows.payments.grant_payment import GrantPaymentWorkflow
from workflows.payments.payment_batch import PaymentBatchWorkflow
from workflows.payments.recovery import RecoveryWorkflow

FINANCE = Actor(user_id=5, name="Fiia", organisation_code="E", roles=[Role.FINANCE])
FINANCE2 = Actor(user_id=6, name="Fredrik", organisation_code="E", roles=[Role.FINANCE])
# A handler who also works in finance: may make either check of an account, never both.
# The handler who opened a recovery case, holding the decider role too: may not decide their own case.
HANDLER_AS_DECIDER = Actor(user_id=1, name="Hanna", organisation_code="E", roles=[Role.HANDLER, Role.DECIDER])
HANDLER_IN_FINANCE = Actor(user_id=7, name="Henna", organisation_code="E", roles=[Role.HANDLER, Role.FINANCE])


@pytest.fixture
def stand_ins() -> StandIns:
    return StandIns()


@pytest.fixture
async def queue(temporal_env: WorkflowEnvironment, stand_ins: StandIns) -> AsyncIterator[str]:
    name = f"payments-{uuid.uuid4()}"
    workflows = [GrantPaymentWorkflow, PaymentBatchWorkflow]
    async with Worker(temporal_env.client, task_queue=name, workflows=workflows, activities=stand_ins.all()):
        yield name


async def payment(env: WorkflowEnvironment, queue: str, stand_ins: StandIns) -> WorkflowHandle:
    made = stand_ins.calls.count("create_payment")
    handle = await env.client.start_workflow(
        GrantPaymentWorkflow.run,
        PaymentInput(application_id=1, decision_number="T 2020/000001"),
        id=f"grant-{uuid.uuid4()}/payment",
        task_queue=queue,
    )
    await until_called(stand_ins.calls, "create_payment", made + 1)
    for _ in range(100):  # until the workflow has the payment: cancelling refers to it
        if await handle.query(GrantPaymentWorkflow.step) != "creating":
            return handle
        await asyncio.sleep(0.02)
    raise AssertionError("the payment was never created")


async def refused(call: object) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await call  # type: ignore[misc]
    return str(getattr(failure.value.cause, "message", failure.value.cause))


async def returned_with_new_account(handle: WorkflowHandle, stand_ins: StandIns) -> str:
    """The bank returns the payment and the applicant gives a new account: the handler's task key."""
    await handle.signal(GrantPaymentWorkflow.bank_outcome, BankOutcome(outcome=Outcome.REJECTED, reason="AC01"))
    await until_called(stand_ins.calls, "ask_for_account", 1)
    await until_accepted(
        lambda: handle.execute_update(GrantPaymentWorkflow.give_account, GiveAccountInput(iban="FI1410093000123458"))
    )
    return [t for t in stand_ins.tasks if t.kind == TaskKind.ACCOUNT][-1].key


async def test_the_same_person_cannot_make_both_checks_of_a_changed_account(
    temporal_env: WorkflowEnvironment, queue: str, stand_ins: StandIns
) -> None:
    handle = await payment(temporal_env, queue, stand_ins)
    check = await returned_with_new_account(handle, stand_ins)

    no_note = CheckAccountInput(task_key=check, actor=HANDLER_IN_FINANCE, accept=False)
    assert "Say why the account is refused" in await refused(
        handle.execute_update(GrantPaymentWorkflow.check_account, no_note)
    )
    first = CheckAccountInput(task_key=check, actor=HANDLER_IN_FINANCE, accept=True)
    await handle.execute_update(GrantPaymentWorkflow.check_account, first)
    await until_called(stand_ins.calls, "check_account_change", 1)
    approval = [t for t in stand_ins.tasks if t.kind == TaskKind.ACCOUNT_APPROVAL][-1].key
    same = CheckAccountInput(task_key=approval, actor=HANDLER_IN_FINANCE, accept=True)
    assert "another person must approve it" in await refused(
        handle.execute_update(GrantPaymentWorkflow.approve_account, same)
    )
    by_handler = CheckAccountInput(task_key=approval, actor=HANDLER, accept=True)
    assert "finance role" in await refused(handle.execute_update(GrantPaymentWorkflow.approve_account, by_handler))

    other = CheckAccountInput(task_key=approval, actor=FINANCE, accept=True)
    await handle.execute_update(GrantPaymentWorkflow.approve_account, other)
    await handle.signal(GrantPaymentWorkflow.bank_outcome, BankOutcome(outcome=Outcome.PAID, on=date(2020, 6, 9)))

    assert (await handle.result()).paid_on == date(2020, 6, 9)
    assert stand_ins.calls.count("approve_account_change") == 1


async def test_a_refused_account_asks_the_applicant_again(
    temporal_env: WorkflowEnvironment, queue: str, stand_ins: StandIns
) -> None:
    handle = await payment(temporal_env, queue, stand_ins)
    check = await returned_with_new_account(handle, stand_ins)

    refusal = CheckAccountInput(task_key=check, actor=HANDLER, accept=False, note="Not the grantee's account.")
    await handle.execute_update(GrantPaymentWorkflow.check_account, refusal)

    await until_called(stand_ins.calls, "ask_for_account", 2)
    assert [(t.note, t.detail) for t in stand_ins.tasks][-1] == ("account_refused", "Not the grantee's account.")
    assert "IBAN form" in await refused(  # waiting for a new account again; a malformed one is refused
        handle.execute_update(GrantPaymentWorkflow.give_account, GiveAccountInput(iban="not an iban"))
    )


async def test_a_decider_cancels_an_unpaid_payment_but_not_one_on_its_way(
    temporal_env: WorkflowEnvironment, queue: str, stand_ins: StandIns
) -> None:
    on_its_way = await payment(temporal_env, queue, stand_ins)
    stand_ins.fail_as["cancel_payment"] = ("PaymentOnItsWay", "payment 1 is sent")
    cancel = CancelPaymentInput(actor=DECIDER, reason="The grant decision was amended.")
    assert "can no longer be cancelled" in await refused(on_its_way.execute_update(GrantPaymentWorkflow.cancel, cancel))
    assert "decider role" in await refused(
        on_its_way.execute_update(GrantPaymentWorkflow.cancel, CancelPaymentInput(actor=HANDLER, reason="x"))
    )
    await on_its_way.terminate("test done")

    stand_ins.fail_as.clear()
    unpaid = await payment(temporal_env, queue, stand_ins)
    await unpaid.execute_update(GrantPaymentWorkflow.cancel, cancel)
    assert (await unpaid.result()).cancelled is True


async def batch(env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    return await env.client.start_workflow(
        PaymentBatchWorkflow.run, PaymentBatchRef(batch_id=1), id=f"payment-batch-{uuid.uuid4()}", task_queue=queue
    )


async def test_a_batch_needs_two_different_finance_users_and_a_refusal_needs_its_reason(
    temporal_env: WorkflowEnvironment, queue: str, stand_ins: StandIns
) -> None:
    handle = await batch(temporal_env, queue)
    await until_accepted(lambda: handle.execute_update(PaymentBatchWorkflow.approve, ApproveBatchInput(actor=FINANCE)))

    assert "another finance user must approve it too" in await refused(
        handle.execute_update(PaymentBatchWorkflow.approve, ApproveBatchInput(actor=FINANCE))
    )
    assert "finance role" in await refused(
        handle.execute_update(PaymentBatchWorkflow.approve, ApproveBatchInput(actor=HANDLER))
    )
    assert "Say why" in await refused(
        handle.execute_update(PaymentBatchWorkflow.refuse, RefuseBatchInput(actor=FINANCE2, reason=" "))
    )
    assert "release_payment_batch" not in stand_ins.calls
    await handle.execute_update(PaymentBatchWorkflow.approve, ApproveBatchInput(actor=FINANCE2))

    assert (await handle.result()).released is True
    assert stand_ins.calls.count("release_payment_batch") == 1


async def test_a_file_that_does_not_validate_cancels_the_batch_before_anyone_approves_it(
    temporal_env: WorkflowEnvironment, queue: str, stand_ins: StandIns
) -> None:
    stand_ins.invalid_file = "EndToEndId too long"
    handle = await batch(temporal_env, queue)

    released = await handle.result()

    assert (released.released, released.refused) == (False, "the file does not validate: EndToEndId too long")
    assert stand_ins.calls.count("cancel_payment_batch") == 1
    assert "record_batch_approval" not in stand_ins.calls


async def test_a_recovery_is_decided_once_the_hearing_time_has_passed_without_an_explanation(
    own_temporal_env: WorkflowEnvironment, stand_ins: StandIns
) -> None:
    queue = f"recovery-{uuid.uuid4()}"
    async with Worker(
        own_temporal_env.client, task_queue=queue, workflows=[RecoveryWorkflow], activities=stand_ins.all()
    ):
        handle = await own_temporal_env.client.start_workflow(
            RecoveryWorkflow.run,
            RecoveryInput(recovery_id=1, application_id=1, opened_by=HANDLER.user_id),
            id=f"grant-1/recovery-{uuid.uuid4()}",
            task_queue=queue,
        )
        await until_called(stand_ins.calls, "start_hearing", 1)
        assert not [t for t in stand_ins.tasks if t.kind == TaskKind.RECOVERY]  # heard before anyone decides

        await own_temporal_env.sleep(timedelta(days=40))  # past the hearing's last day (stand-in: 15.9.2020)

        await stand_ins.called("open_task_recovery", seconds=30)
        [task] = [t for t in stand_ins.tasks if t.kind == TaskKind.RECOVERY]
        assert task.note == "recovery_not_explained"
        late = ExplainInput(text="Too late.")
        assert "time to explain has passed" in await refused(handle.execute_update(RecoveryWorkflow.explain, late))
        by_opener = RecoveryDecideInput(task_key=task.key, actor=HANDLER_AS_DECIDER, recover=True, justification="x")
        assert "another decider must decide it" in await refused(
            handle.execute_update(RecoveryWorkflow.decide, by_opener)
        )
        await handle.terminate("test done")
