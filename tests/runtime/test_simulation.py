"""A short simulated campaign on a system of its own (Temporal, the identification service, a web process and a
worker process), with the worker killed with SIGKILL while cases are in flight: every case still reaches its
final state, and nothing is done twice. `make bench` runs a longer one."""

from pathlib import Path

from runtime.simulation.campaign import Fate, plan_campaign
from runtime.simulation.run import Options, simulate

APPLICATIONS, SERVICE_REQUESTS, SEED = 24, 6, 3  # a seed with every fate, a rectification and a referral


def test_a_short_campaign_survives_a_killed_worker_and_does_nothing_twice(tmp_path: Path) -> None:
    options = Options(
        applications=APPLICATIONS, service_requests=SERVICE_REQUESTS, seed=SEED, state_dir=tmp_path,
        kill_worker_every=20.0, final_timeout=300.0,
    )  # fmt: skip
    report = simulate(options)

    assert report.final, report.refusals
    assert report.twice == dict.fromkeys(report.twice, 0)
    assert report.actions["fault:worker_killed"] >= 1
    plan = plan_campaign(APPLICATIONS, SERVICE_REQUESTS, SEED)
    eligible = sum(1 for c in plan.cases if c.fate == Fate.ELIGIBLE)
    assert report.applications == APPLICATIONS
    assert report.by_outcome == {"paid": eligible, "rejected": APPLICATIONS - eligible}
    assert set(report.rejection_reasons) == {"TURNOVER_DROP", "WRONG_MUNICIPALITY", "LATE", "DUPLICATE"}
    assert report.payments_paid == eligible and report.euros_paid == f"{2000 * eligible}.00"
    assert report.rectifications == sum(1 for c in plan.cases if c.asks_rectification)
    assert report.service_requests == {"closed": SERVICE_REQUESTS}
    # The planned referrals, and the front desk's routing of the requests no rule matched.
    assert report.referrals >= sum(1 for n in plan.service_needs if n.referred) >= 1
