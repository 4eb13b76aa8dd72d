"""What a simulated campaign came to, read from the database and the mail folder afterwards, with the checks
that nothing was done twice: one decision and at most one payment per application, no task left open, no
decision letter e-mailed twice, no workflow id with a second run (the outbox relay started each once)."""

import email
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from email import policy
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from core.db import Database
from models.appeals.requests import RectificationRequest
from models.grants.applications import Application
from models.grants.decisions import Decision, DecisionKind
from models.payments.payments import Payment, PaymentStatus
from models.service_requests.requests import Feedback, ServiceRequest, ServiceRoute
from models.tasks import ACTIVE_STATUSES, Task


@dataclass
class Report:
    applications: int
    by_outcome: dict[str, int]
    rejection_reasons: dict[str, int]
    euros_paid: str
    payments_paid: int
    rectifications: int
    service_requests: dict[str, int]
    referrals: int
    feedback_average: float | None
    seconds: dict[str, float]
    peak_memory_mb: dict[str, float]
    actions: dict[str, int]
    refusals: dict[str, int]
    final: bool  # every case reached its final state within the time limit
    # Nothing done twice: each is 0 in a sound run.
    twice: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def sound(self) -> bool:
        return not any(self.twice.values())


def read_report(db: Database, mail_dir: Path, *, workflows_started_twice: int, **measured: Any) -> Report:
    with db.session() as session:
        by_outcome = Counter(
            dict(session.exec(select(Application.status, func.count()).group_by(Application.status)).all())
        )
        decisions = session.exec(select(Decision).where(Decision.kind == DecisionKind.GRANT)).all()
        reasons: Counter[str] = Counter(r for d in decisions if d.outcome == "reject" for r in d.reasons)
        paid = session.exec(select(Payment).where(Payment.status == PaymentStatus.PAID)).all()
        statuses = dict(session.exec(select(ServiceRequest.status, func.count()).group_by(ServiceRequest.status)).all())
        referrals = session.exec(select(func.count()).select_from(ServiceRoute).where(ServiceRoute.position > 1)).one()
        average = session.exec(select(func.avg(Feedback.rating))).one()
        twice = {
            "grant decisions beyond one per application": _beyond_one(session, Decision.application_id,
                                                                      Decision.kind == DecisionKind.GRANT),
            "payments beyond one per application": _beyond_one(session, Payment.application_id),
            "tasks left active": session.exec(
                select(func.count()).select_from(Task).where(col(Task.status).in_(ACTIVE_STATUSES))
            ).one(),
            "decision letters e-mailed beyond one per decision": _letters_beyond_decisions(session, mail_dir),
            "workflows started twice for one business id": workflows_started_twice,
        }  # fmt: skip
        return Report(
            applications=sum(by_outcome.values()),
            by_outcome=dict(by_outcome),
            rejection_reasons=dict(reasons.most_common()),
            euros_paid=str(sum((p.amount for p in paid), Decimal("0.00"))),
            payments_paid=len(paid),
            rectifications=session.exec(select(func.count()).select_from(RectificationRequest)).one(),
            service_requests=statuses,
            referrals=referrals,
            feedback_average=round(float(average), 2) if average is not None else None,
            twice=twice,
            **measured,
        )


def _beyond_one(session: Any, column: Any, *where: Any) -> int:
    counts = session.exec(select(column, func.count()).where(*where).group_by(column)).all()
    return sum(n - 1 for _, n in counts if n > 1)


def _letters_beyond_decisions(session: Any, mail_dir: Path) -> int:
    """E-mails carrying a PDF (a decision or a ruling), per recipient, beyond that recipient's decisions."""
    letters: Counter[str] = Counter()
    for path in mail_dir.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if any(part.get_content_type() == "application/pdf" for part in message.walk()):
            letters[str(message["To"]).lower()] += 1
    decided: Counter[str] = Counter()
    rows = session.exec(select(Application.email).join(Decision, col(Decision.application_id) == Application.id)).all()
    for address in rows:
        decided[str(address).lower()] += 1
    return sum(max(0, n - decided[address]) for address, n in letters.items())
