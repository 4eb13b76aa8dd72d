"""The user administration and account pages in headless Chromium: they work and pass an axe-core audit."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page

from core.db import Database
from models.grants.programme import Programme
from models.staff import LinkPurpose, Role
from models.types import utcnow
from runtime.seed import create_user, seed_reference_data
from tests.live_server import serve
from tests.support import make_settings
from tests.web.test_browser import browser, page, serious_violations  # noqa: F401 (fixtures)
from web.app import create_app
from web.services.password_links import issue_link

pytestmark = pytest.mark.browser
PASSWORD = "browser-admin-password"


@pytest.fixture
def site(sqlite_db: Database, programmes: dict[str, Programme]) -> Iterator[tuple[str, int, str]]:
    """The site, the handler's id, and a one-time link of the handler's."""
    with sqlite_db.session() as session:
        seed_reference_data(session)
        create_user(
            session, email="aino@e.example", full_name="Aino", organisation="E", roles=[Role.ADMIN], password=PASSWORD
        )
        handler = create_user(
            session,
            email="heikki@e.example",
            full_name="Heikki",
            organisation="E",
            roles=[Role.HANDLER],
            password=PASSWORD,
        )
        _link, token = issue_link(
            session,
            user_id=handler.id or 0,
            purpose=LinkPurpose.PASSWORD_RESET,
            now=utcnow(),
            valid_for=timedelta(days=1),
        )
        session.commit()
    app = create_app(make_settings(sqlite_db), db=sqlite_db, programmes=programmes, clock=utcnow, run_relay=False)
    with serve(app) as url:
        yield url, handler.id or 0, token


def test_an_admin_adds_a_user_and_the_pages_pass_the_audit(site: tuple[str, int, str], page: Page) -> None:  # noqa: F811
    url, handler_id, _token = site
    page.goto(f"{url}/staff/login?lang=fi")
    page.fill("#email", "aino@e.example")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url(f"{url}/staff")

    page.get_by_role("link", name="Käyttäjät").click()
    assert "heikki@e.example" in page.content()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Lisää käyttäjä").first.click()
    page.fill("#full_name", "Uusi Käyttäjä")
    page.fill("#email", "uusi@e.example")
    page.evaluate("document.querySelector('form.narrow').noValidate = true")
    page.get_by_role("button", name="Luo käyttäjätunnus ja lähetä kutsu").click()
    page.locator(".error-summary").wait_for()  # no role chosen
    assert page.input_value("#full_name") == "Uusi Käyttäjä"
    assert serious_violations(page) == []
    page.check('input[name="roles"][value="handler"]')
    page.get_by_role("button", name="Luo käyttäjätunnus ja lähetä kutsu").click()
    page.get_by_role("status").wait_for()
    assert "uusi@e.example" in page.content()
    assert serious_violations(page) == []

    page.goto(f"{url}/staff/users/{handler_id}")
    assert serious_violations(page) == []
    page.goto(f"{url}/staff/account")
    assert serious_violations(page) == []


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_set_password_pages_pass_the_audit(site: tuple[str, int, str], page: Page, lang: str) -> None:  # noqa: F811
    url, _handler_id, token = site
    page.goto(f"{url}/staff/set-password/{token}?lang={lang}")
    assert "heikki@e.example" in page.content()
    assert serious_violations(page) == []
    page.goto(f"{url}/staff/set-password/{token}x?lang={lang}")
    assert serious_violations(page) == []
