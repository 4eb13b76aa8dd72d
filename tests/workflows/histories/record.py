"""Records the histories `tests/workflows/test_replay.py` replays: `python -m tests.workflows.histories.record`.

Each scenario drives one path a real case takes, with stand-in activities (replay needs only their
recorded results) on the time-skipping server, and keeps the history of every workflow it ran (the
grant workflow, its serving child, a print batch). The histories go to `tests/workflows/histories/<VERSION>/`.

Histories of earlier versions are never re-recorded: cases started on that code may still be running,
and the current code must replay them (guard a changed path with `workflow.patched`). When a path
changes on purpose, raise VERSION and record the new folder beside the old ones.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from core.temporal import binary, data_converter
from models.actors import Actor
from models.appeals.payloads import RectificationInput, RuleInput
from models.appeals.requests import Ruling
from models.grants.decisions import Outcome
from models.grants.eligibility import ReasonCode
from models.grants.payloads import (
    DecideInput,
    GrantApplicationInput,
    ProposeInput,
    RedeliverInput,
    RequestInfoInput,
    Verdict,
    WithdrawInput,
)
from models.payments.bank_reports import Outcome as BankSays
from models.payments.payloads import (
    ApproveBatchInput,
    BankOutcome,
    BankReportRef,
    CheckAccountInput,
    ExplainInput,
    GiveAccountInput,
    PaymentRunInput,
    RecoveryDecideInput,
    RecoveryInput,
    RepaymentNotice,
    SignalledOutcome,
)
from models.serving.payloads import ConfirmPostingInput, LetterHeld, PrintBatchRef
from models.staff import Role
from models.tasks import TaskKind
from models.time_limits import Channel
from tests.stand_ins import COORDINATOR, DECIDER, HANDLER, StandIns
from tests.support import TEST_PAYLOAD_KEY
from tests.workflow_helpers import until_accepted, wait_for_stage
from workflows.appeals.rectification import RectificationWorkflow
from workflows.appeals.window import AppealWindowWorkflow
from workflows.grants.application import GrantApplicationWorkflow
from workflows.payments.bank_report import BankReportWorkflow
from workflows.payments.grant_payment import GrantPaymentWorkflow
from workflows.payments.payment_batch import PaymentBatchWorkflow
from workflows.payments.payment_run import PaymentRunWorkflow
from workflows.payments.recovery import RecoveryWorkflow
from workflows.service_requests.service_request import ServiceRequestWorkflow
from workflows.serving.decision import ServeDecisionWorkflow
from workflows.serving.print_batch import PrintBatchWorkflow

HERE = Path(__file__).resolve().parent
# v1: serving inline in the grant workflow; v2: serving as its own child workflow, print batches;
# v3: the receipt e-mail beside the assessment; v4: the post room confirms the posting day, a letter
# the batch could not make goes to a handler, an approval is paid (payment runs, batches, bank reports), a
# recovery, and a served decision's rectification windows; v5: a rectification request amended to an
# approval, its ruling served with its own window and the grant paid.
VERSION = "v5"
WORKFLOWS = [
    GrantApplicationWorkflow,
    ServeDecisionWorkflow,
    PrintBatchWorkflow,
    GrantPaymentWorkflow,
    PaymentRunWorkflow,
    PaymentBatchWorkflow,
    BankReportWorkflow,
    RecoveryWorkflow,
    AppealWindowWorkflow,
    RectificationWorkflow,
    ServiceRequestWorkflow,  # recorded by record_service_requests.py
]
FINANCE = Actor(user_id=5, name="Fiia", organisation_code="E", roles=[Role.FINANCE])
FINANCE2 = Actor(user_id=6, name="Fredrik", organisation_code="E", roles=[Role.FINANCE])
Scenario = Callable[[WorkflowEnvironment, WorkflowHandle, StandIns], Awaitable[None]]


async def _task(handle: WorkflowHandle) -> str:
    key = (await handle.query(GrantApplicationWorkflow.state)).task_key
    assert key is not None
    return key


async def _propose(handle: WorkflowHandle, outcome: Outcome = Outcome.APPROVE) -> None:
    reasons = [ReasonCode.TURNOVER_DROP] if outcome == Outcome.REJECT else []
    await handle.execute_update(
        GrantApplicationWorkflow.propose,
        ProposeInput(
            task_key=await _task(handle),
            actor=HANDLER,
            outcome=outcome,
            reasons=reasons,
            justification="Recorded scenario.",
        ),
    )


async def _decide(handle: WorkflowHandle, verdict: Verdict = Verdict.ACCEPT) -> None:
    comment = "Check the account owner." if verdict == Verdict.RETURN else ""
    await handle.execute_update(
        GrantApplicationWorkflow.decide,
        DecideInput(task_key=await _task(handle), actor=DECIDER, verdict=verdict, comment=comment),
    )


async def _bank_says(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns, outcome: BankSays) -> None:
    """The bank report's word reaches the grant's payment workflow (as BankReportWorkflow signals it)."""
    await stand_ins.called("create_payment", seconds=30)
    payment = env.client.get_workflow_handle(f"{handle.id}/payment")
    reason = "AC01 – incorrect account number" if outcome == BankSays.REJECTED else None
    await payment.signal(
        GrantPaymentWorkflow.bank_outcome, BankOutcome(outcome=outcome, on=date(2020, 6, 3), reason=reason)
    )


async def approved(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    await _propose(handle)
    await _decide(handle)
    await _bank_says(env, handle, stand_ins, BankSays.PAID)


async def approved_returned_then_paid(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    """The bank returns the payment; the applicant gives a new account; a handler and finance check it."""
    await _propose(handle)
    await _decide(handle)
    await _bank_says(env, handle, stand_ins, BankSays.REJECTED)
    payment = env.client.get_workflow_handle(f"{handle.id}/payment")
    await stand_ins.called("ask_for_account", seconds=30)
    await until_accepted(
        lambda: payment.execute_update(GrantPaymentWorkflow.give_account, GiveAccountInput(iban="FI1410093000123458"))
    )
    [check] = [t for t in stand_ins.tasks if t.kind == TaskKind.ACCOUNT]
    await payment.execute_update(
        GrantPaymentWorkflow.check_account, CheckAccountInput(task_key=check.key, actor=HANDLER, accept=True)
    )
    await stand_ins.called("open_task_account_approval", seconds=30)
    [approval] = [t for t in stand_ins.tasks if t.kind == TaskKind.ACCOUNT_APPROVAL]
    await until_accepted(
        lambda: payment.execute_update(
            GrantPaymentWorkflow.approve_account, CheckAccountInput(task_key=approval.key, actor=FINANCE, accept=True)
        )
    )
    await _bank_says(env, handle, stand_ins, BankSays.PAID)


async def _print_batch(
    env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns, batch_id: str | None = None
) -> None:
    """The post room's batch takes the waiting letter, prints it, and once the posting is confirmed tells its
    serving workflow."""
    serving = f"{handle.id}/serving"
    await stand_ins.called("queue_for_post")
    stand_ins.waiting_letters = [serving]
    batch = await env.client.start_workflow(
        PrintBatchWorkflow.run,
        PrintBatchRef(print_batch_id=1),
        id=batch_id or f"print-batch-{handle.id}",
        task_queue=(await handle.describe()).task_queue,
    )
    await stand_ins.called("render_print_batch")
    await until_accepted(
        lambda: batch.execute_update(
            PrintBatchWorkflow.confirm_posted, ConfirmPostingInput(actor=COORDINATOR, posted_on=date(2020, 6, 1))
        )
    )
    await batch.result()


async def rejected_by_post(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    stand_ins.channel = "letter"
    await _propose(handle, Outcome.REJECT)
    await _decide(handle)
    await _print_batch(env, handle, stand_ins)


async def returned_then_approved(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    await _propose(handle)
    await _decide(handle, Verdict.RETURN)
    await _propose(handle)
    await _decide(handle)
    await _bank_says(env, handle, stand_ins, BankSays.PAID)


async def information_request_expired(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    await handle.execute_update(
        GrantApplicationWorkflow.request_info,
        RequestInfoInput(task_key=await _task(handle), actor=HANDLER, message="The sales ledger, please."),
    )
    await env.sleep(timedelta(days=15))  # the reminder, then the deadline
    await wait_for_stage(handle, "assessed")
    await _propose(handle)
    await _decide(handle)
    await _bank_says(env, handle, stand_ins, BankSays.PAID)


async def email_failed_then_posted(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    stand_ins.fail.add("send_decision_email")
    await _propose(handle)
    await _decide(handle)
    await stand_ins.called("open_task_deliver", seconds=30)
    deliver = [t for t in stand_ins.tasks if t.kind == "deliver"]
    serving = env.client.get_workflow_handle(f"{handle.id}/serving")
    await until_accepted(
        lambda: serving.execute_update(
            ServeDecisionWorkflow.redeliver,
            RedeliverInput(task_key=deliver[0].key, actor=HANDLER, channel=Channel.LETTER),
        )
    )
    await _print_batch(env, handle, stand_ins)
    await _bank_says(env, handle, stand_ins, BankSays.PAID)


async def letter_held_then_posted(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    """The batch could not make the letter (a fact missing): a handler has it seen to and posts it again."""
    stand_ins.channel = "letter"
    await _propose(handle, Outcome.REJECT)
    await _decide(handle)
    await stand_ins.called("queue_for_post")
    serving = env.client.get_workflow_handle(f"{handle.id}/serving")
    await serving.signal(ServeDecisionWorkflow.letter_held, LetterHeld(print_batch_id=1, reason="title missing"))
    await stand_ins.called("open_task_deliver", seconds=30)
    deliver = [t for t in stand_ins.tasks if t.kind == "deliver"]
    await until_accepted(
        lambda: serving.execute_update(
            ServeDecisionWorkflow.redeliver,
            RedeliverInput(task_key=deliver[0].key, actor=HANDLER, channel=Channel.LETTER),
        )
    )
    await _print_batch(env, handle, stand_ins)


async def withdrawn(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    await handle.execute_update(GrantApplicationWorkflow.withdraw, WithdrawInput(reason="Recorded scenario."))


SCENARIOS: dict[str, Scenario] = {
    "approved": approved,
    "rejected_by_post": rejected_by_post,
    "returned_then_approved": returned_then_approved,
    "information_request_expired": information_request_expired,
    "email_failed_then_posted": email_failed_then_posted,
    "withdrawn": withdrawn,
    "letter_held_then_posted": letter_held_then_posted,
    "approved_returned_then_paid": approved_returned_then_paid,
}
# Workflows that are not a grant's: a payment run with the batch it opens, and a bank report.
OTHERS = [
    "payment-run-recorded",
    "payment-batch-1",
    "bank-report-1",
    "grant-recovered/recovery-1",
    "grant-recovered/recovery-1/serving",
    "grant-recovered/recovery-1/appeal-window",
    "grant-rectified/rectification-1",
    "grant-rectified/rectification-1/serving",
    "grant-rectified/rectification-1/appeal-window",
    "grant-1/payment",  # the grant's payment, as the grant workflow names it: `grant-<application id>/payment`
]
LEGAL = Actor(user_id=8, name="Liisa", organisation_code="E", roles=[Role.LEGAL])


async def recovered(env: WorkflowEnvironment, queue: str, stand_ins: StandIns) -> None:
    """A handler opened a recovery case; a decider decides to recover; the letter is served; the money comes back."""
    handle = await env.client.start_workflow(
        RecoveryWorkflow.run,
        RecoveryInput(recovery_id=1, application_id=1, opened_by=HANDLER.user_id),
        id=OTHERS[3],
        task_queue=queue,
    )
    await stand_ins.called("start_hearing", seconds=30)
    explanation = ExplainInput(text="The Business Finland money was a loan, not corona aid.")
    await until_accepted(lambda: handle.execute_update(RecoveryWorkflow.explain, explanation))
    await stand_ins.called("open_task_recovery", seconds=30)
    [task] = [t for t in stand_ins.tasks if t.kind == TaskKind.RECOVERY]
    decide = RecoveryDecideInput(task_key=task.key, actor=DECIDER, recover=True, justification="Section 21.")
    await until_accepted(lambda: handle.execute_update(RecoveryWorkflow.decide, decide))
    await stand_ins.called("send_decision_email", seconds=30)
    repaid = RepaymentNotice(repaid_total=Decimal("2000.00"), on=date(2020, 9, 1))
    await handle.signal(RecoveryWorkflow.repayment, repaid)
    await handle.result()


async def rectified(env: WorkflowEnvironment, queue: str, stand_ins: StandIns) -> None:
    """A rejection's request for rectification: the body amends it to an approval, the grant is paid."""
    workflow_id = OTHERS[6]
    handle = await env.client.start_workflow(
        RectificationWorkflow.run, RectificationInput(request_id=1, application_id=1), id=workflow_id, task_queue=queue
    )
    await stand_ins.called("open_task_rectification", seconds=30)
    rule = RuleInput(
        task_key=f"{workflow_id}/{TaskKind.RECTIFICATION}/1",
        actor=LEGAL,
        ruling=Ruling.AMEND,
        new_outcome=Outcome.APPROVE,
        justification="The figures given with the request show a drop of 42 %.",
        body="Espoon kaupunginhallitus",
        meeting_ref="12.10.2020 § 345",
        met_on=date(2020, 10, 12),
    )
    await until_accepted(lambda: handle.execute_update(RectificationWorkflow.rule, rule))
    await stand_ins.called("create_payment", seconds=30)
    paid = BankOutcome(outcome=BankSays.PAID, on=date(2020, 11, 2))
    await env.client.get_workflow_handle(OTHERS[9]).signal(GrantPaymentWorkflow.bank_outcome, paid)
    await handle.result()


async def payment_run_and_bank_report(env: WorkflowEnvironment, queue: str, stand_ins: StandIns) -> None:
    """A run opens a batch; two finance users approve it and it is released; the bank's report is applied."""
    stand_ins.batches_to_open = [1]
    await env.client.execute_workflow(PaymentRunWorkflow.run, PaymentRunInput(), id=OTHERS[0], task_queue=queue)
    batch = env.client.get_workflow_handle(OTHERS[1])
    for actor in (FINANCE, FINANCE2):

        async def approve(approval: ApproveBatchInput = ApproveBatchInput(actor=actor)) -> None:
            await batch.execute_update(PaymentBatchWorkflow.approve, approval)

        await until_accepted(approve)
    await batch.result()
    paid = BankOutcome(outcome=BankSays.PAID, on=date(2020, 6, 3))
    stand_ins.report_signals = [SignalledOutcome(workflow_id="grant-approved/payment", outcome=paid)]
    await env.client.execute_workflow(
        BankReportWorkflow.run, BankReportRef(report_id=1), id=OTHERS[2], task_queue=queue
    )
    await recovered(env, queue, stand_ins)
    await rectified(env, queue, stand_ins)


async def record() -> None:
    folder = HERE / VERSION
    if folder.exists():
        raise SystemExit(f"{folder} exists: histories of a version are recorded once (raise VERSION)")
    folder.mkdir()
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_PAYLOAD_KEY), test_server_existing_path=str(binary("temporal-test-server"))
    )
    try:
        for name, scenario in SCENARIOS.items():
            stand_ins = StandIns()
            queue = f"record-{uuid.uuid4()}"
            async with Worker(env.client, task_queue=queue, workflows=WORKFLOWS, activities=stand_ins.all()):
                handle = await env.client.start_workflow(
                    GrantApplicationWorkflow.run,
                    GrantApplicationInput(application_id=1, programme_code="recorded"),
                    id=f"grant-{name}",
                    task_queue=queue,
                )
                await wait_for_stage(handle, "assessed")
                await scenario(env, handle, stand_ins)
                await handle.result()
                ran = [handle.id, f"{handle.id}/serving", f"print-batch-{handle.id}", f"{handle.id}/payment"]
                ran.append(f"{handle.id}/appeal-window")
                await _keep(env, folder, ran)
        stand_ins, queue = StandIns(), f"record-{uuid.uuid4()}"
        async with Worker(env.client, task_queue=queue, workflows=WORKFLOWS, activities=stand_ins.all()):
            await payment_run_and_bank_report(env, queue, stand_ins)
            await _keep(env, folder, OTHERS)
    finally:
        await env.shutdown()


async def _keep(env: WorkflowEnvironment, folder: Path, workflow_ids: list[str]) -> None:
    for workflow_id in workflow_ids:
        try:
            history = await env.client.get_workflow_handle(workflow_id).fetch_history()
        except RPCError:
            continue  # this scenario did not run that workflow
        path = folder / f"{workflow_id.replace('/', '.')}.json"
        path.write_text(history.to_json(), encoding="utf-8")
        print(f"recorded {path.relative_to(HERE)}: {len(history.events)} events")


if __name__ == "__main__":
    asyncio.run(record())
