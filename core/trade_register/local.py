"""The demo register: businesses seeded into `registered_business` (`grantdesk seed`), for development."""

from core.db import Database
from core.trade_register import RegisterEntry
from models.grants.registry import RegisteredBusiness


class LocalTradeRegister:
    def __init__(self, db: Database) -> None:
        self._db = db

    def lookup(self, business_id: str) -> RegisterEntry | None:
        with self._db.session() as session:
            row = session.get(RegisteredBusiness, business_id)
            return None if row is None else RegisterEntry.model_validate(row, from_attributes=True)
