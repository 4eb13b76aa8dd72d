"""Finance: payment runs and batches (four eyes), the bank's reports, changed accounts' second check, and the
state report. Only the programmes the user's organisation pays; a batch, report or task of another is a 404."""

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from core.clock import helsinki_today
from core.i18n import formatting_gettext
from models.staff import Role
from web.csrf import require_csrf
from web.deps import FilesDep, GatewayDep, NowDep, RelayDep, SessionDep, SettingsDep, require_roles
from web.i18n import negotiate_language
from web.scope import Scope, ScopeDep, ScopedFinanceTask, ScopedPaymentBatch, ScopedRecovery
from web.services import payments, recoveries
from web.services.exports import MEDIA_TYPES, ExportFormat, export, filename
from web.services.processing import ActionRefused
from web.services.state_report import state_figures, state_report_table
from web.templating import attachment_response, render

router = APIRouter(
    prefix="/staff/finance",
    tags=["staff"],
    dependencies=[Depends(require_roles(Role.FINANCE))],
    include_in_schema=False,
)
CSRF = [Depends(require_csrf)]


@router.get("", response_class=HTMLResponse)
def finance(request: Request, scope: ScopeDep, session: SessionDep) -> HTMLResponse:
    return _finance_page(request, scope, session)


def _finance_page(
    request: Request, scope: Scope, session: SessionDep, errors: Mapping[str, str] | None = None, status_code: int = 200
) -> HTMLResponse:
    codes = scope.paid_codes
    context = {
        "user": scope.user,
        "programmes": scope.paid_programmes,
        "by_status": payments.payments_by_status(session, codes),
        "batches": payments.batches(session, codes, scope.user),
        "approvals": payments.account_approvals(session, codes),
        "reports": payments.bank_reports(session, scope.user),
        "figures": state_figures(session, list(scope.paid_programmes)),
        "recoveries": recoveries.awaiting_repayment(session, codes),
        "errors": errors or {},
        "today": helsinki_today(),
    }
    return render(request, "staff/finance.html", context, status_code=status_code)


@router.post("/payment-run", dependencies=CSRF)
def payment_run(request: Request, scope: ScopeDep, session: SessionDep, relay: RelayDep) -> Response:
    """A batch now for each of the user's programmes with unpaid payments (the daily schedule does the same)."""
    payments.request_payment_run(session, codes=scope.paid_codes, user=scope.user)
    relay.wake()
    request.session["flash"] = "payment_run_requested"
    return RedirectResponse("/staff/finance", status_code=303)


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, batch: ScopedPaymentBatch, scope: ScopeDep, session: SessionDep) -> HTMLResponse:
    return _batch_page(request, batch, scope, session)


def _batch_page(
    request: Request, batch: ScopedPaymentBatch, scope: Scope, session: SessionDep, error: str | None = None
) -> HTMLResponse:
    context = {
        "user": scope.user,
        "view": payments.batch_view(session, batch, scope.user),
        "instructions": payments.instructions(session, batch),
        "error": error,
    }
    return render(request, "staff/finance_batch.html", context, status_code=409 if error else 200)


@router.get("/batches/{batch_id}/file")
def batch_file(batch: ScopedPaymentBatch, scope: ScopeDep, session: SessionDep, files: FilesDep) -> Response:
    """The pain.001 file byte for byte as written, approved and released; each download is audited."""
    data = payments.batch_file(session, files, batch)
    if data is None:
        return Response(status_code=404)
    payments.audit_file_download(session, batch=batch, user=scope.user)
    return attachment_response(data, f"{batch.msg_id}.xml", "application/xml")


@router.post("/batches/{batch_id}/approve", response_class=HTMLResponse, dependencies=CSRF)
async def approve_batch(
    request: Request, batch: ScopedPaymentBatch, scope: ScopeDep, session: SessionDep, gateway: GatewayDep
) -> Response:
    try:
        approvals = await payments.approve_batch(gateway, batch=batch, user=scope.user)
    except ActionRefused as refused:
        return _batch_page(request, batch, scope, session, error=str(refused))
    request.session["flash"] = "batch_released" if approvals >= 2 else "batch_approved"
    return RedirectResponse(f"/staff/finance/batches/{batch.id}", status_code=303)


@router.post("/batches/{batch_id}/refuse", response_class=HTMLResponse, dependencies=CSRF)
async def refuse_batch(
    request: Request,
    batch: ScopedPaymentBatch,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        await payments.refuse_batch(gateway, batch=batch, user=scope.user, reason=reason)
    except ActionRefused as refused:
        return _batch_page(request, batch, scope, session, error=str(refused))
    request.session["flash"] = "batch_refused"
    return RedirectResponse(f"/staff/finance/batches/{batch.id}", status_code=303)


@router.post("/bank-reports", response_class=HTMLResponse, dependencies=CSRF)
async def import_bank_report(
    request: Request, scope: ScopeDep, session: SessionDep, files: FilesDep, relay: RelayDep, settings: SettingsDep
) -> Response:
    """A pain.002 status report or camt.054 notification from the bank; applied by the worker."""
    upload = (await request.form()).get("report")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _finance_page(request, scope, session, {"report": "Choose the bank's file."}, status_code=422)
    data = await upload.read()
    try:
        payments.import_bank_report(session, files, filename=upload.filename, data=data, imported_by=scope.user.id)
    except payments.ReportRefused as refused:
        translate = formatting_gettext(negotiate_language(request))
        reason = translate(refused.message) + (f" ({refused.detail})" if refused.detail else "")
        return _finance_page(request, scope, session, {"report": reason}, status_code=422)
    relay.wake()
    request.session["flash"] = "bank_report_imported"
    return RedirectResponse("/staff/finance", status_code=303)


@router.post("/account-changes/{task_id}", response_class=HTMLResponse, dependencies=CSRF)
async def second_check(
    request: Request,
    task: ScopedFinanceTask,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    decision: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The second person's check of a changed account: approved, the payment goes to it in the next batch."""
    if decision not in ("approve", "refuse"):
        return _finance_page(request, scope, session, {f"task-{task.id}": "Approve or refuse the account."}, 422)
    try:
        await payments.second_check(gateway, task=task, user=scope.user, accept=decision == "approve", note=note)
    except ActionRefused as refused:
        return _finance_page(request, scope, session, {f"task-{task.id}": str(refused)}, status_code=409)
    request.session["flash"] = "account_approved" if decision == "approve" else "account_refused"
    return RedirectResponse("/staff/finance", status_code=303)


@router.post("/recoveries/{recovery_id}/repaid", response_class=HTMLResponse, dependencies=CSRF)
async def mark_repaid(
    request: Request,
    recovery: ScopedRecovery,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    now: NowDep,
    amount: Annotated[str, Form(max_length=20)] = "",
    paid_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """A repayment the bank report does not show (paid at the cash desk, say), recorded by hand; audited."""
    try:
        day = date.fromisoformat(paid_on) if paid_on else None
    except ValueError:
        day = None
    try:
        await recoveries.mark_repaid(gateway, recovery=recovery, user=scope.user, amount_text=amount, on=day, now=now)
    except ActionRefused as refused:
        return _finance_page(request, scope, session, {f"recovery-{recovery.id}": str(refused)}, status_code=422)
    request.session["flash"] = "repayment_recorded"
    return RedirectResponse("/staff/finance#recoveries", status_code=303)


@router.get("/state-report")
def state_report(
    request: Request, scope: ScopeDep, session: SessionDep, format: Annotated[ExportFormat, Query()]
) -> Response:
    """Grants paid by month, recovered, and budget left: as CSV or XLSX for the ministry; audited."""
    table = state_report_table(state_figures(session, list(scope.paid_programmes)), negotiate_language(request))
    data = export(session, table=table, format=format, user=scope.user, filters={"programmes": scope.paid_codes})
    return attachment_response(data, filename(table, format, helsinki_today()), MEDIA_TYPES[format])
