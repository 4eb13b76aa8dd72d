"""The receipt e-mail: sent once per application through a real SMTP server, in the applicant's language."""

from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from core.db import Database
from core.mail import SmtpMailer
from models.grants.payloads import ApplicationRef
from models.grants.programme import Programme
from models.grants.status_links import status_token
from models.notifications import EmailLog
from tests.mail_server import SmtpServer
from tests.workflow_helpers import accept

BASE_URL = "https://grants.example"
SECRET = "test-secret"


@pytest.fixture
def receipts(sqlite_db: Database, programmes: dict[str, Programme], smtp: SmtpServer):
    from activities.grants.receipts import ReceiptActivities

    smtp.start()
    mailer = SmtpMailer(host="127.0.0.1", port=smtp.port, sender="grants@espoo.example", timeout=5)
    return ReceiptActivities(sqlite_db, mailer, programmes, base_url=BASE_URL, secret=SECRET)


async def test_the_receipt_names_the_reference_the_next_steps_and_the_private_link(
    receipts, sqlite_db: Database, programme: Programme, smtp: SmtpServer
) -> None:
    application_id = accept(sqlite_db, programme, applicant__language="en", applicant__email_consent=True)

    await ActivityEnvironment().run(receipts.send_receipt, ApplicationRef(application_id=application_id))

    [message] = smtp.inbox.messages
    body = message.get_content()
    assert message["To"] == "maija@example.com"
    assert message["Subject"] == "We received your application ESP-2020-000001"
    assert message["Message-ID"] == f"<receipt.{application_id}@grantdesk>"
    assert f"{BASE_URL}/status/{status_token(application_id, SECRET)}?lang=en" in body  # opens in English
    assert "What happens next" in body
    assert "by e-mail as a PDF letter" in body


async def test_a_swedish_applicant_without_e_mail_consent_reads_it_in_swedish(
    receipts, sqlite_db: Database, programme: Programme, smtp: SmtpServer
) -> None:
    application_id = accept(sqlite_db, programme, applicant__language="sv", applicant__email_consent=False)

    await ActivityEnvironment().run(receipts.send_receipt, ApplicationRef(application_id=application_id))

    [message] = smtp.inbox.messages
    assert message["Subject"] == "Vi har tagit emot din ansökan ESP-2020-000001"
    assert "per post" in message.get_content()


async def test_running_the_activity_twice_sends_one_receipt(
    receipts, sqlite_db: Database, programme: Programme, smtp: SmtpServer
) -> None:
    application_id = accept(sqlite_db, programme)
    ref = ApplicationRef(application_id=application_id)

    await ActivityEnvironment().run(receipts.send_receipt, ref)
    await ActivityEnvironment().run(receipts.send_receipt, ref)

    assert len(smtp.inbox.messages) == 1
    with sqlite_db.session() as session:
        [log] = session.exec(select(EmailLog)).all()
    assert (log.key, log.sent_at is not None) == (f"receipt:{application_id}", True)


async def test_a_send_the_worker_did_not_confirm_goes_again_with_the_same_message_id(
    receipts, sqlite_db: Database, programme: Programme, smtp: SmtpServer, tmp_path: Path
) -> None:
    application_id = accept(sqlite_db, programme)
    ref = ApplicationRef(application_id=application_id)
    await ActivityEnvironment().run(receipts.send_receipt, ref)
    with sqlite_db.session() as session:  # as if the worker died between sending and recording it
        log = session.exec(select(EmailLog)).one()
        log.sent_at = None
        session.add(log)
        session.commit()

    await ActivityEnvironment().run(receipts.send_receipt, ref)

    first, second = smtp.inbox.messages
    assert first["Message-ID"] == second["Message-ID"]  # the mail client shows one message
