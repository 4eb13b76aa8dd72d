"""What goes in and out of the appeal workflows and their activities."""

from datetime import date

from pydantic import BaseModel


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
