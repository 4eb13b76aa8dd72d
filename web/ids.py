"""Row ids from URLs and form fields: bounded ASCII integers, so a 30-digit or a '²' is a 4xx, never a 500."""

import re
from typing import Annotated

from fastapi import Path

# Database ids are 32-bit integers on PostgreSQL; anything larger cannot be a row.
MAX_ID = 2**31 - 1
_ASCII_ID = re.compile(r"[0-9]{1,10}")

RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


def parse_id(text: object) -> int | None:
    """A row id from a form or query field: ASCII digits within range, else None (never an exception)."""
    if not isinstance(text, str) or not _ASCII_ID.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
