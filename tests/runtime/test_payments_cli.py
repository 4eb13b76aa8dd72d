"""`grantdesk payments batch|export|import` and `grantdesk report state`, against the whole system (the desk's
Temporal server, worker and database), as a bank connection or an operator scripts them."""

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from typer.testing import CliRunner

from core.settings import Settings, get_settings
from models.payments.batches import PaymentBatch
from runtime import payments_cli
from runtime.cli import app
from runtime.simulation.bank import sent_transfers, status_report
from tests.desk import Desk, wait_until
from tests.support import TEST_PAYLOAD_KEY, TEST_SECRET
from tests.web.test_payments import payments
from tests.web.test_serving import decide_through_the_pages
from tests.web.test_staff_processing import post


@pytest.fixture
def cli_env(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    """The command line pointed at the desk's system."""
    settings = desk.settings
    for name, value in {
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "TASK_QUEUE": settings.task_queue,
        "SECRET_KEY": TEST_SECRET,
        "PAYLOAD_KEY": TEST_PAYLOAD_KEY,
        "DOCUMENTS_DIR": str(settings.documents_dir),
        "LOAD_DEMO_PROGRAMMES": "false",
        "PAYMENT_DEBTOR_IBAN": settings.payment_debtor_iban,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield desk
    get_settings.cache_clear()


def grantdesk(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def relay_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """The web app's outbox relay starts the bank report's workflow before the command does."""
    real = payments_cli._client

    async def client_after_the_relay(settings: Settings) -> object:
        client = await real(settings)

        class RelayWasFirst:
            def __getattr__(self, name: str) -> object:
                return getattr(client, name)

            async def start_workflow(self, *args: Any, **kwargs: Any) -> object:
                await client.start_workflow(*args, **kwargs)  # the relay's start
                return await client.start_workflow(*args, **kwargs)  # ours: already started

        return RelayWasFirst()

    monkeypatch.setattr(payments_cli, "_client", client_after_the_relay)


def test_batch_export_import_and_the_state_report_from_the_command_line(
    cli_env: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = cli_env
    decide_through_the_pages(desk)
    wait_until(lambda: payments(desk))

    code, output = grantdesk("payments", "batch")
    assert code == 0, output
    with desk.db.session() as session:
        batch = session.exec(select(PaymentBatch)).one()
    assert f"batch {batch.id} {batch.msg_id}: 1 payments, 2000.00 EUR" in output
    assert grantdesk("payments", "batch")[1].strip() == "no unpaid payments: no batch made"
    assert grantdesk("payments", "batch", "--programme", "nope")[0] == 2
    not_yet = grantdesk("payments", "export", str(batch.id), "--out", str(tmp_path / "early.xml"))
    assert not_yet[0] == 2 and "only a released batch" in not_yet[1]

    wait_until(lambda: _status(desk, batch.id) == "awaiting_approval")
    page = f"/staff/finance/batches/{batch.id}"
    for who in ("finance", "finance2"):
        desk.sign_in_as(who)
        assert post(desk, page, f"{page}/approve").status_code == 303
    wait_until(lambda: _status(desk, batch.id) == "released")
    released = desk.settings.bank_outgoing_dir / f"{batch.msg_id}.xml"

    code, output = grantdesk("payments", "export", batch.msg_id, "--out", str(tmp_path / "copy.xml"))
    assert code == 0, output
    assert (tmp_path / "copy.xml").read_bytes() == released.read_bytes()  # byte for byte as released

    report = tmp_path / "pain002.xml"
    report.write_bytes(status_report(sent_transfers(released), {}, date(2026, 12, 4)))
    relay_first(monkeypatch)  # the command waits for the same workflow, whoever started it
    code, output = grantdesk("payments", "import", str(report))
    assert code == 0, output
    assert "paid 1, returned 0" in output
    again = grantdesk("payments", "import", str(report))
    assert again[0] == 2 and "already been imported" in again[1]
    garbage = tmp_path / "garbage.xml"
    garbage.write_text("<not-a-report/>")
    assert grantdesk("payments", "import", str(garbage))[0] == 2
    assert payments(desk)[0].status == "paid"

    code, csv = grantdesk("report", "state", "--language", "en")
    assert code == 0
    assert "Operating grant for sole entrepreneurs 2020,2026-12,1,2000.00,0,0.00" in csv.replace("\r", "")
    code, _ = grantdesk("report", "state", "--format", "xlsx", "--out", str(tmp_path / "state.xlsx"))
    sheet = load_workbook(io.BytesIO((tmp_path / "state.xlsx").read_bytes())).active
    assert code == 0 and sheet is not None
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0][:3] == ("Ohjelma", "Kuukausi", "Maksettuja tukia")
    assert grantdesk("report", "state", "--format", "xlsx")[0] == 2


def _status(desk: Desk, batch_id: int | None) -> str:
    with desk.db.session() as session:
        batch = session.get(PaymentBatch, batch_id)
        return batch.status if batch else ""
