"""Legal dates are Helsinki dates."""

from datetime import UTC, date, datetime, time, timedelta

from models.grants.programme import HELSINKI


def helsinki_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(HELSINKI).date()


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in Helsinki, in UTC: a deadline "by 14.5." lasts all of 14.5."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=HELSINKI).astimezone(UTC)
