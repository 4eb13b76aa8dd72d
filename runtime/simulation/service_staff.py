"""Advisers of every organisation, simulated: each accepts the service requests routed to their organisation,
refers the planned ones on (with the customer's consent) and answers and closes the rest; the front desk routes
the requests no rule matched. Through the same workflow updates as the service request pages."""

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel import col, select

from models.actors import Actor
from models.service_requests.payloads import AcceptInput, CloseInput, ReferInput, ReplyInput
from models.service_requests.requests import ClosingOutcome, ServiceRequest, ServiceRoute
from models.subjects import SubjectType
from models.tasks import Task, TaskKind, TaskStatus
from runtime.simulation.network import SERVICE_ORGANISATIONS, Network, with_reloads
from web.services.processing import actor_of
from web.services.service_requests.actions import act
from workflows.service_requests.service_request import ServiceRequestWorkflow

IDLE_SECONDS = 0.5
REPLY = {
    "fi": "Kiitos yhteydenotosta. Neuvoja on lähettänyt ohjeet, ja voimme jatkaa keskustelua puhelimessa.",
    "sv": "Tack för att du kontaktade oss. Rådgivaren har skickat anvisningar, och vi kan fortsätta per telefon.",
    "en": "Thank you for contacting us. The adviser has sent the instructions, and we can go on by phone.",
}
REFERRAL_REASON = "The customer's need is better served by this organisation's services."


async def advisers(network: Network, referred: set[str]) -> None:
    """`referred`: the e-mail addresses of the customers whose first organisation refers them on."""
    await asyncio.gather(*(_adviser(network, organisation, referred) for organisation in network.staff.service))


async def _adviser(network: Network, organisation: str, referred: set[str]) -> None:
    user = network.staff.service[organisation]
    actor = actor_of(user)
    while not network.done.is_set():
        task = await asyncio.to_thread(_next_task, network, organisation)
        if task is None:
            await asyncio.sleep(IDLE_SECONDS)
            continue
        if not await _serve(network, actor, task, referred):
            network.stuck.add(task.id or 0)


def _next_task(network: Network, organisation: str) -> Task | None:
    with network.db.session() as session:
        task = session.exec(
            select(Task)
            .where(
                Task.subject_type == SubjectType.SERVICE_REQUEST,
                Task.organisation_code == organisation,
                Task.status == TaskStatus.OPEN,
                col(Task.id).not_in(network.stuck),
            )
            .order_by(col(Task.arrived_at))
        ).first()
        if task is not None:
            session.expunge(task)
        return task


async def _serve(network: Network, actor: Actor, task: Task, referred: set[str]) -> bool:
    """Accept, then refer on or answer and close; False when the system refused a step for good."""

    def step(update: Any, argument: Any) -> Callable[[], Awaitable[object]]:
        return lambda: act(network.gateway, task.workflow_id, update, argument)

    accept = AcceptInput(task_key=task.key, actor=actor)
    if not await with_reloads(network, "adviser accept", step(ServiceRequestWorkflow.accept, accept)):
        return False
    network.actions["adviser:accept"] += 1
    request = await asyncio.to_thread(_request, network, task.subject_id)
    refers = request.email in referred and await asyncio.to_thread(_is_first, network, request)
    if task.kind == TaskKind.TRIAGE or refers:
        others = [o for o in SERVICE_ORGANISATIONS if o != task.organisation_code]
        target = random.Random(request.id).choice(others)  # noqa: S311 (a simulation's choice, not a secret)
        refer = ReferInput(actor=actor, organisation_code=target, reason=REFERRAL_REASON)
        if not await with_reloads(network, "adviser refer", step(ServiceRequestWorkflow.refer, refer)):
            return False
        network.actions["adviser:refer"] += 1
        return True
    reply = ReplyInput(actor=actor, body=REPLY.get(request.language, REPLY["en"]))
    close = CloseInput(actor=actor, outcome=ClosingOutcome.ADVISED)
    for what, update, argument in (("reply", ServiceRequestWorkflow.reply, reply),
                                   ("close", ServiceRequestWorkflow.close, close)):  # fmt: skip
        if not await with_reloads(network, f"adviser {what}", step(update, argument)):
            return False
    network.actions["adviser:close"] += 1
    return True


def _request(network: Network, request_id: int) -> ServiceRequest:
    with network.db.session() as session:
        request = session.get(ServiceRequest, request_id)
        assert request is not None
        session.expunge(request)
        return request


def _is_first(network: Network, request: ServiceRequest) -> bool:
    """Referred once at most: only from the organisation it was first routed to."""
    with network.db.session() as session:
        positions = session.exec(select(ServiceRoute.position).where(ServiceRoute.request_id == request.id)).all()
        return max(positions, default=1) == 1
