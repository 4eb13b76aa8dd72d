"""Trade register look-ups behind an interface: a local adapter now, the real register's HTTP API later."""

from datetime import date
from typing import Protocol

from pydantic import BaseModel

from core.db import Database
from models.grants.registry import RegisteredBusiness


class RegisterEntry(BaseModel):
    business_id: str
    name: str
    company_form: str
    home_municipality: str
    industry_code: str
    registered_on: date
    employees: int | None = None
    tax_debt: bool | None = None


class TradeRegister(Protocol):
    def lookup(self, business_id: str) -> RegisterEntry | None:
        """The register's entry, or None when the register does not know the business."""
        ...


class LocalTradeRegister:
    """Reads the demo businesses seeded into `registered_business`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def lookup(self, business_id: str) -> RegisterEntry | None:
        with self._db.session() as session:
            row = session.get(RegisteredBusiness, business_id)
            return None if row is None else RegisterEntry.model_validate(row, from_attributes=True)
