"""Serving decisions through the pages: the applicant's letter, the post room's batch, who may download."""

import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

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


def ready_batch(desk: Desk) -> PrintBatch:
    """The batch the worker made after the coordinator asked for it."""

    def check() -> PrintBatch | None:
        with desk.db.session() as session:
            batch = session.exec(select(PrintBatch).order_by(col(PrintBatch.id).desc())).first()
            return batch if batch and batch.status != "preparing" else None

    return wait_until(check, seconds=30)


def test_without_email_consent_the_post_room_batch_serves_it(desk: Desk) -> None:
    status_url, _ = decide_through_the_pages(desk, applicant__email_consent=False)
    assert served(desk).channel == "letter"
    assert "by post" in desk.client.get(f"{status_url}?lang=en").text

    desk.sign_in_as("coordinator")
    assert "Decisions waiting to be posted: 1." in desk.client.get("/staff/coordination?lang=en").text
    assert post(desk, "/staff/coordination", "/staff/coordination/print-batch").status_code == 303
    batch = ready_batch(desk)

    with desk.db.session() as session:
        decision = session.exec(select(Decision)).one()
    assert (batch.status, batch.letters, decision.print_batch_id) == ("ready", 1, batch.id)
    assert decision.sent_at is not None and decision.deemed_received_on is not None
    assert decision.deemed_received_on == batch.posted_on + timedelta(days=7)
    download = desk.client.get(f"/staff/documents/{batch.document_id}")
    assert decision.number in PdfReader(io.BytesIO(download.content)).pages[0].extract_text()
    assert f'href="/staff/documents/{batch.document_id}"' in desk.client.get("/staff/coordination").text
    desk.sign_in_as("handler")  # the post room's file is for coordinators
    assert desk.client.get(f"/staff/documents/{batch.document_id}").status_code == 404


async def test_the_grant_workflow_learns_when_the_letter_was_posted(desk: Desk) -> None:
    decide_through_the_pages(desk, applicant__email_consent=False)
    served(desk)
    client = await connect(desk.settings.temporal_address, "default", TEST_PAYLOAD_KEY)
    handle = client.get_workflow_handle_for(GrantApplicationWorkflow.run, "grant-1")
    desk.sign_in_as("coordinator")
    post(desk, "/staff/coordination", "/staff/coordination/print-batch")
    batch = ready_batch(desk)

    result = await handle.result()

    assert result.served is not None
    assert (result.served.channel, result.served.dispatched_on) == ("letter", batch.posted_on)


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
    assert sorted(b.letters for b in batches if b.status == "ready") == [1]
    with desk.db.session() as session:
        letters = session.exec(select(Document).where(Document.kind == "decision_letter")).all()
    assert len(letters) == 1


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
    batch = ready_batch(desk)
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
