"""Lists staff take away: the queue and search results as CSV or XLSX.

The rows are the ones the page lists, taken through the same scope; a personal identity code is never
a column. Every export is audited in the transaction that answers it: who, which list, which filter,
how many rows. A text cell a spreadsheet would run as a formula (starting = + - @, or tab or carriage
return as OWASP lists them) gets a leading apostrophe, in both formats: CSV/formula injection.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlmodel import Session

from models.audit import audit
from models.grants.programme import HELSINKI
from web.services.auth import StaffUser

Cell = str | int | Decimal | date | datetime | None
ExportFormat = Literal["csv", "xlsx"]
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORTED = "list_exported"
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Table:
    name: str  # the list's name: the file is named after it, the audit says which list it was
    columns: list[str]  # headings in the reader's language
    rows: list[list[Cell]]


def defused(value: str) -> str:
    """A text a spreadsheet shows as text, never runs: "=HYPERLINK(…)" becomes "'=HYPERLINK(…)"."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _local(value: datetime) -> datetime:
    # Spreadsheets have no time zones: the wall-clock time in Helsinki, where the programmes run.
    return value.astimezone(HELSINKI).replace(tzinfo=None)


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return defused(value) if isinstance(value, str) else str(value)


def csv_bytes(table: Table) -> bytes:
    """RFC 4180 with a byte-order mark, so Excel reads the ä and ö right; dates as ISO 8601."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([defused(c) for c in table.columns])
    writer.writerows([_text(value) for value in row] for row in table.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table) -> bytes:
    """One sheet, headings in bold, dates and times as real date cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.name[:31])
    bold = Font(bold=True)

    def heading(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=defused(text))
        cell.font = bold
        return cell

    def cell(value: Cell) -> WriteOnlyCell:
        if isinstance(value, datetime):
            written = WriteOnlyCell(sheet, value=_local(value))
            written.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, date):
            written = WriteOnlyCell(sheet, value=value)
            written.number_format = "yyyy-mm-dd"
        else:
            written = WriteOnlyCell(sheet, value=defused(value) if isinstance(value, str) else value)
        return written

    sheet.append([heading(c) for c in table.columns])
    for row in table.rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WRITERS: dict[str, Callable[[Table], bytes]] = {"csv": csv_bytes, "xlsx": xlsx_bytes}


def export(session: Session, *, table: Table, format: ExportFormat, user: StaffUser, filters: dict[str, Any]) -> bytes:
    """The file, and the audit event saying who took which list with which filter and how many rows."""
    data = WRITERS[format](table)
    audit(
        session,
        action=EXPORTED,
        application_id=None,
        actor_id=user.id,
        organisation_code=user.organisation_code,
        list=table.name,
        format=format,
        filters=filters,
        rows=len(table.rows),
    )
    session.commit()
    return data


def filename(table: Table, format: ExportFormat, today: date) -> str:
    return f"{table.name}-{today.isoformat()}.{format}"
