"""Staff name their office for decision letters, in each language; the letter signs with the applicant's."""

from sqlmodel import select

from models.audit import AuditEvent
from models.staff import User
from tests.desk import Desk
from tests.web.test_staff_processing import post


def test_a_handler_sets_the_titles_letters_give_and_a_bad_phone_is_refused(desk: Desk) -> None:
    desk.sign_in_as("handler")

    saved = post(
        desk,
        "/staff/account",
        "/staff/account/letters",
        {"title_fi": "yritysneuvoja", "title_sv": "företagsrådgivare", "title_en": "", "phone": "+358 40 111 2222"},
    )
    refused = post(desk, "/staff/account", "/staff/account/letters", {"title_fi": "x", "phone": "call me"})

    assert saved.status_code == 303
    assert refused.status_code == 422
    with desk.db.session() as session:
        user = session.exec(select(User).where(User.email == desk.emails["handler"])).one()
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "account_letter_details_changed")).all()
    assert (user.titles, user.phone) == ({"fi": "yritysneuvoja", "sv": "företagsrådgivare"}, "+358 40 111 2222")
    assert len(events) == 1


def test_a_refused_phone_keeps_the_titles_typed(desk: Desk) -> None:
    desk.sign_in_as("handler")

    refused = post(
        desk, "/staff/account", "/staff/account/letters", {"title_sv": "rådgivare i dag", "phone": "call me"}
    )

    assert refused.status_code == 422
    assert 'value="rådgivare i dag"' in refused.text and 'value="call me"' in refused.text
