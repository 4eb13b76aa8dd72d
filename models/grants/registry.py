"""Businesses as the trade register knows them: demo rows the local register reads, and what the real
register said today (one question per business per day)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class RegisteredBusiness(SQLModel, table=True):
    __tablename__ = "registered_business"

    business_id: str = Field(primary_key=True, max_length=9)
    name: str = Field(max_length=200)
    company_form: str = Field(max_length=10)
    home_municipality: str = Field(max_length=100)
    industry_code: str = Field(max_length=5)
    registered_on: date
    employees: int | None = None
    tax_debt: bool | None = None
    employer_register: bool | None = None
    prepayment_register: bool | None = None
    vat_register: bool | None = None
    situations: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))


class RegisterLookup(SQLModel, table=True):
    """The register's answer about a business on a Helsinki day: the register is asked once a day per
    business, whoever asks (the form's prefill, every assessment round)."""

    __tablename__ = "register_lookup"

    business_id: str = Field(primary_key=True, max_length=9)
    looked_up_on: date = Field(primary_key=True)
    entry: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # None: not found
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
