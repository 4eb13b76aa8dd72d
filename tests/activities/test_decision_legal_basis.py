"""No decision under a law not in force: the programme file says between which days its legal basis applies."""

from datetime import date

import pytest
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.errors import LegalBasisNotInForce
from activities.grants.decisions import DecisionActivities
from core.db import Database
from core.settings import PROJECT_ROOT
from models.grants.decisions import Decision
from models.grants.payloads import FinalizeDecisionInput, ProposeInput, RecordProposalInput
from models.grants.programme import Programme, load_programmes
from tests.factories import in_force_today
from tests.workflow_helpers import accept, seed_staff


def propose_and_decide(db: Database, programme: Programme) -> object:
    staff = seed_staff(db)
    application_id = accept(db, programme)
    activities = DecisionActivities(db, {programme.code: programme})
    proposal = ProposeInput(
        task_key="t", actor=staff["handler"], outcome="approve", justification="All conditions met."
    )
    env = ActivityEnvironment()
    env.run(activities.record_proposal, RecordProposalInput(application_id=application_id, seq=1, proposal=proposal))
    return env.run(
        activities.finalize_decision,
        FinalizeDecisionInput(application_id=application_id, proposal_seq=1, decider=staff["decider"]),
    )


def test_the_2020_programme_cannot_be_decided_today(sqlite_db: Database) -> None:
    as_filed = load_programmes(PROJECT_ROOT / "programmes", include_demo=False)["sole-entrepreneur-2020"]
    assert as_filed.legal_basis.valid_until == date(2020, 12, 31)

    with pytest.raises(LegalBasisNotInForce, match="not on"):
        propose_and_decide(sqlite_db, as_filed)

    with sqlite_db.session() as session:
        assert session.exec(select(Decision)).first() is None  # nothing numbered, no money reserved


def test_within_the_validity_the_decision_is_made(sqlite_db: Database) -> None:
    as_filed = load_programmes(PROJECT_ROOT / "programmes", include_demo=False)["sole-entrepreneur-2020"]

    outcome = propose_and_decide(sqlite_db, in_force_today(as_filed))

    assert outcome.number.startswith("ESP ")  # type: ignore[attr-defined]


def test_the_demo_programme_s_basis_cites_no_law_as_in_force() -> None:
    demo = load_programmes(PROJECT_ROOT / "programmes", include_demo=True)["sole-entrepreneur-demo"]
    for text in demo.legal_basis.text.values():
        assert text.startswith("DEMO")
