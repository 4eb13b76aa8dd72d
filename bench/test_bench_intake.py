"""Benchmarks (`make bench`): the intake path and the rules, each against a bare baseline."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from weasyprint import HTML

from activities.serving.letter_template import letter_html
from bench.measure import per_call, report
from bench.results import Figure, Results
from core.db import Database
from core.migrate import upgrade
from core.pdf import DOCUMENT_STATIC, render_pdf
from core.settings import PROJECT_ROOT
from models.grants.application_form import ApplicationForm
from models.grants.eligibility import RegistryFacts, SubmittedApplication, assess
from models.grants.programme import load_programmes
from models.mandates import ActingRight
from tests.activities.test_decision_letter import facts
from tests.factories import PERSONAL_IDS, application
from tests.identification import record_rights, sign_in
from tests.support import IN_2020_WINDOW, make_settings
from web.app import create_app

pytestmark = pytest.mark.slow
PROGRAMMES = load_programmes(PROJECT_ROOT / "programmes", include_demo=False)
BUSINESS_IDS = ["0112038-9", "2326287-1", "3100012-6", "3100013-4", "3100014-2", "3100015-0"]


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
    settings = make_settings(db, public_post_limit="", documents_dir=tmp_path / "documents")
    app = create_app(settings, db=db, programmes=PROGRAMMES, clock=lambda: IN_2020_WINDOW, run_relay=False)

    bare = FastAPI()

    @bare.post("/echo")
    def echo(form: ApplicationForm) -> dict[str, str]:
        return {"reference": form.business.name}

    # Each applicant owns a sole trader's business (as the simulated Mandates service records it) and signs
    # in through the simulated identification service, as a load test's applicants do.
    bodies = [
        application(applicant__personal_id=pid, business__business_id=business_id)
        for pid, business_id in zip(PERSONAL_IDS, BUSINESS_IDS, strict=True)
    ]
    headers = []
    for body in bodies:
        person = body["applicant"]["personal_id"]
        record_rights(db, body["business"]["business_id"], person, ActingRight.OWNER)
        with TestClient(app) as browser:
            sign_in(browser, settings, personal_id=person, next_path="/api/v1/token")
            headers.append({"Authorization": f"Bearer {browser.get('/api/v1/token').json()['access_token']}"})
    url = "/api/v1/programmes/sole-entrepreneur-2020/applications"
    with TestClient(app) as client, TestClient(bare) as bare_client:
        counter = iter(range(10**6))

        def post() -> object:
            n = next(counter) % len(bodies)
            return client.post(url, json=bodies[n], headers=headers[n])

        baseline = per_call(lambda: bare_client.post("/echo", json=bodies[0]))
        measured = per_call(post)
    db.dispose()

    # Validation, the right to act (register and Mandates look-ups) and one transaction (application +
    # outbox row) on SQLite.
    assert report("intake POST (SQLite)", measured, baseline) < 50


def test_decision_letters_against_bare_weasyprint_on_the_same_html(results: Results) -> None:
    """Our letter (the template filled in, PDF/A-2a, tagged, fonts subset by HarfBuzz, a fetcher that serves only
    our own files) against bare WeasyPrint rendering the same HTML with its defaults."""
    programme = PROGRAMMES["sole-entrepreneur-2020"]
    letter_facts = facts(programme)
    html = letter_html(letter_facts)
    base_url = DOCUMENT_STATIC.as_uri() + "/"
    baseline = per_call(lambda: HTML(string=html, base_url=base_url).write_pdf(), repeats=3, number=5)
    measured = per_call(lambda: render_pdf(letter_html(letter_facts)), repeats=3, number=5)
    ratio = baseline / measured  # letters per second, as a share of bare WeasyPrint's
    results.add(
        Figure(
            name="decision letters",
            measured={"letters_per_second": round(1 / measured, 1), "ms_per_letter": round(measured * 1000, 1)},
            baseline={"letters_per_second": round(1 / baseline, 1), "ms_per_letter": round(baseline * 1000, 1)},
            ratio=ratio,
            target="≥ 0.8× bare WeasyPrint",
            met=ratio >= 0.8,
            note=f"{ratio:.2f} of 0.8: PDF/A-2a with structure tags costs what it costs",
        )
    )
