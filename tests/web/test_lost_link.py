""" "Lost your link?": the link goes to the application's own address, and the page never tells who applied."""

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from core.db import Database
from models.grants.programme import Programme
from models.grants.status_links import status_token
from models.notifications import EmailLog
from models.outbox import SEND_EMAIL, OutboxMessage
from tests.support import TEST_SECRET
from tests.web_helpers import csrf_from
from tests.workflow_helpers import accept

URL = "/lost-link"


def ask(client: TestClient, reference: str, email: str) -> str:
    page = client.get(f"{URL}?lang=en")
    response = client.post(URL, data={"csrf_token": csrf_from(page.text), "reference": reference, "email": email})
    assert response.status_code == 200, response.text
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.text)


def queued(db: Database) -> list[EmailLog]:
    with db.session() as session:
        return list(session.exec(select(EmailLog)).all())


def test_a_match_sends_the_link_to_the_address_on_the_application(
    client: TestClient, db: Database, programme: Programme
) -> None:
    application_id = accept(db, programme, applicant__language="sv")

    ask(client, "esp-2020-000001", "  Maija@Example.COM ")

    [mail] = queued(db)
    assert mail.to_address == "maija@example.com"
    assert mail.subject == "Länken till din ansökan ESP-2020-000001"
    assert f"/status/{status_token(application_id, TEST_SECRET)}" in (mail.body or "")
    with db.session() as session:  # the worker sends it through the outbox, once
        [promise] = session.exec(select(OutboxMessage).where(OutboxMessage.topic == SEND_EMAIL)).all()
    assert promise.payload == {"key": mail.key}


def test_a_match_and_a_miss_get_the_same_answer(client: TestClient, db: Database, programme: Programme) -> None:
    accept(db, programme)

    matched = ask(client, "ESP-2020-000001", "maija@example.com")
    wrong_address = ask(client, "ESP-2020-000001", "someone@example.com")
    no_such_reference = ask(client, "ESP-2020-999999", "maija@example.com")

    assert matched == wrong_address == no_such_reference
    assert "we have sent its link to that address" in matched
    assert len(queued(db)) == 1  # only the match sent anything


def test_asking_again_within_the_hour_sends_nothing_more(
    client: TestClient, db: Database, programme: Programme
) -> None:
    accept(db, programme)

    ask(client, "ESP-2020-000001", "maija@example.com")
    ask(client, "ESP-2020-000001", "maija@example.com")

    assert len(queued(db)) == 1


def test_the_page_is_rate_limited_per_client(client: TestClient, db: Database) -> None:
    page = client.get(URL)
    data = {"csrf_token": csrf_from(page.text), "reference": "ESP-2020-000001", "email": "x@example.com"}
    answers = [client.post(URL, data=data).status_code for _ in range(6)]

    assert answers == [200] * 5 + [429]


def test_the_front_page_links_to_it(client: TestClient) -> None:
    assert f'href="{URL}"' in client.get("/").text
