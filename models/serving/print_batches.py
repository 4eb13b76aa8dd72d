"""The post room's print batch: the waiting letters of one programme, in one PDF, posted together."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement
from sqlmodel import Field, SQLModel, col

from models.grants.decisions import Decision
from models.time_limits import Channel
from models.types import UTCDateTime, utcnow

# A batch holds at most this many letters; more waiting letters make more batches. Each letter is rendered twice
# (undated into the batch's PDF, then dated for the archive) at about 0.1 s a time: a batch is printed in minutes,
# well inside its activity's time limit, in one PDF a print room's job takes; its workflow tells each letter's
# serving workflow, which keeps its history far below Temporal's limits. Tens of thousands of letters are
# tens of batches, printed one after another on the worker while the web app only writes their rows.
LETTERS_PER_BATCH = 500


class PrintBatchStatus(StrEnum):
    PREPARING = "preparing"  # letters claimed, being rendered on the worker
    PRINTED = "printed"  # the PDF is in the archive; waiting for the post room to say the day the letters left
    POSTED = "posted"  # the post room confirmed `posted_on`: each letter is deemed received on the 7th day after it
    EMPTY = "empty"  # nothing was waiting (another batch took the letters first)


class PrintBatch(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    programme_code: str = Field(index=True, max_length=80)
    made_on: date  # the Helsinki day the coordinator asked for it
    # The day the letters actually left, as the post room confirms it (a separate step from making the
    # batch: a batch made on Saturday may leave on Monday). Until then the letters are undated.
    posted_on: date | None = None
    posting_confirmed_by: int | None = Field(default=None, foreign_key="staff_user.id")
    posting_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default=PrintBatchStatus.PREPARING, max_length=20)
    letters: int = 0
    # The archived PDF (a Document of kind print_batch). No foreign key: documents point at decisions,
    # decisions at their batch, and a key back here would close a cycle no table order can create.
    document_id: int | None = None
    created_by: int = Field(foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def waiting_for_the_post_room(programme_codes: list[str]) -> tuple[ColumnElement[bool], ...]:
    """The conditions of a letter still waiting for a batch: what the coordination page counts and a batch claims."""
    return (
        col(Decision.programme_code).in_(programme_codes),
        col(Decision.channel) == Channel.LETTER,
        col(Decision.sent_at).is_(None),
        col(Decision.print_batch_id).is_(None),
        col(Decision.letter_held).is_(None),
    )
