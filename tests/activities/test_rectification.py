"""The ruling on a rectification request as recorded, on both databases: numbered once however often it is
retried, an amendment supersedes the decision and moves the budget and the application; an approval
withdrawn finds its payment cancelled, left with the bank, or recovered (one recovery case)."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from activities.appeals.rectification import RectificationActivities
from core.db import Database
from models.actors import Actor
from models.appeals.payloads import RecordRulingInput, RequestRef, RuleInput, WithdrawalStep
from models.appeals.requests import ArrivedBy, RectificationRequest, Requester, RequestStage, Ruling
from models.grants.applications import Application, Stage
from models.grants.decisions import BudgetLedger, Decision, DecisionKind, Outcome, Proposal
from models.grants.programme import Programme
from models.payments.payments import Payment, PaymentStatus
from models.payments.recovery import Recovery
from tests.workflow_helpers import accept, seed_staff

NUMBER = "ESP 2020/000001"


def decided(db: Database, programme: Programme, outcome: Outcome) -> tuple[int, int, Actor]:
    """A decision served and contested in time; returns the application's id, the request's, and who rules."""
    staff = seed_staff(db)
    application_id = accept(db, programme)
    approve = outcome == Outcome.APPROVE
    amount = programme.amount if approve else Decimal(0)
    reasons = [] if approve else ["TURNOVER_DROP"]
    with db.session() as session:
        proposal = Proposal(
            application_id=application_id, seq=1, outcome=outcome, amount=amount, reasons=reasons,
            justification="-", proposer_id=staff["handler"].user_id,
        )  # fmt: skip
        session.add(proposal)
        session.flush()
        decision = Decision(
            application_id=application_id, programme_code=programme.code, year=2020, seq=1, number=NUMBER,
            outcome=outcome, amount=amount, reasons=reasons, justification="-", proposal_id=proposal.id or 0,
            presenter_id=staff["handler"].user_id, decider_id=staff["decider"].user_id,
            published_on=date(2020, 5, 29), deemed_received_on=date(2020, 6, 1),
            rectification_last_day=date(2020, 6, 15),
        )  # fmt: skip
        session.add(decision)
        session.add(BudgetLedger(programme_code=programme.code, reserved=amount))
        session.flush()
        request = RectificationRequest(
            application_id=application_id, decision_id=decision.id or 0, programme_code=programme.code, seq=1,
            key="request-1", requester=Requester.PARTY, requester_name="Maija", arrived_by=ArrivedBy.ONLINE,
            received_on=date(2020, 6, 10), demand="My turnover fell by 42 %.", last_day=date(2020, 6, 15),
            workflow_id=f"grant-{application_id}/rectification-1",
        )  # fmt: skip
        session.add(request)
        session.commit()
        # The ruling's recorder (the activity does not check the role: the workflow's update did).
        return application_id, request.id or 0, staff["handler"]


def ruling_on(request_id: int, ruling: Ruling, legal: Actor, **changes: object) -> RecordRulingInput:
    facts: dict[str, object] = {
        "task_key": "k",
        "actor": legal,
        "ruling": ruling,
        "justification": "The figures given with the request show a drop of 42 %.",
        "body": "Espoon kaupunginhallitus",
        "meeting_ref": "12.10.2020 § 345",
        "met_on": date(2020, 10, 12),
    }
    return RecordRulingInput(request_id=request_id, rule=RuleInput.model_validate(facts | changes))


@pytest.fixture
def activities(db: Database, programmes: dict[str, Programme]) -> RectificationActivities:
    return RectificationActivities(db, programmes, court="helsinki")


def test_an_amendment_to_an_approval_is_numbered_once_and_supersedes_the_rejection(
    db: Database, programme: Programme, activities: RectificationActivities
) -> None:
    application_id, request_id, legal = decided(db, programme, Outcome.REJECT)
    recording = ruling_on(request_id, Ruling.AMEND, legal, new_outcome=Outcome.APPROVE)

    made = activities.record_ruling(recording)
    again = activities.record_ruling(recording)  # a retry after the commit

    assert again == made
    assert (made.ruling, made.new_outcome, made.amount) == (Ruling.AMEND, Outcome.APPROVE, programme.amount)
    with db.session() as session:
        rulings = session.exec(select(Decision).where(Decision.kind == DecisionKind.RULING)).all()
        original = session.exec(select(Decision).where(Decision.number == NUMBER)).one()
        request = session.get(RectificationRequest, request_id)
        application = session.get(Application, application_id)
        ledger = session.exec(select(BudgetLedger)).one()
    [ruling] = rulings
    assert ruling.number == made.number != NUMBER and ruling.details["body"] == "Espoon kaupunginhallitus"
    assert original.superseded_by_id == ruling.id
    assert request is not None and (request.stage, request.ruling_decision_id) == (RequestStage.RULED, ruling.id)
    assert application is not None and application.status == Stage.APPROVED
    assert ledger.reserved == programme.amount  # reserved once, by the first recording


def test_a_rejected_request_leaves_the_decision_in_force(
    db: Database, programme: Programme, activities: RectificationActivities
) -> None:
    _, request_id, legal = decided(db, programme, Outcome.APPROVE)

    made = activities.record_ruling(ruling_on(request_id, Ruling.REJECT, legal))

    assert made.new_outcome is None and made.original_outcome == Outcome.APPROVE
    with db.session() as session:
        original = session.exec(select(Decision).where(Decision.number == NUMBER)).one()
        ledger = session.exec(select(BudgetLedger)).one()
    assert original.superseded_by_id is None and ledger.reserved == programme.amount


def payment_of(db: Database, application_id: int, status: PaymentStatus, batch_id: int | None = None) -> None:
    with db.session() as session:
        decision = session.exec(select(Decision).where(Decision.number == NUMBER)).one()
        session.add(
            Payment(
                decision_id=decision.id or 0, application_id=application_id, programme_code=decision.programme_code,
                reference=NUMBER, amount=Decimal("2000.00"), creditor_name="Maija", iban="FI2112345600000785",
                status=status, batch_id=batch_id, workflow_id=f"grant-{application_id}/payment",
                paid_on=date(2020, 6, 5) if status == PaymentStatus.PAID else None,
            )
        )  # fmt: skip
        session.commit()


def test_an_approval_withdrawn_releases_its_budget_and_cancels_a_payment_not_yet_with_the_bank(
    db: Database, programme: Programme, activities: RectificationActivities
) -> None:
    application_id, request_id, legal = decided(db, programme, Outcome.APPROVE)
    payment_of(db, application_id, PaymentStatus.UNPAID)

    activities.record_ruling(ruling_on(request_id, Ruling.AMEND, legal, new_outcome=Outcome.REJECT, reasons=["X"]))
    withdrawal = activities.withdraw_approval(RequestRef(request_id=request_id))

    assert withdrawal.step == WithdrawalStep.CANCEL and withdrawal.payment_id is not None
    with db.session() as session:
        ledger = session.exec(select(BudgetLedger)).one()
        application = session.get(Application, application_id)
    assert ledger.reserved == Decimal("0.00")
    assert application is not None and application.status == Stage.REJECTED


def test_a_paid_approval_withdrawn_opens_one_recovery_case(
    db: Database, programme: Programme, activities: RectificationActivities
) -> None:
    application_id, request_id, legal = decided(db, programme, Outcome.APPROVE)
    payment_of(db, application_id, PaymentStatus.PAID)
    activities.record_ruling(ruling_on(request_id, Ruling.AMEND, legal, new_outcome=Outcome.REJECT, reasons=["X"]))

    first = activities.withdraw_approval(RequestRef(request_id=request_id))
    again = activities.withdraw_approval(RequestRef(request_id=request_id))  # a retry

    assert first.step == again.step == WithdrawalStep.RECOVER
    with db.session() as session:
        [recovery] = session.exec(select(Recovery)).all()
    assert recovery.amount == Decimal("2000.00") and recovery.application_id == application_id
