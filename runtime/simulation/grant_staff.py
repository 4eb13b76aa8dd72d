"""The grant office, simulated: handlers, deciders, legal and finance work the shared queues with no think time,
through the same services and workflow updates as the staff pages (a claim in the database, then an update the
workflow's validators check). The bank answers each released payment file with a status report."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

from sqlmodel import col, select

from core.clock import helsinki_today
from models.appeals.payloads import RuleInput
from models.appeals.requests import Ruling
from models.grants.applications import Application, AssessmentRecord
from models.grants.decisions import Outcome
from models.grants.eligibility import ReasonCode
from models.grants.payloads import AnswerInput, DecideInput, ProposeInput, RequestInfoInput, Verdict
from models.payments.batches import PaymentBatch, PaymentBatchStatus
from models.payments.payments import Payment, PaymentStatus
from models.serving.print_batches import PrintBatch, PrintBatchStatus
from models.staff import Role
from models.tasks import Task, TaskKind, TaskStatus
from models.types import utcnow
from runtime.simulation.bank import sent_transfers, status_report
from runtime.simulation.network import Network, with_reloads
from web.services.auth import StaffUser
from web.services.payments import ReportRefused, approve_batch, import_bank_report, request_payment_run
from web.services.print_batch import confirm_posting, pending_letter_count, request_print_batches
from web.services.processing import actor_of, send_update
from web.services.tasks import claim_next
from workflows.appeals.rectification import RectificationWorkflow
from workflows.grants.application import GrantApplicationWorkflow

log = logging.getLogger(__name__)
IDLE_SECONDS = 0.3  # an empty queue is looked at again after this
RUN_EVERY_SECONDS = 5.0  # finance asks for a payment run at most this often

# What the simulated staff write, in the applicant's language (a decision is wholly in it).
QUESTION = {
    "fi": "Lähetä kirjanpidon raportti liikevaihdosta ennen ja jälkeen kriisin alun, jotta hakemus voidaan ratkaista.",
    "sv": "Skicka en rapport från bokföringen om omsättningen före och efter krisen, så att ansökan kan avgöras.",
    "en": "Please send a report from the accounts of the turnover before and after the crisis began, so that "
    "the application can be decided.",
}
ANSWER = "Raportti liitteenä / rapport bifogad / report attached: turnover as declared in the application."
JUSTIFICATION = {
    "fi": "Hakemus on käsitelty tuen ehtojen mukaan, ja päätös perustuu hakemuksen ja rekisterin tietoihin.",
    "sv": "Ansökan har behandlats enligt villkoren för stödet, och beslutet grundar sig på ansökan och registret.",
    "en": "The application was processed under the terms of the grant, and the decision is based on the "
    "application and the register.",
}
RULING_GROUNDS = {
    "fi": "Päätös on tehty tuen ehtojen mukaan, eikä oikaisuvaatimus tuo esiin uutta tietoa, joka muuttaisi sen.",
    "sv": "Beslutet har fattats enligt villkoren för stödet, och begäran om omprövning för inte fram något nytt.",
    "en": "The decision was made under the terms of the grant, and the request brings up nothing new that "
    "would change it.",
}


async def handlers(network: Network) -> None:
    """Each handler takes the oldest task; the cases planned so get a question first, which the applicant answers
    at once."""
    await asyncio.gather(*(_work(network, user, Role.HANDLER, _handle) for user in network.staff.handlers),
                         _answering(network))  # fmt: skip


async def deciders(network: Network) -> None:
    await asyncio.gather(*(_work(network, user, Role.DECIDER, _decide) for user in network.staff.deciders))


async def legal(network: Network) -> None:
    await _work(network, network.staff.legal, Role.LEGAL, _rule)


Act = Callable[[Network, StaffUser, Task], Awaitable[None]]


async def _work(network: Network, user: StaffUser, role: Role, act: Act) -> None:
    codes = [network.programme.code]
    while not network.done.is_set():
        task = await asyncio.to_thread(_claim, network, user, codes, role)
        if task is None:
            await asyncio.sleep(IDLE_SECONDS)
            continue
        done = await with_reloads(network, f"{role} {task.kind}", partial(act, network, user, task))
        if done:
            network.actions[f"{role}:{task.kind}"] += 1
        else:
            network.stuck.add(task.id or 0)


def _claim(network: Network, user: StaffUser, codes: list[str], role: Role) -> Task | None:
    """A task the person holds comes first (an answered question comes back to the handler who asked), then
    the oldest in the shared queue. One the system refused is left for a person to look at."""
    with network.db.session() as session:
        held = session.exec(
            select(Task).where(
                Task.assignee_id == user.id, Task.status == TaskStatus.CLAIMED, col(Task.id).not_in(network.stuck)
            )
        ).first()
        task = held or claim_next(session, user=user, programme_codes=codes, role=role)
        if task is not None:
            session.expunge(task)
        return task


# --- handlers -----------------------------------------------------------------------------------------------


async def _handle(network: Network, user: StaffUser, task: Task) -> None:
    if task.kind != TaskKind.HANDLE:
        network.refused("handler", f"no simulated handling for a {task.kind} task")
        return
    application, assessment = await asyncio.to_thread(_case, network, task.application_id or 0)
    language = application.language
    actor = actor_of(user)
    if application.id in network.needs_info and application.id not in network.asked:
        network.asked.add(application.id or 0)
        reply_by = helsinki_today() + timedelta(days=14)
        argument: Any = RequestInfoInput(task_key=task.key, actor=actor, message=QUESTION[language], reply_by=reply_by)
        await send_update(network.gateway, task.workflow_id, GrantApplicationWorkflow.request_info, argument)
        await network.to_answer.put(application.id or 0)
        return
    eligible = assessment is not None and assessment.eligible
    reasons = [ReasonCode(r) for r in assessment.reasons] if assessment is not None else []
    outcome = Outcome.APPROVE if eligible or not reasons else Outcome.REJECT
    argument = ProposeInput(
        task_key=task.key, actor=actor, outcome=outcome, reasons=reasons if outcome == Outcome.REJECT else [],
        justification=JUSTIFICATION[language],
    )  # fmt: skip
    await send_update(network.gateway, task.workflow_id, GrantApplicationWorkflow.propose, argument)


def _case(network: Network, application_id: int) -> tuple[Application, AssessmentRecord | None]:
    with network.db.session() as session:
        application = session.get(Application, application_id)
        assert application is not None
        assessment = session.exec(
            select(AssessmentRecord)
            .where(AssessmentRecord.application_id == application_id)
            .order_by(col(AssessmentRecord.id).desc())
        ).first()
        session.expunge_all()
        return application, assessment


async def _answering(network: Network) -> None:
    """The applicants asked a question answer it on their status page (the same update), straight away, each
    on their own (an answer runs the assessment again, so one applicant does not wait for another's)."""
    answering: set[asyncio.Task[None]] = set()
    while not network.done.is_set():
        try:
            application_id = await asyncio.wait_for(network.to_answer.get(), timeout=IDLE_SECONDS)
        except TimeoutError:
            continue
        answer = asyncio.create_task(_answer(network, application_id))
        answering.add(answer)
        answer.add_done_callback(answering.discard)
    await asyncio.gather(*answering)


async def _answer(network: Network, application_id: int) -> None:
    client = await network.gateway.client()
    handle = client.get_workflow_handle(f"grant-{application_id}")
    state = await handle.query(GrantApplicationWorkflow.state)
    if state.info_request_seq is None:
        network.refused("applicant answer", "no question waiting")
        return
    answer = AnswerInput(info_request_seq=state.info_request_seq, answer=ANSWER)
    update = GrantApplicationWorkflow.answer_info
    if await with_reloads(
        network, "applicant answer", partial(send_update, network.gateway, handle.id, update, answer)
    ):
        network.actions["applicant:answer"] += 1


# --- deciders and legal -------------------------------------------------------------------------------------


async def _decide(network: Network, user: StaffUser, task: Task) -> None:
    argument = DecideInput(task_key=task.key, actor=actor_of(user), verdict=Verdict.ACCEPT)
    await send_update(network.gateway, task.workflow_id, GrantApplicationWorkflow.decide, argument)


async def _rule(network: Network, user: StaffUser, task: Task) -> None:
    """The body upholds the decision (the rulings themselves are legal's to draft; the simulation keeps them)."""
    application, _ = await asyncio.to_thread(_case, network, task.application_id or 0)
    today = helsinki_today()
    argument = RuleInput(
        task_key=task.key,
        actor=actor_of(user),
        ruling=Ruling.REJECT,
        justification=RULING_GROUNDS[application.language],
        body="Espoon kaupunginhallitus",
        meeting_ref=f"{today:%d.%m.%Y} § {task.id}",
        met_on=today,
    )
    await send_update(network.gateway, task.workflow_id, RectificationWorkflow.rule, argument)


# --- finance and the bank -----------------------------------------------------------------------------------


async def finance(network: Network) -> None:
    """Starts a payment run when approved grants wait and no batch is on its way, approves each batch with two
    different people, and hands released files to the bank, whose reports are imported as finance does."""
    first, second = network.staff.finance
    answered: set[str] = set()
    approved: set[tuple[int, int]] = set()
    last_run = 0.0
    while not network.done.is_set():
        waiting, open_batches = await asyncio.to_thread(_payments_waiting, network)
        # A run opens its batch in the worker a moment later: not asked for again meanwhile.
        if waiting and not open_batches and time.monotonic() - last_run > RUN_EVERY_SECONDS:
            await asyncio.to_thread(_request_run, network, first)
            last_run = time.monotonic()
            network.actions["finance:payment_run"] += 1
        for batch in open_batches:
            if batch.status != PaymentBatchStatus.AWAITING_APPROVAL:
                continue
            for user in (first, second):
                if (batch.id or 0, user.id) in approved:
                    continue
                approve = partial(approve_batch, network.gateway, batch=batch, user=user)
                if await with_reloads(network, "finance approve", approve):
                    approved.add((batch.id or 0, user.id))
                    network.actions["finance:approve"] += 1
        await asyncio.to_thread(_bank_answers, network, answered)
        await asyncio.sleep(1.0)


def _payments_waiting(network: Network) -> tuple[bool, list[PaymentBatch]]:
    with network.db.session() as session:
        waiting = session.exec(select(Payment.id).where(Payment.status == PaymentStatus.UNPAID).limit(1)).first()
        open_statuses = (PaymentBatchStatus.PREPARING, PaymentBatchStatus.AWAITING_APPROVAL)
        batches = list(session.exec(select(PaymentBatch).where(col(PaymentBatch.status).in_(open_statuses))).all())
        session.expunge_all()
        return waiting is not None, batches


def _request_run(network: Network, user: StaffUser) -> None:
    with network.db.session() as session:
        request_payment_run(session, codes=[network.programme.code], user=user)


def _bank_answers(network: Network, answered: set[str]) -> None:
    """Every transfer paid, the next banking day as far as the report says (the status report of the file)."""
    for file in sorted(network.bank_dir.glob("*.xml")):
        if file.name in answered:
            continue
        report = status_report(sent_transfers(file), {}, helsinki_today())
        with network.db.session() as session:
            try:
                import_bank_report(session, network.files, filename=f"status-{file.name}", data=report,
                                   imported_by=None)  # fmt: skip
                network.actions["bank:report"] += 1
            except ReportRefused as refused:
                network.refused("bank report", refused)
        answered.add(file.name)


# --- the post room ------------------------------------------------------------------------------------------


async def post_room(network: Network) -> None:
    """The letters for applicants who did not consent to e-mail: a coordinator asks for a print batch when
    letters wait and none is being printed, and the post room confirms each printed batch as posted today."""
    coordinator = network.staff.service["E"]
    posted: set[int] = set()  # confirmed, though the batch's row may say so only a moment later
    while not network.done.is_set():
        printed = await asyncio.to_thread(_print_batches, network, coordinator)
        for batch in (b for b in printed if b.id not in posted):
            confirm = partial(confirm_posting, network.gateway, batch=batch, posted_on=helsinki_today(),
                              user=coordinator)  # fmt: skip
            if await with_reloads(network, "post room", confirm):
                posted.add(batch.id or 0)
                network.actions["post room:posted"] += 1
        await asyncio.sleep(1.0)


def _print_batches(network: Network, coordinator: StaffUser) -> list[PrintBatch]:
    """Asks for a batch if letters wait and none is preparing; returns the printed batches not yet posted."""
    codes = [network.programme.code]
    with network.db.session() as session:
        batches = session.exec(select(PrintBatch).where(col(PrintBatch.programme_code).in_(codes))).all()
        preparing = any(b.status == PrintBatchStatus.PREPARING for b in batches)
        printed = [b for b in batches if b.status == PrintBatchStatus.PRINTED]
        if not preparing and pending_letter_count(session, codes):
            request_print_batches(session, programme_codes=codes, user=coordinator, now=utcnow())
            network.actions["post room:batch"] += 1
        session.expunge_all()
        return printed
