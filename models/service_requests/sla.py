"""The first-response promise in working days (Saturdays, Sundays and Finnish public holidays, Midsummer Eve
and Christmas Eve included, are not working days), and when its reminder and escalations fall due.

Each falls at the start of a working day in Helsinki: the person reminded, or the coordinator escalated to,
reads it when they start work. The days are settings (`SERVICE_*` in core/settings.py).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from models.grants.programme import HELSINKI
from models.time_limits import is_working_day

WORKDAY_STARTS = time(8, 0)


@dataclass(frozen=True)
class ResponseTerms:
    """Working days: to the first response, and after its due day to each escalation."""

    first_response_days: int = 2
    organisation_escalation_days: int = 1
    network_escalation_days: int = 2


@dataclass(frozen=True)
class ResponsePlan:
    due_on: date  # the first response is due by the end of this day
    remind_at: datetime  # the morning of the due day: the holder (or the organisation's handlers)
    escalate_at: datetime  # the organisation's coordinators
    network_at: datetime  # the network's coordinators

    @property
    def due_at(self) -> datetime:
        return datetime.combine(self.due_on + timedelta(days=1), time(0), tzinfo=HELSINKI)


def add_working_days(day: date, days: int) -> date:
    """The `days`th working day after `day` (`day` itself not counted)."""
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def _morning(day: date) -> datetime:
    return datetime.combine(day, WORKDAY_STARTS, tzinfo=HELSINKI)


def plan_first_response(routed_at: datetime, terms: ResponseTerms) -> ResponsePlan:
    """The plan for a request routed (or referred) to an organisation at `routed_at`."""
    due_on = add_working_days(routed_at.astimezone(HELSINKI).date(), terms.first_response_days)
    return ResponsePlan(
        due_on=due_on,
        remind_at=_morning(due_on),
        escalate_at=_morning(add_working_days(due_on, terms.organisation_escalation_days)),
        network_at=_morning(add_working_days(due_on, terms.network_escalation_days)),
    )


class AlertStep(StrEnum):
    """Who hears of a first response not given: the request's `escalation` says how far it went."""

    REMINDER = "reminder"  # the person who accepted it (or, if nobody has, the organisation's handlers)
    ORGANISATION = "organisation"  # the organisation's coordinators
    NETWORK = "network"  # the network's coordinators
