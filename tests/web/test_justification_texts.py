"""The proposal form offers the programme's standard justification in the applicant's language."""

import html

from sqlmodel import select

from models.grants.decisions import Proposal
from tests.desk import Desk, wait_until
from tests.web.test_staff_processing import open_tasks, post, take_next


def test_a_swedish_applicant_s_case_is_justified_in_swedish_and_an_approval_keeps_no_reasons(desk: Desk) -> None:
    desk.apply(applicant__language="sv")
    open_tasks(desk)
    desk.sign_in_as("handler")
    task_id = take_next(desk)
    programme = desk.client.app.state.programmes["sole-entrepreneur-2020"]  # type: ignore[attr-defined]

    page = html.unescape(desk.client.get(f"/staff/tasks/{task_id}?lang=en").text)

    assert "The decision letter is written in Swedish" in page
    approval = programme.justifications["approve"]["sv"]
    assert f">{approval}</textarea>" in page  # eligible: the approval text, ready to edit
    assert programme.justifications["TAX_DEBT"]["sv"] in page  # every reason's text at hand
    assert programme.justifications["TAX_DEBT"]["fi"] not in page

    proposed = post(
        desk,
        f"/staff/tasks/{task_id}",
        f"/staff/tasks/{task_id}/propose",
        {"outcome": "approve", "justification": approval, "reasons": ["TAX_DEBT", "LATE"]},
    )

    assert proposed.status_code == 303, proposed.text
    with desk.db.session() as session:
        proposal = wait_until(lambda: session.exec(select(Proposal)).first())
    assert (proposal.outcome, proposal.reasons, proposal.justification) == ("approve", [], approval)


def test_a_finnish_justification_for_a_swedish_applicant_is_refused_and_kept_for_fixing(desk: Desk) -> None:
    desk.apply(applicant__language="sv")
    open_tasks(desk)
    desk.sign_in_as("handler")
    task_id = take_next(desk)
    finnish = "Hakija ei täytä ehtoja, koska yrityksen liikevaihto ei ole laskenut yli 30 prosenttia."

    refused = post(
        desk,
        f"/staff/tasks/{task_id}",
        f"/staff/tasks/{task_id}/propose",
        {"outcome": "reject", "justification": finnish, "reasons": ["TURNOVER_DROP"]},
    )

    assert refused.status_code == 422
    assert "write it in that language" in refused.text
    assert finnish in html.unescape(refused.text)  # kept, to be rewritten
    with desk.db.session() as session:
        assert session.exec(select(Proposal)).first() is None
    asked = post(
        desk,
        f"/staff/tasks/{task_id}",
        f"/staff/tasks/{task_id}/request-info",
        {"message": "Lähetä meille kirjanpidon raportit maaliskuulta ja huhtikuulta, kiitos."},
    )
    assert asked.status_code == 422  # a question in Finnish to a Swedish applicant neither
