"""Legal staff's time-limit calculator: the same arithmetic as the letters and `grantdesk time-limit`."""

import pytest

from tests.desk import Desk


def test_the_calculator_gives_the_deemed_received_and_last_days_and_refuses_nonsense(desk: Desk) -> None:
    desk.sign_in_as("legal")

    rectification = desk.client.get("/staff/legal?sent=2020-06-02&channel=email&lang=en").text
    court = desk.client.get("/staff/legal?sent=2020-06-02&channel=letter&days=30&lang=en").text
    nonsense = desk.client.get("/staff/legal?sent=2020-06-02&channel=fax&lang=en")

    assert "5 Jun 2020" in rectification and "22 Jun 2020" in rectification  # past Midsummer Eve and the weekend
    assert "Last day (30 days)" in court and "9 Jul 2020" in court
    assert nonsense.status_code == 422 and "Choose e-mail or letter." in nonsense.text
    desk.sign_in_as("handler")
    assert desk.client.get("/staff/legal").status_code == 403


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("sent=9999-12-31&channel=letter", "between 1.1.1990 and 31.12.2100"),  # no date overflow
        ("sent=0001-01-01&channel=email", "between 1.1.1990 and 31.12.2100"),
        ("sent=2020-06-02&channel=email&days=1000", "a whole number from 1 to 365"),
        ("sent=2020-06-02&channel=email&days=" + "9" * 50, "a whole number from 1 to 365"),
        ("sent=2020-06-02&channel=email&programme=nonsense", "Choose a programme from the list."),
        ("sent=&channel=email&days=abc", "between 1.1.1990 and 31.12.2100"),  # no day: said, with the days
        ("sent=&channel=email&days=abc", "a whole number from 1 to 365"),
    ],
)
def test_each_wrong_field_is_named_on_the_page(desk: Desk, query: str, says: str) -> None:
    desk.sign_in_as("legal")

    page = desk.client.get(f"/staff/legal?{query}&lang=en")

    assert page.status_code == 422 and says in page.text and "<title>Error:" in page.text
    assert 'aria-invalid="true"' in page.text or "programme" in query


def test_the_calculator_speaks_the_readers_language(desk: Desk) -> None:
    desk.sign_in_as("legal")

    page = desk.client.get("/staff/legal?sent=abc&channel=email&lang=fi")

    assert page.status_code == 422 and "Enter the day" not in page.text and "1.1.1990" in page.text
