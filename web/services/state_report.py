"""The report the municipality sends the ministry on the grant's use: grants paid (count and euros, by month),
recovered, and the budget left, per programme. One table: a row per programme and month, then the
programme's totals with its budget and what is left of it (budget − paid + recovered)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, col, select

from models.grants.programme import Programme
from models.payments.payments import Payment, PaymentStatus
from models.payments.recovery import Recovery, RecoveryStatus
from web.services.exports import Cell, Table

ZERO = Decimal("0.00")


@dataclass
class Month:
    paid: int = 0
    paid_eur: Decimal = ZERO
    recovered: int = 0
    recovered_eur: Decimal = ZERO


@dataclass
class ProgrammeFigures:
    programme: Programme
    months: dict[str, Month] = field(default_factory=lambda: defaultdict(Month))

    @property
    def total(self) -> Month:
        total = Month()
        for month in self.months.values():
            total.paid += month.paid
            total.paid_eur += month.paid_eur
            total.recovered += month.recovered
            total.recovered_eur += month.recovered_eur
        return total

    @property
    def budget_left(self) -> Decimal:
        total = self.total
        return self.programme.budget_eur - total.paid_eur + total.recovered_eur


def state_figures(session: Session, programmes: list[Programme]) -> list[ProgrammeFigures]:
    figures = []
    for programme in programmes:
        found = ProgrammeFigures(programme)
        paid = session.exec(
            select(Payment).where(
                Payment.programme_code == programme.code,
                Payment.status == PaymentStatus.PAID,
                col(Payment.paid_on).is_not(None),
            )
        ).all()
        for payment in paid:
            assert payment.paid_on is not None
            month = found.months[payment.paid_on.strftime("%Y-%m")]
            month.paid += 1
            month.paid_eur += payment.amount
        repaid = session.exec(
            select(Recovery).where(
                Recovery.programme_code == programme.code,
                Recovery.status == RecoveryStatus.REPAID,
                col(Recovery.repaid_on).is_not(None),
            )
        ).all()
        for recovery in repaid:
            assert recovery.repaid_on is not None
            month = found.months[recovery.repaid_on.strftime("%Y-%m")]
            month.recovered += 1
            # What was recovered; an overpayment on top is the grantee's money, refunded, not budget.
            month.recovered_eur += min(recovery.repaid_amount, recovery.amount)
        figures.append(found)
    return figures


COLUMNS = {
    "fi": ["Ohjelma", "Kuukausi", "Maksettuja tukia", "Maksettu EUR", "Takaisin perittyjä", "Takaisin peritty EUR",
           "Määräraha EUR", "Määrärahaa jäljellä EUR"],
    "sv": ["Program", "Månad", "Utbetalda stöd", "Utbetalt EUR", "Återkrävda", "Återkrävt EUR", "Anslag EUR",
           "Kvar av anslaget EUR"],
    "en": ["Programme", "Month", "Grants paid", "Paid EUR", "Recovered", "Recovered EUR", "Budget EUR",
           "Budget left EUR"],
}  # fmt: skip
TOTAL = {"fi": "yhteensä", "sv": "totalt", "en": "total"}


def state_report_table(figures: list[ProgrammeFigures], language: str) -> Table:
    rows: list[list[Cell]] = []
    for found in figures:
        code = found.programme.title_in(language)
        for name in sorted(found.months):
            m = found.months[name]
            rows.append([code, name, m.paid, m.paid_eur, m.recovered, m.recovered_eur, None, None])
        t = found.total
        budget = found.programme.budget_eur
        rows.append([code, TOTAL.get(language, "total"), t.paid, t.paid_eur, t.recovered, t.recovered_eur, budget,
                     found.budget_left])  # fmt: skip
    return Table(name="state-report", columns=COLUMNS.get(language, COLUMNS["en"]), rows=rows)
