"""The simulated campaign is reproducible from its seed, has the 2020 mix, and sends forms the API accepts."""

from collections import Counter
from decimal import Decimal

from stdnum.fi import hetu, ytunnus

from models.grants.application_form import ApplicationForm
from models.grants.turnover import turnover_drop
from models.service_requests.form import ServiceRequestForm
from runtime.simulation.campaign import Fate, plan_campaign


def test_the_same_seed_gives_the_same_campaign_and_another_seed_another() -> None:
    first, again, other = plan_campaign(50, 10, seed=7), plan_campaign(50, 10, seed=7), plan_campaign(50, 10, seed=8)
    assert first == again
    assert [c.personal_id for c in first.cases] != [c.personal_id for c in other.cases]


def test_the_mix_follows_the_2020_campaigns() -> None:
    campaign = plan_campaign(2000, 0, seed=2020)
    fates = Counter(c.fate for c in campaign.cases)
    assert 0.70 < fates[Fate.ELIGIBLE] / 2000 < 0.81  # about three in four approved, as in Espoo
    assert all(fates[fate] > 0 for fate in Fate)
    first_time = [c for c in campaign.cases if c.fate != Fate.DUPLICATE]
    assert 0.45 < sum(c.needs_info for c in first_time) / len(first_time) < 0.55  # about half, as in Vantaa
    rejected = [c for c in campaign.cases if c.fate != Fate.ELIGIBLE]
    assert 0.15 < sum(c.asks_rectification for c in rejected) / len(rejected) < 0.35
    assert not any(c.asks_rectification for c in campaign.cases if c.fate == Fate.ELIGIBLE)


def test_people_and_businesses_are_valid_and_a_duplicate_is_a_second_application_for_an_earlier_business() -> None:
    campaign = plan_campaign(300, 50, seed=3)
    firsts = [c for c in campaign.cases if c.fate != Fate.DUPLICATE]
    assert len({c.personal_id for c in firsts}) == len(firsts)
    assert len({c.business_id for c in firsts}) == len(firsts)
    assert all(hetu.is_valid(c.personal_id, allow_temporary=True) for c in campaign.cases)
    assert all(ytunnus.is_valid(c.business_id) for c in campaign.cases)
    for case in (c for c in campaign.cases if c.fate == Fate.DUPLICATE):
        earlier = next(c for c in firsts if c.business_id == case.business_id)
        assert earlier.n < case.n and earlier.personal_id == case.personal_id
        assert earlier.fate != Fate.LATE  # sent before the call closed, as the duplicate is
    service_people = {n.personal_id for n in campaign.service_needs}
    assert not service_people & {c.personal_id for c in firsts}
    assert all(n.consent for n in campaign.service_needs if n.referred)


def test_every_planned_form_is_one_the_api_accepts() -> None:
    campaign = plan_campaign(120, 30, seed=11)
    for case in campaign.cases:
        t = ApplicationForm.model_validate(case.form()).turnover
        drop = turnover_drop(t.reference_eur, t.reference_start, t.reference_end, t.crisis_eur, t.crisis_start,
                             t.crisis_end)  # fmt: skip
        assert drop is not None and (drop > Decimal("0.30")) == (case.fate != Fate.SMALL_DROP)
    for need in campaign.service_needs:
        ServiceRequestForm.model_validate(need.form())
