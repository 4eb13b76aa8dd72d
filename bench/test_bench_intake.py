"""Benchmarks (`make bench`): the intake path and the rules, each against a bare baseline."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from activities.serving.letter_template import letter_html
from bench.measure import per_call, report
from core.db import Database
from core.migrate import upgrade
from core.pdf import render_pdf
from core.settings import PROJECT_ROOT, Settings
from models.grants.application_form import ApplicationForm
from models.grants.eligibility import RegistryFacts, SubmittedApplication, assess
from models.grants.programme import load_programmes
from tests.activities.test_decision_letter import facts
from tests.factories import PERSONAL_IDS, application
from tests.support import (
    IN_2020_WINDOW,
    TEST_API_AUTHORIZATION,
    TEST_PAYLOAD_KEY,
    TEST_SECRET,
    TEST_SETTINGS_API_CLIENTS,
)
from web.app import create_app

pytestmark = pytest.mark.slow
PROGRAMMES = load_programmes(PROJECT_ROOT / "programmes", include_demo=False)


def test_assessment_costs_little_more_than_validating_the_form() -> None:
    body = {**application(), "submitted_at": "2020-05-02T10:00:00+03:00"}
    programme = PROGRAMMES["sole-entrepreneur-2020"]
    facts = RegistryFacts(prior_applications=0)

    baseline = per_call(lambda: SubmittedApplication.model_validate(body), number=200)
    measured = per_call(lambda: assess(SubmittedApplication.model_validate(body), facts, programme), number=200)

    assert report("validate + assess", measured, baseline) < 20


def test_intake_against_a_bare_endpoint(tmp_path: Path) -> None:
    db_path = tmp_path / "bench.db"
    upgrade(f"sqlite:///{db_path}")
    db = Database(f"sqlite:///{db_path}")
    # One client sending thousands: the per-client limit on public posts would stop it, so it is off here.
    settings = Settings(
        environment="test",
        database_url=db.url,
        secret_key=TEST_SECRET,
        payload_key=TEST_PAYLOAD_KEY,
        public_post_limit="",
        api_clients=TEST_SETTINGS_API_CLIENTS,
    )
    app = create_app(settings, db=db, programmes=PROGRAMMES, clock=lambda: IN_2020_WINDOW, run_relay=False)

    bare = FastAPI()

    @bare.post("/echo")
    def echo(form: ApplicationForm) -> dict[str, str]:
        return {"reference": form.business.name}

    bodies = [application(applicant__personal_id=pid) for pid in PERSONAL_IDS]
    url = "/api/v1/programmes/sole-entrepreneur-2020/applications"
    # The applications come from a trusted integration (the programme requires identification).
    with TestClient(app, headers={"Authorization": TEST_API_AUTHORIZATION}) as client, TestClient(bare) as bare_client:
        counter = iter(range(10**6))
        baseline = per_call(lambda: bare_client.post("/echo", json=bodies[0]))
        measured = per_call(lambda: client.post(url, json=bodies[next(counter) % len(bodies)]))
    db.dispose()

    # Validation plus one transaction (application + outbox row) on SQLite.
    assert report("intake POST (SQLite)", measured, baseline) < 50


def test_decision_letter_against_a_bare_page() -> None:
    """A one-page letter (PDF/A, tagged, fonts subset by HarfBuzz) against the same engine's blank page."""
    programme = PROGRAMMES["sole-entrepreneur-2020"]
    html = letter_html(facts(programme))
    baseline = per_call(lambda: render_pdf("<html><body><p>x</p></body></html>"), number=5)
    measured = per_call(lambda: render_pdf(html), number=5)
    assert report("decision letter PDF", measured, baseline) < 20
