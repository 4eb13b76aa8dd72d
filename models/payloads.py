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
