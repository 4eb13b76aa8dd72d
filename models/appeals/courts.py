"""The administrative court a ruling on rectification is appealed to, as data (administrative_courts.toml)."""

import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from models.grants.decision_texts import Texts, in_language

COURTS_FILE = Path(__file__).with_name("administrative_courts.toml")
# An appeal to the administrative court is made within 30 days of being notified of the ruling (Local
# Government Act 135 §, Act on Administrative Judicial Procedure 13 §), counted like every time limit.
COURT_APPEAL_DAYS = 30


class AdministrativeCourt(BaseModel):
    name: Texts
    address: Texts
    email: str
    phone: str
    opening_hours: Texts
    e_service: str

    def name_in(self, language: str) -> str:
        return in_language(self.name, language)


@cache
def administrative_courts() -> dict[str, AdministrativeCourt]:
    with COURTS_FILE.open("rb") as file:
        return {code: AdministrativeCourt.model_validate(court) for code, court in tomllib.load(file).items()}


def administrative_court(code: str) -> AdministrativeCourt:
    courts = administrative_courts()
    if code not in courts:
        raise ValueError(f"ADMINISTRATIVE_COURT {code!r} is not in {COURTS_FILE.name} (known: {', '.join(courts)})")
    return courts[code]
