"""The task page shows everything the decision rests on, in words, and the identity code only on request."""

import html
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from core.db import Database
from core.settings import Settings
from models.audit import AuditEvent
from models.grants.applications import Application
from models.grants.programme import Programme
from models.grants.status_links import status_token
from tests.casework import PASSWORD, PEOPLE, file_application, open_task, seed_people, store_assessment
from tests.support import IN_2020_WINDOW, TEST_SECRET
from tests.web_helpers import csrf_from, sign_in
from web.app import create_app

ADDRESS = {"street": "Mannerheimintie 1 A 2", "postcode": "00100", "post_office": "HELSINKI", "country": "FI"}


@pytest.fixture
def staff(db: Database, settings: Settings, programmes: dict[str, Programme]) -> Iterator[TestClient]:
    seed_people(db)
    app = create_app(settings, db=db, programmes=programmes, clock=lambda: IN_2020_WINDOW, run_relay=False)
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        yield client


def as_(client: TestClient, who: str) -> None:
    client.cookies.clear()
    assert sign_in(client, PEOPLE[who][0], PASSWORD).status_code == 303


def page(client: TestClient, task_id: int, lang: str = "en") -> str:
    response = client.get(f"/staff/tasks/{task_id}?lang={lang}")
    assert response.status_code == 200
    return response.text


def looks(db: Database) -> list[AuditEvent]:
    with db.session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "personal_id_shown")).all())


def test_the_assessment_in_words_with_the_rule_code_as_a_label(staff: TestClient, db: Database, programme) -> None:
    application_id = file_application(db, programme)
    store_assessment(db, application_id, programme)
    task_id = open_task(db, application_id)
    as_(staff, "handler")

    text = page(staff, task_id)
    # 6 000 € a month in Jan–Feb 2020 against 1 311.54 € in 16.3.–31.5.2020: a fall of 78.14 %.
    assert "Turnover fell 78.1 %; a fall of more than 30 % is required" in text
    assert '<code class="rule-code">TURNOVER_DROP</code>' in text
    assert "Insured under YEL: yes" in text
    assert "Business income a year: €36,000.00" in text
    assert "Received 2 May 2020, 10:00; the application period closed 30 Sept 2020, 23:59" in text
    assert "Home municipality: Espoo (049); the programme is for Espoo (049)" in text
    for raw in ("yel_insured", "True", "2020-09-30", "0.7814", "turnover_drop", "threshold_eur"):
        assert raw not in text, raw

    finnish = page(staff, task_id, "fi")
    assert "Liikevaihto laski 78,1 %; vaaditaan yli 30 %:n laskua" in finnish
    assert "YEL-vakuutettu: kyllä" in finnish
    assert "2.5.2020" in finnish


def test_a_failed_rule_says_what_was_required(staff: TestClient, db: Database, programme) -> None:
    application_id = file_application(db, programme, turnover__crisis_eur="12000.00")
    store_assessment(db, application_id, programme)
    as_(staff, "handler")
    text = page(staff, open_task(db, application_id))
    assert "Turnover fell 20.5 %; a fall of more than 30 % is required" in text
    assert '<tr class="fail">' in text


def test_a_swedish_municipality_name_is_no_disagreement(staff: TestClient, db: Database, programme) -> None:
    agreeing = file_application(db, programme, business__home_municipality="Espoo")
    store_assessment(db, agreeing, programme, home_municipality="ESBO", employees=0)
    differing = file_application(db, programme, business__home_municipality="Espoo")
    store_assessment(db, differing, programme, home_municipality="Vanda", employees=2)
    as_(staff, "handler")

    text = page(staff, open_task(db, agreeing))
    assert "Register and applicant disagree" not in text

    text = page(staff, open_task(db, differing))
    assert "Register and applicant disagree" in text
    assert "<strong>Home municipality</strong>: declared <mark>Espoo (049)</mark>, register <mark>Vanda (092)" in text
    assert "<strong>Employees</strong>: declared <mark>0</mark>, register <mark>2</mark>" in text


def test_an_older_assessment_that_noted_esbo_against_espoo_shows_no_disagreement(
    staff: TestClient, db: Database, programme
) -> None:
    from models.grants.applications import AssessmentRecord

    application_id = file_application(db, programme)
    store_assessment(db, application_id, programme)
    with db.session() as session:
        record = session.exec(select(AssessmentRecord)).one()
        old = {"field": "business.home_municipality", "declared": "Espoo", "registry": "Esbo"}
        record.result = {**record.result, "discrepancies": [old]}
        session.add(record)
        session.commit()
    as_(staff, "handler")
    assert "Register and applicant disagree" not in page(staff, open_task(db, application_id))


def test_language_channel_and_postal_address(staff: TestClient, db: Database, programme) -> None:
    by_email = file_application(
        db, programme, applicant__language="sv", applicant__email_consent=True, stored={"address": None}
    )
    by_post = file_application(
        db, programme, applicant__email_consent=False, applicant__email="posti@example.com", stored={"address": ADDRESS}
    )
    # Before the form asked for an address.
    older = file_application(db, programme, applicant__email_consent=False, stored={"address": None})
    as_(staff, "handler")

    text = page(staff, open_task(db, by_email))
    assert "<dt>Language</dt><dd>Swedish</dd>" in text
    assert "by e-mail to maija@example.com (the applicant consented)" in text
    assert "Postal address" not in text

    text = page(staff, open_task(db, by_post))
    assert "<dt>Language</dt><dd>Finnish</dd>" in text
    assert "by post (no consent to e-mail)" in text
    assert "Mannerheimintie 1 A 2<br>00100 HELSINKI<br>Finland" in text
    assert "Mannerheimintie 1 A 2<br>00100 HELSINKI<br>Suomi" in page(staff, open_task(db, by_post), "fi")

    assert "No postal address on the application." in page(staff, open_task(db, older))


def test_the_full_account_with_its_bank_and_bic(staff: TestClient, db: Database, programme) -> None:
    known = file_application(db, programme, payment__iban="FI2112345600000785")
    unknown = file_application(db, programme, payment__iban="FI5799999999999999")
    as_(staff, "handler")

    text = page(staff, open_task(db, known))
    assert '<span class="iban">FI21 1234 5600 0007 85</span>' in text
    assert "NORDEA BANK FINLAND PLC · BIC NDEAFIHH" in text

    text = page(staff, open_task(db, unknown))
    assert '<span class="iban">FI57 9999 9999 9999 99</span>' in text
    assert "The bank of this account is not known" in text


def test_the_identity_code_is_masked_until_shown_and_each_look_is_audited(
    staff: TestClient, db: Database, programme
) -> None:
    application_id = file_application(db, programme, applicant__personal_id="010190-123M")
    task_id = open_task(db, application_id)
    as_(staff, "handler")

    text = page(staff, task_id)
    assert "010190-****" in text
    assert "010190-123M" not in text
    assert looks(db) == []

    shown = staff.post(f"/staff/tasks/{task_id}/personal-id?lang=en", data={"csrf_token": csrf_from(text)})
    assert shown.status_code == 200
    assert "010190-123M" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    [look] = looks(db)
    assert (look.actor_id, look.organisation_code, look.application_id) == (
        seed_ids(db)["handler"],
        "E",
        application_id,
    )
    assert look.at is not None
    assert "010190-123M" not in str(look.detail)
    assert "010190-123M" not in page(staff, task_id)  # shown for that one answer, not from then on

    application_page = staff.get(f"/staff/applications/{application_id}")
    shown = staff.post(
        f"/staff/applications/{application_id}/personal-id", data={"csrf_token": csrf_from(application_page.text)}
    )
    assert shown.status_code == 200 and "010190-123M" in shown.text
    assert len(looks(db)) == 2


def test_showing_the_code_needs_the_csrf_token(staff: TestClient, db: Database, programme) -> None:
    task_id = open_task(db, file_application(db, programme))
    as_(staff, "handler")
    assert staff.post(f"/staff/tasks/{task_id}/personal-id", data={}).status_code == 403
    assert looks(db) == []


def test_another_organisations_staff_cannot_see_the_code(staff: TestClient, db: Database, programme) -> None:
    application_id = file_application(db, programme, applicant__personal_id="010190-123M")
    task_id = open_task(db, application_id)
    as_(staff, "te_handler")
    token = csrf_from(staff.get("/staff/login").text)
    for url in (f"/staff/tasks/{task_id}/personal-id", f"/staff/applications/{application_id}/personal-id"):
        response = staff.post(url, data={"csrf_token": token})
        assert response.status_code == 404, url
        assert "010190-123M" not in response.text
    assert looks(db) == []

    as_(staff, "finance")  # the processing organisation, but a role that does not read case files
    response = staff.post(f"/staff/tasks/{task_id}/personal-id", data={"csrf_token": token})
    assert response.status_code == 403
    assert looks(db) == []


def seed_ids(db: Database) -> dict[str, int]:
    from models.staff import User

    with db.session() as session:
        return {
            key: next(u.id for u in session.exec(select(User)).all() if u.email == email) or 0
            for key, (email, _org, _roles) in PEOPLE.items()
        }


def test_proceedings_in_the_register_and_a_register_that_could_not_be_asked_are_said(
    staff: TestClient, db: Database, programme
) -> None:
    application_id = file_application(db, programme)
    with db.session() as session:  # as intake stores an identified applicant acting on a mandate
        row = session.get(Application, application_id)
        assert row is not None
        row.identified_assurance, row.identified_at, row.acting_right = "substantial", IN_2020_WINDOW, "mandate"
        session.add(row)
        session.commit()
    store_assessment(db, application_id, programme, situations=["bankruptcy"], employer_register=True)
    task_id = open_task(db, application_id, note="register_check_failed")
    as_(staff, "handler")

    text = page(staff, task_id)
    assert (
        "strongly, level of assurance substantial, on 2 May 2020, 10:00; applies with the company&#39;s mandate" in text
    )
    assert "(0112038-9, Sole trader)" in text
    assert "The trade register records: bankruptcy" in text
    assert "<strong>In the employer register</strong>: declared <mark>no</mark>, register <mark>yes</mark>" in text
    assert "The trade register could not be reached: the assessment used the applicant&#39;s declarations" in text
    queue = staff.get("/staff/queue?lang=en").text
    assert "check the register by hand" in queue


def test_the_applicant_reads_where_the_registers_facts_replaced_their_answers(
    staff: TestClient, db: Database, programme
) -> None:
    application_id = file_application(db, programme)
    store_assessment(db, application_id, programme, situations=["bankruptcy"], home_municipality="Vantaa")

    text = html.unescape(staff.get(f"/status/{status_token(application_id, TEST_SECRET)}?lang=en").text)

    assert "The check used the trade register's facts where they differ from your answers:" in text
    assert "Home municipality: you declared Espoo (049), the register says Vantaa (092)" in text
    assert "The trade register records: bankruptcy" in text
