"""The applicant's side of payments and recovery on the status page: a corrected account after the bank
returned the payment, and an explanation before a recovery decision.

The account goes to the payment's workflow, which keeps it aside until two staff members have checked it;
the explanation to the recovery's workflow, for the decider. A refusal comes back at the field with what was
typed.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.clock import helsinki_today
from core.i18n import N_
from models.grants.applications import grant_workflow_id
from models.grants.status_links import application_id_from_token
from models.payments.accounts import sepa_iban
from models.payments.payloads import ExplainInput, GiveAccountInput
from web.csrf import require_csrf
from web.deps import GatewayDep, NowDep, SessionDep, SettingsDep
from web.i18n import formatting_gettext, negotiate_language
from web.ids import RowId
from web.routes.public import render_status_page
from web.services.applications import hearings_open, payment_of
from web.services.processing import ActionRefused, send_update
from workflows.payments.grant_payment import GrantPaymentWorkflow
from workflows.payments.recovery import RecoveryWorkflow

router = APIRouter(tags=["applicant"], include_in_schema=False)
NOT_AN_IBAN_CHECKED = N_(
    "This is not an account number we can pay to: check it against your bank's (the two check digits after "
    "the country code must match), and give an account in the SEPA area."
)


def payment_workflow_id(application_id: int) -> str:
    return f"{grant_workflow_id(application_id)}/payment"


@router.post("/status/{token}/account", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def give_account(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    gateway: GatewayDep,
    iban: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    application_id = application_id_from_token(token, settings.secret_key)
    if application_id is None:
        raise HTTPException(status_code=404)
    translate = formatting_gettext(negotiate_language(request))
    payment = await run_in_threadpool(payment_of, session, application_id)
    if payment is None or not payment.needs_account:
        message = translate("No new account is needed for this payment.")
        return await _refused(request, session, settings, token, message, iban, 409)
    try:
        compact = sepa_iban(iban)
    except ValueError:
        return await _refused(request, session, settings, token, translate(NOT_AN_IBAN_CHECKED), iban, 422)
    try:
        await send_update(
            gateway,
            payment_workflow_id(application_id),
            GrantPaymentWorkflow.give_account,
            GiveAccountInput(iban=compact),
        )
    except ActionRefused as refused:
        return await _refused(request, session, settings, token, translate(str(refused)), iban, 422)
    return RedirectResponse(f"/status/{token}", status_code=303)


async def _refused(
    request: Request, session: SessionDep, settings: SettingsDep, token: str, message: str, iban: str, status: int
) -> HTMLResponse:
    return await run_in_threadpool(
        render_status_page,
        request,
        session,
        settings,
        token,
        account_error=message,
        account=iban,
        status_code=status,
    )


@router.post(
    "/status/{token}/recovery/{recovery_seq}/explanation",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def explain(
    request: Request,
    token: str,
    recovery_seq: RowId,
    session: SessionDep,
    settings: SettingsDep,
    gateway: GatewayDep,
    now: NowDep,
    text: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """The grantee's explanation before a recovery decision (Administrative Procedure Act 34 §)."""
    application_id = application_id_from_token(token, settings.secret_key)
    if application_id is None:
        raise HTTPException(status_code=404)
    translate = formatting_gettext(negotiate_language(request))
    hearings = await run_in_threadpool(hearings_open, session, application_id, helsinki_today(now))
    hearing = next((r for r in hearings if r.seq == recovery_seq), None)
    if hearing is None:
        raise HTTPException(status_code=404)
    try:
        await send_update(gateway, hearing.workflow_id, RecoveryWorkflow.explain, ExplainInput(text=text))
    except ActionRefused as refused:
        return await run_in_threadpool(
            render_status_page,
            request,
            session,
            settings,
            token,
            explanation_error=translate(str(refused)),
            explanation=text,
            status_code=422,
        )
    return RedirectResponse(f"/status/{token}", status_code=303)
