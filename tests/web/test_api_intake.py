"""The JSON intake API, on SQLite and on PostgreSQL."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from core.db import Database
from models.grants.applications import Application
from models.grants.programme import Programme
from models.outbox import START_GRANT_WORKFLOW, OutboxMessage
from tests.factories import application
from tests.support import IN_2020_WINDOW, TEST_API_AUTHORIZATION, make_settings
from web.app import create_app

URL = "/api/v1/programmes/sole-entrepreneur-2020/applications"


def errors_by_field(response: httpx.Response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["detail"]}


def test_accepts_an_application_and_promises_its_workflow(client: TestClient, db: Database) -> None:
    response = client.post(URL, json=application())

    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("ESP-2020-")
    assert body["status_url"].startswith("http://testserver/status/")
    with db.session() as session:
        stored = session.exec(select(Application)).one()
        outbox = session.exec(select(OutboxMessage)).one()
    assert stored.reference == body["reference"]
    assert stored.business_id == "0112038-9"
    assert stored.form["payment"]["iban"] == "FI2112345600000785"
    assert outbox.topic == START_GRANT_WORKFLOW
    assert outbox.key == f"grant-{stored.id}"
    assert outbox.dispatched_at is None


def test_amounts_may_be_numbers_or_strings(client: TestClient, db: Database) -> None:
    data = application(turnover__reference_eur=12000, turnover__crisis_eur=3300.5, aid__de_minimis_eur_3y="10")
    assert client.post(URL, json=data).status_code == 201
    with db.session() as session:
        stored = session.exec(select(Application)).one()
    assert stored.form["turnover"]["crisis_eur"] == "3300.50"
    assert stored.form["aid"]["de_minimis_eur_3y"] == "10.00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"applicant__personal_id": "131052-308A"}, "applicant.personal_id"),
        ({"applicant__email": "not-an-address"}, "applicant.email"),
        ({"applicant__language": "de"}, "applicant.language"),
        ({"business__business_id": "0112038-1"}, "business.business_id"),
        ({"business__industry_code": "741"}, "business.industry_code"),
        ({"business__company_form": "light"}, "business.business_id"),
        ({"business__business_id": None}, "business.business_id"),
        ({"business__employees": -1}, "business.employees"),
        ({"business__annual_income_eur": "-5"}, "business.annual_income_eur"),
        ({"turnover__reference_eur": "100.005"}, "turnover.reference_eur"),
        ({"turnover__crisis_eur": "NaN"}, "turnover.crisis_eur"),
        ({"turnover__reference_end": "2019-12-01"}, "turnover.reference_end"),
        ({"turnover__crisis_start": "2020-02-01"}, "turnover.crisis_start"),
        ({"turnover__crisis_end": "2999-01-01"}, "turnover.crisis_end"),
        ({"payment__iban": "FI21 1234 5600 0007 86"}, "payment.iban"),
        ({"payment__iban": "SA03 8000 0000 6080 1016 7519"}, "payment.iban"),
        ({"costs_description": ""}, "costs_description"),
    ],
)
def test_bad_input_names_the_field_and_the_reason(client: TestClient, changes: dict, field: str) -> None:
    response = client.post(URL, json=application(**changes))

    assert response.status_code == 422
    errors = errors_by_field(response)
    assert field in errors, errors
    assert errors[field]


def test_missing_and_unknown_fields_are_named(client: TestClient) -> None:
    data = application()
    del data["applicant"]["name"]
    data["business"]["favourite_colour"] = "blue"
    errors = errors_by_field(client.post(URL, json=data))
    assert "applicant.name" in errors
    assert "business.favourite_colour" in errors


def test_malformed_json_is_a_422_not_a_crash(client: TestClient) -> None:
    response = client.post(URL, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "detail" in response.json()


def test_a_body_that_is_not_utf8_is_a_422_on_the_body(client: TestClient) -> None:
    response = client.post(URL, content=b'{"applicant": "\xff"}', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_oversized_body_is_refused(client: TestClient, db: Database) -> None:
    data = application(costs_description="x" * 3000)
    data["padding"] = "y" * 70_000
    response = client.post(URL, content=json.dumps(data).encode(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    with db.session() as session:
        assert session.exec(select(Application)).first() is None


def test_unknown_programme_is_404(client: TestClient) -> None:
    response = client.post("/api/v1/programmes/no-such-thing/applications", json=application())
    assert response.status_code == 404


def test_programme_not_yet_open_is_409(db: Database, programmes: dict[str, Programme]) -> None:
    before_opening = datetime(2020, 4, 1, tzinfo=UTC)
    app = create_app(make_settings(db), db=db, programmes=programmes, clock=lambda: before_opening, run_relay=False)
    with TestClient(app, headers={"Authorization": TEST_API_AUTHORIZATION}) as early:
        response = early.post(URL, json=application())
    assert response.status_code == 409
    assert errors_by_field(response)["programme"]


def test_idempotency_key_returns_the_first_receipt(client: TestClient, db: Database) -> None:
    headers = {"Idempotency-Key": "phone-double-tap-1"}
    first = client.post(URL, json=application(), headers=headers)
    second = client.post(URL, json=application(), headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    with db.session() as session:
        assert len(session.exec(select(Application)).all()) == 1
        assert len(session.exec(select(OutboxMessage)).all()) == 1


def test_idempotency_key_reused_for_another_application_is_refused(client: TestClient) -> None:
    headers = {"Idempotency-Key": "k-2"}
    assert client.post(URL, json=application(), headers=headers).status_code == 201
    response = client.post(URL, json=application(business__name="Another firm"), headers=headers)
    assert response.status_code == 422
    assert "Idempotency-Key" in errors_by_field(response)


def test_concurrent_double_submit_creates_one_application(client: TestClient, db: Database) -> None:
    headers = {"Idempotency-Key": "race-1"}
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: client.post(URL, json=application(), headers=headers), range(4)))

    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["reference"] for r in responses}) == 1
    with db.session() as session:
        assert len(session.exec(select(Application)).all()) == 1


def test_status_api_follows_the_private_link(client: TestClient) -> None:
    status_url = client.post(URL, json=application()).json()["status_url"]
    token = status_url.rsplit("/", 1)[1]

    status = client.get(f"/api/v1/status/{token}")
    assert status.status_code == 200
    assert status.json()["status"] == "received"
    assert status.json()["assessment"] is None

    assert client.get(f"/api/v1/status/{token}x").status_code == 404
    assert client.get("/api/v1/status/1").status_code == 404


# --- regressions from the outside probe (issue 7) ------------------------------------------------


@pytest.mark.parametrize("bad", ["A\x00B", "A\x01B", "A\x1bB", "A\x7fB", "A\x85B"])
def test_control_characters_are_a_422_on_both_databases(client: TestClient, db: Database, bad: str) -> None:
    response = client.post(URL, json=application(applicant__name=bad))

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error == {"field": "applicant.name", "message": "contains control characters", "type": "control_character"}
    with db.session() as session:
        assert session.exec(select(Application)).first() is None


def test_a_lone_surrogate_is_a_422_not_a_crash(client: TestClient) -> None:
    body = json.dumps(application()).replace('"Maija Meik', '"\\ud800Maija Meik')
    response = client.post(URL, content=body.encode(), headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert errors_by_field(response) == {"applicant.name": "contains control characters"}


def test_tabs_and_line_breaks_are_text(client: TestClient, db: Database) -> None:
    response = client.post(URL, json=application(costs_description="Rent\r\nAccounting\tsoftware"))
    assert response.status_code == 201
    with db.session() as session:
        assert session.exec(select(Application)).one().form["costs_description"] == "Rent\r\nAccounting\tsoftware"


def test_control_characters_in_a_query_are_a_422(client: TestClient) -> None:
    response = client.get("/api/v1/status/x?lang=%00")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "control_character"


@pytest.mark.parametrize("number", ["0." + "0" * 20_000 + "1", "1e-400", "1e400", "0.001"])
def test_an_amount_that_is_not_whole_cents_is_refused_not_rounded(
    client: TestClient, db: Database, number: str
) -> None:
    body = json.dumps(application()).replace('"de_minimis_eur_3y": "0.00"', f'"de_minimis_eur_3y": {number}')
    assert number in body
    response = client.post(URL, content=body.encode(), headers={"content-type": "application/json"})

    assert response.status_code == 422, response.text
    assert "aid.de_minimis_eur_3y" in errors_by_field(response)
    with db.session() as session:
        assert session.exec(select(Application)).first() is None


def test_an_idempotency_key_belongs_to_its_programme(db: Database, programmes: dict[str, Programme]) -> None:
    both = {**programmes, "other-2020": programmes["sole-entrepreneur-2020"].model_copy(update={"code": "other-2020"})}
    app = create_app(make_settings(db), db=db, programmes=both, clock=lambda: IN_2020_WINDOW, run_relay=False)
    headers = {"Idempotency-Key": "same-key"}
    with TestClient(app, headers={"Authorization": TEST_API_AUTHORIZATION}) as two:
        first = two.post(URL, json=application(), headers=headers)
        other = two.post("/api/v1/programmes/other-2020/applications", json=application(), headers=headers)

    assert first.status_code == other.status_code == 201
    assert "Idempotent-Replayed" not in other.headers
    assert first.json()["reference"] != other.json()["reference"]
    with db.session() as session:
        assert sorted(a.programme_code for a in session.exec(select(Application))) == [
            "other-2020",
            "sole-entrepreneur-2020",
        ]


def test_public_posts_are_limited_per_client(db: Database, programmes: dict[str, Programme]) -> None:
    settings = make_settings(db, public_post_limit="3/minute")
    app = create_app(settings, db=db, programmes=programmes, clock=lambda: IN_2020_WINDOW, run_relay=False)
    with (
        TestClient(app, headers={"Authorization": TEST_API_AUTHORIZATION}) as flood,
        TestClient(app, client=("192.0.2.7", 5000), headers={"Authorization": TEST_API_AUTHORIZATION}) as neighbour,
    ):
        answers = [flood.post(URL, json=application()).status_code for _ in range(3)]
        refused = flood.post(URL, json=application())
        form = flood.post("/apply/sole-entrepreneur-2020", data={}, headers={"Accept-Language": "en"})
        reading = flood.get("/apply/sole-entrepreneur-2020")
        other_client = neighbour.post(URL, json=application())

    assert answers == [201, 201, 201]
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["detail"][0]["type"] == "rate_limited"
    assert form.status_code == 429 and "Too many requests" in form.text  # the web form too, as a page
    assert f"Wait {form.headers['Retry-After']} seconds" in form.text
    assert reading.status_code == 200  # reading is not limited
    assert other_client.status_code == 201  # another address has its own allowance
    with db.session() as session:
        assert len(session.exec(select(Application)).all()) == 4


def test_a_chunked_body_over_the_limit_is_413_with_security_headers(client: TestClient) -> None:
    def chunks():
        for _ in range(100):
            yield b"x" * 1024

    response = client.post(URL, content=chunks(), headers={"content-type": "application/json"})

    assert response.status_code == 413
    assert response.json()["detail"][0]["type"] == "too_large"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_a_chunked_body_within_the_limit_is_read_whole(client: TestClient) -> None:
    body = json.dumps(application()).encode()
    response = client.post(URL, content=iter([body[:100], body[100:]]), headers={"content-type": "application/json"})
    assert response.status_code == 201
