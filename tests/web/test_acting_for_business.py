"""Applying for a business needs a right to act for it: a sole trader's business only by its owner; a
company (ay, ky, oy, osk) by its representative in the trade register or by someone holding its mandate.
Refusals say why and what to do, at the business ID, on the form and in the API. After sign-in the form
offers the person's businesses and fills the chosen one in from the trade register."""

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.db import Database
from core.settings import Settings
from core.trade_register import RegisterEntry, RegisterUnavailable
from models.grants.applications import Application
from models.mandates import NO_RIGHT_TO_ACT, NOT_THE_OWNER, ActingRight, acting_refusal
from runtime.seed import seed_reference_data
from tests.factories import application
from tests.identification import MAIJA, record_rights, sign_in
from tests.web_helpers import csrf_from, flatten, idempotency_key_from

FORM = "/apply/sole-entrepreneur-2020"
API = "/api/v1/programmes/sole-entrepreneur-2020/applications"
ESBO_DESIGN = {"business__business_id": "1572860-0", "business__name": "Esbo Design Ab", "business__company_form": "oy"}


@pytest.fixture(autouse=True)
def demo_register(db: Database, client: TestClient) -> None:
    client.headers["Accept-Language"] = "en"
    with Session(db.engine) as session:
        seed_reference_data(session)  # the local register: Esbo Design Ab is an oy, Toiminimi Virtanen a tmi


def stored(db: Database) -> list[Application]:
    with db.session() as session:
        return list(session.exec(select(Application)).all())


def send(client: TestClient, **changes: object):
    page = client.get(f"{FORM}?lang=en")
    data = flatten(application(**changes))
    data.pop("applicant.personal_id"), data.pop("applicant.name")
    data |= {"csrf_token": csrf_from(page.text), "idempotency_key": idempotency_key_from(page.text)}
    return client.post(FORM, data=data, follow_redirects=False)


def value_of(page: str, name: str) -> str | None:
    found = re.search(rf'<input id="{re.escape(name)}" name="{re.escape(name)}" type="[^"]*" value="([^"]*)"', page)
    return None if found is None else html.unescape(found.group(1))


def test_the_rule() -> None:
    assert acting_refusal("tmi", {ActingRight.OWNER}) is None
    assert acting_refusal("tmi", {ActingRight.MANDATE, ActingRight.REPRESENTATIVE}) == NOT_THE_OWNER
    for form in ("ay", "ky", "oy", "osk"):
        assert acting_refusal(form, {ActingRight.REPRESENTATIVE}) is None
        assert acting_refusal(form, {ActingRight.MANDATE}) is None
        assert acting_refusal(form, {ActingRight.OWNER}) == NO_RIGHT_TO_ACT
        assert acting_refusal(form, set()) == NO_RIGHT_TO_ACT
    assert acting_refusal("light", set()) is None  # no business ID: applies as themselves


def test_an_oy_application_without_a_mandate_is_refused_with_what_to_do(
    client: TestClient, db: Database, settings: Settings
) -> None:
    sign_in(client, settings)  # Maija: no right for Esbo Design Ab

    refused = send(client, **ESBO_DESIGN)

    assert refused.status_code == 403
    text = html.unescape(refused.text)
    assert "You cannot apply for this company" in text and "Suomi.fi Mandates" in text
    assert 'id="business.business_id-error"' in refused.text  # at the field, and in the summary
    assert '<a href="#business.business_id">Business ID: You cannot apply' in refused.text
    assert 'value="Esbo Design Ab"' in refused.text  # what was typed stays
    assert stored(db) == []


@pytest.mark.parametrize("right", [ActingRight.MANDATE, ActingRight.REPRESENTATIVE])
def test_an_oy_application_by_its_representative_or_mandate_holder_is_taken(
    client: TestClient, db: Database, settings: Settings, right: ActingRight
) -> None:
    record_rights(db, "1572860-0", MAIJA.personal_id, right)
    sign_in(client, settings)

    assert send(client, **ESBO_DESIGN).status_code == 303
    [taken] = stored(db)
    assert taken.acting_right == right  # recorded with the application


def test_a_sole_traders_business_only_by_its_owner(client: TestClient, db: Database, settings: Settings) -> None:
    # Maija holds a mandate for Toiminimi Virtanen, but a sole trader's business is the owner's own.
    record_rights(db, "0112038-9", MAIJA.personal_id, ActingRight.MANDATE)
    sign_in(client, settings)

    refused = send(client)
    assert refused.status_code == 403 and "Only the owner of a sole trader" in html.unescape(refused.text)

    record_rights(db, "0112038-9", MAIJA.personal_id, ActingRight.OWNER)
    assert send(client).status_code == 303
    assert [a.acting_right for a in stored(db)] == ["owner"]


def test_the_registers_company_form_decides_not_the_declared_one(
    client: TestClient, db: Database, settings: Settings
) -> None:
    # Declared a sole trader's business that she owns, but the register says Esbo Design Ab is an oy.
    record_rights(db, "1572860-0", MAIJA.personal_id, ActingRight.OWNER)
    sign_in(client, settings)

    refused = send(client, **{**ESBO_DESIGN, "business__company_form": "tmi"})
    assert refused.status_code == 403 and "You cannot apply for this company" in html.unescape(refused.text)


def test_the_api_refuses_a_person_without_a_right_by_field(client: TestClient, db: Database, settings) -> None:
    sign_in(client, settings, next_path="/api/v1/token")
    token = client.get("/api/v1/token").json()["access_token"]
    body = application(applicant__personal_id=MAIJA.personal_id, **ESBO_DESIGN)

    refused = client.post(API, json=body, headers={"Authorization": f"Bearer {token}"})

    assert refused.status_code == 403
    [error] = refused.json()["detail"]
    assert error["field"] == "business.business_id" and "mandate" in error["message"]
    assert stored(db) == []


def test_the_form_offers_the_persons_businesses_and_fills_in_the_chosen_one(
    client: TestClient, db: Database, settings: Settings
) -> None:
    record_rights(db, "2326287-1", MAIJA.personal_id, ActingRight.OWNER)
    record_rights(db, "1572860-0", MAIJA.personal_id, ActingRight.MANDATE)
    sign_in(client, settings)

    offered = client.get(f"{FORM}?lang=en").text
    assert "Kahvila Korvapuusti (2326287-1)" in offered and "Esbo Design Ab (1572860-0)" in offered
    assert value_of(offered, "business.name") == ""  # two businesses: nothing chosen for her

    chosen = client.get(f"{FORM}?lang=en&business=2326287-1").text
    assert value_of(chosen, "business.name") == "Kahvila Korvapuusti"
    assert value_of(chosen, "business.business_id") == "2326287-1"
    assert value_of(chosen, "business.home_municipality") == "Espoo"
    assert value_of(chosen, "business.industry_code") == "56101"
    assert value_of(chosen, "business.started_on") == "2012-06-15"
    assert '<option value="tmi" selected' in chosen
    assert "Filled in from the trade register" in chosen


def test_the_only_business_is_filled_in_at_once(client: TestClient, db: Database, settings: Settings) -> None:
    record_rights(db, "1572860-0", MAIJA.personal_id, ActingRight.REPRESENTATIVE)
    sign_in(client, settings)

    page = client.get(f"{FORM}?lang=en").text
    assert value_of(page, "business.name") == "Esbo Design Ab" and '<option value="oy" selected' in page


class DownRegister:
    def lookup(self, business_id: str) -> RegisterEntry | None:
        raise RegisterUnavailable("trade register answered 503")


def test_a_register_that_is_down_leaves_the_form_to_the_applicant_and_takes_the_application(
    client: TestClient, db: Database, settings: Settings
) -> None:
    record_rights(db, "0112038-9", MAIJA.personal_id, ActingRight.OWNER)
    client.app.state.register = DownRegister()  # type: ignore[attr-defined]
    sign_in(client, settings)

    page = client.get(f"{FORM}?lang=en").text
    assert "The trade register could not be reached just now" in page
    assert send(client).status_code == 303  # the declared form stands; the assessment checks later
