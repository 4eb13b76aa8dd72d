"""The application as the applicant sends it: one schema for the JSON API and the web form."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from babel import Locale
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fi import hetu, ytunnus

from models.payments.accounts import sepa_iban
from models.text import refuse_control_characters

# ISO 3166-1 alpha-2 codes, from CLDR through babel (which the project uses for dates and numbers anyway).
NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}  # CLDR groupings and pseudo-regions
COUNTRIES = frozenset(
    code
    for code in map(str, Locale("en").territories)
    if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
)

CompanyForm = Literal["tmi", "ay", "ky", "oy", "osk", "light"]
Language = Literal["fi", "sv", "en"]
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), AfterValidator(_cents)]


def _personal_id(value: str) -> str:
    try:
        # Individual numbers 900-999 are temporary codes and the codes of the identification service's test
        # people: valid codes all the same.
        return str(hetu.validate(value.strip().upper(), allow_temporary=True))
    except StdnumError as exc:
        raise ValueError("not a valid Finnish personal identity code") from exc


def _business_id(value: str) -> str:
    try:
        return str(ytunnus.format(ytunnus.validate(value.strip())))
    except StdnumError as exc:
        raise ValueError("not a valid Finnish business ID") from exc


def _sane_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError("date is out of range")
    return value


SaneDate = Annotated[date, AfterValidator(_sane_date)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
BusinessId = Annotated[str, AfterValidator(_business_id)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,20}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Every field of every part of the form, the same on SQLite and PostgreSQL (models/text.py).
    _no_control_characters = field_validator("*", mode="before")(refuse_control_characters)


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise ValueError("not a country code")
    return code


class PostalAddress(Strict):
    """Where a decision by post goes: printed in the address window of a C5 envelope."""

    street: Annotated[str, Field(min_length=1, max_length=100)]
    postcode: Annotated[str, Field(min_length=2, max_length=12, pattern=r"^[0-9A-Za-z][0-9A-Za-z -]*$")]
    post_office: Annotated[str, Field(min_length=1, max_length=60)]
    country: Annotated[str, AfterValidator(_country)] = "FI"

    @model_validator(mode="after")
    def _finnish_postcode(self) -> "PostalAddress":
        if self.country == "FI" and not (len(self.postcode) == 5 and self.postcode.isdigit()):
            raise ValueError("postcode: a Finnish postcode has five digits")
        return self


class Applicant(Strict):
    name: Text
    personal_id: Annotated[str, AfterValidator(_personal_id)]
    email: EmailStr
    phone: Phone
    language: Language = "fi"
    email_consent: bool = False
    address: PostalAddress | None = None  # required of new applications without e-mail consent


class Business(Strict):
    business_id: BusinessId | None
    name: Text
    company_form: CompanyForm
    home_municipality: Text
    industry_code: Annotated[str, Field(pattern=r"^[0-9]{5}$", description="TOL 2008, five digits")]
    started_on: SaneDate
    employees: Annotated[int, Field(ge=0, le=100_000)] = 0
    laid_off_employees: Annotated[int, Field(ge=0, le=100_000)] = 0
    other_working_owners: Annotated[int, Field(ge=0, le=1_000)] = 0
    yel_insured: bool
    annual_income_eur: Money
    profitable_2019: bool | None = None
    in_difficulty_before_crisis: bool = False

    @model_validator(mode="after")
    def _business_id_matches_form(self) -> "Business":
        # Light entrepreneurs invoice through a service and have no business ID; everyone else has one.
        if self.company_form == "light" and self.business_id is not None:
            raise ValueError("business_id: a light entrepreneur has no business ID; leave it empty")
        if self.company_form != "light" and self.business_id is None:
            raise ValueError("business_id: required for this company form")
        return self


class Turnover(Strict):
    reference_start: SaneDate
    reference_end: SaneDate
    reference_eur: Money
    crisis_start: SaneDate
    crisis_end: SaneDate
    crisis_eur: Money

    @model_validator(mode="after")
    def _ordered(self) -> "Turnover":
        if self.reference_end < self.reference_start:
            raise ValueError("reference_end: the reference period ends before it starts")
        if self.crisis_end < self.crisis_start:
            raise ValueError("crisis_end: the crisis period ends before it starts")
        if self.crisis_start <= self.reference_end:
            raise ValueError("crisis_start: the crisis period must start after the reference period")
        return self


class Aid(Strict):
    tax_debt: bool = False
    tax_payment_plan: bool = False
    other_corona_aid: bool = False
    de_minimis_eur_3y: Money = Decimal("0.00")


class Payment(Strict):
    iban: Annotated[str, AfterValidator(sepa_iban)]


class ApplicationForm(Strict):
    """An application as stored: also those that arrived before a field became required."""

    information_is_true: bool | None = None
    applicant: Applicant
    business: Business
    turnover: Turnover
    aid: Aid
    payment: Payment
    costs_description: Annotated[str, Field(min_length=1, max_length=4000)]


POSTAL_ADDRESS_REQUIRED = "required when the decision is sent by post"


class NewApplication(ApplicationForm):
    """What the form and the API accept today: an application as stored, plus what a new one must have."""

    # The applicant declares that what they give is true and complete; no application without it.
    information_is_true: Literal[True]

    @model_validator(mode="after")
    def _address_for_post(self) -> "NewApplication":
        # Without consent to e-mail, the decision is served by post (Administrative Procedure Act 59 §).
        if not self.applicant.email_consent and self.applicant.address is None:
            raise ValueError(f"applicant.address: {POSTAL_ADDRESS_REQUIRED}")
        return self
