"""The front door for service requests in headless Chromium: a signed-in customer asks for help in Finnish on a
phone and finds the request again under My applications; axe-core audits the form, its errors, the status page
and the staff pages."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from sqlmodel import select

from core.db import Database
from models.grants.programme import Programme
from models.service_requests.links import request_token
from models.service_requests.requests import RouteVia, ServiceRequest, ServiceRoute
from models.staff import Role
from runtime.seed import create_user, seed_reference_data
from tests.service_desk import a_request
from tests.support import IN_2020_WINDOW, TEST_SECRET, make_settings
from tests.web.test_browser import browser, identification_beside, page, serious_violations  # noqa: F401  (fixtures)
from web.app import create_app
from web.services.service_requests.intake import submit_service_request

pytestmark = pytest.mark.browser


@pytest.fixture
def site(sqlite_db: Database, programmes: dict[str, Programme]) -> Iterator[str]:
    with sqlite_db.session() as session:
        seed_reference_data(session)
        create_user(
            session,
            email="handler@ye.example",
            full_name="Yrjö",
            organisation="YE",
            roles=[Role.HANDLER],
            password="browser-test-password",
        )
    app = create_app(
        make_settings(sqlite_db), db=sqlite_db, programmes=programmes, clock=lambda: IN_2020_WINDOW, run_relay=False
    )
    with identification_beside(app) as url:
        yield url


def a_routed_request(db: Database) -> int:
    """A request already routed to EnterpriseEspoo (the workflow's part, written here directly)."""
    with db.session() as session:
        receipt = submit_service_request(
            session, form=a_request(), received_at=IN_2020_WINDOW, secret=TEST_SECRET, channel="api"
        )
        request = session.get(ServiceRequest, receipt.request_id)
        assert request is not None
        request.status, request.organisation_code = "new", "YE"
        session.add(request)
        session.add(
            ServiceRoute(request_id=receipt.request_id, position=1, organisation_code="YE", via=RouteVia.ROUTING)
        )
        session.commit()
        return receipt.request_id


def test_a_signed_in_customer_asks_for_help_in_finnish(site: str, page: Page, sqlite_db: Database) -> None:  # noqa: F811
    page.goto(f"{site}/?lang=fi")
    page.get_by_role("link", name="Pyydä apua").click()
    page.locator('a[href^="/sign-in"]').first.click()
    page.wait_for_selector("text=Identify yourself")  # the simulated identification service
    page.check('input[name="person"][value="other"]')
    page.fill('[name="personal_id"]', "131052-308T")
    page.fill('[name="given_names"]', "Maija")
    page.fill('[name="surname"]', "Meikäläinen")
    page.get_by_role("button", name="Identify").click()
    page.wait_for_selector('[name="email"]')
    assert "Maija Meikäläinen" in page.inner_text("main")  # the identified name, not a field to type

    page.select_option("#package", "grow")
    page.select_option("#stage", "ongoing")
    page.select_option("#customer_group", "micro")
    page.fill("#description", "Haluamme laajentaa kahvilaa toiseen toimipisteeseen ja tarvitsemme rahoitusneuvontaa.")
    page.fill("#email", "maija@example.fi")
    page.get_by_role("button", name="Lähetä palvelupyyntö").click()

    receipt = page.get_by_role("status")
    receipt.wait_for()
    assert "Kiitos" in receipt.inner_text() and "SR-2020-000001" in receipt.inner_text()
    assert serious_violations(page) == []
    with sqlite_db.session() as session:
        request = session.exec(select(ServiceRequest)).one()
    assert request.confirmed_at is not None and request.name == "Maija Meikäläinen"  # confirmed by the sign-in
    page.goto(f"{site}/my-applications?lang=fi")
    page.get_by_role("link", name="SR-2020-000001").click()
    assert "/help/requests/" in page.url


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_help_form_and_its_errors_have_no_serious_accessibility_violations(
    site: str,
    page: Page,  # noqa: F811
    lang: str,
) -> None:
    page.goto(f"{site}/help?lang={lang}")
    assert serious_violations(page) == []
    page.locator("form[action='/help'] button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    assert serious_violations(page) == []


def test_the_status_page_and_the_staff_pages_have_no_serious_accessibility_violations(
    site: str,
    page: Page,  # noqa: F811
    sqlite_db: Database,
) -> None:
    request_id = a_routed_request(sqlite_db)
    page.goto(f"{site}/help/requests/{request_token(request_id, TEST_SECRET)}?lang=fi")
    assert "SR-2020-000001" in page.inner_text("main")
    assert serious_violations(page) == []
    page.goto(f"{site}/staff/login?lang=fi")
    page.fill("#email", "handler@ye.example")
    page.fill("#password", "browser-test-password")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url(f"{site}/staff")
    for path in ("/staff/service-requests", f"/staff/service-requests/{request_id}"):
        page.goto(f"{site}{path}")
        assert "SR-2020-000001" in page.inner_text("main")
        assert serious_violations(page) == []
