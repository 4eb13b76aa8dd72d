"""Behaviour of the eligibility rules (`models.grants.eligibility.assess`) and the turnover arithmetic.

Every test starts from the valid application in `tests.factories` and changes only what it is about,
so each failing case must produce exactly the one reason code it is testing.
"""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from models.grants.eligibility import (
    Assessment,
    Discrepancy,
    ReasonCode,
    RuleCheck,
    SubmittedApplication,
    assess,
)
from models.grants.programme import Programme, load_programme
from models.grants.turnover import months_in_period, turnover_drop
from tests.factories import no_registry, submitted

PROGRAMME_FILE = Path(__file__).resolve().parents[2] / "programmes" / "sole-entrepreneur-2020.toml"
PROGRAMME = load_programme(PROGRAMME_FILE)
R = ReasonCode


def run(app: SubmittedApplication | None = None, programme: Programme = PROGRAMME, **registry: Any) -> Assessment:
    return assess(app if app is not None else submitted(), no_registry(**registry), programme)


def check(assessment: Assessment, code: ReasonCode) -> RuleCheck:
    [found] = [c for c in assessment.checks if c.code == code]
    return found


def close_to(value: Decimal, expected: Fraction) -> bool:
    return abs(Fraction(value) - expected) < Fraction(1, 10**20)


# --- the programme file and the starting point ---------------------------------------------------------


def test_programme_file_has_the_2020_rules() -> None:
    assert PROGRAMME.code == "sole-entrepreneur-2020"
    assert PROGRAMME.amount == Decimal("2000.00")
    assert PROGRAMME.turnover.drop_threshold == Decimal("0.30")
    assert PROGRAMME.full_time_income_eur == Decimal("20000.00")
    assert PROGRAMME.de_minimis_ceiling_eur == Decimal("200000.00")
    assert PROGRAMME.closes_at.isoformat() == "2020-09-30T23:59:59+03:00"


def test_valid_application_is_eligible_and_every_rule_is_checked() -> None:
    result = run(budget_remaining="100000.00", prior_applications=0)
    assert result.eligible is True
    assert result.reasons == []
    assert [c.code for c in result.checks] == list(ReasonCode)
    assert all(c.passed is True for c in result.checks)
    assert result.discrepancies == []


def test_rules_version_is_recorded() -> None:
    assert run().rules_version == "espoo-2020-05-26"
    changed = PROGRAMME.model_copy(update={"rules_version": "espoo-2020-04-30"})
    assert run(programme=changed).rules_version == "espoo-2020-04-30"


def test_turnover_drop_is_rounded_to_four_decimals() -> None:
    # 6 000 €/month in Jan–Feb, 3 300 € over 16.3.–31.5. (78/31 months): a drop of 0.781410...
    result = run()
    assert result.turnover_drop == Decimal("0.7814")
    assert result.turnover_drop.as_tuple().exponent == -4
    assert result.summary() == {
        "eligible": True,
        "reasons": [],
        "turnover_drop": "0.7814",
        "rules_version": "espoo-2020-05-26",
    }


def test_same_inputs_give_the_same_assessment() -> None:
    app = submitted(business__employees=1)
    assert run(app, prior_applications=1) == run(app, prior_applications=1)


# --- one failing and one passing case for every reason code ----------------------------------------------

FAILING: list[Any] = [
    # (reason, application changes, registry facts)
    pytest.param(R.HAS_EMPLOYEES, {"business__employees": 1}, {}, id="employee"),
    pytest.param(R.HAS_EMPLOYEES, {"business__laid_off_employees": 1}, {}, id="laid-off-employee-counts"),
    pytest.param(R.HAS_EMPLOYEES, {"business__other_working_owners": 1}, {}, id="other-working-owner-counts"),
    pytest.param(R.HAS_EMPLOYEES, {}, {"employees": 2}, id="registry-employees"),
    pytest.param(
        R.NOT_FULL_TIME,
        {"business__yel_insured": False, "business__annual_income_eur": "19999.99"},
        {},
        id="income-one-cent-short",
    ),
    pytest.param(
        R.NOT_FULL_TIME,
        {"business__yel_insured": False, "business__annual_income_eur": "0.00"},
        {},
        id="no-yel-no-income",
    ),
    pytest.param(R.COMPANY_FORM, {}, {"company_form": "oyj"}, id="registry-company-form"),
    pytest.param(R.TURNOVER_DROP, {"turnover__crisis_eur": "12000.00"}, {}, id="turnover-grew"),
    pytest.param(R.TURNOVER_PERIOD, {"turnover__crisis_start": "2020-03-01"}, {}, id="crisis-before-16-march"),
    pytest.param(R.IN_DIFFICULTY, {"business__in_difficulty_before_crisis": True}, {}, id="in-difficulty"),
    pytest.param(R.IN_DIFFICULTY, {"business__profitable_2019": False}, {}, id="loss-in-2019"),
    pytest.param(R.IN_DIFFICULTY, {"business__profitable_2019": None}, {}, id="2019-not-shown"),
    pytest.param(R.TAX_DEBT, {"aid__tax_debt": True}, {}, id="tax-debt"),
    pytest.param(R.TAX_DEBT, {}, {"tax_debt": True}, id="registry-tax-debt"),
    pytest.param(R.WRONG_MUNICIPALITY, {"business__home_municipality": "Vantaa"}, {}, id="declared-vantaa"),
    pytest.param(R.WRONG_MUNICIPALITY, {}, {"home_municipality": "Helsinki"}, id="registry-helsinki"),
    pytest.param(R.EXCLUDED_SECTOR, {"business__industry_code": "01110"}, {}, id="agriculture"),
    pytest.param(R.EXCLUDED_SECTOR, {"business__industry_code": "02200"}, {}, id="forestry"),
    pytest.param(R.EXCLUDED_SECTOR, {"business__industry_code": "03111"}, {}, id="fisheries"),
    pytest.param(R.EXCLUDED_SECTOR, {}, {"industry_code": "01130"}, id="registry-industry"),
    pytest.param(R.OTHER_CORONA_AID, {"aid__other_corona_aid": True}, {}, id="declared-other-aid"),
    pytest.param(R.OTHER_CORONA_AID, {}, {"other_corona_aid": True}, id="registry-other-aid"),
    pytest.param(R.DE_MINIMIS, {"aid__de_minimis_eur_3y": "198000.01"}, {}, id="one-cent-over-ceiling"),
    pytest.param(R.DE_MINIMIS, {}, {"de_minimis_eur_3y": "250000.00"}, id="registry-de-minimis"),
    pytest.param(R.DUPLICATE, {}, {"prior_applications": 1}, id="second-application"),
    pytest.param(R.BUDGET_EXHAUSTED, {}, {"budget_remaining": "1999.99"}, id="one-cent-short"),
    pytest.param(R.BUDGET_EXHAUSTED, {}, {"budget_remaining": "0.00"}, id="budget-empty"),
]

PASSING: list[Any] = [
    pytest.param(R.HAS_EMPLOYEES, {}, {"employees": 0}, id="registry-confirms-no-employees"),
    pytest.param(R.HAS_EMPLOYEES, {"business__employees": 1}, {"employees": 0}, id="registry-overrides-employees"),
    pytest.param(
        R.NOT_FULL_TIME,
        {"business__yel_insured": False, "business__annual_income_eur": "20000.00"},
        {},
        id="income-exactly-threshold",
    ),
    pytest.param(
        R.NOT_FULL_TIME,
        {"business__yel_insured": True, "business__annual_income_eur": "0.00"},
        {},
        id="yel-insured",
    ),
    pytest.param(R.COMPANY_FORM, {"business__company_form": "tmi"}, {}, id="tmi"),
    pytest.param(R.COMPANY_FORM, {"business__company_form": "ay"}, {}, id="ay"),
    pytest.param(R.COMPANY_FORM, {"business__company_form": "ky"}, {}, id="ky"),
    pytest.param(R.COMPANY_FORM, {"business__company_form": "oy"}, {}, id="oy"),
    pytest.param(R.COMPANY_FORM, {"business__company_form": "osk"}, {}, id="osk"),
    pytest.param(R.COMPANY_FORM, {"business__company_form": "light", "business__business_id": None}, {}, id="light"),
    pytest.param(R.TURNOVER_DROP, {"turnover__crisis_eur": "0.00"}, {}, id="no-sales-in-crisis"),
    pytest.param(R.IN_DIFFICULTY, {"business__profitable_2019": True}, {}, id="profitable-2019"),
    pytest.param(R.TAX_DEBT, {"aid__tax_debt": True, "aid__tax_payment_plan": True}, {}, id="debt-with-plan"),
    pytest.param(R.TAX_DEBT, {"aid__tax_payment_plan": True}, {"tax_debt": True}, id="registry-debt-with-plan"),
    pytest.param(R.TAX_DEBT, {"aid__tax_debt": False}, {}, id="no-tax-debt"),
    pytest.param(R.TURNOVER_PERIOD, {"turnover__crisis_start": "2020-03-16"}, {}, id="crisis-from-16-march"),
    pytest.param(R.WRONG_MUNICIPALITY, {"business__home_municipality": "Esbo"}, {}, id="swedish-name-esbo"),
    pytest.param(R.WRONG_MUNICIPALITY, {"business__home_municipality": "ESPOO"}, {}, id="case-insensitive"),
    pytest.param(
        R.WRONG_MUNICIPALITY,
        {"business__home_municipality": "Vantaa"},
        {"home_municipality": "Espoo"},
        id="registry-overrides-municipality",
    ),
    pytest.param(R.EXCLUDED_SECTOR, {"business__industry_code": "05100"}, {}, id="mining-division-05"),
    pytest.param(R.EXCLUDED_SECTOR, {"business__industry_code": "30110"}, {}, id="division-30"),
    pytest.param(R.OTHER_CORONA_AID, {"aid__other_corona_aid": False}, {}, id="no-other-aid"),
    pytest.param(R.DE_MINIMIS, {"aid__de_minimis_eur_3y": "198000.00"}, {}, id="total-exactly-ceiling"),
    pytest.param(
        R.DE_MINIMIS,
        {"aid__de_minimis_eur_3y": "250000.00"},
        {"de_minimis_eur_3y": "198000.00"},
        id="registry-overrides-de-minimis",
    ),
    pytest.param(R.DUPLICATE, {}, {"prior_applications": 0}, id="first-application"),
    pytest.param(R.BUDGET_EXHAUSTED, {}, {"budget_remaining": "2000.00"}, id="exactly-one-grant-left"),
]


@pytest.mark.parametrize(("code", "changes", "registry"), FAILING)
def test_rule_fails(code: ReasonCode, changes: dict[str, Any], registry: dict[str, Any]) -> None:
    result = run(submitted(**changes), **registry)
    assert result.reasons == [code]
    assert result.eligible is False
    assert check(result, code).passed is False


@pytest.mark.parametrize(("code", "changes", "registry"), PASSING)
def test_rule_passes(code: ReasonCode, changes: dict[str, Any], registry: dict[str, Any]) -> None:
    result = run(submitted(**changes), **registry)
    assert result.reasons == []
    assert result.eligible is True
    assert check(result, code).passed is True


def test_every_reason_code_has_a_failing_and_a_passing_case() -> None:
    assert {p.values[0] for p in FAILING} | {R.LATE} == set(ReasonCode)
    assert {p.values[0] for p in PASSING} | {R.LATE} == set(ReasonCode)


def test_several_failures_are_listed_in_rule_order() -> None:
    app = submitted(
        submitted_at="2020-10-05T09:00:00+03:00",
        business__employees=1,
        aid__tax_debt=True,
        aid__other_corona_aid=True,
    )
    result = run(app, prior_applications=2)
    assert result.reasons == [R.HAS_EMPLOYEES, R.TAX_DEBT, R.OTHER_CORONA_AID, R.DUPLICATE, R.LATE]
    assert result.eligible is False
    assert result.summary()["reasons"] == ["HAS_EMPLOYEES", "TAX_DEBT", "OTHER_CORONA_AID", "DUPLICATE", "LATE"]


# --- deadline ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_at", "reasons"),
    [
        pytest.param("2020-09-30T23:59:59+03:00", [], id="exactly-at-closing"),
        pytest.param("2020-09-30T20:59:59+00:00", [], id="closing-time-in-utc"),
        pytest.param("2020-09-30T16:15:00+03:00", [], id="afternoon-of-last-day"),
        pytest.param("2020-10-01T00:00:00+03:00", [R.LATE], id="one-second-late"),
        pytest.param("2020-09-30T21:00:00+00:00", [R.LATE], id="one-second-late-in-utc"),
        pytest.param("2020-09-30T23:30:00+00:00", [R.LATE], id="before-midnight-utc-but-late-in-helsinki"),
    ],
)
def test_deadline_is_helsinki_time(submitted_at: str, reasons: list[ReasonCode]) -> None:
    result = run(submitted(submitted_at=submitted_at))
    assert result.reasons == reasons
    assert check(result, R.LATE).passed is (not reasons)


# --- facts not given are not checked ------------------------------------------------------------------------


def test_facts_not_given_are_not_checked() -> None:
    result = run(submitted(submitted_at=None))
    for code in (R.DUPLICATE, R.LATE, R.BUDGET_EXHAUSTED):
        assert check(result, code).passed is None
    assert result.reasons == []
    assert result.eligible is True


def test_unchecked_rules_do_not_hide_failures() -> None:
    result = run(submitted(submitted_at=None, aid__tax_debt=True))
    assert result.reasons == [R.TAX_DEBT]
    assert check(result, R.LATE).passed is None


# --- registry facts override declarations ----------------------------------------------------------------------


def test_registry_municipality_overrides_declaration_and_records_discrepancy() -> None:
    result = run(home_municipality="Helsinki")
    assert result.reasons == [R.WRONG_MUNICIPALITY]
    assert check(result, R.WRONG_MUNICIPALITY).detail["home_municipality"] == "Helsinki"
    assert result.discrepancies == [
        Discrepancy(field="business.home_municipality", declared="Espoo", registry="Helsinki")
    ]


def test_registry_employees_override_declaration_and_record_discrepancy() -> None:
    result = run(employees=3)
    assert result.reasons == [R.HAS_EMPLOYEES]
    assert result.discrepancies == [Discrepancy(field="business.employees", declared="0", registry="3")]


def test_registry_agreeing_with_declaration_records_no_discrepancy() -> None:
    result = run(
        home_municipality="ESPOO",
        company_form="tmi",
        industry_code="74100",
        started_on="2015-03-01",
        employees=0,
        tax_debt=False,
        other_corona_aid=False,
        de_minimis_eur_3y="0",  # the same amount as the declared 0.00
        business_name="Toiminimi Virtanen",
    )
    assert result.reasons == []
    assert result.discrepancies == []


def test_registry_business_name_differing_is_recorded_but_not_a_reason() -> None:
    result = run(business_name="Virtanen Consulting Oy")
    assert result.reasons == []
    assert result.discrepancies == [
        Discrepancy(field="business.name", declared="Toiminimi Virtanen", registry="Virtanen Consulting Oy")
    ]


@pytest.mark.parametrize("situation", ["liquidation", "bankruptcy", "restructuring"])
def test_a_business_in_insolvency_proceedings_is_in_difficulty_whatever_it_declares(situation: str) -> None:
    result = run(situations=[situation])
    assert result.reasons == [R.IN_DIFFICULTY]
    assert check(result, R.IN_DIFFICULTY).detail["register_situations"] == situation


def test_a_registered_employer_declaring_no_employees_is_noted_for_the_handler_not_refused() -> None:
    noted = run(employer_register=True)  # the open data has no head count
    assert noted.reasons == []
    assert noted.discrepancies == [Discrepancy(field="business.employer_register", declared="False", registry="True")]
    assert run(employer_register=False).discrepancies == []
    assert run(employer_register=True, employees=0).discrepancies == []  # a register with a head count says 0


# --- full-time work and young businesses --------------------------------------------------------------------

YOUNG: dict[str, Any] = {
    "business__started_on": "2020-01-01",  # four months before it applied on 2.5.2020
    "business__yel_insured": False,
    "business__annual_income_eur": "0.00",
    "business__profitable_2019": None,
}


def test_young_business_passes_on_12_month_run_rate() -> None:
    # 12 000 € in Jan–Feb: 6 000 €/month, 72 000 € a year.
    result = run(submitted(**YOUNG))
    assert result.reasons == []
    assert check(result, R.NOT_FULL_TIME).detail["run_rate_eur"] == "72000.00"


@pytest.mark.parametrize(
    ("reference_eur", "reasons"),
    [
        pytest.param("3333.33", [R.NOT_FULL_TIME], id="run-rate-19999.98"),
        pytest.param("3333.34", [], id="run-rate-20000.04"),
        pytest.param("3000.00", [R.NOT_FULL_TIME], id="run-rate-18000"),
    ],
)
def test_young_business_run_rate_threshold(reference_eur: str, reasons: list[ReasonCode]) -> None:
    app = submitted(**YOUNG, turnover__reference_eur=reference_eur, turnover__crisis_eur="100.00")
    assert run(app).reasons == reasons


def test_run_rate_is_compared_unrounded() -> None:
    # 3 440.86 € over 14.1.–15.3.2020 is 19 999.99875 € a year: shown as 20 000.00, still short.
    app = submitted(
        **YOUNG,
        turnover__reference_start="2020-01-14",
        turnover__reference_end="2020-03-15",
        turnover__reference_eur="3440.86",
        turnover__crisis_eur="100.00",
    )
    result = run(app)
    assert check(result, R.NOT_FULL_TIME).detail["run_rate_eur"] == "20000.00"
    assert result.reasons == [R.NOT_FULL_TIME]


def test_run_rate_is_only_for_young_businesses() -> None:
    # Started in 2015: a low declared income is not rescued by good Jan–Feb sales.
    app = submitted(business__yel_insured=False, business__annual_income_eur="5000.00")
    result = run(app)
    assert result.reasons == [R.NOT_FULL_TIME]
    assert "run_rate_eur" not in check(result, R.NOT_FULL_TIME).detail


@pytest.mark.parametrize(
    ("started_on", "reasons"),
    [
        pytest.param("2019-11-02", [R.NOT_FULL_TIME], id="exactly-6-months-is-not-young"),
        pytest.param("2019-11-03", [], id="a-day-under-6-months-is-young"),
    ],
)
def test_young_business_boundary_is_six_months_before_submission(started_on: str, reasons: list[ReasonCode]) -> None:
    app = submitted(
        submitted_at="2020-05-02T10:00:00+03:00",
        business__started_on=started_on,
        business__yel_insured=False,
        business__annual_income_eur="0.00",
    )
    assert run(app).reasons == reasons


# --- soundness before the crisis ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_on", "profitable_2019", "reasons"),
    [
        pytest.param("2020-01-01", None, [], id="started-2020-needs-no-2019-accounts"),
        pytest.param("2020-02-15", False, [], id="started-2020-2019-loss-irrelevant"),
        pytest.param("2019-12-31", None, [R.IN_DIFFICULTY], id="started-2019-must-show-2019"),
        pytest.param("2019-12-31", True, [], id="started-2019-profitable"),
    ],
)
def test_2019_profitability_only_for_businesses_from_before_2020(
    started_on: str, profitable_2019: bool | None, reasons: list[ReasonCode]
) -> None:
    app = submitted(business__started_on=started_on, business__profitable_2019=profitable_2019)
    assert run(app).reasons == reasons


def test_difficulty_before_crisis_fails_even_for_a_2020_business() -> None:
    app = submitted(business__started_on="2020-01-01", business__in_difficulty_before_crisis=True)
    assert run(app).reasons == [R.IN_DIFFICULTY]


# --- turnover drop ----------------------------------------------------------------------------------------------

# Reference Jan–Feb 2020: 12 000 € = 6 000 €/month; the crisis period is all of April 2020.
APRIL: dict[str, Any] = {"turnover__crisis_start": "2020-04-01", "turnover__crisis_end": "2020-04-30"}


@pytest.mark.parametrize(
    ("crisis_eur", "shown", "reasons"),
    [
        pytest.param("4200.00", Decimal("0.3000"), [R.TURNOVER_DROP], id="exactly-30.00-percent"),
        pytest.param("4199.40", Decimal("0.3001"), [], id="30.01-percent"),
        pytest.param("4200.60", Decimal("0.2999"), [R.TURNOVER_DROP], id="29.99-percent"),
        pytest.param("6000.00", Decimal("0.0000"), [R.TURNOVER_DROP], id="no-change"),
        pytest.param("7200.00", Decimal("-0.2000"), [R.TURNOVER_DROP], id="grew-20-percent"),
        pytest.param("0.00", Decimal("1.0000"), [], id="no-sales"),
    ],
)
def test_turnover_drop_must_be_more_than_30_percent(crisis_eur: str, shown: Decimal, reasons: list[ReasonCode]) -> None:
    result = run(submitted(**APRIL, turnover__crisis_eur=crisis_eur))
    assert result.reasons == reasons
    assert result.turnover_drop == shown


# Reference: 31 000 € over Aug 2019–Feb 2020 (7 months) = 31 000/7 €/month. Crisis: 1 600 € over 16.–31.3.
# (16/31 of a month) = 3 100 €/month, exactly 70% of the reference: a drop of exactly 30%.
PARTIAL_MONTHS: dict[str, Any] = {
    "turnover__reference_start": "2019-08-01",
    "turnover__reference_end": "2020-02-29",
    "turnover__reference_eur": "31000.00",
    "turnover__crisis_start": "2020-03-16",
    "turnover__crisis_end": "2020-03-31",
}


@pytest.mark.parametrize(
    ("crisis_eur", "reasons"),
    [
        pytest.param("1600.00", [R.TURNOVER_DROP], id="exactly-30-percent"),
        pytest.param("1599.99", [], id="one-cent-less-is-over-30-percent"),
    ],
)
def test_exactly_30_percent_over_partial_months_is_not_enough(crisis_eur: str, reasons: list[ReasonCode]) -> None:
    # Rounding in the month arithmetic must not nudge an exact 30% over the threshold.
    result = run(submitted(**PARTIAL_MONTHS, turnover__crisis_eur=crisis_eur))
    assert result.reasons == reasons
    assert result.turnover_drop == Decimal("0.3000")


def test_zero_reference_turnover_has_no_drop() -> None:
    result = run(submitted(turnover__reference_eur="0.00", turnover__crisis_eur="0.00"))
    assert result.turnover_drop is None
    assert result.reasons == [R.TURNOVER_DROP]
    assert result.summary()["turnover_drop"] is None
    assert check(result, R.TURNOVER_DROP).detail["turnover_drop"] == "none"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        pytest.param(
            {"turnover__reference_start": "2018-12-31", "turnover__reference_eur": "100000.00"},
            "reference_period_outside_rule",
            id="reference-starts-before-2019",
        ),
        pytest.param(
            {
                "turnover__reference_end": "2020-03-16",
                "turnover__crisis_start": "2020-03-17",
            },
            "reference_period_outside_rule",
            id="reference-ends-after-15-march",
        ),
        pytest.param(
            {"turnover__crisis_start": "2020-03-15"},
            "crisis_period_starts_too_early",
            id="crisis-starts-before-16-march",
        ),
        pytest.param(
            {"turnover__reference_start": "2020-02-01", "turnover__reference_eur": "6000.00"},
            None,
            id="one-month-reference-is-enough",
        ),
        pytest.param(
            {"turnover__reference_start": "2020-02-02", "turnover__reference_eur": "6000.00"},
            "reference_period_too_short",
            id="reference-under-one-month",
        ),
        pytest.param(
            {
                "turnover__reference_start": "2019-01-01",
                "turnover__reference_end": "2020-03-15",
                "turnover__reference_eur": "100000.00",
            },
            None,
            id="widest-allowed-reference",
        ),
    ],
)
def test_periods_must_be_within_programme_bounds(changes: dict[str, Any], problem: str | None) -> None:
    result = run(submitted(**changes))
    periods = check(result, R.TURNOVER_PERIOD)
    if problem is None:
        assert result.reasons == []
        assert "problems" not in periods.detail
    else:
        # The drop itself was enough: the period is the reason, and the only one.
        assert result.reasons == [R.TURNOVER_PERIOD]
        assert periods.detail["problems"] == problem
        assert check(result, R.TURNOVER_DROP).passed is True
        assert result.turnover_drop is not None
        assert result.turnover_drop > Decimal("0.30")


# --- months_in_period and turnover_drop -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        pytest.param(date(2020, 1, 1), date(2020, 1, 31), 1, id="january"),
        pytest.param(date(2020, 1, 1), date(2020, 4, 30), 4, id="jan-apr"),
        pytest.param(date(2019, 1, 1), date(2019, 12, 31), 12, id="year-2019"),
        pytest.param(date(2020, 2, 1), date(2020, 2, 29), 1, id="leap-february"),
        pytest.param(date(2019, 2, 1), date(2019, 2, 28), 1, id="common-february"),
        pytest.param(date(2019, 12, 1), date(2020, 2, 29), 3, id="across-new-year"),
    ],
)
def test_full_months_count_one_each(start: date, end: date, months: int) -> None:
    assert months_in_period(start, end) == Decimal(months)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        pytest.param(date(2020, 3, 16), date(2020, 5, 31), Fraction(16, 31) + 2, id="16.3.-31.5.2020"),
        pytest.param(date(2020, 2, 1), date(2020, 2, 14), Fraction(14, 29), id="half-of-leap-february"),
        pytest.param(date(2019, 2, 15), date(2019, 2, 28), Fraction(1, 2), id="half-of-common-february"),
        pytest.param(date(2020, 2, 29), date(2020, 2, 29), Fraction(1, 29), id="leap-day"),
        pytest.param(date(2020, 2, 15), date(2020, 3, 15), Fraction(15, 29) + Fraction(15, 31), id="feb-mar"),
        pytest.param(date(2019, 12, 16), date(2020, 1, 15), Fraction(16, 31) + Fraction(15, 31), id="dec-jan"),
    ],
)
def test_partial_months_count_by_their_days(start: date, end: date, months: Fraction) -> None:
    assert close_to(months_in_period(start, end), months)


def test_period_ending_before_it_starts_is_an_error() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        months_in_period(date(2020, 3, 1), date(2020, 2, 29))


def test_turnover_drop_compares_monthly_averages() -> None:
    drop = turnover_drop(
        Decimal("12000.00"),
        date(2020, 1, 1),
        date(2020, 2, 29),
        Decimal("3300.00"),
        date(2020, 3, 16),
        date(2020, 5, 31),
    )
    assert drop is not None
    assert close_to(drop, 1 - (Fraction(3300) / (Fraction(16, 31) + 2)) / 6000)


def test_turnover_drop_is_none_without_reference_turnover() -> None:
    drop = turnover_drop(
        Decimal("0.00"),
        date(2020, 1, 1),
        date(2020, 2, 29),
        Decimal("100.00"),
        date(2020, 3, 16),
        date(2020, 5, 31),
    )
    assert drop is None


def test_turnover_growth_is_a_negative_drop() -> None:
    drop = turnover_drop(
        Decimal("1000.00"),
        date(2020, 2, 1),
        date(2020, 2, 29),
        Decimal("1500.00"),
        date(2020, 4, 1),
        date(2020, 4, 30),
    )
    assert drop == Decimal("-0.5")
