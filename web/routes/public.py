"""The public front door: programmes, the application form, the applicant's private status page."""

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from core.clock import helsinki_today
from core.i18n import N_
from models.grants.application_form import NewApplication
from models.grants.applications import Stage, grant_workflow_id
from models.grants.payloads import AnswerInput, WithdrawInput
from models.grants.programme import Programme
from models.grants.status_links import application_id_from_token, status_token
from models.identification import IdentifiedPerson
from web.applicants import ApplicantDep
from web.csrf import require_csrf, require_csrf_token
from web.deps import (
    FilesDep,
    GatewayDep,
    MandatesDep,
    NowDep,
    ProgrammeDep,
    ProgrammesDep,
    RegisterDep,
    RelayDep,
    SessionDep,
    SettingsDep,
    get_now,
    get_programmes,
)
from web.form_errors import KNOWN_REASONS, POSTAL_ADDRESS_REQUIRED, field_errors, friendly_message
from web.form_session import draft_key, remember_sent, sent_status_path
from web.forms import GROUP_FIRST_FIELD, country_options, flat_values, nested, postal_address_missing
from web.i18n import formatting_gettext, gettext_for, negotiate_language
from web.ids import RowId
from web.services.acting import ActingRefused, check_right_to_apply
from web.services.applications import (
    application_view,
    decision_of,
    hearings_open,
    latest_letter,
    open_info_request,
    payment_of,
    recoveries_told,
)
from web.services.disagreements import register_findings
from web.services.intake import IdempotencyConflict, ProgrammeNotOpen, submit_application
from web.services.my_applications import application_in_progress
from web.services.prefill import Prefill, prefill_for
from web.services.processing import ActionRefused, send_update
from web.services.rectifications import contestable, contested_in_time, requests_of
from web.services.uploads import UploadRefused, store_uploads, uploads_in
from web.templating import pdf_response, render
from workflows.grants.application import GrantApplicationWorkflow

router = APIRouter(tags=["public"], include_in_schema=False)  # pages, not API

NOT_THE_SIGNED_IN_PERSON = N_(
    "The application is made in the name of the person who signed in. Sign out and sign in as the person who applies."
)

# Before a decision the applicant may withdraw (not while the first automatic check is still running).
WITHDRAWABLE = (Stage.ASSESSED, Stage.WAITING_FOR_APPLICANT, Stage.IN_DECISION)

DEFAULT_VALUES = {
    "aid.tax_debt": "no",
    "aid.tax_payment_plan": "no",
    "aid.other_corona_aid": "no",
    "aid.de_minimis_eur_3y": "0",
    "business.employees": "0",
    "business.laid_off_employees": "0",
    "business.other_working_owners": "0",
    "business.in_difficulty_before_crisis": "no",
    "applicant.address.country": "FI",
}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, now: NowDep, catalogue: ProgrammesDep) -> HTMLResponse:
    """The programmes, open ones first."""
    programmes: list[Programme] = sorted(catalogue.values(), key=lambda p: (not p.is_open(now), p.closes_at))
    return render(request, "public/index.html", {"programmes": programmes, "now": now})


def _form_page(
    request: Request,
    programme: Programme,
    values: dict[str, str],
    errors: dict[str, str],
    key: str,
    status: int,
    now: datetime,
    applicant: IdentifiedPerson | None = None,
    prefill: Prefill | None = None,
) -> HTMLResponse:
    return render(
        request,
        "public/apply.html",
        {
            "programme": programme,
            "applicant": applicant,
            "prefill": prefill,
            "values": values,
            "errors": errors,
            "idempotency_key": key,
            "sent_status_path": sent_status_path(request, programme.code),
            "countries": country_options(negotiate_language(request)),
            "is_open": programme.is_open(now),
            "not_yet_open": now < programme.opens_at,
        },
        status_code=status,
    )


@router.get("/apply/{programme}", response_class=HTMLResponse)
def application_form(
    request: Request,
    programme: ProgrammeDep,
    now: NowDep,
    applicant: ApplicantDep,
    session: SessionDep,
    settings: SettingsDep,
    register: RegisterDep,
    mandates: MandatesDep,
    business: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The form; a programme that requires identification asks the person to sign in first, shows a
    signed-in person their application in progress instead of a new form, and fills in the business from
    the trade register (the one chosen with `?business=`, or the person's only business)."""
    values = {**DEFAULT_VALUES, "applicant.language": negotiate_language(request)}
    prefill = None
    if programme.identification == "required":
        if applicant is None:
            return render(request, "public/sign_in_needed.html", {"programme": programme})
        mine = application_in_progress(session, applicant.personal_id, programme.code, settings.secret_key)
        if mine is not None:
            return RedirectResponse(f"{mine.status_path}?yours=1", status_code=303)
        prefill = prefill_for(applicant, register, mandates, business)
        values.update(prefill.values)
    key = draft_key(request, programme.code, new=request.query_params.get("new") == "1")
    return _form_page(request, programme, values, {}, key, 200, now, applicant, prefill)


@router.get("/apply/{programme}/privacy", response_class=HTMLResponse)
def privacy_notice(request: Request, programme: ProgrammeDep) -> HTMLResponse:
    return render(request, "public/privacy.html", {"programme": programme, "notice": programme.privacy})


# The application schema checks every field's text itself, so the form comes back with the reason at the field.
@router.post("/apply/{programme}", response_class=HTMLResponse, dependencies=[Depends(require_csrf_token)])
async def submit_form(
    request: Request,
    programme: ProgrammeDep,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    relay: RelayDep,
    applicant: ApplicantDep,
    register: RegisterDep,
    mandates: MandatesDep,
) -> Response:
    form = await request.form()
    values = flat_values(form)
    key = str(form.get("idempotency_key") or draft_key(request, programme.code))[:200]
    translate = gettext_for(negotiate_language(request)).gettext
    if programme.identification == "required":
        if applicant is None:  # signed out, or the sign-in ran out, while filling in the form
            return render(request, "public/sign_in_needed.html", {"programme": programme}, status_code=401)
        typed = values.get("applicant.personal_id", "").strip().upper()
        if typed and typed != applicant.personal_id:
            errors = {"form": translate(NOT_THE_SIGNED_IN_PERSON)}
            return _form_page(request, programme, values, errors, key, 403, now, applicant)
        values["applicant.personal_id"], values["applicant.name"] = applicant.personal_id, applicant.name
    data = nested(values)
    try:
        application = NewApplication.model_validate(data)
    except ValidationError as exc:
        errors = {
            GROUP_FIRST_FIELD.get(e.field, e.field): translate(friendly_message(e)) for e in field_errors(exc.errors())
        }
        if postal_address_missing(data):  # in the same answer as the rest, not in a second round
            errors.setdefault(GROUP_FIRST_FIELD["applicant.address"], translate(KNOWN_REASONS[POSTAL_ADDRESS_REQUIRED]))
        return _form_page(request, programme, values, errors, key, 422, now, applicant)
    acting_right = None
    if applicant is not None and programme.identification == "required":
        try:
            acting_right = await run_in_threadpool(check_right_to_apply, applicant, application, register, mandates)
        except ActingRefused as refused:
            errors = {refused.field: translate(refused.reason)}
            return _form_page(
                request, programme, values, errors, key, 503 if refused.retry_later else 403, now, applicant
            )
    try:
        receipt = await run_in_threadpool(
            submit_application,
            session,
            programme=programme,
            form=application,
            submitted_at=now,
            secret=settings.secret_key,
            idempotency_key=key,
            channel="form",
            identified=applicant if programme.identification == "required" else None,
            acting_right=acting_right,
        )
    except IdempotencyConflict:
        # Sent already from this browser, and changed since (Back, edit, send): no second application.
        # The page links the one sent; starting a new application is a deliberate choice.
        errors = {"form": translate("You already sent this application. Changes cannot be sent with the same form.")}
        return _form_page(request, programme, values, errors, key, 409, now, applicant)
    except ProgrammeNotOpen:
        errors = {"form": translate("The application could not be accepted. Check the form and send it again.")}
        return _form_page(request, programme, values, errors, key, 409, now, applicant)
    relay.wake()
    token = status_token(receipt.application_id, settings.secret_key)
    remember_sent(request, programme.code, f"/status/{token}")
    return RedirectResponse(f"/status/{token}?received=1", status_code=303)


def render_status_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: str,
    *,
    error: str | None = None,
    answer: str = "",
    account_error: str | None = None,
    account: str = "",
    explanation_error: str | None = None,
    explanation: str = "",
    rectification_error: dict[str, str] | None = None,
    rectification: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    application_id = application_id_from_token(token, settings.secret_key)
    view = application_view(session, application_id) if application_id else None
    if view is None:
        raise HTTPException(status_code=404)
    programme = get_programmes(request).get(view.application.programme_code)
    rectifications = requests_of(session, view.application.id or 0)
    context = {
        "view": view,
        "programme": programme,
        "token": token,
        "received": request.query_params.get("received") == "1",
        "yours": request.query_params.get("yours") == "1",
        "register_findings": register_findings(view.assessment.result, negotiate_language(request))
        if view.assessment
        else [],
        "status_url": f"{settings.public_base_url}/status/{token}",
        "info_request": open_info_request(session, view.application.id or 0),
        "decision": decision_of(session, view.application.id or 0),
        "letter": latest_letter(session, view.application.id or 0),
        "payment": payment_of(session, view.application.id or 0),
        "recoveries": recoveries_told(session, view.application.id or 0),
        "hearings": hearings_open(session, view.application.id or 0, helsinki_today(get_now(request))),
        "explanation_error": explanation_error,
        "explanation": explanation,
        # Rectification: the decisions the applicant may contest (once served), their requests, the form.
        # One request per decision from this page: more to say goes to the registry, as the page tells.
        "contestable": [
            d
            for d in contestable(session, view.application.id or 0)
            if d.rectification_last_day and d.id not in {v.decision.id for v in rectifications if v.by_party}
        ],
        "rectifications": rectifications,
        "contested": contested_in_time(rectifications),
        "rectification_error": rectification_error or {},
        "rectification": rectification or {"key": uuid.uuid4().hex},
        "today": helsinki_today(get_now(request)),
        "account_error": account_error,
        "account": account,
        "can_withdraw": view.application.status in WITHDRAWABLE,
        "error": error,
        "answer": answer,
        "max_upload_mb": settings.max_upload_bytes // (1024 * 1024),
        "max_uploads": settings.max_uploads,
    }
    return render(request, "public/status.html", context, status_code=status_code)


@router.get("/status/{token}", response_class=HTMLResponse)
def status_page(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    return render_status_page(request, session, settings, token)


def _application_id(token: str, settings: SettingsDep) -> int:
    application_id = application_id_from_token(token, settings.secret_key)
    if application_id is None:
        raise HTTPException(status_code=404)
    return application_id


@router.post("/status/{token}/answer", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def answer_info_request(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, files: FilesDep, gateway: GatewayDep
) -> Response:
    """The applicant's answer to a question, with attachments; it goes to the workflow as an update."""
    application_id = _application_id(token, settings)
    form = await request.form()
    answer = str(form.get("answer") or "").strip()[:8000]
    info = await run_in_threadpool(open_info_request, session, application_id)
    translate = formatting_gettext(negotiate_language(request))
    if info is None:
        return await run_in_threadpool(
            render_status_page,
            request,
            session,
            settings,
            token,
            status_code=409,
            error=translate("There is no open question to answer."),
        )
    uploads = await uploads_in(form)
    if not answer and not uploads:
        return await run_in_threadpool(
            render_status_page,
            request,
            session,
            settings,
            token,
            status_code=422,
            error=translate("Write an answer or attach a file."),
            answer=answer,
        )
    try:
        attachment_ids = await run_in_threadpool(
            store_uploads,
            session,
            files,
            application_id=application_id,
            uploads=uploads,
            max_bytes=settings.max_upload_bytes,
            max_files=settings.max_uploads,
        )
        await send_update(
            gateway,
            grant_workflow_id(application_id),
            GrantApplicationWorkflow.answer_info,
            AnswerInput(info_request_seq=info.seq, answer=answer, attachment_ids=attachment_ids),
        )
    except UploadRefused as refused:
        reason = translate(refused.message, **refused.values)
        message = translate("The answer could not be saved: %(reason)s", reason=reason)
        return await run_in_threadpool(
            render_status_page, request, session, settings, token, status_code=422, error=message, answer=answer
        )
    except ActionRefused as refused:
        message = translate("The answer could not be saved: %(reason)s", reason=translate(str(refused)))
        return await run_in_threadpool(
            render_status_page, request, session, settings, token, status_code=422, error=message, answer=answer
        )
    return RedirectResponse(f"/status/{token}", status_code=303)


@router.post("/status/{token}/withdraw", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def withdraw(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, gateway: GatewayDep
) -> Response:
    application_id = _application_id(token, settings)
    form = await request.form()
    if form.get("confirm") != "yes":
        translate = formatting_gettext(negotiate_language(request))
        return await run_in_threadpool(
            render_status_page,
            request,
            session,
            settings,
            token,
            status_code=422,
            error=translate("Tick the box to confirm the withdrawal."),
        )
    try:
        await send_update(
            gateway,
            grant_workflow_id(application_id),
            GrantApplicationWorkflow.withdraw,
            WithdrawInput(reason=str(form.get("reason") or "")[:500]),
        )
    except ActionRefused as refused:
        translate = formatting_gettext(negotiate_language(request))
        return await run_in_threadpool(
            render_status_page, request, session, settings, token, status_code=409, error=translate(str(refused))
        )
    return RedirectResponse(f"/status/{token}", status_code=303)


@router.get("/status/{token}/letter")
def decision_letter(token: str, session: SessionDep, settings: SettingsDep, files: FilesDep) -> Response:
    """The applicant's own decision letter, behind the same private link."""
    letter = latest_letter(session, _application_id(token, settings))
    if letter is None:
        raise HTTPException(status_code=404)
    return pdf_response(files.get(letter.storage_key), "decision.pdf")


@router.get("/status/{token}/recovery-letter/{recovery_seq}")
def recovery_letter(
    token: str, recovery_seq: RowId, session: SessionDep, settings: SettingsDep, files: FilesDep
) -> Response:
    """The letter of a recovery decision on the applicant's grant, behind the same private link."""
    application_id = _application_id(token, settings)
    told = [r for r in recoveries_told(session, application_id) if r.recovery.seq == recovery_seq]
    if not told or told[0].letter is None:
        raise HTTPException(status_code=404)
    return pdf_response(files.get(told[0].letter.storage_key), "recovery-decision.pdf")
