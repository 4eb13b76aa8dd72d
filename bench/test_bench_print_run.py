"""A print run of tens of thousands of letters: 20,000 decisions waiting for the post room.

Measured: the coordinator's request (what the web app does: batch rows and outbox promises, nothing rendered),
and one whole batch through the post room's activities on the worker's PDF pool (claim, print, posting
confirmed: the letters dated and archived), extrapolated to the run. Baseline: bare WeasyPrint rendering the
same letters' HTML on a pool of the same size, in the same run. The target: every batch's steps inside their
activity's time limit, so no step of a run of any size times out.
"""

import asyncio
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert
from temporalio.testing import ActivityEnvironment
from weasyprint import HTML

from activities.serving.print_batch import PrintBatchActivities
from bench.results import Figure, Results
from core.db import Database
from core.migrate import upgrade
from core.pdf import DOCUMENT_STATIC
from core.settings import PROJECT_ROOT
from core.storage import LocalFileStore
from models.grants.applications import Application
from models.grants.decisions import Decision, Proposal
from models.grants.programme import load_programmes
from models.serving.payloads import PrintBatchRef, RecordPostingInput
from models.serving.print_batches import LETTERS_PER_BATCH
from models.types import utcnow
from runtime.worker import pdf_pool
from tests.factories import in_force_today
from tests.workflow_helpers import accept, seed_staff
from web.services.auth import load_staff_user
from web.services.print_batch import request_print_batches
from workflows.options import RENDERING

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
LETTERS = 20_000
PROGRAMME = "sole-entrepreneur-2020"


def _letters_waiting(db: Database, handler: int, decider: int) -> None:
    """One application made as the public form makes it, copied: every letter has a postal address to go to."""
    programme = in_force_today(load_programmes(PROJECT_ROOT / "programmes", include_demo=False)[PROGRAMME])
    first = accept(db, programme)
    with db.session() as session:
        template = session.get(Application, first)
        assert template is not None
        columns = template.model_dump(exclude={"id", "reference", "person_digest", "idempotency_key"})
        session.execute(
            insert(Application),
            [{**columns, "id": n, "reference": f"BENCH-{n:06d}", "person_digest": f"{n:064d}"}
             for n in range(first + 1, first + LETTERS)],
        )  # fmt: skip
        ids = range(first, first + LETTERS)
        proposal = {"seq": 1, "outcome": "reject", "amount": Decimal(0), "reasons": ["LATE"], "justification": "-",
                    "proposer_id": handler}  # fmt: skip
        session.execute(insert(Proposal), [{**proposal, "id": n, "application_id": n} for n in ids])
        decision = {
            "programme_code": programme.code, "year": 2020, "outcome": "reject", "amount": Decimal(0),
            "reasons": ["LATE"], "justification": "-", "presenter_id": handler, "decider_id": decider,
            "channel": "letter", "details": {},
        }  # fmt: skip
        session.execute(
            insert(Decision),
            [{**decision, "application_id": n, "proposal_id": n, "seq": n, "number": f"T 2020/{n:06d}"} for n in ids],
        )
        session.commit()


def test_a_print_run_of_twenty_thousand_letters(tmp_path: Path, results: Results) -> None:
    url = f"sqlite:///{tmp_path / 'grantdesk.db'}"
    upgrade(url)
    db = Database(url)
    staff = seed_staff(db)
    _letters_waiting(db, staff["handler"].user_id, staff["decider"].user_id)
    programmes = {
        c: in_force_today(p) for c, p in load_programmes(PROJECT_ROOT / "programmes", include_demo=False).items()
    }

    with db.session() as session:
        coordinator = load_staff_user(session, staff["handler"].user_id)
        assert coordinator is not None
        started = time.perf_counter()
        batches = request_print_batches(session, programme_codes=[PROGRAMME], user=coordinator, now=utcnow())
        request_ms = (time.perf_counter() - started) * 1000
        assert len(batches) == LETTERS // LETTERS_PER_BATCH
        first = PrintBatchRef(print_batch_id=batches[0].id or 0)

    with pdf_pool() as pool:
        post_room = PrintBatchActivities(db, LocalFileStore(tmp_path / "documents"), programmes, pool)
        run = ActivityEnvironment().run
        seconds = {}
        started = time.perf_counter()
        claimed = run(post_room.claim_letters, first)
        seconds["claim"] = time.perf_counter() - started
        _, htmls, _ = post_room._letters_to_render(first)  # the same HTML, for the baseline
        started = time.perf_counter()
        printed = asyncio.run(run(post_room.render_print_batch, first))
        seconds["print"] = time.perf_counter() - started
        posting = RecordPostingInput(print_batch_id=first.print_batch_id, posted_on=date(2020, 6, 1), confirmed_by=1)
        started = time.perf_counter()
        asyncio.run(run(post_room.record_posting, posting))
        seconds["posting"] = time.perf_counter() - started
        started = time.perf_counter()
        list(pool.map(_bare, htmls, chunksize=8))
        bare = time.perf_counter() - started
    db.dispose()

    assert claimed.letters == printed.letters == LETTERS_PER_BATCH
    per_batch = sum(seconds.values())
    limit = RENDERING["start_to_close_timeout"].total_seconds()
    results.add(
        Figure(
            name=f"print run: {LETTERS:,} letters waiting, {len(batches)} batches of {LETTERS_PER_BATCH}",
            measured={
                "request_ms": round(request_ms, 1),
                **{f"{k}_s": round(v, 1) for k, v in seconds.items()},
                "letters_per_second": round(LETTERS_PER_BATCH / per_batch, 1),
                "whole_run_minutes": round(per_batch * len(batches) / 60, 1),
            },
            baseline={"bare_weasyprint_letters_per_second": round(LETTERS_PER_BATCH / bare, 1)},
            ratio=round(bare / per_batch, 2),
            target=f"each batch's print and posting steps inside their {limit / 60:.0f}-minute limit (ratio: the "
            "batch's letters per second over bare rendering's; each letter is rendered twice, undated and dated)",
            met=max(seconds["print"], seconds["posting"]) < limit,
            note=f"slowest step {max(seconds.values()):.0f} s of {limit:.0f} s",
        )
    )


def _bare(html: str) -> bytes:
    pdf = HTML(string=html, base_url=DOCUMENT_STATIC.as_uri() + "/").write_pdf()
    assert pdf is not None
    return pdf
