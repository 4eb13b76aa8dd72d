"""Routing rules (most specific wins, no match → front desk) and the first-response plan in working days."""

from datetime import UTC, date, datetime, time

from models.grants.programme import HELSINKI
from models.service_requests.routing import SEED_RULES, Need, RoutingRule, route_for
from models.service_requests.sla import ResponseTerms, add_working_days, plan_first_response

RULES = [
    RoutingRule(id=n, package=p, stage=s, customer_group=g, organisation_code=o)
    for n, (p, s, g, o) in enumerate(SEED_RULES, start=1)
]


def test_the_most_specific_rule_wins() -> None:
    assert route_for(RULES, Need("start", "planning", "would_be")) == "YE"
    assert route_for(RULES, Need("start", "visiting", "elsewhere")) == "EE"  # stage and group named
    assert route_for(RULES, Need("grow", "ongoing", "large")) == "EE"  # group named beats the package alone
    assert route_for(RULES, Need("recruitment", "ongoing", "immigrant")) == "O"
    assert route_for(RULES, Need("recruitment", "ongoing", "small")) == "TE"


def test_no_matching_rule_means_the_front_desk() -> None:
    assert route_for(RULES, Need("change", "planning", "sole")) is None
    assert route_for(RULES, Need("change", "ongoing", "sole")) == "EY"
    assert route_for([], Need("start", "planning", "would_be")) is None


def test_every_package_and_organisation_of_the_seed_is_known() -> None:
    from models.service_requests.catalogue import ServicePackage
    from runtime.seed import ORGANISATIONS

    codes = {code for code, _, _ in ORGANISATIONS}
    assert {rule.organisation_code for rule in RULES} <= codes
    assert {rule.package for rule in RULES} == set(ServicePackage)


def test_working_days_skip_weekends_and_finnish_holidays() -> None:
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 7)  # Friday → Monday
    assert add_working_days(date(2026, 12, 23), 2) == date(2026, 12, 29)  # Christmas Eve to Boxing Day, a weekend
    assert add_working_days(date(2026, 6, 18), 1) == date(2026, 6, 22)  # Midsummer Eve is no working day
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)  # Good Friday to Easter Monday
    assert add_working_days(date(2026, 12, 5), 0) == date(2026, 12, 5)


def test_the_plan_falls_at_the_start_of_working_days_in_helsinki() -> None:
    routed = datetime(2026, 12, 4, 16, 30, tzinfo=HELSINKI)  # a Friday afternoon
    plan = plan_first_response(routed, ResponseTerms(first_response_days=2))
    assert plan.due_on == date(2026, 12, 8)
    assert plan.remind_at == datetime.combine(date(2026, 12, 8), time(8), HELSINKI)
    assert plan.escalate_at == datetime.combine(date(2026, 12, 9), time(8), HELSINKI)
    assert plan.network_at == datetime.combine(date(2026, 12, 10), time(8), HELSINKI)
    assert plan.due_at == datetime.combine(date(2026, 12, 9), time(0), HELSINKI)


def test_the_helsinki_date_counts_not_the_utc_one() -> None:
    # 22:30 UTC on Thursday is half past midnight on Friday in Helsinki: one working day runs to Monday.
    late = plan_first_response(datetime(2026, 12, 3, 22, 30, tzinfo=UTC), ResponseTerms(first_response_days=1))
    assert late.due_on == date(2026, 12, 7)
