"""Eligibility for the sole-entrepreneur operating grant, as a pure function of its inputs.

`assess(application, registry_facts, programme)` does no I/O: the same inputs always give the same
assessment, so every assessment can be reproduced from what was stored with it.
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from typing import TypeVar

from pydantic import AwareDatetime, BaseModel

from models.grants.application_form import ApplicationForm
from models.grants.programme import Programme
from models.grants.turnover import monthly_average, months_in_period, turnover_drop
from models.municipalities import same_municipality


class ReasonCode(StrEnum):
    HAS_EMPLOYEES = "HAS_EMPLOYEES"
    NOT_FULL_TIME = "NOT_FULL_TIME"
    COMPANY_FORM = "COMPANY_FORM"
    TURNOVER_DROP = "TURNOVER_DROP"
    TURNOVER_PERIOD = "TURNOVER_PERIOD"  # the periods compared are not the ones the programme allows
    IN_DIFFICULTY = "IN_DIFFICULTY"
    TAX_DEBT = "TAX_DEBT"
    WRONG_MUNICIPALITY = "WRONG_MUNICIPALITY"
    EXCLUDED_SECTOR = "EXCLUDED_SECTOR"
    OTHER_CORONA_AID = "OTHER_CORONA_AID"
    DE_MINIMIS = "DE_MINIMIS"
    DUPLICATE = "DUPLICATE"
    LATE = "LATE"
    BUDGET_EXHAUSTED = "BUDGET_EXHAUSTED"


class SubmittedApplication(ApplicationForm):
    """The applicant's form plus when it arrived; without `submitted_at` the deadline is not checked."""

    submitted_at: AwareDatetime | None = None


class RegistryFacts(BaseModel):
    """What registers and our own records say. A value given here overrides the applicant's declaration."""

    business_name: str | None = None
    company_form: str | None = None
    home_municipality: str | None = None
    industry_code: str | None = None
    started_on: date | None = None
    employees: int | None = None
    tax_debt: bool | None = None
    employer_register: bool | None = None
    # Proceedings the trade register records: liquidation, bankruptcy, restructuring, ceased.
    situations: list[str] = []
    other_corona_aid: bool | None = None
    de_minimis_eur_3y: Decimal | None = None
    # From our own records: earlier applications by the same person to this programme.
    prior_applications: int | None = None
    # From the programme's ledger: money not yet reserved by approvals.
    budget_remaining: Decimal | None = None


class RuleCheck(BaseModel):
    code: ReasonCode
    passed: bool | None  # None: not checked, the facts it needs were not given
    detail: dict[str, str] = {}


class Discrepancy(BaseModel):
    field: str
    declared: str
    registry: str


class Assessment(BaseModel):
    eligible: bool
    reasons: list[ReasonCode]
    turnover_drop: Decimal | None
    rules_version: str
    checks: list[RuleCheck]
    discrepancies: list[Discrepancy] = []

    def summary(self) -> dict[str, object]:
        """The four figures `grantdesk assess` prints."""
        return {
            "eligible": self.eligible,
            "reasons": [str(code) for code in self.reasons],
            "turnover_drop": None if self.turnover_drop is None else str(self.turnover_drop),
            "rules_version": self.rules_version,
        }


_FOUR_PLACES = Decimal("0.0001")
T = TypeVar("T")


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), ROUND_HALF_EVEN)


def _months_between(earlier: date, later: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


class _Facts:
    """The values rules use: the registry's where it has one, else the applicant's, noting disagreements."""

    def __init__(self, app: SubmittedApplication, registry: RegistryFacts) -> None:
        self.discrepancies: list[Discrepancy] = []
        b = app.business
        self.company_form = self._pick("business.company_form", b.company_form, registry.company_form)
        # By official code: the register's "Esbo" and the applicant's "Espoo" are one place (049).
        self.home_municipality = self._pick(
            "business.home_municipality", b.home_municipality, registry.home_municipality, same=same_municipality
        )
        self.industry_code = self._pick("business.industry_code", b.industry_code, registry.industry_code)
        self.started_on = self._pick("business.started_on", b.started_on, registry.started_on)
        self.employees = self._pick("business.employees", b.employees, registry.employees)
        self.tax_debt = self._pick("aid.tax_debt", app.aid.tax_debt, registry.tax_debt)
        self.other_corona_aid = self._pick("aid.other_corona_aid", app.aid.other_corona_aid, registry.other_corona_aid)
        self.de_minimis = self._pick("aid.de_minimis_eur_3y", app.aid.de_minimis_eur_3y, registry.de_minimis_eur_3y)
        if registry.business_name is not None:
            self._pick("business.name", b.name, registry.business_name)
        # The open data has no head count, but an employer is registered as one: worth a handler's look.
        if registry.employer_register and registry.employees is None and b.employees == 0:
            self.discrepancies.append(
                Discrepancy(field="business.employer_register", declared="False", registry="True")
            )
        self.situations = registry.situations

    def _pick(self, field: str, declared: T, registered: T | None, same: Callable[[T, T], bool] | None = None) -> T:
        if registered is None:
            return declared
        # Compare values first: Decimal("0") and Decimal("0.00") agree though their strings differ.
        agree = same(declared, registered) if same else str(registered).casefold() == str(declared).casefold()
        if registered != declared and not agree:
            self.discrepancies.append(Discrepancy(field=field, declared=str(declared), registry=str(registered)))
        return registered


def assess(application: SubmittedApplication, registry_facts: RegistryFacts, programme: Programme) -> Assessment:
    facts = _Facts(application, registry_facts)
    drop, drop_check = _turnover_check(application, programme)
    checks = [
        _employees_check(application, facts),
        _full_time_check(application, facts, programme),
        RuleCheck(
            code=ReasonCode.COMPANY_FORM,
            passed=facts.company_form in programme.company_forms,
            detail={"company_form": facts.company_form},
        ),
        drop_check,
        _period_check(application, programme),
        _difficulty_check(application, facts),
        RuleCheck(
            code=ReasonCode.TAX_DEBT,
            passed=not facts.tax_debt or application.aid.tax_payment_plan,
            detail={"tax_debt": str(facts.tax_debt), "payment_plan": str(application.aid.tax_payment_plan)},
        ),
        RuleCheck(
            code=ReasonCode.WRONG_MUNICIPALITY,
            passed=programme.accepts_municipality(facts.home_municipality),
            detail={"home_municipality": facts.home_municipality, "programme_municipality": programme.municipality},
        ),
        RuleCheck(
            code=ReasonCode.EXCLUDED_SECTOR,
            passed=not facts.industry_code.startswith(tuple(programme.excluded_industry_prefixes)),
            detail={"industry_code": facts.industry_code},
        ),
        RuleCheck(code=ReasonCode.OTHER_CORONA_AID, passed=not facts.other_corona_aid),
        _de_minimis_check(facts, programme),
        _duplicate_check(registry_facts),
        _deadline_check(application, programme),
        _budget_check(registry_facts, programme),
    ]
    reasons = [check.code for check in checks if check.passed is False]
    return Assessment(
        eligible=not reasons,
        reasons=reasons,
        turnover_drop=drop,
        rules_version=programme.rules_version,
        checks=checks,
        discrepancies=facts.discrepancies,
    )


def _employees_check(app: SubmittedApplication, facts: _Facts) -> RuleCheck:
    # Laid-off staff are still employees; several working owners go to the ELY Centre instead.
    b = app.business
    return RuleCheck(
        code=ReasonCode.HAS_EMPLOYEES,
        passed=facts.employees == 0 and b.laid_off_employees == 0 and b.other_working_owners == 0,
        detail={
            "employees": str(facts.employees),
            "laid_off_employees": str(b.laid_off_employees),
            "other_working_owners": str(b.other_working_owners),
        },
    )


def _full_time_check(app: SubmittedApplication, facts: _Facts, programme: Programme) -> RuleCheck:
    b, t = app.business, app.turnover
    as_of = app.submitted_at.date() if app.submitted_at else t.crisis_start
    income = b.annual_income_eur
    detail = {"yel_insured": str(b.yel_insured), "annual_income_eur": str(income)}
    if _months_between(facts.started_on, as_of) < programme.young_business_months:
        # A young business shows its run-rate: average monthly turnover so far, over twelve months.
        # Compared unrounded, like the turnover drop: rounding must not lift 19,999.995 to the limit.
        run_rate = monthly_average(t.reference_eur, t.reference_start, t.reference_end) * 12
        detail["run_rate_eur"] = str(_cents(run_rate))
        income = max(income, run_rate)
    detail["threshold_eur"] = str(programme.full_time_income_eur)
    return RuleCheck(
        code=ReasonCode.NOT_FULL_TIME,
        passed=b.yel_insured or income >= programme.full_time_income_eur,
        detail=detail,
    )


def _turnover_check(app: SubmittedApplication, programme: Programme) -> tuple[Decimal | None, RuleCheck]:
    t, rule = app.turnover, programme.turnover
    drop = turnover_drop(
        t.reference_eur, t.reference_start, t.reference_end, t.crisis_eur, t.crisis_start, t.crisis_end
    )
    shown = None if drop is None else drop.quantize(_FOUR_PLACES, ROUND_HALF_EVEN)
    detail = {
        "reference_monthly_eur": str(_cents(monthly_average(t.reference_eur, t.reference_start, t.reference_end))),
        "crisis_monthly_eur": str(_cents(monthly_average(t.crisis_eur, t.crisis_start, t.crisis_end))),
        "turnover_drop": "none" if shown is None else str(shown),
        "threshold": str(rule.drop_threshold),
    }
    # "More than" the threshold: the unrounded drop must exceed it, so exactly 30% is not enough.
    passed = drop is not None and drop > rule.drop_threshold
    return shown, RuleCheck(code=ReasonCode.TURNOVER_DROP, passed=passed, detail=detail)


def _period_check(app: SubmittedApplication, programme: Programme) -> RuleCheck:
    """The periods compared must be the programme's: a big enough fall between other periods is no reason.

    Its own rule, so a letter never says "turnover did not fall enough" about a fall that was enough.
    """
    t, rule = app.turnover, programme.turnover
    problems = []
    if t.reference_start < rule.reference_earliest_start or t.reference_end > rule.reference_latest_end:
        problems.append("reference_period_outside_rule")
    if months_in_period(t.reference_start, t.reference_end) < rule.reference_min_months:
        problems.append("reference_period_too_short")
    if t.crisis_start < rule.crisis_earliest_start:
        problems.append("crisis_period_starts_too_early")
    detail = {
        "reference_start": t.reference_start.isoformat(),
        "reference_end": t.reference_end.isoformat(),
        "crisis_start": t.crisis_start.isoformat(),
        "reference_earliest_start": rule.reference_earliest_start.isoformat(),
        "reference_latest_end": rule.reference_latest_end.isoformat(),
        "reference_min_months": str(rule.reference_min_months),
        "crisis_earliest_start": rule.crisis_earliest_start.isoformat(),
    }
    if problems:
        detail["problems"] = ",".join(problems)
    return RuleCheck(code=ReasonCode.TURNOVER_PERIOD, passed=not problems, detail=detail)


# A business in collective insolvency proceedings is in difficulty whatever it declares.
INSOLVENCY = ("liquidation", "bankruptcy", "restructuring")


def _difficulty_check(app: SubmittedApplication, facts: _Facts) -> RuleCheck:
    b = app.business
    # Without 2019 accounts (started in 2020) there is no profitability to show.
    needs_2019 = facts.started_on < date(2020, 1, 1)
    proceedings = [situation for situation in facts.situations if situation in INSOLVENCY]
    sound = not b.in_difficulty_before_crisis and (b.profitable_2019 is True or not needs_2019) and not proceedings
    detail = {
        "profitable_2019": str(b.profitable_2019),
        "in_difficulty_before_crisis": str(b.in_difficulty_before_crisis),
    }
    if proceedings:
        detail["register_situations"] = ",".join(proceedings)
    return RuleCheck(code=ReasonCode.IN_DIFFICULTY, passed=sound, detail=detail)


def _de_minimis_check(facts: _Facts, programme: Programme) -> RuleCheck:
    total = facts.de_minimis + programme.amount
    return RuleCheck(
        code=ReasonCode.DE_MINIMIS,
        passed=total <= programme.de_minimis_ceiling_eur,
        detail={"total_with_grant_eur": str(total), "ceiling_eur": str(programme.de_minimis_ceiling_eur)},
    )


def _duplicate_check(registry: RegistryFacts) -> RuleCheck:
    if registry.prior_applications is None:
        return RuleCheck(code=ReasonCode.DUPLICATE, passed=None)
    return RuleCheck(
        code=ReasonCode.DUPLICATE,
        passed=registry.prior_applications == 0,
        detail={"prior_applications": str(registry.prior_applications)},
    )


def _deadline_check(app: SubmittedApplication, programme: Programme) -> RuleCheck:
    if app.submitted_at is None:
        return RuleCheck(code=ReasonCode.LATE, passed=None)
    submitted: datetime = app.submitted_at
    return RuleCheck(
        code=ReasonCode.LATE,
        passed=submitted <= programme.closes_at,
        detail={"submitted_at": submitted.isoformat(), "closes_at": programme.closes_at.isoformat()},
    )


def _budget_check(registry: RegistryFacts, programme: Programme) -> RuleCheck:
    if registry.budget_remaining is None:
        return RuleCheck(code=ReasonCode.BUDGET_EXHAUSTED, passed=None)
    return RuleCheck(
        code=ReasonCode.BUDGET_EXHAUSTED,
        passed=registry.budget_remaining >= programme.amount,
        detail={"budget_remaining_eur": str(registry.budget_remaining)},
    )
