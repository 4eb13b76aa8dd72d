"""Validation errors as (field, reason) pairs: JSON for the API, translated text next to form fields."""

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from models.grants.application_form import POSTAL_ADDRESS_REQUIRED
from web.i18n import N_

# Our own text for pydantic's error types, shown next to the field in the applicant's language.
# The form accepts amounts as people in Finland write them (1 234,50), so the examples do too.
_AMOUNT = N_("Enter an amount in euros, for example 1 234,50.")
_BY_TYPE = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("This is too long."),
    "string_pattern_mismatch": N_("Check the format."),
    "decimal_max_places": N_("Give the amount to the cent at most, for example 1 234,50."),
    "decimal_max_digits": N_("This number is too large."),
    "decimal_parsing": _AMOUNT,
    "decimal_type": _AMOUNT,
    "finite_number": _AMOUNT,
    "greater_than_equal": N_("This cannot be negative."),
    "less_than_equal": N_("This number is too large."),
    "int_parsing": N_("Enter a whole number, for example 2."),
    "int_from_float": N_("Enter a whole number, for example 2."),
    "date_from_datetime_parsing": N_("Enter a date, for example 16.3.2020."),
    "date_parsing": N_("Enter a date, for example 16.3.2020."),
    "date_type": N_("Enter a date, for example 16.3.2020."),
    "bool_parsing": N_("Choose yes or no."),
    "literal_error": N_("Choose one of the options."),
    "extra_forbidden": N_("Unknown field."),
    "control_character": N_("Remove the invisible control characters from this field."),
}

# Where a field's format has one right shape, say which.
_FORMAT_BY_FIELD = {
    "applicant.phone": N_("Enter a phone number, for example +358 40 123 4567."),
    "business.industry_code": N_("Enter the five-digit industry code, for example 74100."),
    "applicant.address.postcode": N_("Enter the postcode, for example 02100."),
    "information_is_true": N_("Confirm that the information you gave is true and complete."),
}

# The reasons our own validators give (models/grants/application_form.py), as the API reports them,
# and the sentence the form shows instead.
KNOWN_REASONS = {
    "not a valid Finnish personal identity code": N_(
        "Enter a valid Finnish personal identity code, for example 131052-308T."
    ),
    "not a valid Finnish business ID": N_("Enter a valid business ID, for example 0112038-9."),
    "not a valid IBAN": N_("Enter a valid IBAN, for example FI21 1234 5600 0007 85."),
    "the account must be in the SEPA area": N_("The account must be in a bank in the SEPA area."),
    "date is out of range": N_("Enter a date between the years 1900 and 2100."),
    "a light entrepreneur has no business ID; leave it empty": N_(
        "A light entrepreneur has no business ID: leave this empty."
    ),
    "required for this company form": N_("Enter the business ID: this company form has one."),
    "the reference period ends before it starts": N_("The reference period must end after it starts."),
    "the crisis period ends before it starts": N_("The crisis period must end after it starts."),
    "the crisis period must start after the reference period": N_(
        "The crisis period must start after the reference period."
    ),
    "value is not a valid email address": N_("Enter an e-mail address, for example name@example.com."),
    POSTAL_ADDRESS_REQUIRED: N_(
        "Give your postal address: without your consent to e-mail, the decision is sent by post."
    ),
    "a Finnish postcode has five digits": N_("A Finnish postcode has five digits, for example 02100."),
    "not a country code": N_("Choose a country."),
}


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
        if ": " in reason and all(part.isidentifier() for part in reason.split(": ", 1)[0].split(".")):
            field, reason = reason.split(": ", 1)
            loc.append(field)
        result.append(FieldError(field=".".join(loc) or "body", message=reason, type=str(error.get("type", ""))))
    return result


def friendly_message(error: FieldError) -> str:
    """The msgid to translate for a form: our own sentence for each reason, never a library's text."""
    if error.field in _FORMAT_BY_FIELD and error.type in ("string_pattern_mismatch", "literal_error", "missing"):
        return _FORMAT_BY_FIELD[error.field]
    if error.message in KNOWN_REASONS:
        return KNOWN_REASONS[error.message]
    if error.type in ("value_error", "assertion_error"):
        for reason, sentence in KNOWN_REASONS.items():
            if error.message.startswith(reason):
                return sentence
        return N_("Check this value.")
    return _BY_TYPE.get(error.type, N_("Check this value."))
