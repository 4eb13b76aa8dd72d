"""Hostile input at every door (the attack suite's input half): markup and addresses of our own machine in every
text field are stored as the text they are, shown escaped on every page and never fetched, whether a decision
letter is rendered or a meeting invitation sent; oversized bodies and wrong content types get a clear 4xx."""

import io
import json

from pypdf import PdfReader
from sqlmodel import select

from models.documents import Document, DocumentKind
from models.service_requests.links import confirmation_link
from models.service_requests.requests import ServiceRequest
from tests.canary import canary
from tests.desk import Desk, wait_until
from tests.support import TEST_SECRET
from tests.web.test_service_requests import FORM, active_task, staff_post
from tests.web.test_serving import decide_through_the_pages, served
from tests.web_helpers import csrf_from

MARKUP = '<script>alert("x")</script><img src="{url}/pixel.png">'


def _escaped_only(page: str) -> None:
    assert "<script>alert" not in page and '<img src="http://127.0.0.1' not in page
    assert "&lt;script&gt;alert" in page


def test_markup_and_local_addresses_in_an_application_are_shown_as_text_and_never_fetched(desk: Desk) -> None:
    with canary() as trap:
        payload = MARKUP.format(url=trap.url)
        _status, decision = decide_through_the_pages(
            desk,
            applicant__name=f"Maija {payload}"[:200],
            applicant__address={"street": f"{trap.url}/street", "postcode": "02150", "post_office": "ESPOO"},
            business__name=f"Toiminimi {payload}"[:200],
            costs_description=f"Rent {payload} {trap.url}/costs",
        )
        served(desk)  # the letter rendered and e-mailed by the worker
        with desk.db.session() as session:
            letter = wait_until(
                lambda: session.exec(select(Document).where(Document.kind == DocumentKind.DECISION_LETTER)).first()
            )
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(desk.client.get(
            f"/staff/documents/{letter.id}").content)).pages)  # fmt: skip
        assert "<script>alert" in text  # printed as the text it is
        desk.sign_in_as("handler")
        _escaped_only(desk.client.get(f"/staff/applications/{decision.application_id}").text)
        assert trap.connections == []


def test_markup_and_local_addresses_in_a_service_request_are_shown_as_text_and_never_fetched(desk: Desk) -> None:
    with canary() as trap:
        payload = MARKUP.format(url=trap.url)
        body = {
            **{k: v for k, v in FORM.items() if k != "share_consent"},
            "description": f"We need help {payload} see {trap.url}/description",
            "name": f"Maija {payload}"[:200],
            "business_name": f"{trap.url}/business"[:200],
            "share_consent": True,
        }
        response = desk.client.post("/api/v1/service-requests", json=body)
        assert response.status_code == 201, response.text
        with desk.db.session() as session:
            request = session.exec(select(ServiceRequest)).one()
        assert request.description == body["description"]  # stored as sent, escaped where shown
        link = confirmation_link("", request.id or 0, TEST_SECRET, "en")
        wait_until(lambda: desk.client.get(link, follow_redirects=False).status_code == 303)
        status_path = desk.client.get(link, follow_redirects=False).headers["location"].split("?")[0]
        task = wait_until(lambda: active_task(desk, request.id or 0))

        desk.sign_in_as("te")  # recruitment: the TE Office
        page_path = f"/staff/service-requests/{request.id}"
        _escaped_only(desk.client.get(page_path).text)
        staff_post(desk, page_path, f"{page_path}/accept", task_key=task.key)
        shown = staff_post(desk, page_path, f"{page_path}/reply", body=f"Answer {payload}")
        _escaped_only(shown)
        refused = desk.client.post(
            f"{page_path}/meeting",
            data={"starts": "2031-01-07T10:00", "minutes": "60", "video_url": f"{trap.url}/meet",
                  "csrf_token": csrf_from(shown)},
        )  # fmt: skip
        assert refused.status_code == 409 and "https://" in refused.text  # a plain http link is refused
        staff_post(
            desk,
            page_path,
            f"{page_path}/meeting",
            starts="2031-01-07T10:00",
            minutes="60",
            place=payload,
            video_url=f"https://127.0.0.1:{trap.port}/meet",
        )
        _escaped_only(staff_post(desk, page_path, f"{page_path}/close", outcome="advised", note=payload))
        desk.client.cookies.clear()
        _escaped_only(desk.client.get(status_path).text)
        assert trap.connections == []


def test_oversized_bodies_and_wrong_content_types_get_a_clear_refusal(desk: Desk) -> None:
    api = "/api/v1/service-requests"
    body = {k: v for k, v in FORM.items() if k != "share_consent"}
    huge = json.dumps({**body, "description": "x" * 70_000})
    response = desk.client.post(api, content=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["detail"][0]["type"] == "too_large"
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = desk.client.post(api, content=json.dumps(body), headers={"content-type": content_type})
        assert response.status_code == 422, content_type
        assert response.json()["detail"][0]["field"] == "body"
    grants = "/api/v1/programmes/sole-entrepreneur-2020/applications"
    response = desk.client.post(grants, content=b"<xml/>", headers={"content-type": "application/xml"})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "body"

    page = desk.client.get("/help")
    form = {**FORM, "csrf_token": csrf_from(page.text), "description": "x" * 70_000}
    response = desk.client.post("/help", data=form)
    assert response.status_code == 413 and "<html" in response.text.lower()  # a page, not a stack trace
    as_json = desk.client.post("/help", json=FORM)  # no form at all: no CSRF token either
    assert as_json.status_code == 403
    with desk.db.session() as session:
        assert session.exec(select(ServiceRequest)).first() is None


def test_the_canary_hears_any_connection() -> None:
    """The traps above would hear a fetch: a connection to the canary is counted (the tests' own check)."""
    import socket

    with canary() as trap:
        with socket.create_connection(("127.0.0.1", trap.port), timeout=2):
            pass
        wait_until(lambda: trap.connections, seconds=2)
    assert len(trap.connections) == 1
