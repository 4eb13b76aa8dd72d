"""Rectification through the whole system: the applicant asks on the status page, legal staff take the request
from their queue and record the body's ruling, the ruling letter (with the administrative court's appeal
instruction) is served, and an amended rejection is paid; a late request is recorded and dismissed; a member
of the municipality's request, registered by staff, is ruled on and posted to the member."""

import html
import io
import re
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage

from pypdf import PdfReader
from sqlmodel import col, select

from activities.serving.letters import recipient_of
from core.clock import helsinki_today
from models.appeals.requests import RectificationRequest
from models.documents import Document
from models.grants.applications import Application
from models.grants.decisions import Decision
from models.grants.programme import HELSINKI, Programme
from models.payments.payments import Payment
from models.staff import User
from models.tasks import Task
from tests.desk import Desk, wait_until
from tests.web.test_staff_processing import open_tasks, post, take_next
from tests.web_helpers import csrf_from
from tests.workflow_helpers import body, read_mails
from web.services.coordination import budget_overview

ENGLISH = {"applicant__language": "en"}
DEMAND = "My turnover fell by 45 %, not 12 %: the figures for March were entered in the wrong field."


def rejected_through_the_pages(desk: Desk, **changes: object) -> tuple[str, Decision]:
    """A rejection (turnover fell only 12 %), decided and served by e-mail: the status page's path and it."""
    desk.clock.now = datetime.now(UTC)  # the web app's day is the workflows' (requests are judged by it)
    receipt = desk.apply(turnover__crisis_eur="11000.00", **ENGLISH, **changes)
    open_tasks(desk)
    desk.sign_in_as("handler")
    task_id = take_next(desk)
    proposal = {"outcome": "reject", "reasons": ["TURNOVER_DROP"], "justification": "Turnover fell by 12.2 %."}
    assert post(desk, f"/staff/tasks/{task_id}", f"/staff/tasks/{task_id}/propose", proposal).status_code == 303
    open_tasks(desk, kind="decide")
    desk.sign_in_as("decider")
    decide_id = take_next(desk, "decider")
    verdict = {"verdict": "accept"}
    assert post(desk, f"/staff/tasks/{decide_id}", f"/staff/tasks/{decide_id}/decide", verdict).status_code == 303
    decision = wait_until(lambda: (d := grant_decision(desk)) and d.sent_at and d)
    desk.client.cookies.clear()
    return receipt["status_url"].replace("http://testserver", ""), decision


def grant_decision(desk: Desk) -> Decision | None:
    with desk.db.session() as session:
        return session.exec(select(Decision).where(Decision.kind == "grant")).first()


def ask(desk: Desk, status_url: str, demand: str = DEMAND, files: list | None = None):
    page = desk.client.get(f"{status_url}?lang=en").text
    key = re.search(r'name="key" value="([0-9a-f]+)"', page)
    decision = re.search(r'name="decision" value="([^"]+)"', page)
    assert key and decision, "the status page has no rectification form"
    data = {"csrf_token": csrf_from(page), "key": key.group(1), "decision": decision.group(1), "demand": demand}
    return desk.client.post(f"{status_url}/rectification", data=data, files=files, follow_redirects=False), data


def requests(desk: Desk) -> list[RectificationRequest]:
    with desk.db.session() as session:
        return list(session.exec(select(RectificationRequest).order_by(col(RectificationRequest.id))).all())


def legal_task(desk: Desk) -> Task | None:
    with desk.db.session() as session:
        return session.exec(select(Task).where(Task.kind == "rectification", Task.status != "done")).first()


def rule(desk: Desk, **values: object):
    desk.sign_in_as("legal")
    wait_until(lambda: legal_task(desk))
    task_id = take_next(desk, "legal")
    form = {
        "body": "Espoo City Board", "meeting_ref": "12.10.2020 § 345", "met_on": _today(desk),
        "justification": "The turnover figures were checked against the accounts.", **values,
    }  # fmt: skip
    return post(desk, f"/staff/tasks/{task_id}", f"/staff/tasks/{task_id}/rule", form), task_id


def ruling(desk: Desk) -> Decision | None:
    with desk.db.session() as session:
        return session.exec(select(Decision).where(Decision.kind == "ruling")).first()


def pdf_text(desk: Desk, decision: Decision) -> str:
    with desk.db.session() as session:
        document = session.exec(select(Document).where(Document.decision_id == decision.id)).first()
    assert document is not None
    data = (desk.settings.documents_dir / document.storage_key[:2] / document.storage_key).read_bytes()
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # lines wrap where the page ends them


def test_an_amended_rejection_is_a_new_decision_served_with_the_court_instruction_and_paid(
    desk: Desk, programme: Programme
) -> None:
    status_url, decision = rejected_through_the_pages(desk)

    empty, _ = ask(desk, status_url, demand=" ")
    assert empty.status_code == 422 and "Write what should change in the decision" in empty.text
    sent, data = ask(desk, status_url)
    again = desk.client.post(f"{status_url}/rectification", data=data, follow_redirects=False)  # a double submit
    assert sent.status_code == again.status_code == 303
    [request] = requests(desk)
    assert (request.late, request.requester, request.arrived_by) == (False, "party", "online")
    assert request.last_day == decision.rectification_last_day
    status = html.unescape(desk.client.get(sent.headers["location"].split("#")[0] + "?lang=en").text)
    assert "Your request for rectification was received" in status  # told once, after the redirect
    assert DEMAND in status and "The authority's lawyers prepare a ruling" in status
    assert 'name="demand"' not in status  # one request per decision from the page; more goes to the registry
    acknowledged = wait_until(
        lambda: [
            m
            for m in read_mails(desk.settings.mail_dir)
            if "We received your request for rectification" in str(m["Subject"])
        ]
    )
    assert len(acknowledged) == 1 and str(acknowledged[0]["To"]) == request.requester_email
    assert "/status/" in body(acknowledged[0])  # the party is linked to the application's page

    desk.sign_in_as("legal")
    wait_until(lambda: legal_task(desk))
    queue = html.unescape(desk.client.get("/staff/legal?lang=en").text)
    assert "ESP-20" in queue and "Requests for rectification" in queue
    assert re.search(r">\s*0 days\s*<", queue) and "%(num)s" not in queue  # its age, in words
    case_page = desk.client.get(f"/staff/applications/{decision.application_id}?lang=en").text
    assert "ruling on a request for rectification" in case_page  # the task's kind in words
    no_meeting, _ = rule(desk, ruling="amend", new_outcome="approve", meeting_ref="")
    assert no_meeting.status_code == 409 and "minutes" in no_meeting.text
    desk.sign_in_as("legal")
    task = legal_task(desk)
    assert task is not None
    form = {
        "ruling": "amend", "new_outcome": "approve", "body": "Espoo City Board", "meeting_ref": "12.10.2020 § 345",
        "met_on": _today(desk), "justification": "The turnover figures were checked against the accounts.",
    }  # fmt: skip
    done = post(desk, f"/staff/tasks/{task.id}", f"/staff/tasks/{task.id}/rule", form)
    assert done.status_code == 303 and done.headers["location"] == "/staff/legal"

    made = wait_until(lambda: (r := ruling(desk)) and r.sent_at and r)
    text = " ".join(pdf_text(desk, made).split())
    assert made.outcome == "amend" and made.amount == 2000
    assert text.startswith("City of Espoo, Economic Development Espoo City Board")  # the body ruled, not the official
    assert "Espoo City Board" in text and "12.10.2020 § 345" in text
    assert "Helsinki Administrative Court" in text and "30 days" in text and "is granted" in text
    assert "de minimis" in text.lower()  # an approval states its terms, whoever decides it
    with desk.db.session() as session:
        original = session.get(Decision, decision.id)
        application = session.get(Application, decision.application_id)
    assert original is not None and original.superseded_by_id == made.id
    assert application is not None and application.status == "approved"
    payment = wait_until(lambda: _payment(desk))
    assert (payment.decision_id, payment.reference, payment.amount) == (made.id, made.number, 2000)
    desk.sign_in_as("handler")
    case = html.unescape(desk.client.get(f"/staff/applications/{decision.application_id}?lang=en").text)
    assert f"Amended on rectification by ruling {made.number}" in case
    assert "Ruling letter (PDF)" in case and "Recovery decision (PDF)" not in case

    desk.client.cookies.clear()
    status = html.unescape(desk.client.get(f"{status_url}?lang=en").text)
    assert "the decision was amended, and the grant of €2,000.00 is approved" in status
    assert "the ruling below is the decision now" in status
    letter = desk.client.get(f"{status_url}/ruling-letter/1")
    assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
    assert "Appeal to the administrative court by" in status and "This decision was amended" in status
    published = html.unescape(desk.client.get("/decisions?lang=en").text)
    row = re.search(rf"<tr>\s*<td>{re.escape(made.number)}</td>.*?</tr>", published, re.S)
    assert row and "Decision amended on rectification: grant awarded" in row.group(0)
    assert "Espoo City Board" in row.group(0) and "appeal to the administrative court" in row.group(0)
    assert DEMAND not in published and request.requester_name not in published  # nothing personal
    in_finnish = html.unescape(desk.client.get("/decisions?lang=fi").text)
    assert "Espoon kaupunginhallitus" in in_finnish  # the programme's body, in the page's language
    with desk.db.session() as session:
        [line] = budget_overview(session, [programme])
    assert line.approved == 1  # the amending ruling is the approval that stands


def test_a_late_request_is_recorded_marked_late_and_dismissed(desk: Desk) -> None:
    status_url, decision = rejected_through_the_pages(desk)
    desk.skip_days(40)  # both windows closed: the decision is final
    wait_until(lambda: (d := grant_decision(desk)) and d.final_on)

    sent, _ = ask(desk, status_url)

    assert sent.status_code == 303
    [request] = requests(desk)
    assert request.late and request.received_on > (decision.rectification_last_day or request.received_on)
    status = html.unescape(desk.client.get(f"{status_url}?lang=en").text)
    assert "arrived after the time limit" in status
    desk.sign_in_as("legal")
    wait_until(lambda: legal_task(desk))
    assert "late" in desk.client.get("/staff/legal?lang=en").text
    done, _ = rule(desk, ruling="dismiss")
    assert done.status_code == 303
    made = wait_until(lambda: (r := ruling(desk)) and r.sent_at and r)
    assert "after the time limit for requesting rectification had ended" in pdf_text(desk, made)
    with desk.db.session() as session:
        assert session.get(Decision, decision.id).superseded_by_id is None  # type: ignore[union-attr]


def test_a_members_request_registered_by_staff_is_ruled_on_and_posted_to_the_member(desk: Desk) -> None:
    _, decision = rejected_through_the_pages(desk)
    desk.sign_in_as("legal")
    page = f"/staff/applications/{decision.application_id}"
    member = {
        "decision": decision.number, "requester": "member", "name": "Matti Kuntalainen", "street": "Kirkkokatu 1",
        "postcode": "02100", "post_office": "Espoo", "language": "fi", "arrived_by": "post",
        "received_on": "", "demand": "Päätös on lainvastainen, koska ohjelman ehtoja on sovellettu väärin.",
    }  # fmt: skip
    no_day = post(desk, page, f"{page}/rectification-requests", member)
    assert no_day.status_code == 422 and "Matti Kuntalainen" in no_day.text  # what was typed stays
    short = {**member, "received_on": _today(desk), "postcode": "123"}
    bad_postcode = post(desk, page, f"{page}/rectification-requests", short)
    assert bad_postcode.status_code == 422 and "five digits" in bad_postcode.text and not requests(desk)
    assert 'value="123"' in bad_postcode.text  # what was typed stays
    assert 'aria-invalid="true" aria-describedby="register-postcode-error"' in bad_postcode.text
    registered = post(desk, page, f"{page}/rectification-requests", {**member, "received_on": _today(desk)})
    assert registered.status_code == 303
    [request] = requests(desk)
    assert (request.requester, request.arrived_by, request.late) == ("member", "post", False)
    assert request.registered_by == desk.staff["legal"].user_id
    case = html.unescape(desk.client.get(f"{page}?lang=en").text)
    assert "Kirkkokatu 1, 02100 Espoo" in case  # where the ruling goes, for the lawyer to see

    wait_until(lambda: legal_task(desk))
    task_id = take_next(desk, "legal")
    form = desk.client.get(f"/staff/tasks/{task_id}?lang=en").text
    assert 'value="Espoon kaupunginhallitus"' in form  # the body named in the member's language, not the applicant's
    ruled = {
        "ruling": "reject", "body": "Espoon kaupunginhallitus", "meeting_ref": "§ 345", "met_on": _today(desk),
        "justification": "Ohjelman ehtoja on sovellettu oikein.",
    }  # fmt: skip
    done = post(desk, f"/staff/tasks/{task_id}", f"/staff/tasks/{task_id}/rule", ruled)
    assert done.status_code == 303
    made = wait_until(lambda: (r := ruling(desk)) and r.channel and r)
    assert made.channel == "letter"  # to the member's address, by post (no e-mail consent given)
    with desk.db.session() as session:
        recipient = recipient_of(session, made)
    assert recipient.address_lines == ("Matti Kuntalainen", "Kirkkokatu 1", "02100 ESPOO")


def mails(desk: Desk, subject: str) -> list[EmailMessage]:
    return [m for m in read_mails(desk.settings.mail_dir) if subject in str(m["Subject"])]


def _payment(desk: Desk) -> Payment | None:
    with desk.db.session() as session:
        return session.exec(select(Payment)).first()


def _today(desk: Desk) -> str:
    """The web app's day: a request arrives on it, and the body meets on it at the earliest."""
    return helsinki_today(desk.clock.now).isoformat()


def test_a_request_on_the_last_day_is_in_time_and_one_the_day_after_is_late(desk: Desk) -> None:
    status_url, decision = rejected_through_the_pages(desk)
    last_day = decision.rectification_last_day
    assert last_day is not None
    desk.skip_days((last_day - helsinki_today(desk.clock.now)).days)
    desk.clock.now = datetime.combine(last_day, time(23, 30), tzinfo=HELSINKI)  # half an hour before the end of it

    in_time, _ = ask(desk, status_url)
    desk.skip_days(1)
    desk.clock.now = datetime.combine(last_day + timedelta(days=1), time(0, 30), tzinfo=HELSINKI)
    # The applicant's second one came by post, the day after: staff register it with the day it arrived.
    desk.sign_in_as("legal")
    page = f"/staff/applications/{decision.application_id}"
    letter = {
        "decision": decision.number, "requester": "party", "arrived_by": "post", "received_on": _today(desk),
        "demand": "And the figures for April were wrong too.",
    }  # fmt: skip
    late = post(desk, page, f"{page}/rectification-requests", letter)
    desk.client.cookies.clear()

    assert in_time.status_code == late.status_code == 303
    first, second = requests(desk)
    assert (first.received_on, first.late) == (last_day, False)
    assert (second.received_on, second.late) == (last_day + timedelta(days=1), True)
    status = html.unescape(desk.client.get(f"{status_url}?lang=en").text)
    assert status.count("The request arrived after the time limit") == 1  # the second one only


def test_a_request_in_time_registered_after_the_windows_closed_takes_back_the_finality(desk: Desk) -> None:
    """A letter that arrived on the last day but was entered later: the decision was never final; the
    ruling that lets it stand makes it final when the ruling itself is."""
    _, decision = rejected_through_the_pages(desk)
    desk.skip_days(40)  # both windows closed with nothing registered: recorded final
    wait_until(lambda: (d := grant_decision(desk)) and d.final_on)
    desk.sign_in_as("legal")
    page = f"/staff/applications/{decision.application_id}"
    letter = {
        "decision": decision.number, "requester": "party", "arrived_by": "post", "demand": DEMAND,
        "received_on": str(decision.rectification_last_day),
    }  # fmt: skip

    registered = post(desk, page, f"{page}/rectification-requests", letter)

    assert registered.status_code == 303
    [request] = requests(desk)
    assert not request.late
    assert grant_decision(desk).final_on is None  # type: ignore[union-attr]
    case = html.unescape(desk.client.get(f"{page}?lang=en").text)
    assert "not yet: rectification was requested in time" in case and "no rectification was requested" not in case
    done, _ = rule(desk, ruling="reject")
    assert done.status_code == 303
    made = wait_until(lambda: (r := ruling(desk)) and r.sent_at and r)
    desk.skip_days(60)  # the ruling's windows (30 days to the court) close
    upheld = wait_until(lambda: (d := grant_decision(desk)) and d.final_on and d)
    final_ruling = ruling(desk)
    assert final_ruling is not None and made.number == final_ruling.number
    assert upheld.final_on == final_ruling.final_on


def test_a_ruling_its_letter_could_not_carry_is_refused_at_the_form(desk: Desk) -> None:
    """Refused before anything is recorded: the presenting lawyer's office in the requester's language, and
    grounds in another language than the requester's (an English applicant here)."""
    status_url, _ = rejected_through_the_pages(desk)
    ask(desk, status_url)
    legal = desk.staff["legal"].user_id
    with desk.db.session() as session:
        user = session.get(User, legal)
        assert user is not None
        titles, user.titles = dict(user.titles), {"fi": "lakimies"}
        session.add(user)
        session.commit()

    untitled, task_id = rule(desk, ruling="reject")

    page = html.unescape(untitled.text)
    assert untitled.status_code == 422 and "with your office in the requester's language (English)" in page
    assert 'id="ruling-justification"' in page and "checked against the accounts" in page  # what was typed stays
    with desk.db.session() as session:
        user = session.get(User, legal)
        assert user is not None
        user.titles = titles
        session.add(user)
        session.commit()
    finnish = {
        "ruling": "reject", "body": "Espoo City Board", "meeting_ref": "12.10.2020 § 345", "met_on": _today(desk),
        "justification": "Päätöstä ei muuteta, koska liikevaihto laski vain 12 prosenttia ja ehto on 30 prosenttia.",
    }  # fmt: skip
    in_finnish = post(desk, f"/staff/tasks/{task_id}", f"/staff/tasks/{task_id}/rule", finnish)
    assert in_finnish.status_code == 422
    assert "another language than the requester's (English)" in html.unescape(in_finnish.text)
    assert ruling(desk) is None
