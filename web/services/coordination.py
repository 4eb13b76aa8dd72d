"""What coordinators steer by: budget used and left, and who holds how much work."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.appeals.requests import Ruling
from models.grants.decisions import BudgetLedger, Decision, DecisionKind, Outcome, outcome_of
from models.grants.programme import Programme
from models.staff import User
from models.tasks import ACTIVE_STATUSES, Task


@dataclass(frozen=True)
class BudgetLine:
    programme: Programme
    reserved: Decimal
    approved: int

    @property
    def remaining(self) -> Decimal:
        return self.programme.budget_eur - self.reserved


@dataclass(frozen=True)
class Workload:
    user: User
    active_tasks: int


def budget_overview(session: Session, programmes: list[Programme]) -> list[BudgetLine]:
    lines = []
    for programme in programmes:
        ledger = session.get(BudgetLedger, programme.code)
        approved = _grants_in_force(session, programme.code)
        lines.append(BudgetLine(programme, ledger.reserved if ledger else Decimal("0.00"), approved))
    return lines


def _grants_in_force(session: Session, programme_code: str) -> int:
    """Approvals that stand: a grant decision not amended since, and rulings on rectification that amended a
    decision to an approval."""
    in_force = col(Decision.superseded_by_id).is_(None) & (Decision.programme_code == programme_code)
    granted = session.exec(
        select(func.count())
        .select_from(Decision)
        .where(in_force, Decision.kind == DecisionKind.GRANT, Decision.outcome == Outcome.APPROVE)
    ).one()
    amended = session.exec(
        select(Decision).where(in_force, Decision.kind == DecisionKind.RULING, Decision.outcome == Ruling.AMEND)
    ).all()
    return int(granted) + sum(1 for ruling in amended if outcome_of(ruling) == Outcome.APPROVE)


def workloads(session: Session, programme_codes: list[str]) -> list[Workload]:
    rows = session.exec(
        select(User, func.count(col(Task.id)))
        .join(Task, col(Task.assignee_id) == col(User.id))
        .where(col(Task.status).in_(ACTIVE_STATUSES), col(Task.programme_code).in_(programme_codes))
        .group_by(col(User.id))
        .order_by(col(User.full_name))
    ).all()
    return [Workload(user=user, active_tasks=count) for user, count in rows]
