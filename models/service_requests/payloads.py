"""What ServiceRequestWorkflow and its activities pass each other: one model in, one out, per call."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from models.actors import Actor
from models.service_requests.requests import ClosingOutcome


class ServiceRequestInput(BaseModel):
    request_id: int


class RequestRef(BaseModel):
    request_id: int


class PositionRef(BaseModel):
    """The request's `position`th organisation (a referral), or its `position`th closing (a feedback link)."""

    request_id: int
    position: int


class Begun(BaseModel):
    confirmed: bool
    share_consent: bool
    confirm_days: int  # an unconfirmed request waits this long for its e-mail address to be confirmed
    feedback_days: int  # a closed one, for feedback or an answer that reopens it


class RouteInput(BaseModel):
    request_id: int
    routed_at: datetime


class Routed(BaseModel):
    """The organisation a request is with now, and when its first response falls due and is escalated."""

    position: int
    organisation_code: str
    triage: bool
    due_on: date
    due_at: datetime
    remind_at: datetime
    escalate_at: datetime
    network_at: datetime


class ServiceTaskInput(BaseModel):
    key: str
    request_id: int
    organisation_code: str
    kind: str
    role: str
    assignee_id: int | None = None
    due_on: date | None = None
    note: str | None = None


# --- staff actions (workflow updates) -------------------------------------------------------------------------


class AcceptInput(BaseModel):
    task_key: str
    actor: Actor


class ReplyInput(BaseModel):
    actor: Actor
    body: str = Field(max_length=8000)


class MeetingInput(BaseModel):
    actor: Actor
    starts_at: datetime
    minutes: int = 60
    place: str | None = Field(default=None, max_length=300)
    video_url: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=2000)


class ReferInput(BaseModel):
    actor: Actor
    organisation_code: str
    reason: str = Field(max_length=2000)


class CloseInput(BaseModel):
    actor: Actor
    outcome: ClosingOutcome
    note: str | None = Field(default=None, max_length=2000)


# --- the customer's actions (workflow updates from the status page) ----------------------------------------------


class CustomerReplyInput(BaseModel):
    body: str = Field(max_length=8000)
    # The page's own id for this answer: pressing send twice records it once.
    key: str = Field(max_length=80)


class FeedbackInput(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


# --- records the activities write ------------------------------------------------------------------------------


class AcceptRecord(BaseModel):
    request_id: int
    task_key: str
    actor: Actor


class MessageRecord(BaseModel):
    key: str
    request_id: int
    body: str
    actor: Actor | None = None  # None: the customer's


class MeetingRecord(BaseModel):
    key: str
    request_id: int
    meeting: MeetingInput


class ReferRecord(BaseModel):
    request_id: int
    position: int
    organisation_code: str
    reason: str
    actor: Actor
    at: datetime


class CloseRecord(BaseModel):
    request_id: int
    closing: CloseInput
    number: int  # the how-manyth closing (a reopened request closes again)


class ReopenRecord(BaseModel):
    request_id: int
    assignee_id: int | None


class FeedbackRecord(BaseModel):
    request_id: int
    feedback: FeedbackInput


class AlertInput(BaseModel):
    request_id: int
    position: int
    step: str  # an AlertStep


class KeyRef(BaseModel):
    key: str


class CustomerWrote(BaseModel):
    key: str  # the customer's message
    reopened: bool  # it reopened a closed request


class ServiceResult(BaseModel):
    status: str
    outcome: str | None = None
    feedback: int | None = None
