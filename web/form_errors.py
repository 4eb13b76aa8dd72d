"""Validation errors as (field, reason) pairs: JSON for the API, translated text next to form fields."""

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from web.i18n import N_

# Friendly text for pydantic's error types, shown next to the field in the applicant's language.
_BY_TYPE = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("This is too long."),
    "string_pattern_mismatch": N_("Check the format."),
    "decimal_max_places": N_("Use at most two decimals."),
    "decimal_max_digits": N_("This number is too large."),
    "decimal_parsing": N_("Enter a number, e.g. 1234.50."),
    "decimal_type": N_("Enter a number, e.g. 1234.50."),
    "finite_number": N_("Enter a number, e.g. 1234.50."),
    "greater_than_equal": N_("Must not be negative."),
    "less_than_equal": N_("This number is too large."),
    "int_parsing": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "date_from_datetime_parsing": N_("Enter a date."),
    "date_parsing": N_("Enter a date."),
    "date_type": N_("Enter a date."),
    "bool_parsing": N_("Choose yes or no."),
    "literal_error": N_("Choose one of the options."),
    "extra_forbidden": N_("Unknown field."),
    "control_character": N_("Remove the invisible control characters from this field."),
}

# The reasons our own validators give (models/grants/application_form.py); marked here for translation.
KNOWN_REASONS = [
    N_("not a valid Finnish personal identity code"),
    N_("not a valid Finnish business ID"),
    N_("not a valid IBAN"),
    N_("the account must be in the SEPA area"),
    N_("date is out of range"),
    N_("a light entrepreneur has no business ID; leave it empty"),
    N_("required for this company form"),
    N_("the reference period ends before it starts"),
    N_("the crisis period ends before it starts"),
    N_("the crisis period must start after the reference period"),
    N_("value is not a valid email address"),
]


class FieldError(BaseModel):
    field: str
    message: str
    type: str


def _reason(error: dict[str, Any]) -> str:
    message = str(error.get("msg", ""))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if error.get("type") == "value_error" and "email address" in message:
        return "value is not a valid email address"
    return message


def field_errors(errors: Sequence[Any], *, skip: int = 0) -> list[FieldError]:
    """`skip` drops leading location parts such as FastAPI's "body"."""
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())][skip:]
        reason = _reason(error)
        # Cross-field rules say which field they are about as "field: reason".
        if ": " in reason and reason.split(": ", 1)[0].isidentifier():
            field, reason = reason.split(": ", 1)
            loc.append(field)
        result.append(FieldError(field=".".join(loc) or "body", message=reason, type=str(error.get("type", ""))))
    return result


def friendly_message(error: FieldError) -> str:
    """The msgid to translate for a form: our own reasons as they are, pydantic's by type."""
    if error.message in KNOWN_REASONS:
        return error.message
    if error.type in ("value_error", "assertion_error"):
        for known in KNOWN_REASONS:
            if error.message.startswith(known):
                return known
        return N_("Check this value.")
    return _BY_TYPE.get(error.type, N_("Check this value."))
