"""Recovering a paid grant through the pages: a handler opens the case, a decider who did not open it decides,
the recovery decision is served as a letter with the amount, due date and RF reference, and the bank's
report of the repayment closes it; the state report counts it."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from pypdf import PdfReader
from sqlmodel import col, select
from stdnum import iso11649

from models.documents import Document
from models.grants.decisions import Decision
from models.payments.recovery import Recovery
from models.tasks import Task
from runtime.simulation.bank import repayment_notification, sent_transfers, status_report
from tests.desk import Desk, wait_until
from tests.web.test_payments import import_report, payments, released_batch
from tests.web.test_serving import decide_through_the_pages
from tests.web.test_staff_processing import post, take_next

REASON = "The grantee also received EUR 14,000 of corona funding from Business Finland, which the terms exclude."


def paid_grant(desk: Desk) -> tuple[str, int]:
    status_url, _ = decide_through_the_pages(desk, applicant__language="en")
    wait_until(lambda: payments(desk))
    batch = released_batch(desk)
    sent = sent_transfers(desk.settings.bank_outgoing_dir / f"{batch.msg_id}.xml")
    import_report(desk, status_report(sent, {}, date(2026, 12, 4)), "paid.xml")
    wait_until(lambda: payments(desk)[0].status == "paid")
    return status_url, payments(desk)[0].application_id


def recovery(desk: Desk) -> Recovery:
    with desk.db.session() as session:
        return session.exec(select(Recovery)).one()


def test_a_paid_grant_is_recovered_by_a_served_decision_and_its_repayment_closes_the_case(desk: Desk) -> None:
    status_url, application_id = paid_grant(desk)
    page = f"/staff/applications/{application_id}"

    desk.sign_in_as("both")  # a handler who is also a decider opens the case: they may not decide it
    too_much = post(desk, page, f"{page}/recovery", {"reason": REASON, "amount": "2 000,01"})
    finnish = post(
        desk,
        page,
        f"{page}/recovery",
        {"reason": "Hakija on saanut myös muuta tukea, joten tuki peritään.", "amount": "2000"},
    )
    assert too_much.status_code == finnish.status_code == 422
    assert "what is left to recover of the grant" in too_much.text and REASON in too_much.text  # what was typed stays
    assert "another language than the applicant" in finnish.text
    assert post(desk, page, f"{page}/recovery", {"reason": REASON, "amount": "1 000,00"}).status_code == 303

    # The grantee is heard first: told what is intended and why, and given a day to explain by.
    def hearing_open() -> str | None:
        desk.client.cookies.clear()
        text = desk.client.get(f"{status_url}?lang=en").text
        return text if "We intend to recover the grant" in text else None

    status = wait_until(hearing_open)
    assert REASON in status and "Administrative Procedure Act 34" in status
    assert _task(desk, "recovery") is None  # no decision before the hearing
    action = f"{status_url}/recovery/1/explanation"
    assert post(desk, status_url, action, {"text": " "}).status_code == 422
    explanation = "The Business Finland money was a loan that I paid back, not a grant."
    assert post(desk, status_url, action, {"text": explanation}).status_code == 303
    assert "We received your explanation" in desk.client.get(f"{status_url}?lang=en").text
    desk.sign_in_as("both")
    task = wait_until(lambda: _task(desk, "recovery"))
    assert explanation in desk.client.get(f"/staff/tasks/{task.id}?lang=en").text
    take_next(desk, "decider")
    own = post(
        desk,
        f"/staff/tasks/{task.id}",
        f"/staff/tasks/{task.id}/decide-recovery",
        {"verdict": "recover", "justification": "Recovered under section 21."},
    )
    assert own.status_code == 409 and "another decider must decide it" in own.text
    post(desk, f"/staff/tasks/{task.id}", f"/staff/tasks/{task.id}/release")

    desk.sign_in_as("decider")
    take_next(desk, "decider")
    decided = post(
        desk,
        f"/staff/tasks/{task.id}",
        f"/staff/tasks/{task.id}/decide-recovery",
        {"verdict": "recover", "justification": "The grant is recovered in full under section 21 of the Act."},
    )
    assert decided.status_code == 303

    def served() -> Decision | None:
        with desk.db.session() as session:
            found = session.exec(select(Decision).where(Decision.kind == "recovery")).first()
            return found if found and found.sent_at else None

    decision = wait_until(served, seconds=30)
    case = recovery(desk)
    assert case.status == "decided" and case.creditor_reference and iso11649.is_valid(case.creditor_reference)
    with desk.db.session() as session:
        letter = session.exec(select(Document).where(Document.decision_id == decision.id)).one()
        grant = session.exec(select(Decision).where(Decision.kind == "grant")).one()
    desk.sign_in_as("handler")
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(desk.client.get(f"/staff/documents/{letter.id}").content)).pages
    ).replace("\n", " ")
    assert decision.number in text and grant.number in text and decision.number != grant.number
    assert iso11649.format(case.creditor_reference) in text
    assert "is ordered to repay" in text and REASON in text.replace("  ", " ")
    assert "Instructions for requesting rectification" in text  # appealable like the grant decision
    assert "You were heard before the decision" in text
    desk.client.cookies.clear()
    assert case.creditor_reference in desk.client.get(f"{status_url}?lang=en").text

    # Part is paid at the cash desk and marked by hand; the rest comes through the bank with the reference.
    desk.sign_in_as("finance")
    desk.clock.now = datetime(2026, 12, 30, 9, 0, tzinfo=UTC)
    mark = f"/staff/finance/recoveries/{case.id}/repaid"
    too_much = post(desk, "/staff/finance", mark, {"amount": "1 500,00", "paid_on": "2026-12-15"})
    future = post(desk, "/staff/finance", mark, {"amount": "400", "paid_on": "2027-01-15"})
    assert too_much.status_code == future.status_code == 422
    assert "more than is left to repay" in too_much.text and "in the future" in future.text
    assert post(desk, "/staff/finance", mark, {"amount": "400,00", "paid_on": "2026-12-15"}).status_code == 303
    wait_until(lambda: recovery(desk).repaid_amount == Decimal("400.00"))
    import_report(desk, repayment_notification(case.creditor_reference, "600.00", date(2026, 12, 20)), "in.xml")
    wait_until(lambda: recovery(desk).status == "repaid")
    assert (recovery(desk).repaid_amount, recovery(desk).repaid_on) == (case.amount, date(2026, 12, 20))
    report = desk.client.get("/staff/finance/state-report?format=csv").content.decode("utf-8-sig")
    assert "2026-12,1,2000.00,1,1000.00" in report.replace("\r", "")

    # What is left of the grant may still be recovered, no more.
    desk.sign_in_as("handler")
    assert "Recover the grant" in desk.client.get(f"{page}?lang=en").text
    more = post(desk, page, f"{page}/recovery", {"reason": REASON, "amount": "1 000,01"})
    assert more.status_code == 422 and "what is left to recover" in more.text


def _task(desk: Desk, kind: str) -> Task | None:
    with desk.db.session() as session:
        return session.exec(select(Task).where(Task.kind == kind, col(Task.status).in_(["open", "claimed"]))).first()
