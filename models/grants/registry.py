"""Businesses as the trade register knows them; the local adapter reads demo rows from here."""

from datetime import date

from sqlmodel import Field, SQLModel


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
