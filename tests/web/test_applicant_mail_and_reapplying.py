"""The applicant's side end to end on a real Temporal server and worker: the receipt arrives once, a lost
link comes back through the outbox, and an application withdrawn does not count as "already applied"."""

import asyncio
from pathlib import Path

from sqlmodel import col, select
from temporalio.client import Client

from models.grants.applications import Application, AssessmentRecord
from models.grants.eligibility import ReasonCode
from models.notifications import EmailLog
from models.outbox import OutboxMessage
from runtime.outbox_relay import OutboxRelay
from tests.desk import Desk, wait_until
from tests.web.test_staff_processing import open_tasks, post
from tests.web_helpers import csrf_from
from tests.workflow_helpers import read_mails


def mail_dir(desk: Desk) -> Path:
    return desk.settings.mail_dir


def receipts(desk: Desk) -> list:
    return [m for m in read_mails(mail_dir(desk), receipts=True) if str(m["Message-ID"]).startswith("<receipt.")]


def test_the_receipt_arrives_once_even_when_the_relay_starts_the_case_twice(desk: Desk) -> None:
    desk.apply(applicant__language="sv")
    [receipt] = wait_until(lambda: receipts(desk))
    assert receipt["Subject"] == "Vi har tagit emot din ansökan ESP-2020-000001"
    open_tasks(desk)  # the case went on to the handlers' queue

    with desk.db.session() as session:  # as if the relay crashed before marking its row
        promise = session.exec(select(OutboxMessage)).one()
        promise.dispatched_at = None
        session.add(promise)
        session.commit()

    async def relay_again() -> tuple[str | None, int, str | None]:
        client = await Client.connect(desk.settings.temporal_address, namespace=desk.settings.temporal_namespace)
        before = (await client.get_workflow_handle("grant-1").describe()).run_id
        dispatched = await OutboxRelay(desk.db, lambda: _client(client), desk.settings.task_queue).run_once()
        return before, dispatched, (await client.get_workflow_handle("grant-1").describe()).run_id

    before, dispatched, after = asyncio.run(relay_again())
    assert dispatched == 1  # the row went to Temporal again...
    assert before == after  # ...which kept the one run of grant-1
    with desk.db.session() as session:
        [log] = session.exec(select(EmailLog).where(col(EmailLog.key).startswith("receipt:"))).all()
    assert log.sent_at is not None
    assert len(receipts(desk)) == 1


async def _client(client: Client) -> Client:
    return client


def test_a_lost_link_goes_out_through_the_worker(desk: Desk) -> None:
    receipt = desk.apply(applicant__language="en")
    page = desk.client.get("/lost-link")
    desk.client.post(
        "/lost-link",
        data={"csrf_token": csrf_from(page.text), "reference": "ESP-2020-000001", "email": "maija@example.com"},
    )

    def link_mail():
        return [m for m in read_mails(mail_dir(desk)) if "The link to your application" in str(m["Subject"])]

    [mail] = wait_until(link_mail)
    assert receipt["status_url"] in mail.get_content()
    with desk.db.session() as session:  # sent, and the one-time text no longer kept
        log = session.exec(select(EmailLog).where(col(EmailLog.key).startswith("status-link:"))).one()
        wait_until(lambda: session.get(EmailLog, log.id, populate_existing=True).sent_at)  # type: ignore[union-attr]
        assert session.get(EmailLog, log.id).body is None  # type: ignore[union-attr]


def test_an_application_withdrawn_is_not_already_applied(desk: Desk) -> None:
    first = desk.apply()
    open_tasks(desk)
    status_url = first["status_url"].replace("http://testserver", "")
    assert post(desk, status_url, f"{status_url}/withdraw", {"confirm": "yes"}).status_code == 303
    with desk.db.session() as session:
        wait_until(lambda: session.get(Application, 1, populate_existing=True).status == "withdrawn")  # type: ignore[union-attr]

    desk.apply(costs_description="Rent, applied again after withdrawing.")
    desk.apply(costs_description="A third time, while the second stands.")

    def duplicate_checks() -> dict[int, bool] | None:
        with desk.db.session() as session:
            records = session.exec(select(AssessmentRecord).order_by(col(AssessmentRecord.application_id))).all()
        if len(records) < 3:
            return None
        return {r.application_id: ReasonCode.DUPLICATE not in r.reasons for r in records}

    assert wait_until(duplicate_checks) == {1: True, 2: True, 3: False}
