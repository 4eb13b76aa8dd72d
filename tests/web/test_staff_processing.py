"""The staff pages end to end: queue, take next, ask the applicant, propose, decide, reassign, audit."""

import re

from sqlmodel import select

from models.audit import AuditEvent
from models.grants.applications import Application
from models.grants.decisions import Decision
from models.grants.info_requests import Attachment
from tests.desk import Desk, wait_until
from tests.factories import PERSONAL_IDS
from tests.web_helpers import csrf_from

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def open_tasks(desk: Desk, count: int = 1, kind: str = "handle") -> list:
    return wait_until(
        lambda: (t := [x for x in desk.tasks() if x.kind == kind and x.status != "done"]) and len(t) >= count and t
    )


def post(desk: Desk, page: str, action: str, data: dict | None = None, files: list | None = None):
    token = csrf_from(desk.client.get(page).text)
    return desk.client.post(action, data={"csrf_token": token, **(data or {})}, files=files, follow_redirects=False)


def take_next(desk: Desk, role: str = "handler") -> int:
    response = post(desk, "/staff/queue", "/staff/queue/next", {"role": role})
    assert response.status_code == 303
    match = re.fullmatch(r"/staff/tasks/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def test_queue_needs_a_case_role(desk: Desk) -> None:
    assert desk.client.get("/staff/queue", follow_redirects=False).status_code == 303
    desk.sign_in_as("finance")
    assert desk.client.get("/staff/queue").status_code == 403


def test_take_next_follows_the_order_of_arrival(desk: Desk) -> None:
    first = desk.apply()["reference"]
    second = desk.apply(applicant__personal_id="010190-123M")["reference"]
    open_tasks(desk, 2)

    desk.sign_in_as("handler")
    page = desk.client.get(f"/staff/tasks/{take_next(desk)}")
    assert first in page.text
    desk.sign_in_as("handler2")  # another organisation, same shared queue
    page = desk.client.get(f"/staff/tasks/{take_next(desk)}")
    assert second in page.text
    desk.sign_in_as("handler")
    assert post(desk, "/staff/queue", "/staff/queue/next", {"role": "handler"}).headers["location"] == "/staff/queue"


def test_a_whole_case_from_queue_to_decision(desk: Desk) -> None:
    desk.apply()
    open_tasks(desk)
    desk.sign_in_as("handler")
    task_id = take_next(desk)
    page = desk.client.get(f"/staff/tasks/{task_id}")
    assert "TURNOVER_DROP" in page.text and "Turnover fell 78.1 %" in page.text  # each rule with its figures, in words

    proposed = post(
        desk,
        f"/staff/tasks/{task_id}",
        f"/staff/tasks/{task_id}/propose",
        {"outcome": "approve", "justification": "All conditions met."},
    )
    assert proposed.status_code == 303, proposed.text
    [decide] = open_tasks(desk, kind="decide")

    desk.sign_in_as("decider")
    decide_id = take_next(desk, "decider")
    assert decide_id == decide.id
    decided = post(desk, f"/staff/tasks/{decide_id}", f"/staff/tasks/{decide_id}/decide", {"verdict": "accept"})
    assert decided.status_code == 303, decided.text

    with desk.db.session() as session:
        decision = wait_until(lambda: session.exec(select(Decision)).first())
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert decision.number.endswith("/000001")
    actions = [(e.action, e.organisation_code) for e in events]
    assert ("task_claimed", "E") in actions and ("proposed", "E") in actions and ("decided", "E") in actions
    application_page = desk.client.get("/staff/applications/1")
    assert decision.number in application_page.text


def test_the_proposer_cannot_decide_and_the_page_says_why(desk: Desk) -> None:
    desk.apply()
    open_tasks(desk)
    desk.sign_in_as("both")  # handler and decider
    task_id = take_next(desk)
    post(
        desk,
        f"/staff/tasks/{task_id}",
        f"/staff/tasks/{task_id}/propose",
        {"outcome": "approve", "justification": "Fine."},
    )
    [decide] = open_tasks(desk, kind="decide")

    # Take next skips one's own proposal; taking it directly is possible but deciding is refused.
    assert post(desk, "/staff/queue", "/staff/queue/next", {"role": "decider"}).headers["location"] == "/staff/queue"
    post(desk, f"/staff/tasks/{decide.id}", f"/staff/tasks/{decide.id}/claim")
    refused = post(desk, f"/staff/tasks/{decide.id}", f"/staff/tasks/{decide.id}/decide", {"verdict": "accept"})
    assert refused.status_code == 409
    assert "four eyes" in refused.text


def test_a_rejection_needs_reasons_and_the_form_keeps_the_text(desk: Desk) -> None:
    desk.apply()
    open_tasks(desk)
    desk.sign_in_as("handler")
    task_id = take_next(desk)
    refused = post(
        desk,
        f"/staff/tasks/{task_id}",
        f"/staff/tasks/{task_id}/propose",
        {"outcome": "reject", "justification": "Turnover did not fall enough."},
    )
    assert refused.status_code == 409
    assert "at least one reason" in refused.text
    assert "Turnover did not fall enough." in refused.text


def test_actions_need_the_csrf_token_and_the_task_holder(desk: Desk) -> None:
    desk.apply()
    [task] = open_tasks(desk)
    desk.sign_in_as("handler")
    forged = desk.client.post(f"/staff/tasks/{task.id}/propose", data={"outcome": "approve", "justification": "x"})
    assert forged.status_code == 403
    not_held = post(
        desk, f"/staff/tasks/{task.id}", f"/staff/tasks/{task.id}/propose", {"outcome": "approve", "justification": "x"}
    )
    assert not_held.status_code == 409
    assert "Take the task first" in not_held.text


def test_other_organisations_do_not_see_the_queue(desk: Desk) -> None:
    desk.apply()
    [task] = open_tasks(desk)
    desk.sign_in_as("te")
    assert "ESP-2020-000001" not in desk.client.get("/staff/queue").text
    assert desk.client.get(f"/staff/tasks/{task.id}").status_code == 404


def test_information_request_answered_with_a_file(desk: Desk) -> None:
    receipt = desk.apply()
    open_tasks(desk)
    desk.sign_in_as("handler")
    task_id = take_next(desk)
    asked = post(
        desk,
        f"/staff/tasks/{task_id}",
        f"/staff/tasks/{task_id}/request-info",
        {"message": "Please send the sales ledger."},
    )
    assert asked.status_code == 303, asked.text

    desk.client.cookies.clear()
    status_url = receipt["status_url"].replace("http://testserver", "")
    page = desk.client.get(status_url)
    assert "Please send the sales ledger." in page.text
    wrong = post(
        desk,
        status_url,
        f"{status_url}/answer",
        {"answer": "Here."},
        files=[("files", ("ledger.txt", b"plain text", "text/plain"))],
    )
    assert wrong.status_code == 422
    assert "ledger.txt" in wrong.text
    answered = post(
        desk,
        status_url,
        f"{status_url}/answer",
        {"answer": "Ledger attached."},
        files=[("files", ("ledger.pdf", PDF, "application/pdf"))],
    )
    assert answered.status_code == 303, answered.text

    task = wait_until(lambda: (t := next(x for x in desk.tasks() if x.id == task_id)).note == "answered" and t)
    assert (task.status, task.assignee_id) == ("claimed", desk.staff["handler"].user_id)
    desk.sign_in_as("handler")
    page = desk.client.get(f"/staff/tasks/{task_id}")
    assert "Ledger attached." in page.text
    with desk.db.session() as session:
        attachment = session.exec(select(Attachment)).one()
    download = desk.client.get(f"/staff/attachments/{attachment.id}")
    assert download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")
    desk.sign_in_as("te")
    assert desk.client.get(f"/staff/attachments/{attachment.id}").status_code == 404


def test_an_empty_file_and_no_text_is_not_an_answer(desk: Desk) -> None:
    receipt = desk.apply()
    open_tasks(desk)
    desk.sign_in_as("handler")
    task_id = take_next(desk)
    post(desk, f"/staff/tasks/{task_id}", f"/staff/tasks/{task_id}/request-info", {"message": "The ledger, please."})
    desk.client.cookies.clear()
    status_url = receipt["status_url"].replace("http://testserver", "")

    response = post(
        desk,
        status_url,
        f"{status_url}/answer",
        {"answer": "  "},
        files=[("files", ("ledger.pdf", b"", "application/pdf"))],
    )

    assert response.status_code == 422
    assert "ledger.pdf is empty." in response.text
    assert "The ledger, please." in desk.client.get(status_url).text  # the question is still open
    with desk.db.session() as session:
        assert session.exec(select(Attachment)).first() is None


def test_applicant_withdraws(desk: Desk) -> None:
    receipt = desk.apply()
    open_tasks(desk)
    status_url = receipt["status_url"].replace("http://testserver", "")

    unconfirmed = post(desk, status_url, f"{status_url}/withdraw", {})
    assert unconfirmed.status_code == 422
    assert post(desk, status_url, f"{status_url}/withdraw", {"confirm": "yes"}).status_code == 303

    with desk.db.session() as session:
        wait_until(lambda: session.get(Application, 1, populate_existing=True).status == "withdrawn")  # type: ignore[union-attr]
    assert desk.tasks()[0].status == "cancelled"
    page = desk.client.get(f"{status_url}?lang=en")
    assert f'action="{status_url}/withdraw"' not in page.text
    assert "Withdrawn" in page.text


def test_coordinator_moves_work_and_sees_the_budget(desk: Desk) -> None:
    desk.apply()
    desk.apply(applicant__personal_id="010190-123M")
    open_tasks(desk, 2)
    desk.sign_in_as("handler")
    take_next(desk)
    take_next(desk)

    desk.sign_in_as("handler2")
    assert desk.client.get("/staff/coordination").status_code == 403
    assert (
        post(
            desk, "/staff/queue", "/staff/coordination/reassign-all", {"from_user": str(desk.staff["handler"].user_id)}
        ).status_code
        == 403
    )

    desk.sign_in_as("coordinator")
    page = desk.client.get("/staff/coordination?lang=en")
    assert '<td class="budget-left">€4,500,000.00</td>' in page.text  # nothing reserved yet
    [first, second] = [t.id for t in desk.tasks()]
    moved = post(
        desk,
        "/staff/queue",
        "/staff/coordination/reassign",
        {"task_ids": [str(first)], "to_user": str(desk.staff["handler2"].user_id)},
    )
    assert moved.status_code == 303
    moved = post(
        desk,
        "/staff/coordination",
        "/staff/coordination/reassign-all",
        {"from_user": str(desk.staff["handler"].user_id), "to_user": ""},
    )
    assert moved.status_code == 303

    holders = {t.id: (t.assignee_id, t.status) for t in desk.tasks()}
    assert holders[first] == (desk.staff["handler2"].user_id, "claimed")
    assert holders[second] == (None, "open")
    with desk.db.session() as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("task_reassigned") == 2


def test_release_puts_the_task_back_and_only_the_holder_can(desk: Desk) -> None:
    desk.apply()
    [task] = open_tasks(desk)
    desk.sign_in_as("handler")
    take_next(desk)
    desk.sign_in_as("handler2")
    assert post(desk, f"/staff/tasks/{task.id}", f"/staff/tasks/{task.id}/release").status_code == 409
    desk.sign_in_as("handler")
    assert post(desk, f"/staff/tasks/{task.id}", f"/staff/tasks/{task.id}/release").status_code == 303
    assert (desk.tasks()[0].status, desk.tasks()[0].assignee_id) == ("open", None)


def test_decider_returns_the_proposal_to_its_handler(desk: Desk) -> None:
    desk.apply()
    open_tasks(desk)
    desk.sign_in_as("handler2")
    task_id = take_next(desk)
    post(
        desk,
        f"/staff/tasks/{task_id}",
        f"/staff/tasks/{task_id}/propose",
        {"outcome": "approve", "justification": "Fine."},
    )
    open_tasks(desk, kind="decide")
    desk.sign_in_as("decider")
    decide_id = take_next(desk, "decider")
    no_comment = post(desk, f"/staff/tasks/{decide_id}", f"/staff/tasks/{decide_id}/decide", {"verdict": "return"})
    assert no_comment.status_code == 409
    returned = post(
        desk,
        f"/staff/tasks/{decide_id}",
        f"/staff/tasks/{decide_id}/decide",
        {"verdict": "return", "comment": "Check the IBAN owner."},
    )
    assert returned.status_code == 303

    back = wait_until(lambda: [t for t in desk.tasks() if t.kind == "handle" and t.status == "claimed"])
    assert back[0].assignee_id == desk.staff["handler2"].user_id
    desk.sign_in_as("handler2")
    assert "Check the IBAN owner." in desk.client.get(f"/staff/tasks/{back[0].id}").text


def test_queue_filters_and_counts(desk: Desk) -> None:
    first, second, third = (desk.apply(applicant__personal_id=pid)["reference"] for pid in PERSONAL_IDS[:3])
    open_tasks(desk, 3)
    desk.sign_in_as("handler2")  # organisation O takes the oldest
    take_next(desk)
    desk.sign_in_as("handler")  # organisation E the next one
    take_next(desk)

    def listed(query: str) -> list[str]:
        page = desk.client.get(f"/staff/queue?{query}")
        assert page.status_code == 200
        return re.findall(r">(ESP-2020-\d+)<", page.text)

    assert listed("") == [first, second, third]  # order of arrival
    assert listed("status=open") == [third]
    assert listed("status=claimed") == [first, second]
    assert listed("assignee=me") == [second]
    assert listed("assignee=none") == [third]
    assert listed(f"assignee={desk.staff['handler2'].user_id}") == [first]
    assert listed("organisation=O") == [first]
    assert listed("organisation=E") == [second]
    assert listed("due_before=2000-01-01") == []
    assert listed("due_before=2999-12-31") == [first, second, third]
    assert listed("role=decider") == []
    # Nonsense in a filter narrows to nothing rather than failing.
    assert desk.client.get("/staff/queue?due_before=soon&assignee=x").status_code == 200

    assert "<li>Waiting for processing: <strong>3</strong></li>" in desk.client.get("/staff/queue").text
