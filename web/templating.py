"""Jinja2 rendering with autoescape, the request's language and the CSRF token in every page."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_percent
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from core.settings import PROJECT_ROOT
from models.grants.decisions import Decision
from models.grants.programme import HELSINKI
from models.payments.bank_reports import reason_for_reader
from models.time_limits import becomes_final_on
from web.csrf import FIELD as CSRF_FIELD
from web.csrf import csrf_token
from web.i18n import (
    DATE_PATTERNS,
    DATETIME_PATTERNS,
    LANGUAGE_COOKIE,
    LANGUAGE_ENDONYMS,
    LANGUAGE_NAMES,
    LANGUAGES,
    babel_locale,
    formatting_gettext,
    formatting_ngettext,
    negotiate_language,
)
from web.services.assessment_words import COMPANY_FORMS, CheckInWords, check_in_words
from web.services.disagreements import DiscrepancyInWords, discrepancy_in_words

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
# Jinja2Templates autoescapes .html; say it outright so a new template type cannot switch it off.
templates.env.autoescape = True


@pass_context
def local_time(context: Context, value: datetime | None) -> str:
    if value is None:
        return ""
    language = context.get("lang", "fi")
    pattern = DATETIME_PATTERNS.get(language, "short")
    return format_datetime(value, pattern, tzinfo=HELSINKI, locale=babel_locale(language))


@pass_context
def local_date(context: Context, value: date | datetime | str | None) -> str:
    if isinstance(value, str):  # as the application form stores its dates
        value = date.fromisoformat(value) if value else None
    language = context.get("lang", "fi")
    pattern = DATE_PATTERNS.get(language, "medium")
    return "" if value is None else format_date(value, pattern, locale=babel_locale(language))


@pass_context
def euros(context: Context, value: Decimal | str | None) -> str:
    if value is None:
        return ""
    return format_currency(Decimal(value), "EUR", locale=babel_locale(context.get("lang", "fi")))


@pass_context
def percent(context: Context, value: Decimal | str | None) -> str:
    if value is None:
        return "–"
    return format_percent(Decimal(value), "#,##0.0 %", locale=babel_locale(context.get("lang", "fi")))


@pass_context
def in_words(context: Context, check: dict[str, Any]) -> CheckInWords:
    """A stored rule check as the reader's sentences (web/services/assessment_words.py)."""
    return check_in_words(check, context.get("lang", "fi"))


@pass_context
def disagreement_in_words(context: Context, discrepancy: dict[str, str]) -> DiscrepancyInWords:
    return discrepancy_in_words(discrepancy, context.get("lang", "fi"))


@pass_context
def country_name(context: Context, code: str | None) -> str:
    """ISO 3166 alpha-2 ("FI") as the reader's language names the country."""
    if not code:
        return ""
    return str(Locale.parse(babel_locale(context.get("lang", "fi"))).territories.get(code.upper(), code))


@pass_context
def bank_reason(context: Context, reason: str | None) -> str:
    """The bank's reason for a returned payment, in the reader's language where its code is known."""
    return reason_for_reader(reason, context["_"])


@pass_context
def becomes_final(context: Context, decision: Decision) -> date | None:
    """The day a served decision becomes final unless someone requests rectification (models/time_limits)."""
    programme = context["request"].app.state.programmes[decision.programme_code]
    return becomes_final_on(decision.rectification_last_day, decision.published_on, programme, decision.kind)


@pass_context
def company_form(context: Context, code: str) -> str:
    """ "Sole trader" for tmi, in the reader's language; a code we have no words for as it is."""
    return context["_"](COMPANY_FORMS[code]) if code in COMPANY_FORMS else code


templates.env.globals["becomes_final"] = becomes_final
templates.env.filters.update(
    bank_reason=bank_reason,
    company_form=company_form,
    local_time=local_time,
    local_date=local_date,
    euros=euros,
    percent=percent,
    in_words=in_words,
    disagreement_in_words=disagreement_in_words,
    country_name=country_name,
)


def page_path(request: Request) -> str:
    """Where the language switch leads: this page, or for a page answering a form (a refusal at a POST-only
    address) the page the form was on, so switching language or reloading never asks for the form's address."""
    if request.method == "GET":
        return request.url.path
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path
    return "/staff" if request.url.path.startswith("/staff") else "/"


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    language = negotiate_language(request)
    page = {
        "lang": language,
        "languages": LANGUAGES,
        "language_names": LANGUAGE_NAMES,
        "language_endonyms": LANGUAGE_ENDONYMS,
        "_": formatting_gettext(language),
        "ngettext": formatting_ngettext(language),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "staff_user": getattr(request.state, "staff_user", None),
        "flash": request.session.pop("flash", None),
        "page_path": page_path(request),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, page, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def attachment_response(data: bytes, filename: str, media_type: str) -> Response:
    """A download, never shown inline in our origin."""
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


def pdf_response(data: bytes, filename: str) -> Response:
    return attachment_response(data, filename, "application/pdf")
