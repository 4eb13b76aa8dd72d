"""What goes in and out of workflows and activities: one model in, one out, so fields can be added."""

from pydantic import BaseModel


class GrantApplicationInput(BaseModel):
    application_id: int
    programme_code: str


class ApplicationRef(BaseModel):
    application_id: int


class AssessApplicationInput(BaseModel):
    application_id: int
    round: int = 1


class AssessmentOutcome(BaseModel):
    eligible: bool
    reasons: list[str]
    turnover_drop: str | None
    rules_version: str


class GrantApplicationResult(BaseModel):
    application_id: int
    status: str
    assessment: AssessmentOutcome | None = None


class Actor(BaseModel):
    """Who acts, as the web app authenticated them: the workflow checks roles and four eyes with it."""

    user_id: int
    name: str
    organisation_code: str
    roles: list[str]


class OpenTaskInput(BaseModel):
    key: str
    application_id: int
    kind: str
    role: str
    due_in_days: int | None = None
    assignee_id: int | None = None  # a returned proposal goes back to its handler
    note: str | None = None


class CloseTaskInput(BaseModel):
    key: str
    status: str  # done | cancelled | waiting | reopen
    note: str | None = None


class ProposeInput(BaseModel):
    task_key: str
    actor: Actor
    outcome: str  # approve | reject
    reasons: list[str] = []
    justification: str
    override_reason: str | None = None


class RecordProposalInput(BaseModel):
    application_id: int
    seq: int
    proposal: ProposeInput


class DecideInput(BaseModel):
    task_key: str
    actor: Actor
    approve: bool
    comment: str = ""


class FinalizeDecisionInput(BaseModel):
    application_id: int
    proposal_seq: int
    decider: Actor


class DecisionOutcome(BaseModel):
    number: str
    outcome: str
    amount: str
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
    reply_by: str | None = None  # ISO date; the programme's default when not given


class OpenInfoRequestInput(BaseModel):
    application_id: int
    seq: int
    message: str
    reply_by: str
    actor: Actor


class InfoRequestRef(BaseModel):
    application_id: int
    seq: int


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
    channel: str  # email | letter


class WithdrawInput(BaseModel):
    reason: str = ""


class StageUpdateInput(BaseModel):
    application_id: int
    status: str
    event: str
    actor_id: int | None = None
    organisation_code: str | None = None
    detail: dict[str, str] = {}


class ProcessingState(BaseModel):
    stage: str
    task_key: str | None
    proposer_id: int | None
    info_request_seq: int | None
    decision_number: str | None
