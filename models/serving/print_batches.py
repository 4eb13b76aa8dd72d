"""The post room's print batch: the day's letters of one programme, in one PDF, posted together."""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class PrintBatchStatus(StrEnum):
    PREPARING = "preparing"  # letters claimed, being rendered on the worker
    READY = "ready"  # the PDF is in the archive; the letters count as posted on `posted_on`
    EMPTY = "empty"  # nothing was waiting (another batch took the letters first)


class PrintBatch(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    programme_code: str = Field(index=True, max_length=80)
    posted_on: date  # the day the letters go out; each is deemed received on the 7th day after it
    status: str = Field(default=PrintBatchStatus.PREPARING, max_length=20)
    letters: int = 0
    # The archived PDF (a Document of kind print_batch). No foreign key: documents point at decisions,
    # decisions at their batch, and a key back here would close a cycle no table order can create.
    document_id: int | None = None
    created_by: int = Field(foreign_key="staff_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
