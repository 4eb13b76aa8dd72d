"""What goes in and out of the serving workflows and their activities."""

from datetime import date

from pydantic import BaseModel

from models.time_limits import Channel


class ServeDecisionInput(BaseModel):
    application_id: int
    decision_number: str


class Served(BaseModel):
    """How the decision reached the applicant: the rectification period counts from `dispatched_on`."""

    channel: Channel
    dispatched_on: date


class Posted(BaseModel):
    """Signal from the print batch to a decision's serving workflow: its letter went out."""

    print_batch_id: int
    posted_on: date


class PrintBatchRef(BaseModel):
    print_batch_id: int


class ClaimedLetters(BaseModel):
    letters: int
    posted_on: date
    serving_workflow_ids: list[str]  # told by signal once the batch is ready


class PrintBatchDone(BaseModel):
    letters: int
    document_id: int | None
    posted_on: date
