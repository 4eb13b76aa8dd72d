"""Serving one decision (a child of the grant workflow, id `<grant workflow id>/serving`).

By e-mail with the applicant's consent, else by post: the letter waits for the post room's print
batch, which signals `posted`. If the e-mail keeps failing through a day of retries, a handler
chooses (a task): try again, or post it. The result tells the grant workflow how and when the
decision reached the applicant: the rectification period counts from that day, and payment follows.
"""

from dataclasses import dataclass

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.options import DATABASE, DECISION_MAIL

with workflow.unsafe.imports_passed_through():
    from activities.serving.delivery import DeliveryActivities
    from activities.tasks import TaskActivities
    from core.i18n import N_
    from models.grants.payloads import CloseTaskInput, OpenTaskInput, RedeliverInput
    from models.serving.payloads import LetterHeld, Posted, Served, ServeDecisionInput, ServingRef
    from models.staff import Role
    from models.tasks import TaskClosing, TaskKind
    from models.time_limits import Channel


EMAIL_FAILED = "email_failed"  # the mail server refused the decision through a day of retries
LETTER_INCOMPLETE = "letter_incomplete"  # the letter would lack a fact it must state (the task says which)


@dataclass
class ServingState:
    application_id: int
    decision_number: str
    task_key: str | None = None
    tasks_opened: int = 0
    awaiting_redelivery: bool = False
    redelivery: Channel | None = None
    posted: Posted | None = None
    held: LetterHeld | None = None  # the print batch could not make the letter: a handler decides


@workflow.defn
class ServeDecisionWorkflow:
    @workflow.init
    def __init__(self, request: ServeDecisionInput) -> None:
        self._state = ServingState(application_id=request.application_id, decision_number=request.decision_number)

    @workflow.run
    async def run(self, request: ServeDecisionInput) -> Served:
        s = self._state
        ref = ServingRef(application_id=s.application_id, decision_number=s.decision_number)
        channel = await workflow.execute_activity_method(DeliveryActivities.choose_channel, ref, **DATABASE)
        while True:
            if channel == Channel.LETTER:
                s.held = None
                await workflow.execute_activity_method(DeliveryActivities.queue_for_post, ref, **DATABASE)
                await workflow.wait_condition(lambda: s.posted is not None or s.held is not None)
                if s.posted is not None:
                    workflow.logger.info("decision %s posted on %s", s.decision_number, s.posted.posted_on)
                    return Served(channel=Channel.LETTER, dispatched_on=s.posted.posted_on)
                assert s.held is not None
                workflow.logger.warning("decision %s: letter set aside: %s", s.decision_number, s.held.reason)
                channel = await self._ask_a_handler(LETTER_INCOMPLETE, s.held.reason)
                continue
            try:
                return await workflow.execute_activity_method(
                    DeliveryActivities.send_decision_email, ref, **DECISION_MAIL
                )
            except ActivityError as failed:
                cause = failed.cause
                if isinstance(cause, ApplicationError) and cause.type == "MissingLetterFact":
                    workflow.logger.warning("decision %s: no letter: %s", s.decision_number, cause.message)
                    channel = await self._ask_a_handler(LETTER_INCOMPLETE, cause.message)
                    continue
                workflow.logger.warning(
                    "decision %s: e-mail failed through every retry; a handler decides", s.decision_number
                )
                channel = await self._ask_a_handler(EMAIL_FAILED)

    async def _ask_a_handler(self, note: str, detail: str | None = None) -> Channel:
        """A deliver task: the handler chooses to try again by e-mail or by post (after fixing what was missing)."""
        s = self._state
        s.tasks_opened += 1
        key = f"{workflow.info().workflow_id}/{TaskKind.DELIVER}/{s.tasks_opened}"
        await workflow.execute_activity_method(
            TaskActivities.open_task,
            OpenTaskInput(
                key=key,
                application_id=s.application_id,
                kind=TaskKind.DELIVER,
                role=Role.HANDLER,
                note=note,
                detail=detail,
            ),
            **DATABASE,
        )
        s.task_key, s.redelivery, s.awaiting_redelivery = key, None, True
        await workflow.wait_condition(lambda: s.redelivery is not None)
        channel, s.awaiting_redelivery = s.redelivery or Channel.LETTER, False
        await workflow.execute_activity_method(
            TaskActivities.close_task, CloseTaskInput(key=key, status=TaskClosing.DONE), **DATABASE
        )
        return channel

    @workflow.signal
    def posted(self, posted: Posted) -> None:
        self._state.posted = posted

    @workflow.signal
    def letter_held(self, held: LetterHeld) -> None:
        self._state.held = held

    @workflow.update
    def redeliver(self, request: RedeliverInput) -> None:
        try:
            self._check_redeliver(request)
        except ValueError as refused:
            raise ApplicationError(str(refused), type="ActionRefused", non_retryable=True) from None
        self._state.redelivery = request.channel

    @redeliver.validator
    def _validate_redeliver(self, request: RedeliverInput) -> None:
        self._check_redeliver(request)

    def _check_redeliver(self, request: RedeliverInput) -> None:
        if Role.HANDLER not in request.actor.roles:
            raise ValueError(N_("This needs the handler role."))
        if not self._state.awaiting_redelivery or request.task_key != self._state.task_key:
            raise ValueError(N_("This task is out of date; reload the page."))
