"""Signing applicants in from the tests, through the simulated identification service, in-process: the
service provider's real redirect and assertion consumer, the simulation's real chooser and answer."""

import re
from html import unescape
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.db import Database
from core.settings import Settings
from models.mandates import ActingRight, RecordedRight
from runtime.idp_simulation import TEST_PEOPLE, create_simulation_idp

_services: dict[str, FastAPI] = {}
MAIJA = TEST_PEOPLE[0]


def simulated_service(settings: Settings) -> TestClient:
    """The simulated identification service for these settings (made once: loading its keys is not free)."""
    key = settings.model_dump_json()
    if key not in _services:
        _services[key] = create_simulation_idp(settings)
    return TestClient(_services[key], base_url=settings.simulation_idp_url)


def answer_of(html: str) -> dict[str, str]:
    """The hidden fields of the simulation's auto-posting page: SAMLResponse and RelayState."""
    return {name: unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', html)}


def sign_in(
    client: TestClient,
    settings: Settings,
    *,
    personal_id: str = MAIJA.personal_id,
    given_names: str = MAIJA.given_names,
    surname: str = MAIJA.surname,
    method: str = "bank",
    next_path: str = "/my-applications",
) -> httpx.Response:
    """Signs the browser (`client`) in as the person: the redirect to the service, the chooser, the answer
    posted back. Returns the response to that post (a redirect to `next_path`, or the refusal page)."""
    start = client.get("/sign-in", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303, start.text
    location = urlsplit(start.headers["location"])
    service = simulated_service(settings)
    chooser = service.get(f"{location.path}?{location.query}")
    assert chooser.status_code == 200, chooser.text
    signed = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', chooser.text))
    known = any(p.personal_id == personal_id for p in TEST_PEOPLE)
    chosen = {"person": personal_id} if known else {"person": "other", "personal_id": personal_id}
    form = {**{k: unescape(v) for k, v in signed.items()}, **chosen, "given_names": given_names, "surname": surname}
    answered = service.post(location.path, data={**form, "method": method})
    assert answered.status_code == 200, answered.text
    return client.post("/sign-in/acs", data=answer_of(answered.text), follow_redirects=False)


def bearer_over_http(base_url: str, *, personal_id: str, given_names: str, surname: str) -> str:
    """As a script does it against running processes: sign in through the simulated service over HTTP (the
    service's address comes from our redirect), then ask for a bearer token for the API."""
    with httpx.Client(timeout=30, follow_redirects=True) as browser:
        start = browser.get(f"{base_url}/sign-in", params={"next": "/api/v1/token"})
        assert start.status_code == 200, start.text  # the redirect was followed to the service's chooser
        signed = {k: unescape(v) for k, v in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', start.text)}
        person = {"person": "other", "personal_id": personal_id, "given_names": given_names, "surname": surname}
        answered = browser.post(str(start.url).split("?")[0], data={**signed, **person, "method": "bank"})
        posted = answer_of(answered.text)
        action = re.search(r'<form method="post" action="([^"]+)"', answered.text)
        assert action, answered.text
        token = browser.post(unescape(action.group(1)), data=posted)  # follows to /api/v1/token
        assert token.status_code == 200, token.text
        return str(token.json()["access_token"])


def record_rights(db: Database, business_id: str, personal_id: str, *rights: ActingRight) -> None:
    """The simulated Mandates service says the person holds these rights for the business."""
    with db.session() as session:
        for right in rights:
            session.merge(RecordedRight(business_id=business_id, personal_id=personal_id, right=right))
        session.commit()
