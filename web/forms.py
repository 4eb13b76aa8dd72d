"""The HTML application form: flat field names ("applicant.name") to the nested API schema and back."""

from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from starlette.datastructures import FormData

from models.grants.application_form import COUNTRIES

# Empty means "none" for these; for every other field an empty box means "not given".
NULLABLE = {"business.business_id", "business.profitable_2019"}
# Ticked boxes: checked sends "yes" (or "on"), unchecked sends nothing.
TICKBOXES = {"applicant.email_consent", "information_is_true"}
BOOLEANS = {
    "applicant.email_consent",
    "business.yel_insured",
    "business.profitable_2019",
    "business.in_difficulty_before_crisis",
    "aid.tax_debt",
    "aid.tax_payment_plan",
    "aid.other_corona_aid",
}
CONTROL_FIELDS = {"csrf_token", "idempotency_key"}
MONEY = {
    "business.annual_income_eur",
    "turnover.reference_eur",
    "turnover.crisis_eur",
    "aid.de_minimis_eur_3y",
}


def _money(text: str) -> str:
    """People in Finland write 1 234,50: the form accepts that (the JSON API takes 1234.50)."""
    return "".join(text.split()).replace("\u00a0", "").replace(",", ".")


def euros(text: str) -> Decimal | None:
    """A positive amount to the cent as typed on a staff form ("2 000", "1 999,50"), or None."""
    try:
        amount = Decimal(_money(text))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


# A rule about a group of fields is shown at the group's first field.
GROUP_FIRST_FIELD = {"applicant.address": "applicant.address.street"}


def country_options(language: str) -> list[tuple[str, str]]:
    """Every country by its name in the page's language, Finland first (CLDR names through babel)."""
    names = {str(code): str(name) for code, name in Locale.parse(language).territories.items()}
    others = sorted((code for code in COUNTRIES if code != "FI"), key=lambda code: names.get(code, code))
    return [(code, names.get(code, code)) for code in ["FI", *others]]


def flat_values(form: FormData) -> dict[str, str]:
    """What the user typed, to put back into the form when something needs fixing."""
    return {key: str(value) for key, value in form.items() if key not in CONTROL_FIELDS and isinstance(value, str)}


def nested(values: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, raw in values.items():
        value: Any = raw.strip()
        if value == "":
            if key not in NULLABLE:
                continue
            value = None
        elif key in TICKBOXES and value in ("yes", "on"):
            value = True
        elif key in BOOLEANS and value == "on":
            value = True  # "yes"/"no" go to the schema, which refuses anything else
        elif key in MONEY:
            value = _money(value)
        target = data
        *parents, leaf = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                break
        else:
            target[leaf] = value
    _drop_untouched_address(data)
    return data


def postal_address_missing(data: dict[str, Any]) -> bool:
    """The rule the schema checks only once every field is valid, checked at once for the form's first answer."""
    applicant = data.get("applicant")
    if not isinstance(applicant, dict):
        return False
    return applicant.get("email_consent") is not True and not applicant.get("address")


def _drop_untouched_address(data: dict[str, Any]) -> None:
    """The country list always sends a country: an address with nothing else typed is no address."""
    applicant = data.get("applicant")
    if isinstance(applicant, dict) and isinstance(applicant.get("address"), dict):
        if set(applicant["address"]) <= {"country"}:
            del applicant["address"]
