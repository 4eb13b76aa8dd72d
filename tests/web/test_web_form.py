"""The public application form: languages, validation next to the field, receipt, escaping."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from core.db import Database
from core.settings import Settings
from models.grants.applications import Application
from models.mandates import ActingRight
from tests.factories import application
from tests.identification import record_rights, sign_in
from tests.web_helpers import csrf_from, flatten, idempotency_key_from

FORM_URL = "/apply/sole-entrepreneur-2020"


@pytest.fixture(autouse=True)
def signed_in(client: TestClient, settings: Settings, db: Database) -> None:
    """The programme requires identification: the applicant signs in first, as the factory's person, who
    owns the factory's business (and may act for it whatever its form, for tests about other forms)."""
    person = application()["applicant"]
    business_id = application()["business"]["business_id"]
    record_rights(db, business_id, person["personal_id"], ActingRight.OWNER, ActingRight.REPRESENTATIVE)
    given, _, surname = str(person["name"]).partition(" ")
    signed = sign_in(client, settings, personal_id=person["personal_id"], given_names=given, surname=surname)
    assert signed.status_code == 303, signed.text


def fill(client: TestClient, lang: str = "fi", **changes: object) -> dict[str, str]:
    """The form as the signed-in applicant fills it in (the name and code come from the sign-in)."""
    page = client.get(f"{FORM_URL}?lang={lang}")
    assert page.status_code == 200
    data = flatten(application(**changes))
    del data["applicant.name"], data["applicant.personal_id"]
    return {**data, "csrf_token": csrf_from(page.text), "idempotency_key": idempotency_key_from(page.text)}


def test_front_page_links_to_the_open_programme(client: TestClient) -> None:
    page = client.get("/?lang=en")
    assert page.status_code == 200
    assert 'href="/apply/sole-entrepreneur-2020"' in page.text
    assert "Operating grant for sole entrepreneurs 2020" in page.text


@pytest.mark.parametrize(
    ("lang", "title", "button"),
    [
        ("fi", "Yksinyrittäjien toimintatuki 2020", "Lähetä hakemus"),
        ("sv", "Verksamhetsstöd för ensamföretagare 2020", "Skicka ansökan"),
        ("en", "Operating grant for sole entrepreneurs 2020", "Send application"),
    ],
)
def test_form_speaks_the_chosen_language(client: TestClient, lang: str, title: str, button: str) -> None:
    page = client.get(f"{FORM_URL}?lang={lang}")
    assert f'<html lang="{lang}">' in page.text
    assert title in page.text
    assert button in page.text
    # The choice is remembered for the next page.
    assert client.cookies.get("lang") == lang
    assert f'<html lang="{lang}">' in client.get("/").text


def test_browser_language_is_used_without_a_choice(client: TestClient) -> None:
    page = client.get(FORM_URL, headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"})
    assert '<html lang="sv">' in page.text


def test_valid_form_gives_a_receipt(client: TestClient, db: Database) -> None:
    response = client.post(FORM_URL, data=fill(client), follow_redirects=False)

    assert response.status_code == 303
    receipt = client.get(response.headers["location"])
    with db.session() as session:
        stored = session.exec(select(Application)).one()
    assert stored.reference in receipt.text
    assert "Kiitos" in receipt.text  # Finnish receipt
    assert "/status/" in receipt.text


def test_errors_are_shown_next_to_the_field_and_values_are_kept(client: TestClient, db: Database) -> None:
    data = fill(client, applicant__phone="abc", turnover__crisis_eur="12,5,5")
    response = client.post(FORM_URL, data=data)

    assert response.status_code == 422
    html = response.text
    assert 'id="applicant.phone-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="turnover.crisis_eur-error"' in html
    assert 'value="abc"' in html  # what the user typed stays
    assert 'value="maija@example.com"' in html
    assert "Maija Meikäläinen" in html and "131052-308T" in html  # the identified person, shown
    assert "Traceback" not in html
    with db.session() as session:
        assert session.exec(select(Application)).first() is None


def test_missing_csrf_token_is_refused(client: TestClient, db: Database) -> None:
    data = fill(client)
    del data["csrf_token"]
    assert client.post(FORM_URL, data=data).status_code == 403
    data["csrf_token"] = "forged"
    assert client.post(FORM_URL, data=data).status_code == 403
    with db.session() as session:
        assert session.exec(select(Application)).first() is None


def test_double_submit_of_the_same_form_gives_one_application(client: TestClient, db: Database) -> None:
    data = fill(client)
    first = client.post(FORM_URL, data=data, follow_redirects=False)
    second = client.post(FORM_URL, data=data, follow_redirects=False)

    assert first.headers["location"] == second.headers["location"]
    with db.session() as session:
        assert len(session.exec(select(Application)).all()) == 1


def test_amounts_may_be_written_the_finnish_way(client: TestClient, db: Database) -> None:
    data = fill(client, turnover__reference_eur="12 000,00", turnover__crisis_eur="3\u00a0300,5")
    assert client.post(FORM_URL, data=data, follow_redirects=False).status_code == 303
    with db.session() as session:
        stored = session.exec(select(Application)).one()
    assert stored.form["turnover"]["reference_eur"] == "12000.00"
    assert stored.form["turnover"]["crisis_eur"] == "3300.50"


def test_light_entrepreneur_leaves_the_business_id_empty(client: TestClient, db: Database) -> None:
    data = fill(client, business__company_form="light", business__business_id=None)
    assert client.post(FORM_URL, data=data, follow_redirects=False).status_code == 303


def test_html_in_names_is_shown_as_text(client: TestClient) -> None:
    data = fill(client, business__name='<script>alert("x")</script>')
    receipt = client.get(client.post(FORM_URL, data=data, follow_redirects=False).headers["location"])
    assert "<script>alert" not in receipt.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in receipt.text


def test_unexpected_error_shows_a_plain_page(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr("web.routes.public.submit_application", explode)
    with TestClient(client.app, raise_server_exceptions=False) as plain:
        person = application()["applicant"]["personal_id"]
        sign_in(plain, client.app.state.settings, personal_id=person)  # type: ignore[attr-defined]
        response = plain.post(FORM_URL, data=fill(plain))
    assert response.status_code == 500
    assert "database on fire" not in response.text
    assert "Traceback" not in response.text


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/apply/nope?lang=en")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in headers["content-security-policy"]


def test_an_action_while_temporal_is_down_is_refused_with_a_reason_not_a_crash(client: TestClient) -> None:
    # The test app's Temporal address has nobody listening: the first connect itself fails.
    receipt = client.post("/api/v1/programmes/sole-entrepreneur-2020/applications", json=application())
    status_url = receipt.json()["status_url"].replace("http://testserver", "")
    headers = {"Accept-Language": "en"}
    # The status page offers no withdrawal before the first check has run; any form page carries the CSRF token.
    token = csrf_from(client.get("/lost-link").text)

    response = client.post(f"{status_url}/withdraw", data={"csrf_token": token, "confirm": "yes"}, headers=headers)

    assert response.status_code == 409
    assert "The case service is not reachable just now; please try again shortly." in response.text


def test_a_control_character_comes_back_at_its_field(client: TestClient, db: Database) -> None:
    data = fill(client, lang="en", business__name="Toiminimi\x0bVirtanen")
    response = client.post(FORM_URL, data=data, headers={"Accept-Language": "en"})

    assert response.status_code == 422
    assert 'id="business.name-error"' in response.text
    assert "Remove the invisible control characters from this field." in response.text
    assert 'value="maija@example.com"' in response.text  # the rest of what was typed stays
    with db.session() as session:
        assert session.exec(select(Application)).first() is None


def test_a_control_character_in_any_other_form_is_a_422_naming_the_field(client: TestClient, db: Database) -> None:
    status_url = (
        client.post("/api/v1/programmes/sole-entrepreneur-2020/applications", json=application())
        .json()["status_url"]
        .replace("http://testserver", "")
    )
    token = csrf_from(client.get("/lost-link").text)  # any form page of the session carries its token
    response = client.post(
        f"{status_url}/withdraw",
        data={"csrf_token": token, "confirm": "yes", "reason": "a\x00b"},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert "<code>reason</code>" in response.text
    assert "Remove the invisible control characters from this field." in response.text


@pytest.mark.parametrize("answer", ["maybe", "", "kyllä"])
def test_a_yes_no_question_takes_only_yes_or_no(client: TestClient, db: Database, answer: str) -> None:
    data = fill(client, lang="en")
    data["business.yel_insured"] = answer
    response = client.post(FORM_URL, data=data)

    assert response.status_code == 422
    assert 'id="business.yel_insured-error"' in response.text
    with db.session() as session:
        assert session.exec(select(Application)).first() is None


def test_no_page_is_kept_in_a_cache_but_static_files(client: TestClient) -> None:
    assert client.get(FORM_URL).headers["cache-control"] == "no-store"
    assert client.get("/").headers["cache-control"] == "no-store"
    stylesheet = client.get("/static/style.css")
    assert stylesheet.status_code == 200
    assert "no-store" not in stylesheet.headers.get("cache-control", "")
