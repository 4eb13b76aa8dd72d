"""A real applicant's path in headless Chromium (Debian package), plus an axe-core audit of the pages."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from sqlmodel import select

from core.db import Database
from models.grants.applications import Application
from models.grants.programme import Programme
from models.mandates import ActingRight
from models.staff import Role
from runtime.idp_simulation import create_simulation_idp
from runtime.seed import create_user, seed_reference_data
from tests.identification import record_rights
from tests.live_server import serve
from tests.support import IN_2020_WINDOW, make_settings
from tests.temporal_server import free_port
from web.app import create_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def identification_beside(app: FastAPI) -> Iterator[str]:
    """Serves the app and the simulated identification service, each knowing the other's address (our
    requests name where the answer goes; the service's metadata names where requests go)."""
    web_port, idp_port = free_port(), free_port()
    settings = app.state.settings.model_copy(
        update={"public_base_url": f"http://127.0.0.1:{web_port}", "simulation_idp_url": f"http://127.0.0.1:{idp_port}"}
    )
    app.state.settings = settings
    with serve(create_simulation_idp(settings), port=idp_port), serve(app, port=web_port, lifespan="off") as url:
        yield url


@pytest.fixture
def site(sqlite_db: Database, programmes: dict[str, Programme]) -> Iterator[str]:
    with sqlite_db.session() as session:
        seed_reference_data(session)
        create_user(
            session,
            email="handler@e.example",
            full_name="Hanna",
            organisation="E",
            roles=[Role.HANDLER],
            password="browser-test-password",
        )
    # The applicant owns her sole trader's business: the form fills it in from the register.
    record_rights(sqlite_db, "0112038-9", "131052-308T", ActingRight.OWNER)
    app = create_app(
        make_settings(sqlite_db), db=sqlite_db, programmes=programmes, clock=lambda: IN_2020_WINDOW, run_relay=False
    )
    with identification_beside(app) as url:
        yield url


def identify(
    page: Page, *, personal_id: str = "131052-308T", given_names: str = "Maija", surname: str = "Meikäläinen"
) -> None:
    """On the page asking for identification: through the simulated service as the person, and back."""
    page.locator('a[href^="/sign-in"]').first.click()
    page.wait_for_selector("text=Identify yourself")  # the simulated service's chooser
    page.check('input[name="person"][value="other"]')
    page.fill('[name="personal_id"]', personal_id)
    page.fill('[name="given_names"]', given_names)
    page.fill('[name="surname"]', surname)
    page.get_by_role("button", name="Identify").click()
    page.wait_for_selector('[name="applicant.email"]')  # back on the form, signed in


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="fi-FI")
    yield context.new_page()
    context.close()


def fill_application(page: Page) -> None:
    """The form as a signed-in applicant fills it (the name and code come from the identification)."""
    text: dict[str, str] = {
        "applicant.email": "maija@example.com",
        "applicant.phone": "040 123 4567",
        "business.name": "Toiminimi Virtanen",
        "business.business_id": "0112038-9",
        "business.home_municipality": "Espoo",
        "business.industry_code": "74100",
        "business.started_on": "2015-03-01",
        "business.annual_income_eur": "36000",
        "turnover.reference_start": "2020-01-01",
        "turnover.reference_end": "2020-02-29",
        "turnover.reference_eur": "12000",
        "turnover.crisis_start": "2020-03-16",
        "turnover.crisis_end": "2020-05-31",
        "turnover.crisis_eur": "3300",
        "payment.iban": "FI21 1234 5600 0007 85",
        "costs_description": "Työtilan vuokra ja kirjanpito.",
    }
    for name, value in text.items():
        page.fill(f'[name="{name}"]', value)
    page.select_option('[name="business.company_form"]', "tmi")
    page.check('[name="applicant.email_consent"]')
    page.check('[name="business.yel_insured"][value="yes"]')
    page.check('[name="business.profitable_2019"][value="yes"]')
    page.check('[name="information_is_true"]')


def serious_violations(page: Page) -> list[dict[str, Any]]:
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_entrepreneur_applies_in_finnish_and_gets_a_receipt(site: str, page: Page) -> None:
    page.goto(f"{site}/?lang=fi")
    page.get_by_role("link", name="Hae nyt").click()
    identify(page)
    assert "131052-308T" in page.inner_text("main") and "Maija Meikäläinen" in page.inner_text("main")  # read-only
    assert page.input_value('[name="business.name"]') == "Toiminimi Virtanen"  # from the trade register
    assert page.input_value('[name="business.started_on"]') == "2015-03-01"
    fill_application(page)
    page.get_by_role("button", name="Lähetä hakemus").click()

    receipt = page.get_by_role("status")
    receipt.wait_for()
    assert "Kiitos" in receipt.inner_text()
    assert "ESP-2020-000001" in receipt.inner_text()
    assert "/status/" in page.url
    page.goto(f"{site}/my-applications?lang=fi")  # found again by signing in, without the private link
    page.get_by_role("link", name="ESP-2020-000001").click()
    assert "/status/" in page.url


def test_back_and_send_again_does_not_make_a_second_application(site: str, page: Page, sqlite_db: Database) -> None:
    page.goto(f"{site}/apply/sole-entrepreneur-2020?lang=fi")
    identify(page)
    fill_application(page)
    page.get_by_role("button", name="Lähetä hakemus").click()
    page.get_by_role("status").wait_for()
    first_status = page.url

    page.go_back()  # the browser shows the form it kept, or asks again: the signed-in person has one already
    page.wait_for_load_state()
    if page.get_by_role("button", name="Lähetä hakemus").count():
        if not page.input_value('[name="applicant.email"]'):
            fill_application(page)  # (whether typed values come back is the browser's choice; the key is ours)
        page.get_by_role("button", name="Lähetä hakemus").click()
        page.get_by_role("status").wait_for()
        assert page.url == first_status
    else:
        assert page.url.split("?")[0] == first_status.split("?")[0]  # shown their application, not a form

    with sqlite_db.session() as session:
        assert len(session.exec(select(Application)).all()) == 1


def test_a_mistake_is_shown_next_to_the_field_and_the_rest_is_kept(site: str, page: Page) -> None:
    page.goto(f"{site}/apply/sole-entrepreneur-2020?lang=fi")
    identify(page)
    fill_application(page)
    page.fill('[name="applicant.phone"]', "abc")
    page.get_by_role("button", name="Lähetä hakemus").click()

    error = page.locator('[id="applicant.phone-error"]')
    error.wait_for()
    assert error.inner_text()
    assert page.input_value('[name="business.name"]') == "Toiminimi Virtanen"
    assert page.input_value('[name="applicant.phone"]') == "abc"


@pytest.mark.parametrize("path", ["/", "/apply/sole-entrepreneur-2020", "/staff/login"])
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_public_pages_have_no_serious_accessibility_violations(site: str, page: Page, path: str, lang: str) -> None:
    page.goto(f"{site}{path}?lang={lang}")
    assert serious_violations(page) == []


def test_form_with_errors_and_receipt_have_no_serious_accessibility_violations(site: str, page: Page) -> None:
    page.goto(f"{site}/apply/sole-entrepreneur-2020?lang=fi")
    assert serious_violations(page) == []  # the page asking for identification
    identify(page)
    assert serious_violations(page) == []  # the form with the identified person
    page.get_by_role("button", name="Lähetä hakemus").click()
    page.locator(".error-summary").wait_for()
    assert serious_violations(page) == []

    fill_application(page)
    page.get_by_role("button", name="Lähetä hakemus").click()
    page.get_by_role("status").wait_for()
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/staff", "/staff/queue"])
def test_staff_pages_have_no_serious_accessibility_violations(site: str, page: Page, path: str) -> None:
    page.goto(f"{site}/staff/login?lang=fi")
    page.fill("#email", "handler@e.example")
    page.fill("#password", "browser-test-password")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url(f"{site}/staff")
    page.goto(f"{site}{path}")
    assert serious_violations(page) == []


def test_the_api_documentation_works_without_internet(
    browser: Browser, sqlite_db: Database, programmes: dict[str, Programme]
) -> None:
    app = create_app(make_settings(sqlite_db, environment="dev"), db=sqlite_db, programmes=programmes, run_relay=False)
    with serve(app) as url:
        context = browser.new_context()
        page = context.new_page()
        fetched: list[str] = []
        # Requests that got an answer (one the page's CSP blocks never leaves the browser).
        page.on("requestfinished", lambda request: fetched.append(request.url))

        page.goto(f"{url}/docs")
        page.wait_for_selector(".opblock", timeout=15_000)  # Swagger UI drew the operations
        page.goto(f"{url}/redoc")
        page.locator("h2", has_text="Create Application").wait_for(timeout=15_000)  # ReDoc drew it
        context.close()

    # Nothing from elsewhere (blob: is the page's own worker).
    assert fetched and [a for a in fetched if not a.startswith((url, "blob:"))] == []
