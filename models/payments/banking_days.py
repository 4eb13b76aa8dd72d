"""Days a Finnish bank executes a SEPA credit transfer: weekdays that are neither Finnish public holidays
nor TARGET2 closing days (the `holidays` package's calendars for both)."""

from datetime import date, timedelta

import holidays

_FINNISH = holidays.country_holidays("FI")
_TARGET2 = holidays.financial_holidays("XECB")


def is_banking_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _FINNISH and day not in _TARGET2


def next_banking_day(after: date) -> date:
    """The first banking day after `after`: a batch made today is executed then."""
    day = after + timedelta(days=1)
    while not is_banking_day(day):
        day += timedelta(days=1)
    return day
