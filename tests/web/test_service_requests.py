"""Service requests through the site, end to end (web app, outbox relay, worker, Temporal): the customer's form and
its confirmation, the staff queue and actions, a referral with consent, the status page, feedback once."""

from sqlmodel import col, select

from models.outbox import OutboxMessage
from models.service_requests.links import confirmation_link
from models.service_requests.requests import RequestStatus, ServiceRequest, ServiceRoute
from models.tasks import ACTIVE_STATUSES, Task
from tests.desk import Desk, wait_until
from tests.support import TEST_SECRET
from tests.web_helpers import csrf_from, idempotency_key_from

FORM = {
    "package": "recruitment",
    "stage": "ongoing",
    "customer_group": "micro",
    "description": "We need a <script>alert(1)</script> baker & an apprentice from the autumn.",
    "name": "Maija Meikäläinen",
    "email": "maija@example.fi",
    "phone": "+358 40 123 4567",
    "business_name": "Kahvila Korvapuusti",
    "business_id": "2326287-1",
    "language": "en",
    "share_consent": "yes",
}


def send_form(desk: Desk, **changes: str) -> tuple[int, str]:
    page = desk.client.get("/help")
    data = {**FORM, **changes, "csrf_token": csrf_from(page.text), "idempotency_key": idempotency_key_from(page.text)}
    response = desk.client.post("/help", data={k: v for k, v in data.items() if v is not None})
    return response.status_code, response.text


def the_request(desk: Desk) -> ServiceRequest:
    with desk.db.session() as session:
        return session.exec(select(ServiceRequest).order_by(col(ServiceRequest.id).desc())).first()  # type: ignore[return-value]


def active_task(desk: Desk, request_id: int) -> Task | None:
    with desk.db.session() as session:
        return session.exec(
            select(Task).where(Task.subject_id == request_id, Task.subject_type == "service_request",
                               col(Task.status).in_(ACTIVE_STATUSES))
        ).first()  # fmt: skip


def staff_post(desk: Desk, page_path: str, action: str, **data: str) -> str:
    page = desk.client.get(page_path)
    response = desk.client.post(action, data={**data, "csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return desk.client.get(page_path).text


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(desk: Desk) -> None:
    status, page = send_form(desk, description="short", email="not-an-address", package="")
    assert status == 422
    assert "Enter an e-mail address" in page and "This field is required." in page
    assert 'value="not-an-address"' in page and "Kahvila Korvapuusti" in page
    with desk.db.session() as session:
        assert session.exec(select(ServiceRequest)).first() is None


def test_a_request_from_the_form_to_feedback(desk: Desk) -> None:
    status, page = send_form(desk)
    assert status == 200 and "confirm your request" in page.lower()
    request = the_request(desk)
    assert request.status == RequestStatus.UNCONFIRMED and request.share_consent
    assert request.reference and request.reference in page
    assert active_task(desk, request.id or 0) is None  # unconfirmed: in nobody's queue

    link = confirmation_link("", request.id or 0, TEST_SECRET, "en")
    wait_until(lambda: desk.client.get(link, follow_redirects=False).status_code == 303)
    task = wait_until(lambda: active_task(desk, request.id or 0))
    assert task.organisation_code == "TE"  # recruitment: the TE Office

    # Another organisation's handler does not see it, on the pages or in the API.
    desk.sign_in_as("handler")
    assert request.reference not in desk.client.get("/staff/service-requests").text
    assert desk.client.get(f"/staff/service-requests/{request.id}").status_code == 404
    assert desk.client.get(f"/api/v1/staff/service-requests/{request.id}").status_code == 404

    desk.sign_in_as("te")
    page_path = f"/staff/service-requests/{request.id}"
    assert request.reference in desk.client.get("/staff/service-requests").text
    shown = desk.client.get(page_path).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script>alert(1)" not in shown
    shown = staff_post(desk, page_path, f"{page_path}/accept", task_key=task.key)
    shown = staff_post(desk, page_path, f"{page_path}/reply", body="Hello! Omnia trains apprentices: I pass this on.")
    assert "Hello! Omnia trains apprentices" in shown
    refused = desk.client.post(
        f"{page_path}/refer", data={"organisation": "O", "reason": "", "csrf_token": csrf_from(shown)}
    )
    assert refused.status_code == 409 and "Say why" in refused.text and 'name="organisation"' in refused.text
    shown = staff_post(desk, page_path, f"{page_path}/refer", organisation="O", reason="Apprenticeship training.")
    assert "Omnia" in shown and "Apprenticeship training." in shown
    omnia_task = wait_until(lambda: (t := active_task(desk, request.id or 0)) and t.organisation_code == "O" and t)

    desk.sign_in_as("handler2")  # Omnia's handler
    assert desk.client.get(page_path).status_code == 200
    staff_post(desk, page_path, f"{page_path}/accept", task_key=omnia_task.key)
    staff_post(desk, page_path, f"{page_path}/close", outcome="service_started", note="Apprenticeship from August.")
    with desk.db.session() as session:
        chain = session.exec(select(ServiceRoute.organisation_code).where(ServiceRoute.request_id == request.id)).all()
    assert list(chain) == ["TE", "O"]

    # The TE Office still sees the request it referred; the City's handler never did.
    desk.sign_in_as("te")
    assert desk.client.get(page_path).status_code == 200
    listed = desk.client.get("/api/v1/staff/service-requests").json()
    assert [r["reference"] for r in listed] == [request.reference]
    assert [link["organisation"] for link in listed[0]["chain"]] == ["TE", "O"]

    desk.client.cookies.clear()
    again = desk.client.get(link, follow_redirects=False)  # the confirmation link again: harmless
    assert again.status_code == 303
    path = again.headers["location"].split("?")[0]
    page = desk.client.get(path).text
    assert "Closed" in page and "Hello! Omnia trains apprentices" in page and "How did we do?" in page
    bad = desk.client.post(f"{path}/feedback", data={"rating": "9", "csrf_token": csrf_from(page)})
    assert bad.status_code == 422 and "from 1 to 5" in bad.text
    sent = desk.client.post(
        f"{path}/feedback",
        data={"rating": "5", "comment": "Great", "csrf_token": csrf_from(page)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = desk.client.get(path).text
    assert "Thank you for your feedback: 5 / 5." in page and 'name="rating"' not in page
    assert 'name="body"' not in page and "send a new request" in page  # its workflow has ended
    assert desk.client.get("/help/requests/not-a-token").status_code == 404


def test_the_api_takes_a_request_once_per_key_and_explains_bad_input(desk: Desk) -> None:
    body = {k: v for k, v in FORM.items() if k != "share_consent"} | {"share_consent": False}
    first = desk.client.post("/api/v1/service-requests", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201, first.text
    assert first.json()["confirmation"] == "email_sent" and first.json()["status_url"] is None
    again = desk.client.post("/api/v1/service-requests", json=body, headers={"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["reference"] == first.json()["reference"]
    changed = desk.client.post(
        "/api/v1/service-requests",
        json=body | {"description": "Something else entirely."},
        headers={"Idempotency-Key": "k1"},
    )
    assert changed.status_code == 422 and changed.json()["detail"][0]["field"] == "Idempotency-Key"
    bad = desk.client.post("/api/v1/service-requests", json=body | {"package": "lunch", "email": "x"})
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["detail"]}
    assert {"package", "email"} <= fields
    with desk.db.session() as session:
        assert len(session.exec(select(ServiceRequest)).all()) == 1
        assert len(session.exec(select(OutboxMessage).where(OutboxMessage.topic == "start_service_request")).all()) == 1
