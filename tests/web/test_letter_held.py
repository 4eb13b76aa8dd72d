"""A letter that would lack a fact it must state is never sent: the decider is stopped at the form, and a
letter that still lacks one (a title removed after the decision) goes to a handler instead of holding up
the others."""

from sqlmodel import select

from models.grants.decisions import Decision
from models.staff import User
from tests.desk import Desk, wait_until
from tests.web.test_serving import decide_through_the_pages, printed_batch
from tests.web.test_staff_processing import open_tasks, post, take_next

SWEDISH = {"applicant__language": "sv", "applicant__email_consent": False}


def _untitle(desk: Desk, who: str, language: str) -> None:
    with desk.db.session() as session:
        user = session.exec(select(User).where(User.email == desk.emails[who])).one()
        user.titles = {k: v for k, v in user.titles.items() if k != language}
        session.add(user)
        session.commit()


def test_a_decider_without_a_title_in_the_applicants_language_is_told_before_deciding(desk: Desk) -> None:
    _untitle(desk, "decider", "sv")
    desk.apply(**SWEDISH)
    open_tasks(desk)
    desk.sign_in_as("handler")
    task_id = take_next(desk)
    proposal = {"outcome": "approve", "justification": "Alla villkor är uppfyllda."}
    assert post(desk, f"/staff/tasks/{task_id}", f"/staff/tasks/{task_id}/propose", proposal).status_code == 303
    open_tasks(desk, kind="decide")
    desk.sign_in_as("decider")
    decide_id = take_next(desk, "decider")

    refused = post(desk, f"/staff/tasks/{decide_id}", f"/staff/tasks/{decide_id}/decide", {"verdict": "accept"})

    assert refused.status_code == 422
    assert "their office in the applicant" in refused.text and "(svenska)" in refused.text and "Decider" in refused.text
    with desk.db.session() as session:
        assert session.exec(select(Decision)).first() is None


def test_a_letter_lacking_a_fact_is_set_aside_with_a_task_and_posted_once_it_is_supplied(desk: Desk) -> None:
    decide_through_the_pages(desk, **SWEDISH)
    decide_through_the_pages(desk, applicant__email_consent=False, applicant__personal_id="010190-123M")
    wait_until(lambda: len([d for d in _decisions(desk) if d.channel == "letter"]) == 2)
    _untitle(desk, "handler", "sv")  # taken away after the decision: only the Swedish letter lacks it

    desk.sign_in_as("coordinator")
    post(desk, "/staff/coordination", "/staff/coordination/print-batch")
    batch = printed_batch(desk)

    assert batch.letters == 1  # the Finnish letter is printed; the Swedish one does not hold it up
    held = next(d for d in _decisions(desk) if d.letter_held)
    assert "presenter Handler's title in sv" in (held.letter_held or "")
    [task] = open_tasks(desk, kind="deliver")
    assert (task.note, task.application_id) == ("letter_incomplete", held.application_id)
    assert "title in sv" in (task.detail or "")
    page = desk.client.get(f"/staff/tasks/{task.id}?lang=en").text
    assert "The decision letter could not be made" in page and "title in sv" in page
    assert "Try the e-mail again" not in page  # no consent to e-mail: post is the only way

    desk.sign_in_as("admin")
    member = _user_id(desk, "handler")
    saved = post(
        desk,
        f"/staff/users/{member}",
        f"/staff/users/{member}/letters",
        {"title_fi": "yritysneuvoja", "title_sv": "företagsrådgivare", "title_en": "", "phone": ""},
    )
    assert saved.status_code == 303
    desk.sign_in_as("handler")
    take_next(desk)
    by_email = post(desk, f"/staff/tasks/{task.id}", f"/staff/tasks/{task.id}/redeliver", {"channel": "email"})
    assert by_email.status_code == 422 and "has not agreed to be served by e-mail" in by_email.text
    assert (
        post(desk, f"/staff/tasks/{task.id}", f"/staff/tasks/{task.id}/redeliver", {"channel": "letter"}).status_code
        == 303
    )

    desk.sign_in_as("coordinator")
    wait_until(lambda: "Decisions waiting to be printed: 1." in desk.client.get("/staff/coordination?lang=en").text)
    post(desk, "/staff/coordination", "/staff/coordination/print-batch")
    second = wait_until(lambda: (b := printed_batch(desk)).id != batch.id and b)
    assert (second.letters, _decision(desk, held.id).print_batch_id) == (1, second.id)


def _decisions(desk: Desk) -> list[Decision]:
    with desk.db.session() as session:
        return list(session.exec(select(Decision)).all())


def _decision(desk: Desk, decision_id: int | None) -> Decision:
    with desk.db.session() as session:
        decision = session.get(Decision, decision_id)
        assert decision is not None
        return decision


def _user_id(desk: Desk, who: str) -> int:
    with desk.db.session() as session:
        return session.exec(select(User).where(User.email == desk.emails[who])).one().id or 0
