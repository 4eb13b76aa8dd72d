"""Text we accept from people: printable characters plus tab and line breaks.

A NUL byte is legal in SQLite and JSON but refused by PostgreSQL, and a lone surrogate cannot be
encoded at all; other control characters only hide things from the person reading. So every text
field is checked at the edge, the same way whatever the database.
"""

import unicodedata

from pydantic_core import PydanticCustomError

ALLOWED_CONTROLS = frozenset("\t\n\r")  # \r: browsers send line breaks in text areas as CR LF
CONTROL_CHARACTER = "control_character"
CONTROL_CHARACTER_MESSAGE = "contains control characters"


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in ALLOWED_CONTROLS for ch in text)


def refuse_control_characters(value: object) -> object:
    """A pydantic validator (mode "before"): strings with control characters are refused."""
    if isinstance(value, str) and has_control_characters(value):
        raise PydanticCustomError(CONTROL_CHARACTER, CONTROL_CHARACTER_MESSAGE)
    return value
