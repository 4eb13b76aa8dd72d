"""The last day for a rectification request: deemed-received day + 14, moved past weekends and holidays."""

from datetime import date

import pytest

from models.grants.programme import Programme
from models.time_limits import Channel, deemed_received_on, is_working_day, rectification_last_day


@pytest.mark.parametrize(
    ("dispatched", "channel", "received", "last_day", "why"),
    [
        # 2020
        (date(2020, 5, 4), Channel.EMAIL, date(2020, 5, 7), date(2020, 5, 22), "Thu 21.5. is Ascension Day"),
        (date(2020, 5, 4), Channel.LETTER, date(2020, 5, 11), date(2020, 5, 25), "plain Monday"),
        (date(2020, 6, 2), Channel.EMAIL, date(2020, 6, 5), date(2020, 6, 22), "Fri 19.6. Midsummer Eve, Sat 20.6."),
        (date(2020, 3, 27), Channel.EMAIL, date(2020, 3, 30), date(2020, 4, 14), "Good Friday to Easter Monday"),
        (date(2020, 12, 7), Channel.EMAIL, date(2020, 12, 10), date(2020, 12, 28), "Christmas Eve to Sunday 27.12."),
        (date(2020, 5, 8), Channel.EMAIL, date(2020, 5, 11), date(2020, 5, 25), "a Monday stays"),
        (date(2020, 5, 13), Channel.EMAIL, date(2020, 5, 16), date(2020, 6, 1), "Sat 30.5., Pentecost 31.5."),
        (date(2020, 4, 14), Channel.EMAIL, date(2020, 4, 17), date(2020, 5, 4), "Fri 1.5. May Day, weekend"),
        # the current year
        (date(2026, 3, 17), Channel.EMAIL, date(2026, 3, 20), date(2026, 4, 7), "Good Friday to Easter Monday"),
        (date(2026, 6, 2), Channel.EMAIL, date(2026, 6, 5), date(2026, 6, 22), "Midsummer Eve 19.6., weekend"),
        (date(2026, 12, 7), Channel.EMAIL, date(2026, 12, 10), date(2026, 12, 28), "Christmas Thu–Sat, Sunday"),
        (date(2026, 11, 23), Channel.LETTER, date(2026, 11, 30), date(2026, 12, 14), "Independence Day is 6.12."),
        (date(2026, 11, 17), Channel.EMAIL, date(2026, 11, 20), date(2026, 12, 4), "a Friday stays"),
        (date(2026, 11, 19), Channel.EMAIL, date(2026, 11, 22), date(2026, 12, 7), "Sun 6.12. Independence Day"),
    ],
)
def test_last_day_of_the_rectification_period(
    programme: Programme, dispatched: date, channel: Channel, received: date, last_day: date, why: str
) -> None:
    assert deemed_received_on(dispatched, channel, programme) == received
    assert rectification_last_day(received, programme) == last_day, why


def test_working_days() -> None:
    assert is_working_day(date(2026, 11, 27))  # a Friday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 12, 24))  # Christmas Eve
    assert not is_working_day(date(2020, 6, 19))  # Midsummer Eve
