"""What one organisation's staff may reach of another's: print batches, moved work, ids that cannot be rows."""

import io

from pypdf import PdfReader
from sqlmodel import select

from models.documents import Document, DocumentKind
from models.serving.print_batches import PrintBatch
from tests.desk import Desk, wait_until
from tests.web.test_serving import decide_through_the_pages, printed_batch, served
from tests.web.test_staff_processing import open_tasks, post, take_next


def test_print_batches_belong_to_the_processing_organisations(desk: Desk) -> None:
    decide_through_the_pages(desk, applicant__email_consent=False)
    assert served(desk).channel == "letter"
    desk.sign_in_as("coordinator")
    assert post(desk, "/staff/coordination", "/staff/coordination/print-batch").status_code == 303
    printed_batch(desk)
    with desk.db.session() as session:
        batch = session.exec(select(Document).where(Document.kind == DocumentKind.PRINT_BATCH)).one()
    assert batch.programme_code == "sole-entrepreneur-2020"
    assert f"/staff/documents/{batch.id}" in desk.client.get("/staff/coordination").text
    assert b"%PDF" in desk.client.get(f"/staff/documents/{batch.id}").content[:8]

    desk.sign_in_as("te_coordinator")  # a coordinator, but of an organisation that does not process the grant
    page = desk.client.get("/staff/coordination?lang=en")
    assert page.status_code == 200
    assert f"/staff/documents/{batch.id}" not in page.text
    assert "Decisions waiting to be printed: 0." in page.text
    assert desk.client.get(f"/staff/documents/{batch.id}").status_code == 404


def test_a_print_batch_holds_only_its_own_programmes_letters(desk: Desk) -> None:
    decide_through_the_pages(desk, applicant__email_consent=False)
    served(desk)
    desk.sign_in_as("te_coordinator")
    # Pressing the button in another organisation asks for nothing of ours.
    assert post(desk, "/staff/coordination", "/staff/coordination/print-batch").status_code == 303
    assert "There are no letters waiting for the post room." in desk.client.get("/staff/coordination?lang=en").text
    with desk.db.session() as session:
        assert session.exec(select(PrintBatch)).first() is None
    assert served(desk).sent_at is None

    desk.sign_in_as("coordinator")
    post(desk, "/staff/coordination", "/staff/coordination/print-batch")
    printed_batch(desk)
    with desk.db.session() as session:
        batch = session.exec(select(Document).where(Document.kind == DocumentKind.PRINT_BATCH)).one()
    text = PdfReader(io.BytesIO(desk.client.get(f"/staff/documents/{batch.id}").content)).pages[0].extract_text()
    assert served(desk).number in text


def test_a_decision_is_moved_only_to_a_decider_who_did_not_propose_it(desk: Desk) -> None:
    desk.apply()
    open_tasks(desk)
    desk.sign_in_as("both")  # holds the handler and decider roles
    task_id = take_next(desk)
    post(
        desk,
        f"/staff/tasks/{task_id}",
        f"/staff/tasks/{task_id}/propose",
        {"outcome": "approve", "justification": "Fine."},
    )
    [decide] = open_tasks(desk, kind="decide")
    desk.sign_in_as("decider")
    take_next(desk, "decider")

    desk.sign_in_as("coordinator")
    for to_user in ("handler", "both"):  # no decider role; the proposer
        response = post(
            desk,
            "/staff/coordination",
            "/staff/coordination/reassign-all",
            {"from_user": str(desk.staff["decider"].user_id), "to_user": str(desk.staff[to_user].user_id)},
        )
        assert response.status_code == 303
        assert next(t for t in desk.tasks() if t.id == decide.id).assignee_id == desk.staff["decider"].user_id
    assert "Tasks moved: 0 of 1." in desk.client.get("/staff/coordination?lang=en").text

    moved = post(desk, "/staff/queue", "/staff/coordination/reassign", {"task_ids": [str(decide.id)], "to_user": ""})
    assert moved.status_code == 303
    assert next(t for t in desk.tasks() if t.id == decide.id).status == "open"  # back to the queue: anyone may


def test_ids_that_cannot_be_rows_are_4xx_not_500(desk: Desk) -> None:
    desk.apply()
    [task] = open_tasks(desk)
    desk.sign_in_as("coordinator")
    for path in (
        "/staff/applications/" + "9" * 30,
        "/staff/tasks/²",
        "/staff/tasks/0",
        "/staff/documents/-1",
        "/staff/attachments/99999999999",
    ):
        page = desk.client.get(f"{path}?lang=en")
        assert page.status_code == 404, path  # a page that cannot exist, like a missing one
        assert "Page not found" in page.text
        assert 'action="/staff/logout"' in page.text  # the staff keep their navigation
    assert desk.client.get("/staff/queue?assignee=²").status_code == 200
    assert desk.client.get("/staff/queue?assignee=" + "9" * 30).status_code == 200
    for task_ids in (["²"], ["9" * 30], ["1_0"]):
        response = post(desk, "/staff/queue", "/staff/coordination/reassign", {"task_ids": task_ids, "to_user": "²"})
        assert response.status_code == 422  # the receiver is not a person
        response = post(desk, "/staff/queue", "/staff/coordination/reassign", {"task_ids": task_ids, "to_user": ""})
        assert response.status_code == 303
    response = post(desk, "/staff/coordination", "/staff/coordination/reassign-all", {"from_user": "9" * 30})
    assert response.status_code == 422
    wait_until(lambda: next(t for t in desk.tasks() if t.id == task.id).status == "open")
