"""Statutory time limits for serving decisions and for rectification requests (Helsinki dates).

A decision sent by e-mail is deemed received on the 3rd day after sending, a letter on the 7th (as the
programme says). A rectification request is due within 14 days of that; when the last day is a
Saturday, Sunday or public holiday (Midsummer Eve and Christmas Eve included), it moves to the next
working day (Act on the Calculation of Statutory Time Limits, 150/1930, 5 §).
"""

from datetime import date, timedelta
from enum import StrEnum

import holidays

from models.appeals.courts import COURT_APPEAL_DAYS
from models.grants.decisions import DecisionKind
from models.grants.programme import Programme

_FINNISH_HOLIDAYS = holidays.country_holidays("FI")


class Channel(StrEnum):
    EMAIL = "email"
    LETTER = "letter"


# The days the calculator and `grantdesk time-limit` take a sending day from: any real decision's, and no
# date so near the calendar's ends that adding the time limit would leave it.
EARLIEST_SENT = date(1990, 1, 1)
LATEST_SENT = date(2100, 12, 31)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _FINNISH_HOLIDAYS


def next_working_day_from(day: date) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def deemed_received_on(dispatched_on: date, channel: Channel, programme: Programme) -> date:
    days = programme.deemed_received_days
    return dispatched_on + timedelta(days=days.email if channel == Channel.EMAIL else days.letter)


def rectification_last_day(received_on: date, programme: Programme) -> date:
    """The last day to request rectification of a decision deemed received on `received_on`."""
    return last_day_of(received_on, programme.appeal_days)


def last_day_of(received_on: date, days: int) -> date:
    """A time limit of `days` from the day of receipt (not counted), moved off a day that is no working day:
    14 for a rectification request, 30 for an appeal to the administrative court."""
    return next_working_day_from(received_on + timedelta(days=days))


# A member of the municipality is deemed to know of a decision 7 days after it was published (Local Government
# Act 140 §), and may request rectification within the same days as the party (137 §).
MEMBERS_DEEMED_DAYS = 7


def appeal_days_of(kind: str, programme: Programme) -> int:
    """Days to contest a decision of this kind: a rectification request against the programme's decisions
    (the programme's days), an appeal to the administrative court against a ruling on one (30)."""
    return COURT_APPEAL_DAYS if kind == DecisionKind.RULING else programme.appeal_days


def members_last_day(published_on: date, programme: Programme, kind: str = DecisionKind.GRANT) -> date:
    return last_day_of(published_on + timedelta(days=MEMBERS_DEEMED_DAYS), appeal_days_of(kind, programme))


def becomes_final_on(
    party_last_day: date | None, published_on: date | None, programme: Programme, kind: str = DecisionKind.GRANT
) -> date | None:
    """The day a decision becomes final if nobody contests it by the end of both windows, the party's and the
    members'; None until it is served and published (its windows are not known yet)."""
    if party_last_day is None or published_on is None:
        return None
    return max(party_last_day, members_last_day(published_on, programme, kind)) + timedelta(days=1)
