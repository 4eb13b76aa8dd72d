"""What the application form asks besides the business facts: postal address, declaration, privacy notice,
and how it explains what to fix (an error summary that links each field, in sentences we wrote)."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from core.db import Database
from core.settings import Settings
from models.grants.applications import Application
from models.mandates import ActingRight
from tests.identification import record_rights, sign_in
from tests.web.test_web_form import FORM_URL, fill, signed_in  # noqa: F401 (signs each test's applicant in)
from tests.web_helpers import idempotency_key_from

NO_ADDRESS = {
    "applicant.address.street": "",
    "applicant.address.postcode": "",
    "applicant.address.post_office": "",
}


def stored(db: Database) -> list[Application]:
    with db.session() as session:
        return list(session.exec(select(Application)).all())


def summary_links(html: str) -> list[str]:
    [summary] = re.findall(r'<div class="error-summary".*?</div>', html, flags=re.S)
    return re.findall(r'<a href="#([^"]+)">', summary)


def test_without_e_mail_consent_the_postal_address_is_required(client: TestClient, db: Database) -> None:
    data = {**fill(client, lang="en", applicant__email_consent=False), **NO_ADDRESS}

    response = client.post(FORM_URL, data=data)

    assert response.status_code == 422
    assert summary_links(response.text) == ["applicant.address.street"]
    assert "without your consent to e-mail, the decision is sent by post" in response.text
    assert stored(db) == []


def test_with_e_mail_consent_no_address_is_needed(client: TestClient, db: Database) -> None:
    data = {**fill(client, applicant__email_consent=True), **NO_ADDRESS}

    assert client.post(FORM_URL, data=data, follow_redirects=False).status_code == 303
    [application] = stored(db)
    assert application.form["applicant"]["address"] is None


def test_the_address_is_stored_as_typed_with_its_country(client: TestClient, db: Database) -> None:
    data = fill(
        client,
        lang="sv",
        applicant__email_consent=False,
        applicant__address={"street": "Gamla vägen 3", "postcode": "02700", "post_office": "GRANKULLA"},
    )
    data["applicant.address.country"] = "FI"

    assert client.post(FORM_URL, data=data, follow_redirects=False).status_code == 303
    [application] = stored(db)
    assert application.form["applicant"]["address"] == {
        "street": "Gamla vägen 3",
        "postcode": "02700",
        "post_office": "GRANKULLA",
        "country": "FI",
    }


@pytest.mark.parametrize(
    ("postcode", "country", "accepted"),
    [("0210", "FI", False), ("02100", "FI", True), ("SW1A 1AA", "GB", True), ("12345", "XX", False)],
)
def test_postcodes_and_countries_are_checked(
    client: TestClient, db: Database, postcode: str, country: str, accepted: bool
) -> None:
    data = fill(client, lang="en", applicant__email_consent=False)
    data.update({"applicant.address.postcode": postcode, "applicant.address.country": country})

    response = client.post(FORM_URL, data=data, follow_redirects=False)

    assert (response.status_code == 303) is accepted
    if not accepted:
        assert summary_links(response.text) in (["applicant.address.postcode"], ["applicant.address.country"])


def test_the_declaration_must_be_ticked_and_is_stored_with_the_application(client: TestClient, db: Database) -> None:
    data = fill(client, lang="en")
    del data["information_is_true"]  # an unticked box sends nothing

    refused = client.post(FORM_URL, data=data)

    assert refused.status_code == 422
    assert summary_links(refused.text) == ["information_is_true"]
    assert "Confirm that the information you gave is true and complete." in refused.text
    data["information_is_true"] = "yes"
    assert client.post(FORM_URL, data=data, follow_redirects=False).status_code == 303
    [application] = stored(db)
    assert application.form["information_is_true"] is True
    assert application.submitted_at is not None  # the declaration's time is the application's


def test_the_error_summary_lists_every_field_in_form_order_and_links_to_it(client: TestClient) -> None:
    data = fill(client, lang="en", applicant__phone="x", payment__iban="FI00", business__yel_insured="")

    response = client.post(FORM_URL, data=data)

    links = summary_links(response.text)
    assert links == ["applicant.phone", "business.yel_insured", "payment.iban"]
    for field in links:  # each link lands on an element with that id
        assert f'id="{field}"' in response.text
    assert "<title>Error:" in response.text


def test_messages_ask_for_amounts_as_the_form_takes_them(client: TestClient) -> None:
    response = client.post(FORM_URL, data=fill(client, lang="en", turnover__crisis_eur="12,5,5"))

    assert "Enter an amount in euros, for example 1 234,50." in response.text
    assert "decimal point" not in response.text
    assert "1234.50" not in response.text


def test_english_messages_are_our_own_sentences_never_a_library_s(client: TestClient) -> None:
    data = fill(client, lang="en", applicant__email="not-an-address", business__business_id="123", applicant__phone="x")

    response = client.post(FORM_URL, data=data)

    errors = re.findall(r'<p class="error" id="[^"]+">([^<]+)</p>', response.text)
    assert len(errors) == 3
    for message in errors:
        assert message[0].isupper() and message.endswith("."), message
    assert "Enter a valid business ID, for example 0112038-9." in errors


@pytest.mark.parametrize(
    ("lang", "heading", "text"),
    [
        ("fi", "Tietosuojaseloste", "Espoon kaupungin tietosuojavastaava"),
        ("sv", "Dataskyddsbeskrivning", "Esbo stads dataskyddsombud"),
        ("en", "Privacy notice", "data protection officer"),
    ],
)
def test_the_form_links_the_programme_s_privacy_notice_in_the_page_language(
    client: TestClient, lang: str, heading: str, text: str
) -> None:
    form = client.get(f"{FORM_URL}?lang={lang}")
    assert f'href="{FORM_URL}/privacy"' in form.text

    notice = client.get(f"{FORM_URL}/privacy")

    assert notice.status_code == 200
    assert heading in notice.text
    assert text in notice.text


def test_sending_the_form_again_from_the_same_browser_finds_the_first_application(
    client: TestClient, db: Database
) -> None:
    data = fill(client)
    first = client.post(FORM_URL, data=data, follow_redirects=False)
    again = client.post(FORM_URL, data=data, follow_redirects=False)  # Back, or a reload, then send

    assert first.headers["location"] == again.headers["location"]
    assert len(stored(db)) == 1


def test_a_changed_form_sent_again_is_refused_and_links_the_first(client: TestClient, db: Database) -> None:
    data = fill(client, lang="en")
    first = client.post(FORM_URL, data=data, follow_redirects=False)

    changed = client.post(FORM_URL, data={**data, "costs_description": "Something else."})  # Back, edit, send

    assert changed.status_code == 409
    assert "You already sent this application." in changed.text
    status_path = first.headers["location"].split("?")[0]
    assert f'href="{status_path}"' in changed.text
    assert "Something else." in changed.text  # what was typed stays
    assert len(stored(db)) == 1


def test_starting_a_new_application_is_a_deliberate_choice(
    client: TestClient, db: Database, settings: Settings
) -> None:
    client.post(FORM_URL, data=fill(client), follow_redirects=False)
    shown = client.get(f"{FORM_URL}?lang=en", follow_redirects=False)
    assert shown.status_code == 303 and "yours=1" in shown.headers["location"]  # theirs, not a new form
    # Someone else, on the same computer, signs in and starts a new one deliberately, for their own business.
    record_rights(db, "2326287-1", "010190-123M", ActingRight.OWNER)
    assert (
        sign_in(client, settings, personal_id="010190-123M", given_names="Ville", surname="Virtanen").status_code == 303
    )

    new_form = client.get(f"{FORM_URL}?new=1&lang=en")
    data = fill(client, business__business_id="2326287-1", business__name="Kahvila Korvapuusti")
    data["idempotency_key"] = idempotency_key_from(new_form.text)

    assert "You have already sent" not in new_form.text and "Ville Virtanen" in new_form.text
    assert client.post(FORM_URL, data=data, follow_redirects=False).status_code == 303
    assert len(stored(db)) == 2
