"""One service request, from the customer's form to their feedback (id `service-request-<request id>`), started
from the outbox when the request is stored.

A request sent without sign-in waits for its e-mail address to be confirmed (the link in the first e-mail),
and is dropped unseen if it is not. Then the routing rules name the organisation that serves it (none: the
network's front desk triages it) and a task waits in that organisation's queue. A handler accepts it and
replies, books a meeting, refers it to another organisation (only with the customer's consent) or closes it.
The first response is promised in working days: on workflow timers, the holder is reminded on the due day,
then the organisation's coordinators and the network's are alerted. A closed request sends the customer a
feedback link; an answer from the customer reopens it, with the person who had it.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio import workflow

from workflows.human_actions import close_task, recheck, refuse_while_busy
from workflows.options import DATABASE, MAIL

with workflow.unsafe.imports_passed_through():
    from activities.service_requests.mail import ServiceMailActivities
    from activities.service_requests.records import ServiceRequestActivities
    from core.i18n import N_
    from models.actors import Actor
    from models.service_requests.payloads import (
        AcceptInput,
        AcceptRecord,
        AlertInput,
        CloseInput,
        CloseRecord,
        CustomerReplyInput,
        CustomerWrote,
        FeedbackInput,
        FeedbackRecord,
        KeyRef,
        MeetingInput,
        MeetingRecord,
        MessageRecord,
        PositionRef,
        ReferInput,
        ReferRecord,
        ReopenRecord,
        ReplyInput,
        RequestRef,
        Routed,
        RouteInput,
        ServiceRequestInput,
        ServiceResult,
        ServiceTaskInput,
    )
    from models.service_requests.requests import RequestStatus
    from models.service_requests.sla import AlertStep
    from models.staff import Role
    from models.tasks import TaskClosing, TaskKind

MEETING_MINUTES = (15, 480)


@dataclass
class ServiceState:
    request_id: int
    confirmed: bool = False
    expired: bool = False
    share_consent: bool = False
    routed: Routed | None = None
    task_key: str | None = None
    tasks_opened: int = 0
    holder: Actor | None = None  # who accepted it at the organisation it is with now
    responded: bool = False  # the first response at that organisation was given
    closed: CloseInput | None = None
    closings: int = 0
    reopened: bool = False
    replies: int = 0
    meetings: int = 0
    customer_keys: list[str] = field(default_factory=list)
    feedback: FeedbackInput | None = None


@workflow.defn
class ServiceRequestWorkflow:
    @workflow.init
    def __init__(self, request: ServiceRequestInput) -> None:
        self._state = ServiceState(request_id=request.request_id)
        self._lock = asyncio.Lock()
        self._watchers: list[asyncio.Task[None]] = []

    @workflow.run
    async def run(self, request: ServiceRequestInput) -> ServiceResult:
        s = self._state
        ref = RequestRef(request_id=s.request_id)
        begun = await workflow.execute_activity_method(ServiceRequestActivities.begin, ref, **DATABASE)
        s.confirmed, s.share_consent = begun.confirmed, begun.share_consent
        if not s.confirmed:
            await workflow.execute_activity_method(ServiceMailActivities.ask_confirmation, ref, **MAIL)
            if not await self._within(timedelta(days=begun.confirm_days), lambda: s.confirmed):
                s.expired = True
                await workflow.execute_activity_method(ServiceRequestActivities.expire, ref, **DATABASE)
                return ServiceResult(status=RequestStatus.EXPIRED)
        else:
            await workflow.execute_activity_method(ServiceMailActivities.send_receipt, ref, **MAIL)
        routed = await workflow.execute_activity_method(
            ServiceRequestActivities.route, RouteInput(request_id=s.request_id, routed_at=workflow.now()), **DATABASE
        )
        await self._arrive(routed)
        while True:
            await workflow.wait_condition(lambda: s.closed is not None)
            s.reopened = False
            # The feedback link works, and an answer reopens the request, for the feedback days.
            await self._within(timedelta(days=begun.feedback_days), lambda: s.reopened or s.feedback is not None)
            if not s.reopened:
                break
        await workflow.wait_condition(workflow.all_handlers_finished)
        await asyncio.gather(*self._watchers)
        assert s.closed is not None
        return ServiceResult(
            status=RequestStatus.CLOSED,
            outcome=s.closed.outcome,
            feedback=s.feedback.rating if s.feedback else None,
        )

    # --- the organisation it is with, and the first-response promise ----------------------------------------

    async def _arrive(self, routed: Routed, assignee: Actor | None = None) -> None:
        """A task in the organisation's queue, and the timers of its first response."""
        s = self._state
        s.routed, s.holder, s.responded = routed, assignee, False
        await self._open_task(routed)
        self._watchers.append(asyncio.create_task(self._first_response_alerts(routed)))

    async def _first_response_alerts(self, routed: Routed) -> None:
        s = self._state
        for step, at in (
            (AlertStep.REMINDER, routed.remind_at),
            (AlertStep.ORGANISATION, routed.escalate_at),
            (AlertStep.NETWORK, routed.network_at),
        ):
            moved_on = lambda: s.responded or s.closed is not None or s.routed is not routed  # noqa: E731
            if await self._within(at - workflow.now(), moved_on):
                return
            await workflow.execute_activity_method(
                ServiceMailActivities.alert,
                AlertInput(request_id=s.request_id, position=routed.position, step=step),
                **MAIL,
            )

    async def _open_task(self, routed: Routed, assignee: Actor | None = None, note: str | None = None) -> None:
        """The request's current task. Its key is known before the row is written: a person who sees the row
        in the queue at once is not refused as out of date."""
        s = self._state
        s.tasks_opened += 1
        kind = TaskKind.TRIAGE if routed.triage else TaskKind.SERVICE
        key = f"{workflow.info().workflow_id}/{kind}/{s.tasks_opened}"
        s.task_key = key
        await workflow.execute_activity_method(
            ServiceRequestActivities.open_task,
            ServiceTaskInput(
                key=key,
                request_id=s.request_id,
                organisation_code=routed.organisation_code,
                kind=kind,
                role=Role.COORDINATOR if routed.triage else Role.HANDLER,
                assignee_id=assignee.user_id if assignee else None,
                due_on=routed.due_on,
                note=note,
            ),
            **DATABASE,
        )

    @staticmethod
    async def _within(wait: timedelta, condition: Callable[[], bool]) -> bool:
        """Whether `condition` came true before `wait` ran out (a durable timer)."""
        if wait <= timedelta(0):
            return condition()
        try:
            await workflow.wait_condition(condition, timeout=wait)
        except TimeoutError:
            return False
        return True

    # --- the customer confirms their e-mail address -------------------------------------------------------------

    @workflow.update
    async def confirm(self, ref: RequestRef) -> None:
        async with self._lock:
            s = self._state
            if s.confirmed:
                return  # the link opened twice
            await workflow.execute_activity_method(
                ServiceRequestActivities.record_confirmation, RequestRef(request_id=s.request_id), **DATABASE
            )
            s.confirmed = True

    @confirm.validator
    def _validate_confirm(self, ref: RequestRef) -> None:
        if ref.request_id != self._state.request_id:
            raise ValueError(N_("This link is not valid."))
        if self._state.expired:
            raise ValueError(N_("This request was not confirmed in time. Please send it again."))

    # --- staff act on it -------------------------------------------------------------------------------------------

    @workflow.update
    async def accept(self, request: AcceptInput) -> None:
        async with self._lock:
            self._recheck(self._check_accept, request)
            s = self._state
            await workflow.execute_activity_method(
                ServiceRequestActivities.accept,
                AcceptRecord(request_id=s.request_id, task_key=request.task_key, actor=request.actor),
                **DATABASE,
            )
            s.holder = request.actor

    @accept.validator
    def _validate_accept(self, request: AcceptInput) -> None:
        self._refuse_while_busy()
        self._check_accept(request)

    def _check_accept(self, request: AcceptInput) -> None:
        s = self._state
        self._check_with_us(request.actor)
        if s.task_key is None or request.task_key != s.task_key:
            raise ValueError(N_("This task is out of date; reload the page."))
        if s.holder is not None:
            raise ValueError(N_("Someone else has already accepted this request."))

    @workflow.update
    async def reply(self, request: ReplyInput) -> None:
        async with self._lock:
            self._recheck(self._check_reply, request)
            s = self._state
            s.replies += 1
            key = f"{workflow.info().workflow_id}/reply/{s.replies}"
            await workflow.execute_activity_method(
                ServiceRequestActivities.record_message,
                MessageRecord(key=key, request_id=s.request_id, body=request.body.strip(), actor=request.actor),
                **DATABASE,
            )
            s.responded = True
            await close_task(s.task_key, TaskClosing.WAITING)
            await workflow.execute_activity_method(ServiceMailActivities.send_reply, KeyRef(key=key), **MAIL)

    @reply.validator
    def _validate_reply(self, request: ReplyInput) -> None:
        self._refuse_while_busy()
        self._check_reply(request)

    def _check_reply(self, request: ReplyInput) -> None:
        self._check_holder(request.actor)
        if not request.body.strip():
            raise ValueError(N_("Write the reply."))

    @workflow.update
    async def book_meeting(self, request: MeetingInput) -> None:
        async with self._lock:
            self._recheck(self._check_meeting, request)
            s = self._state
            s.meetings += 1
            key = f"{workflow.info().workflow_id}/meeting/{s.meetings}"
            await workflow.execute_activity_method(
                ServiceRequestActivities.record_meeting,
                MeetingRecord(key=key, request_id=s.request_id, meeting=request),
                **DATABASE,
            )
            s.responded = True
            await close_task(s.task_key, TaskClosing.WAITING)
            await workflow.execute_activity_method(ServiceMailActivities.send_invitation, KeyRef(key=key), **MAIL)

    @book_meeting.validator
    def _validate_meeting(self, request: MeetingInput) -> None:
        self._refuse_while_busy()
        self._check_meeting(request)

    def _check_meeting(self, request: MeetingInput) -> None:
        self._check_holder(request.actor)
        if request.starts_at <= workflow.now():
            raise ValueError(N_("The meeting must be in the future."))
        if not MEETING_MINUTES[0] <= request.minutes <= MEETING_MINUTES[1]:
            raise ValueError(N_("A meeting lasts from 15 minutes to 8 hours."))
        if not (request.place or "").strip() and not (request.video_url or "").strip():
            raise ValueError(N_("Give the place of the meeting or its video link."))
        if request.video_url and not request.video_url.startswith("https://"):
            raise ValueError(N_("A video link starts with https://."))

    @workflow.update
    async def refer(self, request: ReferInput) -> str:
        async with self._lock:
            self._recheck(self._check_refer, request)
            s = self._state
            assert s.routed is not None
            routed = await workflow.execute_activity_method(
                ServiceRequestActivities.refer,
                ReferRecord(
                    request_id=s.request_id,
                    position=s.routed.position + 1,
                    organisation_code=request.organisation_code,
                    reason=request.reason.strip(),
                    actor=request.actor,
                    at=workflow.now(),
                ),
                **DATABASE,
            )
            await close_task(s.task_key, TaskClosing.DONE)
            await self._arrive(routed)
            await workflow.execute_activity_method(
                ServiceMailActivities.tell_referred,
                PositionRef(request_id=s.request_id, position=routed.position),
                **MAIL,
            )
            return routed.organisation_code

    @refer.validator
    def _validate_refer(self, request: ReferInput) -> None:
        self._refuse_while_busy()
        self._check_refer(request)

    def _check_refer(self, request: ReferInput) -> None:
        s = self._state
        self._check_holder(request.actor)
        assert s.routed is not None
        if request.organisation_code == s.routed.organisation_code:
            raise ValueError(N_("The request is with that organisation already."))
        if not request.reason.strip():
            raise ValueError(N_("Say why the request is referred: the other organisation reads it."))
        from_front_desk = s.routed.triage and s.routed.position == 1
        if not s.share_consent and not from_front_desk:
            raise ValueError(
                N_(
                    "The customer has not agreed to share the request with other organisations: it stays with "
                    "yours. Tell the customer where to turn, or ask them to send a new request."
                )
            )

    @workflow.update
    async def close(self, request: CloseInput) -> None:
        async with self._lock:
            self._recheck(self._check_close, request)
            s = self._state
            s.closings += 1
            await workflow.execute_activity_method(
                ServiceRequestActivities.close,
                CloseRecord(request_id=s.request_id, closing=request, number=s.closings),
                **DATABASE,
            )
            await close_task(s.task_key, TaskClosing.DONE)
            s.task_key, s.closed, s.responded = None, request, True
            await workflow.execute_activity_method(
                ServiceMailActivities.ask_feedback,
                PositionRef(request_id=s.request_id, position=s.closings),
                **MAIL,
            )

    @close.validator
    def _validate_close(self, request: CloseInput) -> None:
        self._refuse_while_busy()
        self._check_close(request)

    def _check_close(self, request: CloseInput) -> None:
        self._check_holder(request.actor)

    # --- the customer answers, and rates the service -----------------------------------------------------------------

    @workflow.update
    async def customer_reply(self, request: CustomerReplyInput) -> None:
        async with self._lock:
            self._recheck(self._check_customer_reply, request)
            s = self._state
            key = f"{workflow.info().workflow_id}/customer/{request.key}"
            if key in s.customer_keys:
                return  # sent twice
            s.customer_keys.append(key)
            await workflow.execute_activity_method(
                ServiceRequestActivities.record_message,
                MessageRecord(key=key, request_id=s.request_id, body=request.body.strip()),
                **DATABASE,
            )
            holder = s.holder
            await workflow.execute_activity_method(
                ServiceRequestActivities.reopen,
                ReopenRecord(request_id=s.request_id, assignee_id=holder.user_id if holder else None),
                **DATABASE,
            )
            reopening = s.closed is not None
            if reopening:
                # Back to the person who had it (or their organisation's queue), with no new promise to keep.
                assert s.routed is not None
                s.closed, s.reopened = None, True
                await self._open_task(s.routed, assignee=holder, note="customer_replied")
            else:
                await close_task(s.task_key, TaskClosing.REOPEN, note="customer_replied")
            await workflow.execute_activity_method(
                ServiceMailActivities.tell_holder, CustomerWrote(key=key, reopened=reopening), **MAIL
            )

    @customer_reply.validator
    def _validate_customer_reply(self, request: CustomerReplyInput) -> None:
        self._refuse_while_busy()
        self._check_customer_reply(request)

    def _check_customer_reply(self, request: CustomerReplyInput) -> None:
        s = self._state
        if not s.confirmed or s.routed is None:
            raise ValueError(N_("Confirm the request first with the link we sent to your e-mail."))
        if not request.body.strip():
            raise ValueError(N_("Write your message."))

    @workflow.update
    async def give_feedback(self, request: FeedbackInput) -> None:
        async with self._lock:
            self._recheck(self._check_feedback, request)
            s = self._state
            await workflow.execute_activity_method(
                ServiceRequestActivities.record_feedback,
                FeedbackRecord(request_id=s.request_id, feedback=request),
                **DATABASE,
            )
            s.feedback = request

    @give_feedback.validator
    def _validate_feedback(self, request: FeedbackInput) -> None:
        self._refuse_while_busy()
        self._check_feedback(request)

    def _check_feedback(self, request: FeedbackInput) -> None:
        s = self._state
        if s.feedback is not None:
            raise ValueError(N_("You have already given feedback on this request. Thank you!"))
        if s.closed is None:
            raise ValueError(N_("Feedback can be given once the request is closed."))

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _check_with_us(self, actor: Actor) -> None:
        """The actor works for the organisation the request is with, in the role its task needs."""
        s = self._state
        if s.closed is not None or s.routed is None:
            raise ValueError(N_("This request is closed."))
        role = Role.COORDINATOR if s.routed.triage else Role.HANDLER
        if actor.organisation_code != s.routed.organisation_code or role not in actor.roles:
            raise ValueError(N_("The request is with another organisation, or needs another role."))

    def _check_holder(self, actor: Actor) -> None:
        self._check_with_us(actor)
        if self._state.holder is None or self._state.holder.user_id != actor.user_id:
            raise ValueError(N_("Accept the request first: only the person who accepted it can act on it."))

    def _refuse_while_busy(self) -> None:
        refuse_while_busy(self._lock, N_("Another action on this request is in progress; try again in a moment."))

    def _recheck(self, check: Callable[[Any], None], request: object) -> None:
        recheck(check, request)
