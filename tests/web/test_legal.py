"""Legal staff's time-limit calculator: the same arithmetic as the letters and `grantdesk time-limit`."""

from tests.desk import Desk


def test_the_calculator_gives_the_deemed_received_and_last_days_and_refuses_nonsense(desk: Desk) -> None:
    desk.sign_in_as("legal")

    rectification = desk.client.get("/staff/legal?sent=2020-06-02&channel=email&lang=en").text
    court = desk.client.get("/staff/legal?sent=2020-06-02&channel=letter&days=30&lang=en").text
    nonsense = desk.client.get("/staff/legal?sent=2020-06-02&channel=fax&lang=en")

    assert "5 Jun 2020" in rectification and "22 Jun 2020" in rectification  # past Midsummer Eve and the weekend
    assert "Last day (30 days)" in court and "9 Jul 2020" in court
    assert nonsense.status_code == 422 and "e-mail or letter" in nonsense.text
    desk.sign_in_as("handler")
    assert desk.client.get("/staff/legal").status_code == 403
