"""What goes in and out of the grant workflow and its activities: one model in, one out, so fields can be added.

Fields carry their real types (dates, Decimal, enums): the pydantic data converter keeps them exact
through Temporal, and mypy checks every call through `workflow.execute_activity_method`.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, model_validator

from models.actors import Actor
from models.grants.applications import Stage
from models.grants.decisions import Outcome
from models.grants.eligibility import ReasonCode
from models.payments.payloads import PaymentSettled
from models.serving.payloads import Served
from models.staff import Role
from models.tasks import TaskClosing, TaskKind
from models.time_limits import Channel


class Verdict(StrEnum):
    """What a decider does with a proposal."""

    ACCEPT = "accept"  # the proposal becomes the decision
    RETURN = "return"  # back to its handler, with a comment


class GrantApplicationInput(BaseModel):
    application_id: int
    programme_code: str


class ApplicationRef(BaseModel):
    application_id: int


class AssessApplicationInput(BaseModel):
    application_id: int
    round: int = 1
    # The trade register stayed down: assess on the declarations, and a handler checks the register by hand.
    register_unavailable: bool = False


class AssessmentOutcome(BaseModel):
    eligible: bool
    reasons: list[str]
    turnover_drop: Decimal | None
    rules_version: str


class GrantApplicationResult(BaseModel):
    application_id: int
    stage: Stage
    assessment: AssessmentOutcome | None = None
    served: Served | None = None
    payment: PaymentSettled | None = None  # an approval's payment: paid on a day, or cancelled
    final_on: date | None = None  # the decision is final from this day (no rectification request)


class OpenTaskInput(BaseModel):
    key: str
    application_id: int
    kind: TaskKind
    role: Role
    due_in_days: int | None = None
    # When the work arrived, for the queue's order: the application's arrival unless given (a rectification
    # request's own arrival).
    arrived_at: datetime | None = None
    assignee_id: int | None = None  # a returned proposal goes back to its handler
    note: str | None = None  # why the task is there, as a code the task page words
    detail: str | None = None  # what the person needs to know beyond the code (e.g. which fact a letter lacks)


class CloseTaskInput(BaseModel):
    key: str
    status: TaskClosing
    note: str | None = None


class ProposeInput(BaseModel):
    task_key: str
    actor: Actor
    outcome: Outcome
    reasons: list[ReasonCode] = []
    justification: str
    override_reason: str | None = None

    @model_validator(mode="after")
    def _approval_has_no_reasons(self) -> "ProposeInput":
        # Boxes ticked on the form before choosing "approve" are no part of an approval.
        if self.outcome == Outcome.APPROVE:
            self.reasons = []
        return self


class RecordProposalInput(BaseModel):
    application_id: int
    seq: int
    proposal: ProposeInput


class DecideInput(BaseModel):
    task_key: str
    actor: Actor
    verdict: Verdict
    comment: str = ""


class FinalizeDecisionInput(BaseModel):
    application_id: int
    proposal_seq: int
    decider: Actor


class DecisionOutcome(BaseModel):
    number: str
    outcome: Outcome
    amount: Decimal
    reasons: list[str]


class ReturnProposalInput(BaseModel):
    application_id: int
    proposal_seq: int
    decider: Actor
    comment: str


class RequestInfoInput(BaseModel):
    task_key: str
    actor: Actor
    message: str
    reply_by: date | None = None  # the programme's default when not given


class OpenInfoRequestInput(BaseModel):
    application_id: int
    seq: int
    message: str
    reply_by: date | None
    actor: Actor


class InfoRequestRef(BaseModel):
    application_id: int
    seq: int


class InfoRequestOpened(BaseModel):
    deadline: datetime  # the end of the reply day in Helsinki, as an aware datetime


class AnswerInput(BaseModel):
    info_request_seq: int
    answer: str
    attachment_ids: list[int] = []


class RecordAnswerInput(BaseModel):
    application_id: int
    seq: int
    answer: str
    attachment_ids: list[int] = []


class RedeliverInput(BaseModel):
    task_key: str
    actor: Actor
    channel: Channel


class WithdrawInput(BaseModel):
    reason: str = ""


class StageUpdateInput(BaseModel):
    application_id: int
    status: Stage
    event: str
    actor_id: int | None = None
    organisation_code: str | None = None
    detail: dict[str, str] = {}


class ProcessingState(BaseModel):
    stage: Stage
    task_key: str | None
    proposer_id: int | None
    info_request_seq: int | None
    decision_number: str | None
