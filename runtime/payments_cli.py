"""`grantdesk payments` and `grantdesk report`: what a bank connection or an operator scripts.

`payments batch` makes the batches now (as the daily schedule does), `payments export` writes a released
file byte for byte as released, `payments import` applies a bank status report, `report state` writes
the ministry's report. The same service functions as the finance page; bad input exits 2 with a message.
"""

import asyncio
import uuid
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from core.settings import Settings, get_settings
from core.storage import LocalFileStore
from core.temporal import connect
from models.grants.programme import load_programmes
from models.payments.batches import PaymentBatch, PaymentBatchStatus
from models.payments.payloads import BankReportRef, PaymentRunInput
from runtime.cli_support import database, fail
from web.services import payments
from web.services.exports import WRITERS
from web.services.state_report import state_figures, state_report_table
from workflows.payments.bank_report import BankReportWorkflow
from workflows.payments.payment_run import PaymentRunWorkflow

app = typer.Typer(help="Payment batches and bank reports.", no_args_is_help=True)
report_app = typer.Typer(help="Reports.", no_args_is_help=True)


async def _client(settings: Settings) -> Client:
    try:
        return await connect(settings.temporal_address, settings.temporal_namespace, settings.payload_key)
    except RuntimeError as down:
        fail(f"Temporal is not reachable at {settings.temporal_address}: {down}", code=1)


@app.command()
def batch(
    programme: Annotated[
        list[str] | None, typer.Option(help="programme code; repeat for several (default: all)")
    ] = None,
) -> None:
    """Make a payment batch now for each programme with unpaid payments; prints the batches made."""
    settings = get_settings()
    known = load_programmes(settings.programmes_dir, include_demo=settings.demo_programmes)
    unknown = [code for code in programme or [] if code not in known]
    if unknown:
        fail(f"unknown programme {unknown[0]!r}; known: {', '.join(sorted(known))}")

    async def run() -> list[int]:
        client = await _client(settings)
        opened = await client.execute_workflow(
            PaymentRunWorkflow.run,
            PaymentRunInput(programme_codes=programme or None),
            id=f"payment-run-cli-{uuid.uuid4()}",
            task_queue=settings.task_queue,
        )
        return opened.batch_ids

    batch_ids = asyncio.run(run())
    if not batch_ids:
        typer.echo("no unpaid payments: no batch made")
        return
    with database() as (session, _settings):
        for batch_id in batch_ids:
            made = session.get(PaymentBatch, batch_id)
            assert made is not None
            typer.echo(
                f"batch {made.id} {made.msg_id}: {made.payments} payments, {made.total} EUR, {made.programme_code}"
            )


@app.command()
def export(
    batch_id: Annotated[str, typer.Argument(help="the batch's number or its message id (GRANTDESK-…)")],
    out: Annotated[Path, typer.Option(dir_okay=False, help="where to write the file")],
) -> None:
    """Write a released batch's pain.001 file, byte for byte as it was released to the bank."""
    with database() as (session, settings):
        query = select(PaymentBatch).where(
            (PaymentBatch.msg_id == batch_id) | (PaymentBatch.id == (int(batch_id) if batch_id.isdigit() else -1))
        )
        found = session.exec(query).first()
        if found is None:
            fail(f"no payment batch {batch_id!r}")
        if found.status != PaymentBatchStatus.RELEASED:
            fail(f"batch {found.id} is {found.status}: only a released batch's file is exported")
        data = payments.batch_file(session, LocalFileStore(settings.documents_dir), found)
        assert data is not None
    out.write_bytes(data)
    typer.echo(f"{out}: {len(data)} bytes, batch {found.id} {found.msg_id}")


@app.command(name="import")
def import_report(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a pain.002 or camt.054 XML file")],
) -> None:
    """Apply a bank report: each payment in it becomes paid or returned (the same file twice changes nothing)."""
    with database() as (session, settings):
        try:
            imported = payments.import_bank_report(
                session,
                LocalFileStore(settings.documents_dir),
                filename=file.name,
                data=file.read_bytes(),
                imported_by=None,
            )
        except payments.ReportRefused as refused:
            fail(f"{file}: {refused.message}" + (f" ({refused.detail})" if refused.detail else ""))
        report_id = imported.id or 0

    async def run() -> None:
        client = await _client(settings)
        # The outbox has the same promise: whoever starts it first, it runs once (the id is the report's).
        workflow_id = f"bank-report-{report_id}"
        try:
            await client.start_workflow(
                BankReportWorkflow.run,
                BankReportRef(report_id=report_id),
                id=workflow_id,
                task_queue=settings.task_queue,
            )
        except WorkflowAlreadyStartedError:
            pass  # the outbox relay of a running web app was first: the same workflow, waited for alike
        await client.get_workflow_handle(workflow_id).result()

    asyncio.run(run())
    with database() as (session, _settings):
        applied = session.get(type(imported), report_id)
        assert applied is not None
        summary = applied.summary
    typer.echo(
        f"{file}: paid {summary.get('paid', 0)}, returned {summary.get('rejected', 0)}, "
        f"reported earlier {summary.get('unchanged', 0)}, matching nothing {len(summary.get('unmatched', []))}"
    )
    for line in summary.get("unmatched", []):
        typer.echo(f"  not matched: {line}")


@report_app.command()
def state(
    format: Annotated[str, typer.Option(help="csv or xlsx")] = "csv",
    out: Annotated[Path | None, typer.Option(dir_okay=False, help="file to write (default: standard output)")] = None,
    language: Annotated[str, typer.Option(help="fi, sv or en headings")] = "fi",
) -> None:
    """The state report: grants paid by month, recovered, budget left, for every programme."""
    if format not in WRITERS:
        fail(f"unknown format {format!r}; use csv or xlsx")
    if format == "xlsx" and out is None:
        fail("an XLSX report needs --out FILE")
    settings = get_settings()
    programmes = load_programmes(settings.programmes_dir, include_demo=settings.demo_programmes)
    with database() as (session, _settings):
        table = state_report_table(state_figures(session, list(programmes.values())), language)
    data = WRITERS[format](table)
    if out is None:
        typer.echo(data.decode("utf-8-sig"), nl=False)
    else:
        out.write_bytes(data)
        typer.echo(f"{out}: {len(table.rows)} rows")
