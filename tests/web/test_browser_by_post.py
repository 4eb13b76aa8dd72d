"""A Swedish-speaking applicant without e-mail consent, in headless Chromium, through the whole system:
the form, the handler's and the decider's pages, the post room's print batch. The letter that goes out
is wholly in Swedish and carries the address block the envelope's window shows."""

import io
import re
from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from pypdf import PdfReader

from core.settings import PROJECT_ROOT
from models.grants.programme import Programme
from models.mandates import ActingRight
from tests.desk import PASSWORD, Desk, wait_until
from tests.identification import record_rights
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, fill_application, identification_beside, identify

pytestmark = pytest.mark.browser

LETTER_TEMPLATE = PROJECT_ROOT / "templates" / "documents" / "decision_letter.html"
FINNISH = PROJECT_ROOT / "web" / "locales" / "fi" / "LC_MESSAGES" / "messages.po"


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(desk: Desk) -> Iterator[str]:
    # The desk's app (its relay and worker already running) served over HTTP for the browser, with the
    # simulated identification service beside it. The applicant owns the business she applies for.
    record_rights(desk.db, "0112038-9", "131052-308T", ActingRight.OWNER)
    with identification_beside(desk.client.app) as url:  # type: ignore[arg-type]
        yield url


def signed_in(browser: Browser, site: str, email: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{site}/staff/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/staff(/.*)?$"))
    return context, page


def take_next(page: Page, site: str, button: str) -> None:
    page.goto(f"{site}/staff/queue?lang=en")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(re.compile(r".*/staff/tasks/\d+"))


def finnish_sentences(programme: Programme) -> list[str]:
    """Every Finnish text the letter could contain: its template's catalogue entries and the programme's texts."""
    with FINNISH.open("rb") as handle:
        catalogue = read_po(handle)
    used = set(re.findall(r'_\("([^"]+)"', LETTER_TEMPLATE.read_text(encoding="utf-8")))
    texts = [str(catalogue[msgid].string) for msgid in used if catalogue.get(msgid) and catalogue[msgid].string]
    texts += [programme.title["fi"], programme.grantor["fi"], programme.legal_basis.text["fi"]]
    texts += [text["fi"] for text in programme.justifications.values()]
    # The longest piece between placeholders stands for each text.
    return [max(re.split(r"%\(\w+\)s", text), key=len).strip() for text in texts]


def plain(text: str) -> str:
    return " ".join(text.split())


def test_a_swedish_applicant_without_e_mail_consent_gets_a_wholly_swedish_letter_by_post(
    desk: Desk, site: str, browser: Browser
) -> None:
    programme = desk.client.app.state.programmes["sole-entrepreneur-2020"]  # type: ignore[attr-defined]

    # The entrepreneur, on a phone, in Swedish; the decision is to come by post.
    applicant = browser.new_context(locale="sv-FI", viewport={"width": 390, "height": 844})
    form = applicant.new_page()
    form.goto(f"{site}/apply/sole-entrepreneur-2020?lang=sv")
    identify(form)
    fill_application(form)
    form.fill('[name="turnover.crisis_eur"]', "11000")  # a fall too small: the letter gives its reason
    form.select_option('[name="applicant.language"]', "sv")
    form.uncheck('[name="applicant.email_consent"]')
    form.fill('[name="applicant.address.street"]', "Gamla vägen 3 B 12")
    form.fill('[name="applicant.address.postcode"]', "02700")
    form.fill('[name="applicant.address.post_office"]', "Grankulla")
    form.get_by_role("button", name="Skicka ansökan").click()
    form.get_by_role("status").wait_for()
    status_url = form.url.split("?")[0]

    # The handler proposes the rejection with the standard Swedish justification, as pre-filled.
    wait_until(lambda: [t for t in desk.tasks() if t.kind == "handle"])
    _, handler = signed_in(browser, site, desk.emails["handler"])
    take_next(handler, site, "Take the next application")
    assert "The decision letter is written in Swedish" in handler.content()
    handler.check('[name="outcome"][value="reject"]')
    handler.get_by_role("button", name="Send to a decider").click()
    handler.wait_for_url(re.compile(r".*/staff/(queue|tasks/\d+).*"))

    # Another person decides.
    wait_until(lambda: [t for t in desk.tasks() if t.kind == "decide"])
    _, decider = signed_in(browser, site, desk.emails["decider"])
    take_next(decider, site, "Take the next decision")
    decider.check('[name="verdict"][value="accept"]')
    decider.get_by_role("button", name="Confirm").click()

    # The post room prints today's batch.
    _, coordinator = signed_in(browser, site, desk.emails["coordinator"])

    def waiting_for_post() -> bool:
        coordinator.goto(f"{site}/staff/coordination?lang=en")
        return "Decisions waiting to be printed: 1." in coordinator.content()

    wait_until(waiting_for_post, seconds=30)
    coordinator.get_by_role("button", name="Print the waiting letters").click()

    def batch_link() -> str | None:
        coordinator.goto(f"{site}/staff/coordination?lang=en")
        found = re.search(r'href="(/staff/documents/\d+)"', coordinator.content())
        return found.group(1) if found else None

    batch = coordinator.request.get(f"{site}{wait_until(batch_link, seconds=30)}")
    batch_text = plain(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(batch.body())).pages))
    # The letters left today (the day the form offers): the post room says so, and the letters are dated.
    assert coordinator.get_by_label("The letters left on").input_value() == "2020-05-02"
    coordinator.get_by_role("button", name="Confirm the posting").click()
    coordinator.get_by_text("The posting day was recorded").wait_for()

    # The applicant's own copy, from the status page, once the letters are dated.
    def letter_on_status_page() -> bool:
        form.goto(status_url)
        return "/letter" in form.content()

    wait_until(letter_on_status_page, seconds=30)
    letter = applicant.request.get(f"{status_url}/letter")
    assert letter.headers["content-type"] == "application/pdf"
    letter_text = plain(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.body())).pages))

    for text in (letter_text, batch_text):
        assert "Maija Meikäläinen Gamla vägen 3 B 12 02700 GRANKULLA" in text  # the address block
        assert "Ansökan avslås av följande skäl" in text
        assert plain(programme.justifications["TURNOVER_DROP"]["sv"]) in text
        finnish = [
            sentence for sentence in finnish_sentences(programme) if len(sentence) > 12 and plain(sentence) in text
        ]
        assert finnish == []
