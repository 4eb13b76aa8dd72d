"""Serving decisions through the pages: the applicant's letter, the post room's batch, who may download."""

import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from httpx import Response
from pypdf import PdfReader
from sqlmodel import col, select

from core.temporal import connect
from models.documents import Document
from models.grants.decisions import Decision
from models.serving.print_batches import PrintBatch
from tests.desk import Desk, wait_until
from tests.support import TEST_PAYLOAD_KEY
from tests.web.test_staff_processing import open_tasks, post, take_next
from tests.web_helpers import csrf_from
from tests.workflow_helpers import served as served_by
from workflows.grants.application import GrantApplicationWorkflow


def decide_through_the_pages(desk: Desk, **changes: object) -> tuple[str, Decision]:
    receipt = desk.apply(**changes)
    open_tasks(desk)
    desk.sign_in_as("handler")
    task_id = take_next(desk)
    post(
        desk,
        f"/staff/tasks/{task_id}",
        f"/staff/tasks/{task_id}/propose",
        {"outcome": "approve", "justification": "All conditions met."},
    )
    open_tasks(desk, kind="decide")
    desk.sign_in_as("decider")
    decide_id = take_next(desk, "decider")
    assert (
        post(desk, f"/staff/tasks/{decide_id}", f"/staff/tasks/{decide_id}/decide", {"verdict": "accept"}).status_code
        == 303
    )
    with desk.db.session() as session:
        decision = wait_until(lambda: session.exec(select(Decision)).first())
    return receipt["status_url"].replace("http://testserver", ""), decision


def served(desk: Desk) -> Decision:
    def check() -> Decision | None:
        with desk.db.session() as session:
            decision = session.exec(select(Decision)).one()
            return decision if decision.channel else None

    return wait_until(check)


def test_emailed_decision_is_on_the_status_page_with_its_letter(desk: Desk) -> None:
    status_url, _ = decide_through_the_pages(desk)
    decision = wait_until(lambda: (d := served(desk)).sent_at and d)

    desk.client.cookies.clear()
    page = desk.client.get(f"{status_url}?lang=en").text
    assert decision.number in page
    assert "by e-mail" in page
    assert decision.rectification_last_day is not None
    received = decision.deemed_received_on
    assert received is not None
    swedish = desk.client.get(f"{status_url}?lang=sv").text
    assert f"{received.day}.{received.month}.{received.year}" in swedish  # dates as written in Finland
    letter = desk.client.get(f"{status_url}/letter")
    assert letter.headers["content-type"] == "application/pdf"
    assert decision.number in PdfReader(io.BytesIO(letter.content)).pages[0].extract_text()
    assert desk.client.get(f"{status_url}x/letter").status_code == 404


def printed_batch(desk: Desk) -> PrintBatch:
    """The batch the worker printed after the coordinator asked for it."""

    def check() -> PrintBatch | None:
        with desk.db.session() as session:
            batch = session.exec(select(PrintBatch).order_by(col(PrintBatch.id).desc())).first()
            return batch if batch and batch.status != "preparing" else None

    return wait_until(check, seconds=30)


def confirm_posting(desk: Desk, batch: PrintBatch, posted_on: date) -> Response:
    return post(
        desk,
        "/staff/coordination",
        f"/staff/coordination/print-batches/{batch.id}/posted",
        {"posted_on": posted_on.isoformat()},
    )


def posted_batch(desk: Desk, batch_id: int | None) -> PrintBatch:
    def check() -> PrintBatch | None:
        with desk.db.session() as session:
            batch = session.get(PrintBatch, batch_id)
            return batch if batch and batch.status == "posted" else None

    return wait_until(check, seconds=30)


def pdf_text(desk: Desk, document_id: int | None) -> str:
    content = desk.client.get(f"/staff/documents/{document_id}").content
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


SATURDAY, MONDAY = date(2020, 5, 2), date(2020, 5, 4)


def test_without_email_consent_the_post_room_batch_serves_it(desk: Desk) -> None:
    status_url, _ = decide_through_the_pages(desk, applicant__email_consent=False)
    assert served(desk).channel == "letter"
    assert "by post" in desk.client.get(f"{status_url}?lang=en").text

    desk.sign_in_as("coordinator")
    assert "Decisions waiting to be printed: 1." in desk.client.get("/staff/coordination?lang=en").text
    assert post(desk, "/staff/coordination", "/staff/coordination/print-batch").status_code == 303
    batch = printed_batch(desk)

    with desk.db.session() as session:
        decision = session.exec(select(Decision)).one()
    assert (batch.status, batch.letters, decision.print_batch_id) == ("printed", 1, batch.id)
    assert decision.number in pdf_text(desk, batch.document_id)
    assert f'href="/staff/documents/{batch.document_id}"' in desk.client.get("/staff/coordination").text
    desk.sign_in_as("handler")  # the post room's file is for coordinators
    assert desk.client.get(f"/staff/documents/{batch.document_id}").status_code == 404


def test_letters_are_undated_until_the_post_room_confirms_the_day_they_left(desk: Desk) -> None:
    """Printed on Saturday, posted on Monday: the letter and its time limits count from Monday."""
    status_url, _ = decide_through_the_pages(desk, applicant__email_consent=False)
    served(desk)
    desk.sign_in_as("coordinator")
    post(desk, "/staff/coordination", "/staff/coordination/print-batch")
    batch = printed_batch(desk)
    assert batch.made_on == SATURDAY  # the desk's clock

    printed = pdf_text(desk, batch.document_id).replace("\n", " ")
    # No posting day, deemed-received day or last day in the printed letter; how the time limit counts instead.
    assert not re.search(r"Katsotaan saaduksi tiedoksi \d|viimeinen päivä on \d|postitse \d", printed)
    assert "tietoon 7 päivän kuluttua sen postituspäivästä" in printed
    with desk.db.session() as session:
        decision = session.exec(select(Decision)).one()
    assert (decision.sent_at, decision.deemed_received_on, decision.rectification_last_day) == (None, None, None)
    desk.client.cookies.clear()
    waiting = desk.client.get(f"{status_url}?lang=en").text
    assert "Rectification request by" not in waiting and "will be sent to you by post" in waiting

    desk.sign_in_as("coordinator")
    desk.clock.now = datetime(2020, 5, 4, 9, 0, tzinfo=UTC)
    assert confirm_posting(desk, batch, MONDAY).status_code == 303
    batch = posted_batch(desk, batch.id)

    with desk.db.session() as session:
        decision = session.exec(select(Decision)).one()
        letter = session.exec(select(Document).where(Document.kind == "decision_letter")).one()
    assert batch.posted_on == MONDAY
    assert decision.dispatched_on == MONDAY
    assert decision.deemed_received_on == date(2020, 5, 11)
    assert decision.rectification_last_day == date(2020, 5, 25)
    dated = pdf_text(desk, letter.id).replace("\n", " ")
    assert "postitse 4. toukokuuta 2020" in dated
    assert "Katsotaan saaduksi tiedoksi 11. toukokuuta 2020" in dated
    assert "määräajan viimeinen päivä on 25. toukokuuta 2020" in dated
    desk.client.cookies.clear()
    page = desk.client.get(f"{status_url}?lang=en").text
    assert "Rectification request by" in page and "25 May 2020" in page and "4 May 2020" in page


def test_a_posting_day_before_the_batch_or_in_the_future_is_refused_with_the_day_kept(desk: Desk) -> None:
    decide_through_the_pages(desk, applicant__email_consent=False)
    served(desk)
    desk.sign_in_as("coordinator")
    post(desk, "/staff/coordination", "/staff/coordination/print-batch")
    batch = printed_batch(desk)

    before = confirm_posting(desk, batch, date(2020, 5, 1))
    future = confirm_posting(desk, batch, date(2020, 5, 3))
    garbage = post(
        desk, "/staff/coordination", f"/staff/coordination/print-batches/{batch.id}/posted", {"posted_on": "x"}
    )

    assert before.status_code == future.status_code == garbage.status_code == 422
    assert "cannot have left before the batch was made" in before.text and 'value="2020-05-01"' in before.text
    assert "cannot be in the future" in future.text
    assert "Enter the day the letters left" in garbage.text
    with desk.db.session() as session:
        assert session.get(PrintBatch, batch.id).status == "printed"  # type: ignore[union-attr]
    assert confirm_posting(desk, batch, SATURDAY).status_code == 303
    assert posted_batch(desk, batch.id).posted_on == SATURDAY
    assert "already been confirmed" in confirm_posting(desk, batch, SATURDAY).text


async def test_the_grant_workflow_learns_when_the_letter_was_posted(desk: Desk) -> None:
    decide_through_the_pages(desk, applicant__email_consent=False)
    served(desk)
    client = await connect(desk.settings.temporal_address, "default", TEST_PAYLOAD_KEY)
    handle = client.get_workflow_handle_for(GrantApplicationWorkflow.run, "grant-1")
    desk.sign_in_as("coordinator")
    post(desk, "/staff/coordination", "/staff/coordination/print-batch")
    batch = printed_batch(desk)
    confirm_posting(desk, batch, SATURDAY)

    result = await served_by(client, handle)

    assert (result.channel, result.dispatched_on) == ("letter", SATURDAY)


def test_the_post_room_never_prints_a_letter_twice(desk: Desk) -> None:
    decide_through_the_pages(desk, applicant__email_consent=False)
    served(desk)
    desk.sign_in_as("coordinator")
    token = csrf_from(desk.client.get("/staff/coordination").text)
    with ThreadPoolExecutor(max_workers=2) as pool:  # two coordinators press at the same moment
        answers = list(
            pool.map(
                lambda _: (
                    desk.client.post(
                        "/staff/coordination/print-batch", data={"csrf_token": token}, follow_redirects=False
                    ).status_code
                ),
                range(2),
            )
        )
    assert answers == [303, 303]

    def all_done() -> list[PrintBatch] | None:
        with desk.db.session() as session:
            batches = list(session.exec(select(PrintBatch)).all())
        return batches if batches and all(b.status != "preparing" for b in batches) else None

    batches = wait_until(all_done, seconds=30)
    assert sorted(b.letters for b in batches if b.status == "printed") == [1]
    assert sorted(b.status for b in batches) == ["empty", "printed"]


def test_letters_are_for_the_processing_organisations_only(desk: Desk) -> None:
    decide_through_the_pages(desk)
    wait_until(lambda: served(desk).sent_at)
    with desk.db.session() as session:
        letter = session.exec(select(Document).where(Document.kind == "decision_letter")).one()
    desk.sign_in_as("handler2")
    assert desk.client.get(f"/staff/documents/{letter.id}").status_code == 200
    case_page = desk.client.get(f"/staff/applications/{letter.application_id}?lang=en").text
    assert f'href="/staff/documents/{letter.id}"' in case_page  # the case page links the letter as sent
    assert "by e-mail" in case_page and "Rectification request by" in case_page
    desk.sign_in_as("te")
    assert desk.client.get(f"/staff/documents/{letter.id}").status_code == 404
    assert re.fullmatch(r"[0-9a-f]{64}", letter.sha256)


def test_each_letter_of_a_print_batch_is_on_sheets_of_its_own_with_its_address_in_the_window(desk: Desk) -> None:
    addresses = [
        {"street": "Kauppamiehentie 6 A 2", "postcode": "02150", "post_office": "Espoo", "country": "FI"},
        {"street": "Gamla vägen 3", "postcode": "02700", "post_office": "Grankulla", "country": "FI"},
    ]
    for personal_id, address in zip(["131052-308T", "010190-123M"], addresses, strict=True):
        decide_through_the_pages(
            desk, applicant__email_consent=False, applicant__personal_id=personal_id, applicant__address=address
        )

    def both_waiting() -> bool:
        with desk.db.session() as session:
            return len([d for d in session.exec(select(Decision)).all() if d.channel == "letter"]) == 2

    wait_until(both_waiting)
    desk.sign_in_as("coordinator")
    assert post(desk, "/staff/coordination", "/staff/coordination/print-batch").status_code == 303
    batch = printed_batch(desk)
    pages = [
        page.extract_text()
        for page in PdfReader(io.BytesIO(desk.client.get(f"/staff/documents/{batch.document_id}").content)).pages
    ]

    assert batch.letters == 2
    first_pages = [i for i, text in enumerate(pages) if "Päätös" in text and "Hakija" in text]
    assert len(first_pages) == 2
    assert all(i % 2 == 0 for i in first_pages)  # each letter begins a sheet on a double-sided printer
    assert len(pages) % 2 == 0
    assert "02150 ESPOO" in pages[first_pages[0]] and "02700 GRANKULLA" not in pages[first_pages[0]]
    assert "02700 GRANKULLA" in pages[first_pages[1]] and "Gamla vägen 3" in pages[first_pages[1]]
