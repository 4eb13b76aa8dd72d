"""Each rule's stored figures as sentences: never the raw `key: value`, numbers and dates as the reader writes them."""

from typing import Any

from models.grants.eligibility import assess
from models.grants.programme import Programme
from tests.factories import no_registry, submitted
from web.services.assessment_words import check_in_words
from web.services.disagreements import discrepancy_in_words, is_real_discrepancy


def words(programme: Programme, language: str = "en", registry: dict | None = None, **changes: Any) -> dict:
    result = assess(submitted(**changes), no_registry(**(registry or {})), programme)
    return {c["code"]: check_in_words(c, language) for c in result.model_dump(mode="json")["checks"]}


def test_turnover_that_rose_and_turnover_that_cannot_be_compared(programme: Programme) -> None:
    rose = words(programme, turnover__crisis_eur="20000.00")["TURNOVER_DROP"]
    assert rose.passed is False
    assert rose.lines[0] == "Turnover rose 32.5 %; a fall of more than 30 % is required"
    nothing = words(programme, turnover__reference_eur="0.00")["TURNOVER_DROP"]
    assert nothing.lines[0] == "The fall cannot be computed: there was no turnover in the reference period."


def test_periods_outside_the_rule_are_named(programme: Programme) -> None:
    found = words(programme, turnover__reference_start="2018-06-01")
    assert any("The reference period is outside the programme's rule." in check.lines for check in found.values())


def test_just_over_the_limit_shows_which_side_it_is_on() -> None:
    check = {
        "code": "TURNOVER_DROP",
        "passed": True,
        "detail": {
            "reference_monthly_eur": "1000.00",
            "crisis_monthly_eur": "699.80",
            "turnover_drop": "0.3002",
            "threshold": "0.30",
        },
    }
    assert check_in_words(check, "en").lines[0] == "Turnover fell 30.02 %; a fall of more than 30 % is required"


def test_a_young_business_and_the_yel_answer(programme: Programme) -> None:
    check = words(programme, business__started_on="2020-01-15", business__yel_insured=False)["NOT_FULL_TIME"]
    assert check.lines[0] == "Insured under YEL: no"
    assert any(line.startswith("A young business: its turnover so far makes €") for line in check.lines)
    assert check.lines[-1] == "Without YEL insurance at least €20,000.00 a year is required."


def test_rules_not_checked_say_so(programme: Programme) -> None:
    check = words(programme)["BUDGET_EXHAUSTED"]
    assert (check.passed, check.lines) == (None, ["Not checked: the facts it needs were not available."])


def test_budget_duplicates_and_municipality_in_swedish(programme: Programme) -> None:
    found = words(
        programme,
        "sv",
        registry={"budget_remaining": "1500.00", "prior_applications": 1},
        business__home_municipality="Esbo",
    )
    assert found["BUDGET_EXHAUSTED"].passed is False
    assert "1\xa0500,00\xa0€" in found["BUDGET_EXHAUSTED"].lines[0]
    assert found["DUPLICATE"].lines[0].endswith(": 1")
    assert "Esbo (049)" in found["WRONG_MUNICIPALITY"].lines[0]
    assert found["WRONG_MUNICIPALITY"].passed is True


def test_a_check_from_another_version_of_the_rules_is_still_shown() -> None:
    check = check_in_words({"code": "NEW_RULE", "passed": False, "detail": {"limit": "3"}}, "en")
    assert (check.rule, check.lines) == ("NEW_RULE", ["limit: 3"])


def test_disagreements_in_words() -> None:
    started = discrepancy_in_words(
        {"field": "business.started_on", "declared": "2015-03-01", "registry": "2016-01-31"}, "fi"
    )
    assert (started.declared, started.registry) == ("1.3.2015", "31.1.2016")
    debt = discrepancy_in_words({"field": "aid.tax_debt", "declared": "False", "registry": "True"}, "en")
    assert (debt.field, debt.declared, debt.registry) == ("Tax debt", "no", "yes")
    form = discrepancy_in_words({"field": "business.company_form", "declared": "tmi", "registry": "oy"}, "en")
    assert (form.declared, form.registry) == ("Sole trader", "Limited company")


def test_a_municipality_in_the_other_language_is_no_disagreement() -> None:
    assert not is_real_discrepancy({"field": "business.home_municipality", "declared": "Espoo", "registry": "Esbo"})
    assert is_real_discrepancy({"field": "business.home_municipality", "declared": "Espoo", "registry": "Vanda"})
    assert is_real_discrepancy({"field": "business.employees", "declared": "0", "registry": "0.0"})
