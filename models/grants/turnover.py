"""Turnover arithmetic: average turnover per calendar month over a period."""

import calendar
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction


def _months(start: date, end: date) -> Fraction:
    """The exact length of [start, end] in calendar months (a partial month counts by its days)."""
    if end < start:
        raise ValueError("period ends before it starts")
    months = Fraction(0)
    day = start
    while day <= end:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        month_end = date(day.year, day.month, days_in_month)
        last = min(end, month_end)
        covered = (last - day).days + 1
        months += Fraction(covered, days_in_month)
        day = last + timedelta(days=1)
    return months


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def months_in_period(start: date, end: date) -> Decimal:
    """Length of [start, end] (both inclusive) in calendar months; a partial month counts by its days.

    1.1.–30.4. is exactly 4 months, and 16.3.–31.5. is 16/31 + 2 months.
    """
    return _decimal(_months(start, end))


def monthly_average(amount: Decimal, start: date, end: date) -> Decimal:
    return _decimal(Fraction(amount) / _months(start, end))


def turnover_drop(
    reference_eur: Decimal,
    reference_start: date,
    reference_end: date,
    crisis_eur: Decimal,
    crisis_start: date,
    crisis_end: date,
) -> Decimal | None:
    """Share by which the monthly average fell (0.45 = fell 45%); None when there was no reference turnover.

    Computed exactly (fractions) and rounded once at the end, so a drop of exactly 30% over partial
    months is not nudged above the threshold by rounding in between.
    """
    reference = Fraction(reference_eur) / _months(reference_start, reference_end)
    if reference <= 0:
        return None
    crisis = Fraction(crisis_eur) / _months(crisis_start, crisis_end)
    return _decimal(1 - crisis / reference)
