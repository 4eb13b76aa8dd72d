"""ServiceRequestWorkflow with its real activities on SQLite, on a time-skipping server of each test's own:
accept → reply → close → feedback; the e-mail confirmation and its expiry; referral with and without the
customer's consent (and the front desk's routing); the first-response reminder and escalations across a
weekend and public holidays; a customer's answer reopening a request."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from core.db import Database
from models.audit import AuditEvent
from models.grants.programme import HELSINKI
from models.notifications import EmailLog
from models.service_requests.payloads import (
    AcceptInput,
    CloseInput,
    CustomerReplyInput,
    FeedbackInput,
    MeetingInput,
    ReferInput,
    ReplyInput,
    RequestRef,
)
from models.service_requests.requests import (
    ClosingOutcome,
    Feedback,
    Meeting,
    RequestStatus,
    RouteVia,
    ServiceMessage,
    ServiceRequest,
    ServiceRoute,
)
from models.tasks import Task, TaskKind, TaskStatus
from tests.service_desk import ServiceDesk, a_request, service_desk
from tests.support import make_settings
from workflows.service_requests.service_request import ServiceRequestWorkflow


@pytest.fixture
async def desk(
    own_temporal_env: WorkflowEnvironment, sqlite_db: Database, tmp_path: Path
) -> AsyncIterator[ServiceDesk]:
    async with service_desk(own_temporal_env.client, sqlite_db, make_settings(sqlite_db), tmp_path / "mail") as opened:
        yield opened


async def refusal(handle: WorkflowHandle, update: object, argument: object) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(update, argument)  # type: ignore[call-overload]
    return str(getattr(failure.value.cause, "message", failure.value.cause))


def request_row(desk: ServiceDesk, request_id: int) -> ServiceRequest:
    return desk.read(lambda s: s.get(ServiceRequest, request_id))  # type: ignore[return-value]


async def accepted(desk: ServiceDesk, handle: WorkflowHandle, request_id: int, who: str) -> Task:
    task = await desk.task_of(request_id)
    await handle.execute_update(ServiceRequestWorkflow.accept, AcceptInput(task_key=task.key, actor=desk.people[who]))
    return task


async def test_accept_reply_close_and_feedback(desk: ServiceDesk) -> None:
    request_id, handle = await desk.submit(a_request())
    task = await desk.task_of(request_id)
    assert (task.kind, task.role, task.organisation_code, task.programme_code) == (
        TaskKind.SERVICE,
        "handler",
        "YE",
        None,
    )
    row = request_row(desk, request_id)
    assert (row.status, row.organisation_code) == (RequestStatus.NEW, "YE")
    [receipt] = await desk.until(lambda: desk.mails_to("maija@example.fi"), "the receipt")
    assert row.reference in receipt["Subject"] and "/help/requests/" in receipt.get_content()

    people = desk.people
    other_org = AcceptInput(task_key=task.key, actor=people["o_handler"])
    assert "another organisation" in await refusal(handle, ServiceRequestWorkflow.accept, other_org)
    stale = AcceptInput(task_key="another", actor=people["ye_handler"])
    assert "out of date" in await refusal(handle, ServiceRequestWorkflow.accept, stale)
    await handle.execute_update(
        ServiceRequestWorkflow.accept, AcceptInput(task_key=task.key, actor=people["ye_handler"])
    )
    again = AcceptInput(task_key=task.key, actor=people["ye_handler2"])
    assert "already accepted" in await refusal(handle, ServiceRequestWorkflow.accept, again)
    claimed = desk.read(lambda s: s.get(Task, task.id))
    assert claimed is not None and (claimed.status, claimed.assignee_id) == ("claimed", people["ye_handler"].user_id)

    not_holder = ReplyInput(actor=people["ye_handler2"], body="Hello")
    assert "Accept the request first" in await refusal(handle, ServiceRequestWorkflow.reply, not_holder)
    assert "Write the reply" in await refusal(
        handle, ServiceRequestWorkflow.reply, ReplyInput(actor=people["ye_handler"], body=" ")
    )
    body = "Welcome! Bring your draft <b>plan</b> to our office on Tuesday."
    await handle.execute_update(ServiceRequestWorkflow.reply, ReplyInput(actor=people["ye_handler"], body=body))
    row = request_row(desk, request_id)
    assert row.status == RequestStatus.ANSWERED and row.first_response_at is not None
    assert desk.read(lambda s: s.get(Task, task.id)).status == TaskStatus.WAITING  # type: ignore[union-attr]
    reply = await desk.until(
        lambda: [m for m in desk.mails_to("maija@example.fi") if "reply" in m["Subject"].lower()], "the reply mail"
    )
    assert body in reply[0].get_content()  # plain text: sent as written

    early = FeedbackInput(rating=5)
    assert "once the request is closed" in await refusal(handle, ServiceRequestWorkflow.give_feedback, early)
    await handle.execute_update(
        ServiceRequestWorkflow.close, CloseInput(actor=people["ye_handler"], outcome=ClosingOutcome.ADVISED)
    )
    row = request_row(desk, request_id)
    assert (row.status, row.outcome) == (RequestStatus.CLOSED, ClosingOutcome.ADVISED)
    assert desk.read(lambda s: s.get(Task, task.id)).status == TaskStatus.DONE  # type: ignore[union-attr]
    feedback_mail = await desk.until(
        lambda: [m for m in desk.mails_to("maija@example.fi") if "How did we do" in m["Subject"]], "the feedback link"
    )
    assert "#feedback" in feedback_mail[0].get_content()

    await handle.execute_update(
        ServiceRequestWorkflow.give_feedback, FeedbackInput(rating=4, comment="Quick and kind.")
    )
    result = await handle.result()  # feedback given: nothing is left to wait for
    with pytest.raises((WorkflowUpdateFailedError, RPCError)):
        await handle.execute_update(ServiceRequestWorkflow.give_feedback, FeedbackInput(rating=1))
    assert (result.status, result.outcome, result.feedback) == ("closed", "advised", 4)
    saved = desk.read(lambda s: s.get(Feedback, request_id))
    assert saved is not None and (saved.rating, saved.comment, saved.organisation_code) == (4, "Quick and kind.", "YE")
    actions = desk.read(
        lambda s: list(s.exec(select(AuditEvent.action).where(AuditEvent.subject_id == request_id)).all())
    )
    assert actions == [
        "service_request_received",
        "service_request_routed",
        "service_request_accepted",
        "service_reply_sent",
        "service_request_closed",
        "service_feedback_given",
    ]


async def test_a_request_sent_without_sign_in_waits_for_its_confirmation_and_expires_without(
    desk: ServiceDesk, own_temporal_env: WorkflowEnvironment
) -> None:
    request_id, handle = await desk.submit(a_request(email="anon@example.fi"), signed_in=False)
    [confirm] = await desk.until(lambda: desk.mails_to("anon@example.fi"), "the confirmation mail")
    assert "/help/confirm/" in confirm.get_content()
    assert request_row(desk, request_id).status == RequestStatus.UNCONFIRMED
    assert desk.active_task(request_id) is None  # nobody sees it before it is confirmed
    confirmation = RequestRef(request_id=request_id)
    await handle.execute_update(ServiceRequestWorkflow.confirm, confirmation)
    await handle.execute_update(ServiceRequestWorkflow.confirm, confirmation)  # the link opened twice: harmless
    task = await desk.task_of(request_id)
    assert task.organisation_code == "YE" and request_row(desk, request_id).confirmed_at is not None

    never_id, never = await desk.submit(a_request(email="never@example.fi"), signed_in=False)
    await desk.until(lambda: desk.mails_to("never@example.fi"), "its confirmation mail")
    result = await never.result()  # skips the 7 days
    assert result.status == RequestStatus.EXPIRED
    assert request_row(desk, never_id).status == RequestStatus.EXPIRED and desk.active_task(never_id) is None
    with pytest.raises((WorkflowUpdateFailedError, RPCError)):  # the workflow has ended
        await never.execute_update(ServiceRequestWorkflow.confirm, RequestRef(request_id=never_id))


async def test_referral_needs_the_customers_consent_and_keeps_the_chain(desk: ServiceDesk) -> None:
    people = desk.people
    without_id, without = await desk.submit(a_request(package="competence", customer_group="micro"))
    await accepted(desk, without, without_id, "o_handler")
    refer = ReferInput(actor=people["o_handler"], organisation_code="YE", reason="Needs a business plan first.")
    assert "not agreed to share" in await refusal(without, ServiceRequestWorkflow.refer, refer)
    routes = desk.read(lambda s: s.exec(select(ServiceRoute).where(ServiceRoute.request_id == without_id)).all())
    assert [r.organisation_code for r in routes] == ["O"]  # it never left Omnia

    with_id, with_consent = await desk.submit(
        a_request(package="competence", customer_group="micro", share_consent=True, email="lupa@example.fi")
    )
    first_task = await accepted(desk, with_consent, with_id, "o_handler")
    no_reason = ReferInput(actor=people["o_handler"], organisation_code="YE", reason="")
    assert "Say why" in await refusal(with_consent, ServiceRequestWorkflow.refer, no_reason)
    same = ReferInput(actor=people["o_handler"], organisation_code="O", reason="x")
    assert "already" in await refusal(with_consent, ServiceRequestWorkflow.refer, same)
    to = await with_consent.execute_update(ServiceRequestWorkflow.refer, refer.model_copy(update={}))
    assert to == "YE"
    assert desk.read(lambda s: s.get(Task, first_task.id)).status == TaskStatus.DONE  # type: ignore[union-attr]
    new_task = await desk.task_of(with_id)
    assert (new_task.organisation_code, new_task.status, new_task.assignee_id) == ("YE", "open", None)
    row = request_row(desk, with_id)
    assert (row.organisation_code, row.status, row.assignee_id) == ("YE", RequestStatus.NEW, None)
    chain = desk.read(
        lambda s: s.exec(
            select(ServiceRoute).where(ServiceRoute.request_id == with_id).order_by(col(ServiceRoute.position))
        ).all()
    )
    assert [(r.organisation_code, r.via, r.reason) for r in chain] == [
        ("O", RouteVia.ROUTING, None),
        ("YE", RouteVia.REFERRAL, "Needs a business plan first."),
    ]
    told = await desk.until(
        lambda: [m for m in desk.mails_to("lupa@example.fi") if "passed to" in m["Subject"]], "the referral notice"
    )
    assert "As you allowed" in told[0].get_content()
    # Omnia no longer acts on it; EnterpriseEspoo does.
    late = ReplyInput(actor=people["o_handler"], body="Still here")
    assert "another organisation" in await refusal(with_consent, ServiceRequestWorkflow.reply, late)
    await accepted(desk, with_consent, with_id, "ye_handler")


async def test_the_front_desk_routes_what_no_rule_matches_without_consent(desk: ServiceDesk) -> None:
    people = desk.people
    request_id, handle = await desk.submit(a_request(package="change", stage="planning"))
    task = await desk.task_of(request_id)
    assert (task.kind, task.role, task.organisation_code) == (TaskKind.TRIAGE, "coordinator", "E")
    await handle.execute_update(
        ServiceRequestWorkflow.accept, AcceptInput(task_key=task.key, actor=people["e_coordinator"])
    )
    routed = ReferInput(actor=people["e_coordinator"], organisation_code="EY", reason="Ownership change advice.")
    assert await handle.execute_update(ServiceRequestWorkflow.refer, routed) == "EY"
    chain = desk.read(lambda s: s.exec(select(ServiceRoute.via).where(ServiceRoute.request_id == request_id)).all())
    assert list(chain) == [RouteVia.TRIAGE, RouteVia.ROUTING]
    await accepted(desk, handle, request_id, "ey_handler")
    onward = ReferInput(actor=people["ey_handler"], organisation_code="YE", reason="Business plan.")
    assert "not agreed to share" in await refusal(handle, ServiceRequestWorkflow.refer, onward)


def alert_keys(desk: ServiceDesk, request_id: int) -> list[str]:
    """The reminder and escalation mails of the request's first organisation."""
    prefix = f"service:{request_id}:1:"
    return desk.read(lambda s: list(s.exec(select(EmailLog.key).where(col(EmailLog.key).startswith(prefix))).all()))


def _next_wednesday_before_christmas(now: datetime) -> date:
    year = now.year
    while date(year, 12, 23).weekday() != 2 or datetime.combine(date(year, 12, 23), time(9), HELSINKI) <= now:
        year += 1
    return date(year, 12, 23)


async def _skip_to(env: WorkflowEnvironment, moment: datetime) -> None:
    await env.sleep(moment - await env.get_current_time())


async def test_first_response_reminder_and_escalations_skip_the_weekend_and_christmas(
    desk: ServiceDesk, own_temporal_env: WorkflowEnvironment
) -> None:
    """Routed on the Wednesday before Christmas at 9: Christmas Eve, Christmas Day, Boxing Day and the weekend are
    no working days, so two working days run out on Tuesday the 29th. The holder is reminded that morning, the
    organisation's coordinators alerted on Wednesday the 30th, the network's on Thursday the 31st."""
    env = own_temporal_env
    wednesday = _next_wednesday_before_christmas(await env.get_current_time())
    await _skip_to(env, datetime.combine(wednesday, time(9), HELSINKI))
    request_id, handle = await desk.submit(a_request())
    await accepted(desk, handle, request_id, "ye_handler")
    row = request_row(desk, request_id)
    tuesday = wednesday + timedelta(days=6)
    assert row.first_response_due_at == datetime.combine(tuesday + timedelta(days=1), time(0), HELSINKI)
    task = await desk.task_of(request_id)
    assert task.due_on == tuesday

    def alerts() -> list[str]:
        return alert_keys(desk, request_id)

    people = desk.people
    steps = [
        (datetime.combine(tuesday, time(8), HELSINKI), "reminder", ["ye_handler"]),
        (datetime.combine(tuesday + timedelta(days=1), time(8), HELSINKI), "organisation", ["ye_coordinator"]),
        (datetime.combine(tuesday + timedelta(days=2), time(8), HELSINKI), "network", ["e_coordinator"]),
    ]
    sent: list[str] = []
    for at, step, who in steps:
        await _skip_to(env, at - timedelta(minutes=5))
        assert sorted(alerts()) == sorted(sent), f"nothing new before the {step}"
        await _skip_to(env, at + timedelta(minutes=5))
        sent += [f"service:{request_id}:1:{step}:{people[p].user_id}" for p in who]
        expected = sorted(sent)
        await desk.until(lambda: sorted(alerts()) == expected, f"the {step} mail")  # noqa: B023 (awaited here)
        assert request_row(desk, request_id).escalation == step

    [network] = [m for m in desk.mails_to("e_coordinator@example.org") if "network" in m["Subject"].lower()]
    assert "/staff/service-requests/overdue" in network.get_content()  # not the request: it is not theirs
    # A reply ends the watch; the request is still answered after the days of the escalations.
    await handle.execute_update(ServiceRequestWorkflow.reply, ReplyInput(actor=people["ye_handler"], body="Sorry!"))
    assert request_row(desk, request_id).first_response_at is not None


async def test_a_reply_before_the_due_day_sends_no_reminder(
    desk: ServiceDesk, own_temporal_env: WorkflowEnvironment
) -> None:
    request_id, handle = await desk.submit(a_request())
    await accepted(desk, handle, request_id, "ye_handler")
    await handle.execute_update(ServiceRequestWorkflow.reply, ReplyInput(actor=desk.people["ye_handler"], body="Hi"))
    await own_temporal_env.sleep(timedelta(days=10))
    assert alert_keys(desk, request_id) == [] and request_row(desk, request_id).escalation is None


async def test_the_customers_answer_reopens_a_closed_request_with_its_holder(desk: ServiceDesk) -> None:
    people = desk.people
    request_id, handle = await desk.submit(a_request())
    task = await accepted(desk, handle, request_id, "ye_handler")
    await handle.execute_update(
        ServiceRequestWorkflow.reply, ReplyInput(actor=people["ye_handler"], body="Here is how.")
    )
    answer = CustomerReplyInput(body="Thanks, one more question: VAT?", key="a1")
    await handle.execute_update(ServiceRequestWorkflow.customer_reply, answer)
    await handle.execute_update(ServiceRequestWorkflow.customer_reply, answer)  # sent twice: recorded once
    back = desk.read(lambda s: s.get(Task, task.id))
    assert back is not None and (back.status, back.note) == (TaskStatus.CLAIMED, "customer_replied")
    assert request_row(desk, request_id).status == RequestStatus.ACCEPTED

    await handle.execute_update(
        ServiceRequestWorkflow.close, CloseInput(actor=people["ye_handler"], outcome=ClosingOutcome.ADVISED)
    )
    reopened = CustomerReplyInput(body="Sorry, it did not work after all.", key="a2")
    await handle.execute_update(ServiceRequestWorkflow.customer_reply, reopened)
    row = request_row(desk, request_id)
    assert (row.status, row.assignee_id, row.outcome) == (RequestStatus.ACCEPTED, people["ye_handler"].user_id, None)
    told = await desk.until(
        lambda: [m for m in desk.mails_to("ye_handler@example.org") if "open again" in m.get_content()],
        "the holder told of the reopening",
    )
    assert "/staff/service-requests/" in told[0].get_content()
    assert len([m for m in desk.mails_to("ye_handler@example.org") if "The customer wrote" in m["Subject"]]) == 2
    new_task = await desk.task_of(request_id)
    assert new_task.id != task.id and (new_task.status, new_task.assignee_id) == (
        "claimed",
        people["ye_handler"].user_id,
    )
    messages = desk.read(
        lambda s: s.exec(
            select(ServiceMessage.direction)
            .where(ServiceMessage.request_id == request_id)
            .order_by(col(ServiceMessage.id))
        ).all()
    )
    assert list(messages) == ["to_customer", "from_customer", "from_customer"]
    # The holder carries on: books a meeting, and closes it again.
    starts = datetime.now(UTC) + timedelta(days=3)
    meeting = MeetingInput(actor=people["ye_handler"], starts_at=starts, minutes=45, video_url="http://x")
    assert "https://" in await refusal(handle, ServiceRequestWorkflow.book_meeting, meeting)
    past = meeting.model_copy(update={"starts_at": datetime(2020, 1, 1, tzinfo=UTC)})
    assert "future" in await refusal(handle, ServiceRequestWorkflow.book_meeting, past)
    await handle.execute_update(
        ServiceRequestWorkflow.book_meeting,
        meeting.model_copy(update={"video_url": "https://meet.example/abc", "place": "Kauppamiehentie 4, Espoo"}),
    )
    booked = desk.read(lambda s: s.exec(select(Meeting).where(Meeting.request_id == request_id)).one())
    assert (booked.minutes, booked.video_url) == (45, "https://meet.example/abc")
    invitation = await desk.until(
        lambda: [m for m in desk.mails_to("maija@example.fi") if "meeting" in m["Subject"].lower()], "the invitation"
    )
    [ics] = [part for part in invitation[0].iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = ics.get_content()
    text = calendar if isinstance(calendar, str) else calendar.decode()
    assert "METHOD:REQUEST" in text and "ATTENDEE" in text and "https://meet.example/abc" in text
    await handle.execute_update(
        ServiceRequestWorkflow.close, CloseInput(actor=people["ye_handler"], outcome=ClosingOutcome.SERVICE_STARTED)
    )
    result = await handle.result()  # no feedback: the window passes
    assert (result.outcome, result.feedback) == ("service_started", None)
