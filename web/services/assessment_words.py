"""The automatic assessment in words: each rule's figures as sentences a handler reads, in their language.

The rules store their figures as plain strings (models/grants/eligibility.py: `RuleCheck.detail`), so an
assessment can be reproduced exactly; a page must never show them as written there (`yel_insured: True`,
`0.6790`, ISO dates). This turns them into "Turnover fell 67.9 %; a fall of more than 30 % is required",
with numbers, money and dates as the reader's locale writes them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from core.i18n import N_, babel_locale, formatting_gettext
from models.grants.programme import HELSINKI
from models.municipalities import municipality_code
from web.i18n import DATE_PATTERNS, DATETIME_PATTERNS

RULE_NAMES = {
    "HAS_EMPLOYEES": N_("No employees"),
    "NOT_FULL_TIME": N_("Full-time entrepreneur"),
    "COMPANY_FORM": N_("Company form"),
    "TURNOVER_DROP": N_("Fall in turnover"),
    "TURNOVER_PERIOD": N_("Periods compared"),
    "IN_DIFFICULTY": N_("Sound before the crisis"),
    "TAX_DEBT": N_("Tax debt"),
    "WRONG_MUNICIPALITY": N_("Home municipality"),
    "EXCLUDED_SECTOR": N_("Industry"),
    "OTHER_CORONA_AID": N_("Other corona funding"),
    "DE_MINIMIS": N_("De minimis aid"),
    "DUPLICATE": N_("Earlier applications"),
    "LATE": N_("Received in time"),
    "BUDGET_EXHAUSTED": N_("Budget left"),
}
COMPANY_FORMS = {
    "tmi": N_("Sole trader"),
    "ay": N_("General partnership"),
    "ky": N_("Limited partnership"),
    "oy": N_("Limited company"),
    "osk": N_("Cooperative"),
    "light": N_("Light entrepreneur (no business ID)"),
}
REGISTER_SITUATIONS = {
    "liquidation": N_("liquidation"),
    "bankruptcy": N_("bankruptcy"),
    "restructuring": N_("restructuring proceedings"),
}
PERIOD_PROBLEMS = {
    "reference_period_outside_rule": N_("The reference period is outside the programme's rule."),
    "reference_period_too_short": N_("The reference period is too short."),
    "crisis_period_starts_too_early": N_("The crisis period starts before the programme allows."),
}


@dataclass(frozen=True)
class CheckInWords:
    code: str  # the rule's code, shown as a small label
    rule: str  # the rule's name in the reader's language
    passed: bool | None  # None: not checked
    lines: list[str]


class Words:
    """Translation and the locale's number, money and date formats for one language."""

    def __init__(self, language: str) -> None:
        self._ = formatting_gettext(language)
        self.locale = babel_locale(language)
        self.date_pattern = DATE_PATTERNS.get(language, "medium")
        self.moment_pattern = DATETIME_PATTERNS.get(language, "short")

    def money(self, value: str) -> str:
        return format_currency(Decimal(value), "EUR", locale=self.locale)

    def share(self, value: Decimal, pattern: str = "#,##0.0 %") -> str:
        return format_percent(value, pattern, locale=self.locale)

    def number(self, value: str) -> str:
        return format_decimal(Decimal(value), locale=self.locale)

    def day(self, value: str) -> str:
        return format_date(date.fromisoformat(value), self.date_pattern, locale=self.locale)

    def moment(self, value: str) -> str:
        return format_datetime(datetime.fromisoformat(value), self.moment_pattern, tzinfo=HELSINKI, locale=self.locale)

    def answer(self, value: str | None) -> str:
        """A stored yes/no ("True", "False", "None") as the reader says it."""
        return {"True": self._("yes"), "False": self._("no")}.get(str(value), self._("not stated"))


def _employees(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    return [
        w._(
            "Employees %(employees)s, laid-off employees %(laid_off)s, other working owners %(owners)s; "
            "each must be 0.",
            employees=w.number(d["employees"]),
            laid_off=w.number(d["laid_off_employees"]),
            owners=w.number(d["other_working_owners"]),
        )
    ]


def _full_time(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    lines = [
        w._("Insured under YEL: %(answer)s", answer=w.answer(d["yel_insured"])),
        w._("Business income a year: %(income)s", income=w.money(d["annual_income_eur"])),
    ]
    if "run_rate_eur" in d:
        lines.append(
            w._("A young business: its turnover so far makes %(amount)s a year.", amount=w.money(d["run_rate_eur"]))
        )
    if "threshold_eur" in d:
        lines.append(
            w._("Without YEL insurance at least %(amount)s a year is required.", amount=w.money(d["threshold_eur"]))
        )
    return lines


def _company_form(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    form = d["company_form"]
    return [w._("Company form: %(form)s", form=w._(COMPANY_FORMS[form]) if form in COMPANY_FORMS else form)]


def _turnover(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    threshold = Decimal(d["threshold"])
    limit = w.share(threshold, "#,##0.## %")
    lines = []
    if d["turnover_drop"] == "none":
        lines.append(w._("The fall cannot be computed: there was no turnover in the reference period."))
    else:
        drop = Decimal(d["turnover_drop"])
        # Just over the limit, one decimal ("30.0 %") would hide which side of it the fall is on.
        near = drop != threshold and abs(drop).quantize(Decimal("0.001")) == threshold
        shown = w.share(abs(drop), "#,##0.00 %" if near else "#,##0.0 %")
        if drop >= 0:
            lines.append(
                w._("Turnover fell %(drop)s; a fall of more than %(limit)s is required", drop=shown, limit=limit)
            )
        else:
            lines.append(
                w._("Turnover rose %(rise)s; a fall of more than %(limit)s is required", rise=shown, limit=limit)
            )
    lines.append(
        w._(
            "Average turnover a month: %(before)s before, %(during)s during the crisis",
            before=w.money(d["reference_monthly_eur"]),
            during=w.money(d["crisis_monthly_eur"]),
        )
    )
    # Assessments stored before the periods became a rule of their own carry their problems here.
    for problem in filter(None, d.get("problems", "").split(",")):
        lines.append(w._(PERIOD_PROBLEMS[problem]) if problem in PERIOD_PROBLEMS else problem)
    return lines


def _periods(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    lines = [
        w._(
            "Reference period from %(start)s to %(end)s; the crisis period starts %(crisis)s",
            start=w.day(d["reference_start"]),
            end=w.day(d["reference_end"]),
            crisis=w.day(d["crisis_start"]),
        )
    ]
    for problem in filter(None, d.get("problems", "").split(",")):
        lines.append(w._(PERIOD_PROBLEMS[problem]) if problem in PERIOD_PROBLEMS else problem)
    return lines


def _difficulty(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    lines = [
        w._("Profitable in 2019: %(answer)s", answer=w.answer(d["profitable_2019"])),
        w._("In difficulty before the crisis: %(answer)s", answer=w.answer(d["in_difficulty_before_crisis"])),
    ]
    return lines + register_situations(w, d)


def register_situations(w: Words, d: Mapping[str, str]) -> list[str]:
    """The proceedings the trade register recorded (a difficulty check's detail), in words."""
    return [
        w._("The trade register records: %(situation)s", situation=w._(REGISTER_SITUATIONS.get(situation, situation)))
        for situation in filter(None, d.get("register_situations", "").split(","))
    ]


def _tax_debt(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    return [
        w._("Tax debt: %(answer)s", answer=w.answer(d["tax_debt"])),
        w._("Payment plan for it: %(answer)s", answer=w.answer(d["payment_plan"])),
    ]


def with_code(name: str | None) -> str:
    """The name as written with its official code when it is a known municipality: Espoo (049)."""
    code = municipality_code(name)
    return f"{name} ({code})" if code else str(name)


def _municipality(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    return [
        w._(
            "Home municipality: %(municipality)s; the programme is for %(programme)s",
            municipality=with_code(d["home_municipality"]),
            programme=with_code(d["programme_municipality"]),
        )
    ]


def _sector(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    return [w._("Industry code (TOL 2008): %(code)s", code=d["industry_code"])]


def _corona_aid(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    if passed:
        return [w._("No corona funding from Business Finland or an ELY Centre.")]
    return [w._("Corona funding received from Business Finland or an ELY Centre.")]


def _de_minimis(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    return [
        w._(
            "De minimis aid in three years, this grant included: %(total)s; the ceiling is %(ceiling)s",
            total=w.money(d["total_with_grant_eur"]),
            ceiling=w.money(d["ceiling_eur"]),
        )
    ]


def _duplicate(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    return [w._("Earlier applications by the same person: %(count)s", count=w.number(d["prior_applications"]))]


def _late(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    return [
        w._(
            "Received %(received)s; the application period closed %(closed)s",
            received=w.moment(d["submitted_at"]),
            closed=w.moment(d["closes_at"]),
        )
    ]


def _budget(w: Words, d: Mapping[str, str], passed: bool | None) -> list[str]:
    return [w._("Budget left when assessed: %(amount)s", amount=w.money(d["budget_remaining_eur"]))]


SENTENCES: dict[str, Callable[[Words, Mapping[str, str], bool | None], list[str]]] = {
    "HAS_EMPLOYEES": _employees,
    "NOT_FULL_TIME": _full_time,
    "COMPANY_FORM": _company_form,
    "TURNOVER_DROP": _turnover,
    "TURNOVER_PERIOD": _periods,
    "IN_DIFFICULTY": _difficulty,
    "TAX_DEBT": _tax_debt,
    "WRONG_MUNICIPALITY": _municipality,
    "EXCLUDED_SECTOR": _sector,
    "OTHER_CORONA_AID": _corona_aid,
    "DE_MINIMIS": _de_minimis,
    "DUPLICATE": _duplicate,
    "LATE": _late,
    "BUDGET_EXHAUSTED": _budget,
}


def check_in_words(check: Mapping[str, Any], language: str) -> CheckInWords:
    """One stored rule check (`{"code", "passed", "detail"}`) as a rule name and sentences."""
    w = Words(language)
    code, passed, detail = str(check["code"]), check.get("passed"), check.get("detail") or {}
    rule = w._(RULE_NAMES[code]) if code in RULE_NAMES else code
    if passed is None and not detail:
        return CheckInWords(code, rule, None, [w._("Not checked: the facts it needs were not available.")])
    try:
        lines = SENTENCES[code](w, detail, passed)
    except (KeyError, InvalidOperation, ValueError):
        # A check stored by another version of the rules: its figures as they are, rather than nothing.
        lines = [f"{key}: {value}" for key, value in detail.items()]
    return CheckInWords(code, rule, passed, lines)
