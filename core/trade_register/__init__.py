"""The trade register behind one interface: the business information system's open data API (YTJ, `ytj.py`)
in production, demo rows in our own database (`local.py`) in development.

The eligibility rules take the register's facts over the applicant's declarations; the form is prefilled
from them after sign-in. A register that cannot answer raises `RegisterUnavailable`, never answers "not
found": the assessment retries, and a person checks by hand when it stays down.
"""

from datetime import date
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel


class RegisterUnavailable(Exception):
    """The register did not answer (timeout, refused, 429, 5xx): try again later."""


class Situation(StrEnum):
    """Insolvency proceedings and the like the register records: a business in one is in difficulty."""

    LIQUIDATION = "liquidation"
    BANKRUPTCY = "bankruptcy"
    RESTRUCTURING = "restructuring"
    CEASED = "ceased"  # the registration has ended


class RegisterEntry(BaseModel):
    business_id: str
    name: str
    # Our codes (tmi, ay, ky, oy, oyj, osk); another form as the register names it in Finnish.
    company_form: str
    home_municipality: str | None = None  # the municipality's Finnish name
    industry_code: str | None = None  # main line of business (TOL)
    registered_on: date | None = None
    employees: int | None = None  # not in the open data; the local register has it
    tax_debt: bool | None = None  # likewise
    employer_register: bool | None = None
    prepayment_register: bool | None = None
    vat_register: bool | None = None
    situations: list[Situation] = []


class TradeRegister(Protocol):
    def lookup(self, business_id: str) -> RegisterEntry | None:
        """The register's entry, or None when the register does not know the business.

        Raises RegisterUnavailable when the register cannot be asked now."""
        ...
