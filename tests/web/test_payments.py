"""The whole payment path through the pages, with a stand-in bank: a batch approved by two finance users goes
to the bank; the bank's report pays one grant and returns the other; the applicant gives a corrected account,
a handler and a finance user check it, a later batch pays it. One payment per decision throughout."""

import io
from datetime import date

from sqlmodel import col, select

from core.temporal import connect
from models.audit import AuditEvent
from models.grants.applications import Application
from models.grants.decisions import Decision
from models.notifications import EmailLog
from models.payments.batches import PaymentBatch, PaymentInstruction
from models.payments.imports import BankReportImport
from models.payments.payments import Payment
from models.tasks import Task
from runtime.simulation.bank import debit_notification, sent_transfers, status_report
from tests.desk import Desk, wait_until
from tests.support import TEST_PAYLOAD_KEY
from tests.web.test_serving import decide_through_the_pages
from tests.web.test_staff_processing import post, take_next
from tests.web_helpers import csrf_from
from workflows.payments.grant_payment import GrantPaymentWorkflow

NEW_IBAN = "FI1410093000123458"


def payments(desk: Desk) -> list[Payment]:
    with desk.db.session() as session:
        return list(session.exec(select(Payment).order_by(col(Payment.id))).all())


def released_batch(desk: Desk, after: int = 0) -> PaymentBatch:
    """A finance user makes a batch, two approve it, and it is released to the bank's folder."""
    desk.sign_in_as("finance")
    assert post(desk, "/staff/finance", "/staff/finance/payment-run").status_code == 303

    def awaiting() -> PaymentBatch | None:
        with desk.db.session() as session:
            batch = session.exec(select(PaymentBatch).where(col(PaymentBatch.id) > after)).first()
            return batch if batch and batch.status == "awaiting_approval" else None

    batch = wait_until(awaiting, seconds=30)
    page = f"/staff/finance/batches/{batch.id}"
    assert post(desk, page, f"{page}/approve").status_code == 303
    again = post(desk, page, f"{page}/approve")
    assert again.status_code == 409 and "another finance user must approve it too" in again.text  # four eyes
    desk.sign_in_as("finance2")
    assert post(desk, page, f"{page}/approve").status_code == 303

    def released() -> PaymentBatch | None:
        with desk.db.session() as session:
            found = session.get(PaymentBatch, batch.id)
            return found if found and found.status == "released" else None

    return wait_until(released, seconds=30)


def import_report(desk: Desk, data: bytes, name: str) -> BankReportImport:
    desk.sign_in_as("finance")
    token = csrf_from(desk.client.get("/staff/finance").text)
    answer = desk.client.post(
        "/staff/finance/bank-reports",
        data={"csrf_token": token},
        files={"report": (name, io.BytesIO(data), "application/xml")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text

    def applied() -> BankReportImport | None:
        with desk.db.session() as session:
            report = session.exec(select(BankReportImport).where(BankReportImport.filename == name)).first()
            return report if report and report.status == "applied" else None

    return wait_until(applied, seconds=30)


async def test_a_returned_payment_gets_a_checked_new_account_and_is_paid_by_a_later_batch(desk: Desk) -> None:
    first_url, _ = decide_through_the_pages(desk)
    second_url, _ = decide_through_the_pages(desk, applicant__personal_id="010190-123M")
    wait_until(lambda: len(payments(desk)) == 2 and payments(desk))
    first, second = payments(desk)

    batch = released_batch(desk)
    file = desk.settings.bank_outgoing_dir / f"{batch.msg_id}.xml"
    sent = sent_transfers(file)
    assert (batch.payments, str(batch.total)) == (2, "4000.00")
    assert [s.end_to_end_id for s in sent] == [first.reference, second.reference]
    download = desk.client.get(f"/staff/finance/batches/{batch.id}/file")
    assert download.content == file.read_bytes()  # the file as released, byte for byte

    report = import_report(desk, status_report(sent, {second.reference: "RJCT"}, date(2026, 12, 4)), "pain002.xml")
    assert (report.summary["paid"], report.summary["rejected"]) == (1, 1)
    first, second = wait_until(lambda: (p := payments(desk))[1].status == "rejected" and p)
    assert (first.status, first.paid_on) == ("paid", date(2026, 12, 4))
    assert "AC01" in (second.rejection_reason or "")
    with desk.db.session() as session:
        assert session.get(Application, first.application_id).status == "paid"  # type: ignore[union-attr]

    def asked() -> list[EmailLog]:
        with desk.db.session() as session:
            return list(session.exec(select(EmailLog).where(col(EmailLog.key).startswith("payment_returned:"))).all())

    assert len(wait_until(asked)) == 1  # the applicant was asked for a corrected account
    again = desk.client.post(
        "/staff/finance/bank-reports",
        data={"csrf_token": csrf_from(desk.client.get("/staff/finance").text)},
        files={"report": ("again.xml", io.BytesIO(status_report(sent, {}, date(2026, 12, 4))), "text/xml")},
    )
    assert again.status_code == 200  # a different file: fine; its lines were reported before and change nothing

    # The applicant gives a corrected account on the status page; a bad one is refused with what was typed.
    desk.client.cookies.clear()
    refused = post(desk, second_url, f"{second_url}/account", {"iban": "FI00 1234"})
    assert refused.status_code == 422 and 'value="FI00 1234"' in refused.text
    assert post(desk, second_url, f"{second_url}/account", {"iban": NEW_IBAN}).status_code == 303
    assert "It is used once two of our staff have checked it" in desk.client.get(f"{second_url}?lang=en").text

    # A handler checks it, and a finance user approves it: only then is it used.
    desk.sign_in_as("handler")
    task = wait_until(lambda: _task(desk, "account", "account_given"))
    take_next(desk)
    page = f"/staff/tasks/{task.id}"
    assert NEW_IBAN in desk.client.get(page).text
    assert post(desk, page, f"{page}/check-account", {"decision": "accept"}).status_code == 303
    approval = wait_until(lambda: _task(desk, "account_approval"))
    assert payments(desk)[1].iban != NEW_IBAN  # one check is not enough
    desk.sign_in_as("finance")
    assert "FI14 1009 3000 1234 58" in desk.client.get("/staff/finance").text  # the new account, with its bank
    second_check = post(
        desk, "/staff/finance", f"/staff/finance/account-changes/{approval.id}", {"decision": "approve"}
    )
    assert second_check.status_code == 303
    wait_until(lambda: payments(desk)[1].status == "unpaid")
    assert payments(desk)[1].iban == NEW_IBAN

    # The next batch pays it, to the new account.
    later = released_batch(desk, after=batch.id or 0)
    resent = sent_transfers(desk.settings.bank_outgoing_dir / f"{later.msg_id}.xml")
    assert [s.end_to_end_id for s in resent] == [second.reference]
    import_report(desk, debit_notification(resent, date(2026, 12, 8)), "camt054.xml")
    wait_until(lambda: payments(desk)[1].status == "paid")

    with desk.db.session() as session:
        decisions = session.exec(select(Decision)).all()
        assert len(payments(desk)) == len(decisions) == 2  # never more than one payment per decision
        listed = session.exec(select(PaymentInstruction).where(PaymentInstruction.payment_id == second.id)).all()
        assert [(i.iban, i.status) for i in listed] == [(second.iban, "rejected"), (NEW_IBAN, "paid")]
        actions = {e.action for e in session.exec(select(AuditEvent)).all()}
    assert {"payment_account_given", "payment_account_checked", "payment_account_approved"} <= actions
    desk.client.cookies.clear()
    status = desk.client.get(f"{second_url}?lang=en").text
    assert "was paid on 8 Dec 2026 to the account ending 3458" in status
    client = await connect(desk.settings.temporal_address, "default", TEST_PAYLOAD_KEY)
    for application_id in (first.application_id, second.application_id):
        payment = client.get_workflow_handle_for(GrantPaymentWorkflow.run, f"grant-{application_id}/payment")
        assert (await payment.result()).paid_on is not None  # the grant workflow goes on to the decision's finality
    desk.client.cookies.clear()
    assert "was paid on" in desk.client.get(f"{first_url}?lang=en").text


def _task(desk: Desk, kind: str, note: str | None = None) -> Task | None:
    with desk.db.session() as session:
        tasks = session.exec(select(Task).where(Task.kind == kind, col(Task.status).in_(["open", "claimed"]))).all()
    return next((t for t in tasks if note is None or t.note == note), None)
