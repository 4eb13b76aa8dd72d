"""What goes in and out of the appeal workflows and their activities."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from models.actors import Actor
from models.appeals.requests import Ruling
from models.grants.decisions import Outcome


class WindowInput(BaseModel):
    application_id: int
    decision_number: str


class Window(BaseModel):
    """The two rectification windows of a served decision: the party's, and the members' of the municipality."""

    party_last_day: date
    members_last_day: date

    @property
    def last_day(self) -> date:
        return max(self.party_last_day, self.members_last_day)


class RecordFinalInput(BaseModel):
    decision_number: str
    final_on: date


class WindowClosed(BaseModel):
    final_on: date | None  # None: a rectification request came (its ruling decides)


class RectificationInput(BaseModel):
    """Starts RectificationWorkflow (`grant-<application id>/rectification-<n>`) for one request."""

    request_id: int
    application_id: int


class RequestRef(BaseModel):
    request_id: int


class Review(BaseModel):
    """What the legal queue needs to know of a request as it arrives."""

    late: bool
    decision_number: str
    received_at: datetime
    received_on: date | None = None  # the day it arrived (by post, say, before it was registered)


class RuleInput(BaseModel):
    """Legal staff record the body's ruling on the request (prepared by them, made by the body)."""

    task_key: str
    actor: Actor
    ruling: Ruling
    justification: str
    body: str  # e.g. "Espoon kaupunginhallitus"
    meeting_ref: str  # the minutes' reference, e.g. "12.10.2020 § 345"
    met_on: date
    # An amending ruling on a grant decision says what the decision now is.
    new_outcome: Outcome | None = None
    reasons: list[str] = []


class RecordRulingInput(BaseModel):
    request_id: int
    rule: RuleInput


class RulingRecorded(BaseModel):
    number: str
    ruling: Ruling
    new_outcome: Outcome | None = None  # amended: the grant decision's outcome now
    amount: Decimal = Decimal("0.00")
    original_outcome: str


class WithdrawalStep(StrEnum):
    NOTHING = "nothing"  # no payment, or it was cancelled already
    CANCEL = "cancel"  # not yet with the bank: cancel it
    RECOVER = "recover"  # paid: a recovery case was opened
    WITH_THE_BANK = "with_the_bank"  # in a batch or sent: a handler follows it up


class Withdrawal(BaseModel):
    """What becomes of an approval's payment when a ruling on rectification withdraws the approval."""

    step: WithdrawalStep
    payment_id: int | None = None


class RectificationResult(BaseModel):
    ruling: Ruling
    number: str
    final_on: date | None = None  # the ruling (and the decision as ruled) is final from this day
