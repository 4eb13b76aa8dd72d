"""The network's customers, simulated: entrepreneurs sign in through the simulated identification service over
HTTP, send their applications and service requests through the public JSON API, and, when refused, ask for
rectification on the status page's service; service customers give feedback once their request is closed."""

import asyncio
import itertools
import re
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from html import unescape
from typing import TypeVar

import httpx
from sqlmodel import col, select

from core.clock import helsinki_today
from models.appeals.requests import ArrivedBy
from models.grants.applications import Application, Stage
from models.service_requests.payloads import FeedbackInput
from models.service_requests.requests import RequestStatus, ServiceRequest
from runtime.simulation.campaign import Case, ServiceNeed
from runtime.simulation.network import Network, with_reloads
from web.services.rectifications import (
    RequestRefused,
    StatusLinks,
    applicant_requesting,
    contestable,
    record_request,
)
from web.services.service_requests.actions import act
from workflows.service_requests.service_request import ServiceRequestWorkflow

CLIENTS = 20  # people sending at the same moment
TRIES = 5  # a 5xx or a dropped connection is sent again with the same Idempotency-Key
Item = TypeVar("Item")
DEMAND = {
    "fi": "Pyydän oikaisua, koska liikevaihtoni laski kriisin vuoksi enemmän kuin hakemuksessa näkyy.",
    "sv": "Jag begär omprövning, eftersom omsättningen föll mer än det som syns i ansökan på grund av krisen.",
    "en": "I ask for rectification because the turnover of the business fell more than the application shows.",
}


async def sign_in(client: httpx.AsyncClient, base_url: str, personal_id: str, given: str, surname: str) -> str:
    """As a browser does: our redirect to the simulated service, its chooser, its answer posted back to us, and
    then a bearer token for the API."""
    start = await client.get(f"{base_url}/sign-in", params={"next": "/api/v1/token"})
    start.raise_for_status()
    signed = {k: unescape(v) for k, v in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', start.text)}
    person = {"person": "other", "personal_id": personal_id, "given_names": given, "surname": surname}
    answered = await client.post(str(start.url).split("?")[0], data={**signed, **person, "method": "bank"})
    answered.raise_for_status()
    posted = {n: unescape(v) for n, v in re.findall(r'name="(\w+)" value="([^"]*)"', answered.text)}
    action = re.search(r'<form method="post" action="([^"]+)"', answered.text)
    if action is None:
        raise RuntimeError("the simulated identification service gave no answer to post back")
    token = await client.post(unescape(action.group(1)), data=posted)
    token.raise_for_status()
    return str(token.json()["access_token"])


async def send_signed_in(base: str, path: str, person: Case | ServiceNeed, key: str) -> httpx.Response:
    """Sign in and post, tried again from the start when the connection drops or the answer is a 5xx: the same
    Idempotency-Key each time, so a retry never makes a second application."""
    for attempt in range(TRIES):
        try:
            async with httpx.AsyncClient(timeout=60, follow_redirects=True) as client:
                bearer = await sign_in(client, base, person.personal_id, person.given_names, person.surname)
                headers = {"Authorization": f"Bearer {bearer}", "Idempotency-Key": key}
                response = await client.post(f"{base}{path}", json=person.form(), headers=headers)
            if response.status_code < 500 or attempt == TRIES - 1:
                return response
        except (httpx.TransportError, httpx.HTTPStatusError):
            if attempt == TRIES - 1:
                raise
        await asyncio.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


async def each_concurrently(items: Iterable[Item], work: Callable[[Item], Awaitable[None]]) -> None:
    gate = asyncio.Semaphore(CLIENTS)

    async def one(item: Item) -> None:
        async with gate:
            await work(item)

    await asyncio.gather(*(one(item) for item in items))


async def apply(network: Network, cases: list[Case], web_urls: list[str], on_sent: Callable[[], None]) -> None:
    """Each applicant signs in and sends the application; the web processes take turns (no balancer needed)."""
    urls = itertools.cycle(web_urls)
    code = network.programme.code

    async def send(case: Case) -> None:
        path = f"/api/v1/programmes/{code}/applications"
        response = await send_signed_in(next(urls), path, case, f"simulated-application-{case.n}")
        if response.status_code != 201:
            network.refused("application", f"{response.status_code} {response.text[:200]}")
        else:
            reference = response.json()["reference"]
            network.actions["applicant:apply"] += 1
            if case.needs_info:
                network.needs_info.add(await asyncio.to_thread(_application_id, network, reference))
        on_sent()

    await each_concurrently(cases, send)


def _application_id(network: Network, reference: str) -> int:
    with network.db.session() as session:
        found = session.exec(select(Application.id).where(Application.reference == reference)).one()
        return int(found or 0)


async def ask_rectification(network: Network, business_ids: set[str]) -> None:
    """Rejected applicants of these businesses ask for rectification once their decision has been served."""
    asked: set[int] = set()
    while not network.done.is_set():
        await asyncio.to_thread(_ask_due, network, business_ids, asked)
        await asyncio.sleep(1.0)


def _ask_due(network: Network, business_ids: set[str], asked: set[int]) -> None:
    with network.db.session() as session:
        rejected = session.exec(
            select(Application).where(Application.status == Stage.REJECTED, col(Application.id).not_in(asked))
        ).all()
        for application in rejected:
            if application.business_id not in business_ids:
                asked.add(application.id or 0)
                continue
            decisions = contestable(session, application.id or 0)
            if not decisions:
                continue  # not served yet
            try:
                record_request(
                    session, network.files, application=application, programme=network.programme,
                    decision_number=decisions[0].number, requesting=applicant_requesting(application),
                    demand=DEMAND[application.language], key=f"online:{application.id}:simulated",
                    arrived_by=ArrivedBy.ONLINE, received_on=helsinki_today(), uploads=[],
                    max_bytes=network.settings.max_upload_bytes, max_files=network.settings.max_uploads,
                    acknowledgement=StatusLinks(base_url=network.settings.public_base_url,
                                                secret=network.settings.secret_key),
                )  # fmt: skip
                network.actions["applicant:rectification"] += 1
            except RequestRefused as refused:
                network.refused("rectification", refused.reason)
            asked.add(application.id or 0)


# --- service requests ---------------------------------------------------------------------------------------


async def ask_for_help(network: Network, needs: list[ServiceNeed], web_urls: list[str]) -> None:
    urls = itertools.cycle(web_urls)

    async def send(need: ServiceNeed) -> None:
        key = f"simulated-service-request-{need.n}"
        response = await send_signed_in(next(urls), "/api/v1/service-requests", need, key)
        if response.status_code != 201:
            network.refused("service request", f"{response.status_code} {response.text[:200]}")
        else:
            network.actions["customer:service_request"] += 1

    await each_concurrently(needs, send)


async def give_feedback(network: Network, ratings: dict[str, int | None]) -> None:
    """Customers (by e-mail address) rate a closed request once, or never."""
    rated: set[int] = set()
    while not network.done.is_set():
        closed = await asyncio.to_thread(_closed_requests, network, rated)
        for request_id, email in closed:
            rated.add(request_id)
            rating = ratings.get(email)
            if rating is None:
                continue
            feedback = FeedbackInput(rating=rating, comment=None)
            update = ServiceRequestWorkflow.give_feedback
            workflow_id = f"service-request-{request_id}"
            if await with_reloads(network, "feedback", partial(act, network.gateway, workflow_id, update, feedback)):
                network.actions["customer:feedback"] += 1
        await asyncio.sleep(1.0)


def _closed_requests(network: Network, rated: set[int]) -> list[tuple[int, str]]:
    with network.db.session() as session:
        rows = session.exec(
            select(ServiceRequest.id, ServiceRequest.email).where(
                ServiceRequest.status == RequestStatus.CLOSED, col(ServiceRequest.id).not_in(rated)
            )
        ).all()
        return [(int(i or 0), e) for i, e in rows]
