"""Rights to act for a business, behind one interface the Suomi.fi Mandates service would implement (that
adapter is not written yet: it needs the service's credentials and test environment).

`RecordedMandates` answers from the rights recorded in our database (`recorded_right`), as the service
would: the rights a person holds for a business, from the trade register (owner, representative) or given
as mandates, and the businesses a person may act for. In development and tests it is the simulation,
seeded for the demo businesses and the simulated identification's test people.
"""

from typing import Protocol

from sqlmodel import col, select

from core.db import Database
from models.mandates import ActingRight, RecordedRight


class MandatesUnavailable(Exception):
    """The Mandates service did not answer: the applicant tries again shortly."""


class Mandates(Protocol):
    def rights(self, personal_id: str, business_id: str) -> set[ActingRight]:
        """What the person may do for the business; an empty set when nothing."""
        ...

    def businesses(self, personal_id: str) -> list[str]:
        """The business IDs the person holds a right for, to offer them on the form."""
        ...


class RecordedMandates:
    def __init__(self, db: Database) -> None:
        self._db = db

    def rights(self, personal_id: str, business_id: str) -> set[ActingRight]:
        with self._db.session() as session:
            rows = session.exec(
                select(RecordedRight.right).where(
                    RecordedRight.personal_id == personal_id, RecordedRight.business_id == business_id
                )
            ).all()
        return {ActingRight(right) for right in rows}

    def businesses(self, personal_id: str) -> list[str]:
        with self._db.session() as session:
            return sorted(
                set(
                    session.exec(
                        select(RecordedRight.business_id).where(col(RecordedRight.personal_id) == personal_id)
                    ).all()
                )
            )
