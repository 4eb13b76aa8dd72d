"""Applying to a programme that requires identification: the person signs in through the (simulated)
identification service, over the real SAML protocol; the form takes their name and personal identity code
from it; the level of assurance and the moment are stored; their applications are theirs to find."""

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from core.db import Database
from models.audit import AuditEvent
from models.grants.applications import Application
from models.identification import SignInRequest
from models.mandates import ActingRight
from tests.factories import application
from tests.identification import MAIJA, answer_of, record_rights, sign_in, simulated_service
from tests.support import make_settings
from tests.web_helpers import csrf_from, flatten, idempotency_key_from

FORM = "/apply/sole-entrepreneur-2020"
API = "/api/v1/programmes/sole-entrepreneur-2020/applications"
ANONYMOUS = {"Authorization": ""}  # the tests' client otherwise sends the trusted integration's credential


@pytest.fixture(autouse=True)
def english(client: TestClient) -> None:
    client.headers["Accept-Language"] = "en"  # the refusals are read as written


@pytest.fixture(autouse=True)
def maija_owns_the_business(db: Database) -> None:
    record_rights(db, application()["business"]["business_id"], MAIJA.personal_id, ActingRight.OWNER)


def stored(db: Database) -> list[Application]:
    with db.session() as session:
        return list(session.exec(select(Application)).all())


def form_data(client: TestClient, **changes: object) -> dict[str, str]:
    page = client.get(f"{FORM}?lang=en")
    assert page.status_code == 200, page.text
    data = flatten(application(**changes))
    data.pop("applicant.personal_id"), data.pop("applicant.name")  # not on the form: from the sign-in
    return {**data, "csrf_token": csrf_from(page.text), "idempotency_key": idempotency_key_from(page.text)}


def test_the_form_asks_for_identification_first(client: TestClient) -> None:
    page = client.get(f"{FORM}?lang=en")

    assert page.status_code == 200 and "Identify yourself and apply" in page.text
    assert 'name="applicant.personal_id"' not in page.text
    assert client.post(FORM, data={}).status_code in (401, 403)  # no form, no CSRF token: nothing taken


def test_signed_in_the_form_shows_the_identified_person_and_stores_how_they_were_identified(
    client: TestClient, db: Database, settings
) -> None:
    signed = sign_in(client, settings, next_path=FORM)
    assert signed.status_code == 303 and signed.headers["location"] == FORM

    page = html.unescape(client.get(f"{FORM}?lang=en").text)
    assert MAIJA.personal_id in page and f"{MAIJA.given_names} {MAIJA.surname}" in page
    assert 'name="applicant.personal_id"' not in page and 'name="applicant.name"' not in page  # read-only
    sent = client.post(FORM, data=form_data(client), follow_redirects=False)

    assert sent.status_code == 303, sent.text
    [stored_application] = stored(db)
    form = stored_application.form["applicant"]
    assert (form["personal_id"], form["name"]) == (MAIJA.personal_id, f"{MAIJA.given_names} {MAIJA.surname}")
    assert stored_application.identified_assurance == "substantial"
    assert stored_application.identified_at is not None
    assert stored_application.identification_provider == f"{settings.simulation_idp_url}/metadata"
    with db.session() as session:
        received = session.exec(select(AuditEvent).where(AuditEvent.action == "application_received")).one()
        signed_in = session.exec(select(AuditEvent).where(AuditEvent.action == "applicant_signed_in")).one()
    assert received.detail["assurance"] == "substantial" and received.detail["identified_at"]
    assert signed_in.detail["authn_context"] == "http://ftn.ficora.fi/2017/loa2"
    # Theirs to find, and the form shows it rather than a new one.
    mine = client.get("/my-applications?lang=en")
    assert stored_application.reference in mine.text
    again = client.get(FORM, follow_redirects=False)
    assert again.status_code == 303 and "yours=1" in again.headers["location"]


def test_an_application_in_someone_elses_name_is_refused(client: TestClient, db: Database, settings) -> None:
    sign_in(client, settings)
    data = {**form_data(client), "applicant.personal_id": "131052-308T"}

    refused = client.post(FORM, data=data)

    assert refused.status_code == 403 and "in the name of the person who signed in" in refused.text
    assert stored(db) == []


def test_a_weak_identification_is_refused(client: TestClient, settings) -> None:
    refused = sign_in(client, settings, method="weak")

    assert refused.status_code == 400 and "too weakly" in refused.text
    assert "Identify yourself and apply" in client.get(f"{FORM}?lang=en").text  # still not signed in


def test_an_answer_is_taken_once_and_only_for_our_own_request(client: TestClient, db: Database, settings) -> None:
    start = client.get("/sign-in", params={"next": FORM}, follow_redirects=False)
    service = simulated_service(settings)
    chooser = service.get(start.headers["location"].split(settings.simulation_idp_url)[1])
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', chooser.text))
    answer = answer_of(
        service.post(
            "/sso", data={**{k: html.unescape(v) for k, v in fields.items()}, "person": MAIJA.personal_id}
        ).text
    )

    first = client.post("/sign-in/acs", data=answer, follow_redirects=False)
    replayed = client.post("/sign-in/acs", data=answer)
    unknown = client.post("/sign-in/acs", data={**answer, "RelayState": "id-not-ours"})
    tampered = client.post(
        "/sign-in/acs",
        data={"SAMLResponse": answer["SAMLResponse"][:-40] + "A" * 40, "RelayState": answer["RelayState"]},
    )

    assert first.status_code == 303
    assert replayed.status_code == unknown.status_code == 400 and "not valid any more" in replayed.text
    assert tampered.status_code == 400
    with db.session() as session:
        assert session.exec(select(SignInRequest)).one().answered_at is not None


def test_signing_out_ends_the_sign_in(client: TestClient, settings) -> None:
    sign_in(client, settings)
    page = client.get("/my-applications?lang=en")

    out = client.post("/sign-out", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)

    assert out.status_code == 303 and out.headers["location"] == "/?signed_out=1"
    assert "You have signed out." in client.get("/?signed_out=1&lang=en").text
    assert client.get("/my-applications", follow_redirects=False).headers["location"].startswith("/sign-in")


def test_the_api_takes_the_person_from_a_bearer_token(client: TestClient, db: Database, settings) -> None:
    sign_in(client, settings, next_path="/api/v1/token")
    token = client.get("/api/v1/token", headers=ANONYMOUS).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}

    nobody = client.post(API, json=application(), headers=ANONYMOUS)
    someone_else = client.post(API, json=application(), headers=bearer)  # the factory's person is not Maija
    theirs = client.post(
        API, json=application(applicant__personal_id=MAIJA.personal_id, applicant__name="x"), headers=bearer
    )

    assert nobody.status_code == 401 and nobody.headers["www-authenticate"] == "Bearer"
    assert nobody.json()["detail"][0]["field"] == "Authorization"
    assert someone_else.status_code == 403 and someone_else.json()["detail"][0]["field"] == "applicant.personal_id"
    assert theirs.status_code == 201, theirs.text
    [made] = stored(db)
    assert made.applicant_name == f"{MAIJA.given_names} {MAIJA.surname}"  # the identified name, not the typed
    assert made.identified_assurance == "substantial" and made.api_client is None


def test_a_trusted_integration_is_recorded_with_its_applications(client: TestClient, db: Database) -> None:
    sent = client.post(API, json=application())  # the tests' client sends the integration's credential

    assert sent.status_code == 201
    [made] = stored(db)
    assert (made.api_client, made.identified_assurance) == ("tests", None)
    wrong = client.post(API, json=application(), headers={"Authorization": "Basic dGVzdHM6d3Jvbmc="})
    assert wrong.status_code == 401


def test_production_refuses_the_simulated_service(db: Database) -> None:
    with pytest.raises(ValueError, match="IDENTIFICATION=simulation"):
        make_settings(db, environment="production", identification="simulation")
    settings = make_settings(db)
    with pytest.raises(RuntimeError, match="does not run in production"):
        from runtime.idp_simulation import create_simulation_idp

        create_simulation_idp(settings.model_copy(update={"environment": "production"}))


def test_cancelling_at_the_service_says_so(client: TestClient, settings) -> None:
    start = client.get("/sign-in", params={"next": FORM}, follow_redirects=False)
    service = simulated_service(settings)
    chooser = service.get(start.headers["location"].split(settings.simulation_idp_url)[1])
    fields = {k: html.unescape(v) for k, v in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', chooser.text)}

    cancelled = client.post("/sign-in/acs", data=answer_of(service.post("/sso", data={**fields, "cancel": "yes"}).text))

    assert cancelled.status_code == 400 and "cancelled or did not succeed" in cancelled.text
    # ... and offers to start again, towards where the person was going.
    assert 'href="/sign-in?next=%2Fapply%2Fsole-entrepreneur-2020">Identify again' in cancelled.text
