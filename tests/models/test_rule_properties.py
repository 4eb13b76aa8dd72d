"""Properties of the eligibility rules and of the deadline arithmetic, over inputs Hypothesis chooses
(the attack suite's property half: what no example-based test can cover one by one)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from models.grants.eligibility import ReasonCode, RegistryFacts, SubmittedApplication, assess
from models.grants.programme import Programme
from models.grants.turnover import months_in_period, turnover_drop
from models.service_requests.sla import ResponseTerms, add_working_days, plan_first_response
from models.time_limits import is_working_day, last_day_of, next_working_day_from
from tests.factories import submitted

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
euros = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("10000000.00"), places=2)
positive_euros = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000.00"), places=2)
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
NO_FACTS = RegistryFacts()
# Finnish public holidays on fixed dates, written out here: an oracle beside the `holidays` package.
FIXED_HOLIDAYS = {(1, 1), (1, 6), (5, 1), (12, 6), (12, 24), (12, 25), (12, 26)}


def _nobody_works(day: date) -> bool:
    return day.weekday() >= 5 or (day.month, day.day) in FIXED_HOLIDAYS


def _with_turnover(reference: Decimal, crisis: Decimal) -> SubmittedApplication:
    return submitted(turnover__reference_eur=str(reference), turnover__crisis_eur=str(crisis))


@EXAMPLES
@given(reference=positive_euros, crisis=euros)
def test_eligible_exactly_when_no_rule_fails(programme: Programme, reference: Decimal, crisis: Decimal) -> None:
    result = assess(_with_turnover(reference, crisis), NO_FACTS, programme)
    failed = [check.code for check in result.checks if check.passed is False]
    assert result.reasons == failed
    assert result.eligible is (failed == [])
    assert assess(_with_turnover(reference, crisis), NO_FACTS, programme) == result  # the same answer every time


@EXAMPLES
@given(reference=positive_euros, crisis=euros, lower=euros)
def test_a_lower_crisis_turnover_never_turns_a_sufficient_drop_insufficient(
    programme: Programme, reference: Decimal, crisis: Decimal, lower: Decimal
) -> None:
    assume(lower <= crisis)
    higher = assess(_with_turnover(reference, crisis), NO_FACTS, programme)
    lowered = assess(_with_turnover(reference, lower), NO_FACTS, programme)
    if ReasonCode.TURNOVER_DROP not in higher.reasons:
        assert ReasonCode.TURNOVER_DROP not in lowered.reasons


@EXAMPLES
@given(reference=positive_euros, crisis=euros, factor=st.integers(min_value=2, max_value=1000))
def test_the_drop_does_not_depend_on_the_currency_unit(reference: Decimal, crisis: Decimal, factor: int) -> None:
    periods = (date(2020, 1, 1), date(2020, 2, 29), date(2020, 3, 16), date(2020, 5, 31))
    a, b, c, d = periods
    once = turnover_drop(reference, a, b, crisis, c, d)
    scaled = turnover_drop(reference * factor, a, b, crisis * factor, c, d)
    assert once is not None and scaled is not None
    assert abs(once - scaled) < Decimal("1e-20")


@EXAMPLES
@given(reference=positive_euros, share=st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=4))
def test_more_than_the_threshold_passes_and_the_threshold_itself_does_not(
    programme: Programme, reference: Decimal, share: Decimal
) -> None:
    # Periods of two whole months each: the drop is exactly 1 - crisis / reference.
    crisis = (reference * (1 - share)).quantize(Decimal("0.01"))
    application = submitted(
        turnover__reference_start="2020-01-01",
        turnover__reference_end="2020-02-29",
        turnover__reference_eur=str(reference),
        turnover__crisis_start="2020-04-01",
        turnover__crisis_end="2020-05-31",
        turnover__crisis_eur=str(crisis),
    )
    result = assess(application, NO_FACTS, programme)
    exact = 1 - crisis / reference
    assert (ReasonCode.TURNOVER_DROP not in result.reasons) is (exact > programme.turnover.drop_threshold)
    assert ReasonCode.TURNOVER_PERIOD not in result.reasons


@EXAMPLES
@given(reference=st.integers(min_value=1, max_value=10**8).map(lambda tenths: Decimal(tenths) / 10))
def test_a_drop_of_exactly_the_threshold_is_not_enough(programme: Programme, reference: Decimal) -> None:
    crisis = reference * (1 - programme.turnover.drop_threshold)  # tenths of a euro × 0.70: whole cents
    assert crisis == crisis.quantize(Decimal("0.01"))
    application = submitted(
        turnover__reference_start="2020-01-01",
        turnover__reference_end="2020-02-29",
        turnover__reference_eur=str(reference),
        turnover__crisis_start="2020-04-01",
        turnover__crisis_end="2020-05-31",
        turnover__crisis_eur=str(crisis.quantize(Decimal("0.01"))),
    )
    assert ReasonCode.TURNOVER_DROP in assess(application, NO_FACTS, programme).reasons


@EXAMPLES
@given(moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2021, 12, 31), timezones=st.just(UTC)))
def test_late_exactly_when_sent_after_the_closing_moment(programme: Programme, moment: datetime) -> None:
    result = assess(submitted(submitted_at=moment.isoformat()), NO_FACTS, programme)
    assert (ReasonCode.LATE in result.reasons) is (moment > programme.closes_at)


@EXAMPLES
@given(declared=st.sampled_from(["Espoo", "Vantaa", "Helsinki", "Kauniainen"]),
       registered=st.sampled_from(["Espoo", "Esbo", "Vantaa", "Vanda", "Helsinki"]))  # fmt: skip
def test_the_register_decides_and_a_real_disagreement_is_listed(
    programme: Programme, declared: str, registered: str
) -> None:
    result = assess(
        submitted(business__home_municipality=declared), RegistryFacts(home_municipality=registered), programme
    )
    wrong_place = ReasonCode.WRONG_MUNICIPALITY in result.reasons
    assert wrong_place is not programme.accepts_municipality(registered)
    same_place = {declared, registered} <= {"Espoo", "Esbo"} or {declared, registered} <= {"Vantaa", "Vanda"}
    listed = [d for d in result.discrepancies if d.field == "business.home_municipality"]
    assert bool(listed) is (declared != registered and not same_place)


@EXAMPLES
@given(start=days, length=st.integers(min_value=0, max_value=800))
def test_months_in_a_period_add_up(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    middle = start + timedelta(days=length // 2)
    if middle < end:
        whole = months_in_period(start, end)
        parts = months_in_period(start, middle) + months_in_period(middle + timedelta(days=1), end)
        assert abs(whole - parts) < Decimal("1e-20")


@EXAMPLES
@given(received=days, limit=st.sampled_from([14, 30, 7, 1]))
def test_a_time_limit_ends_on_the_first_working_day_from_its_last_day(received: date, limit: int) -> None:
    last = last_day_of(received, limit)
    assert is_working_day(last) and not _nobody_works(last)
    assert last >= received + timedelta(days=limit)
    between = [received + timedelta(days=limit + n) for n in range((last - received).days - limit)]
    assert not any(is_working_day(day) for day in between)  # moved only over days nobody works
    assert next_working_day_from(last) == last


@EXAMPLES
@given(start=days, working=st.integers(min_value=0, max_value=40))
def test_adding_working_days_counts_exactly_those_days(start: date, working: int) -> None:
    end = add_working_days(start, working)
    counted = sum(is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))
    assert counted == working
    if working:
        assert is_working_day(end) and not _nobody_works(end)


@EXAMPLES
@given(
    routed=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)),
    first=st.integers(min_value=0, max_value=10),
    organisation=st.integers(min_value=0, max_value=5),
    network=st.integers(min_value=0, max_value=10),
)
def test_a_first_response_plan_runs_in_order_on_working_mornings(
    routed: datetime, first: int, organisation: int, network: int
) -> None:
    assume(network >= organisation)
    plan = plan_first_response(routed, ResponseTerms(first, organisation, network))
    assert plan.remind_at.date() == plan.due_on
    assert plan.remind_at <= plan.escalate_at <= plan.network_at
    assert plan.due_at > plan.remind_at
    for moment in (plan.escalate_at, plan.network_at):
        assert is_working_day(moment.date()) or moment.date() == plan.due_on
