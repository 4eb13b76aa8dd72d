"""The task page, its identity-code button and the search, in headless Chromium, with an axe-core audit."""

import pytest
from playwright.sync_api import Page

from core.db import Database
from models.grants.programme import Programme
from tests.casework import file_application, open_task, store_assessment
from tests.web.test_browser import browser, page, serious_violations, site  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def sign_in(site: str, page: Page) -> None:  # noqa: F811
    page.goto(f"{site}/staff/login?lang=fi")
    page.fill("#email", "handler@e.example")
    page.fill("#password", "browser-test-password")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url(f"{site}/staff")


def test_task_page_identity_code_and_search(
    site: str,  # noqa: F811
    page: Page,  # noqa: F811
    sqlite_db: Database,
    programme: Programme,
) -> None:
    application_id = file_application(sqlite_db, programme, applicant__personal_id="010190-123M")
    store_assessment(sqlite_db, application_id, programme, home_municipality="Vanda", employees=0)
    task_id = open_task(sqlite_db, application_id)
    sign_in(site, page)

    page.goto(f"{site}/staff/tasks/{task_id}")
    assert "010190-****" in page.content()
    assert "Liikevaihto laski 78,1 %" in page.inner_text("table.assessment")
    assert serious_violations(page) == []

    page.get_by_role("button", name="Näytä henkilötunnus").click()
    page.locator("strong.personal-id").wait_for()
    assert page.inner_text("strong.personal-id") == "010190-123M"

    page.get_by_role("link", name="Haku").click()
    page.fill("#q", "010190-123m")
    page.get_by_role("button", name="Haku").click()
    page.get_by_text("Haettu henkilötunnuksella.").wait_for()
    assert "010190-123M" not in page.url and "010190" not in page.url
    assert page.get_by_role("link", name="ESP-2020-").count() == 1
    assert serious_violations(page) == []
