"""What coordinators steer by: budget used and left, and who holds how much work."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.grants.decisions import BudgetLedger, Decision, Outcome
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
        approved = session.exec(
            select(func.count())
            .select_from(Decision)
            .where(Decision.programme_code == programme.code, Decision.outcome == Outcome.APPROVE)
        ).one()
        lines.append(BudgetLine(programme, ledger.reserved if ledger else Decimal("0.00"), approved))
    return lines


def workloads(session: Session, programme_codes: list[str]) -> list[Workload]:
    rows = session.exec(
        select(User, func.count(col(Task.id)))
        .join(Task, col(Task.assignee_id) == col(User.id))
        .where(col(Task.status).in_(ACTIVE_STATUSES), col(Task.programme_code).in_(programme_codes))
        .group_by(col(User.id))
        .order_by(col(User.full_name))
    ).all()
    return [Workload(user=user, active_tasks=count) for user, count in rows]
