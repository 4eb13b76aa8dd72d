"""What goes in and out of the serving workflows and their activities."""

from datetime import date

from pydantic import BaseModel

from models.actors import Actor
from models.time_limits import Channel


class ServingRef(BaseModel):
    """The decision a serving activity works on: by its number (absent in inputs recorded before recoveries
    were served: those mean the application's grant decision)."""

    application_id: int
    decision_number: str | None = None


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


class LetterHeld(BaseModel):
    """Signal from the print batch to a decision's serving workflow: its letter could not be made."""

    print_batch_id: int
    reason: str


class HeldLetter(BaseModel):
    serving_workflow_id: str
    reason: str


class PrintBatchRef(BaseModel):
    print_batch_id: int


class ClaimedLetters(BaseModel):
    letters: int
    # Set only for batches made before the post room confirmed postings (dated as made): see PrintBatchWorkflow.
    posted_on: date | None = None
    made_on: date | None = None
    serving_workflow_ids: list[str]  # told by signal once the letters are posted
    held: list[HeldLetter] = []  # set aside: each one's serving workflow is told why


class PrintBatchDone(BaseModel):
    letters: int
    document_id: int | None
    posted_on: date | None = None


class ConfirmPostingInput(BaseModel):
    """The post room says on which day the batch's letters actually left."""

    actor: Actor
    posted_on: date


class RecordPostingInput(BaseModel):
    print_batch_id: int
    posted_on: date
    confirmed_by: int
