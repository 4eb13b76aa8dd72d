"""A grant programme as data: everything a municipality set differently lives in its TOML file."""

import tomllib
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.grants.decision_texts import (
    ContactPerson,
    DecidingAuthority,
    DeMinimis,
    GrantTerms,
    LegalBasis,
    RecoveryTerms,
    Rectification,
    in_language,
)
from models.municipalities import same_municipality

HELSINKI = ZoneInfo("Europe/Helsinki")


class Period(BaseModel):
    start: date
    end: date


class TurnoverRule(BaseModel):
    """How the turnover drop is measured: average turnover per month, reference versus crisis period."""

    drop_threshold: Decimal = Field(description="The drop must be MORE than this share, e.g. 0.30")
    crisis_earliest_start: date
    reference_earliest_start: date
    reference_latest_end: date
    reference_min_months: Decimal = Decimal("1")
    description: dict[str, str] = {}


class PrivacyNotice(BaseModel):
    """What the GDPR (Articles 13 and 14) says an applicant must be told before giving their data."""

    controller: dict[str, str]
    purpose: dict[str, str]
    legal_basis: dict[str, str]
    recipients: dict[str, str]
    retention: dict[str, str]
    rights: dict[str, str]
    contact: dict[str, str]

    # In the order the notice shows them, with their headings (web/routes/public.py translates those).
    SECTIONS: ClassVar[tuple[str, ...]] = (
        "controller",
        "purpose",
        "legal_basis",
        "recipients",
        "retention",
        "rights",
        "contact",
    )

    def section_in(self, name: str, language: str) -> str:
        texts: dict[str, str] = getattr(self, name)
        return in_language(texts, language)


class DeemedReceivedDays(BaseModel):
    email: int = 3
    letter: int = 7


class Programme(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    title: dict[str, str]
    municipality: str
    municipality_aliases: list[str] = []
    # The grantor as named in decision letters, per language.
    grantor: dict[str, str] = {}
    # The provisions applied, per language, and the days they are in force (a decision outside is refused).
    legal_basis: LegalBasis
    deciding_authority: DecidingAuthority
    contact: ContactPerson
    grant_terms: GrantTerms
    de_minimis: DeMinimis
    recovery: RecoveryTerms
    amount: Decimal
    opens_at: datetime
    closes_at: datetime
    eligible_costs: Period
    turnover: TurnoverRule
    full_time_income_eur: Decimal
    young_business_months: int = 6
    excluded_industry_prefixes: list[str]
    company_forms: list[str]
    budget_eur: Decimal
    reply_deadline_days: int
    appeal_days: int
    deemed_received_days: DeemedReceivedDays
    rectification: Rectification
    privacy: PrivacyNotice
    # Standard justification texts: "approve" and one per rejection reason code, each in fi, sv and en.
    justifications: dict[str, dict[str, str]]
    rules_version: str
    decision_prefix: str
    processing_organisations: list[str]
    paying_organisation: str  # its finance staff pay the grants and see the payments
    # "required": applicants sign in through the national identification service (or come through a trusted
    # integration); "none": the form takes the identity as typed (a programme for trying things out, say).
    identification: Literal["required", "none"] = "none"
    demo: bool = False

    @field_validator("opens_at", "closes_at")
    @classmethod
    def _local_time(cls, value: datetime) -> datetime:
        # Times in the file are wall-clock times in Helsinki unless an offset is written.
        return value if value.tzinfo else value.replace(tzinfo=HELSINKI)

    def is_open(self, at: datetime) -> bool:
        return self.opens_at <= at <= self.closes_at

    def title_in(self, language: str) -> str:
        return in_language(self.title, language)

    def grantor_in(self, language: str) -> str:
        return in_language(self.grantor, language) or self.municipality

    def legal_basis_in(self, language: str, *, approve: bool = True) -> str:
        return in_language(self.legal_basis.for_outcome(approve), language)

    @property
    def de_minimis_ceiling_eur(self) -> Decimal:
        return self.de_minimis.ceiling_eur

    def justification_in(self, language: str, *, approve: bool, reasons: Sequence[str] = ()) -> str:
        """The standard text for an approval, or those of the rejection's reasons, one paragraph each."""
        keys = ["approve"] if approve else list(reasons)
        return "\n\n".join(
            in_language(self.justifications[key], language) for key in keys if key in self.justifications
        )

    def accepts_municipality(self, name: str | None) -> bool:
        """By official code, so the Swedish name (Esbo) is the programme's Espoo; aliases for names outside the list."""
        return any(same_municipality(name, wanted) for wanted in (self.municipality, *self.municipality_aliases))


def load_programme(path: Path) -> Programme:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    data.setdefault("code", path.stem)
    return Programme.model_validate(data)


def load_programmes(directory: Path, *, include_demo: bool) -> dict[str, Programme]:
    """Every `*.toml` in the folder is a programme; `demo/` holds demo ones for the dev server."""
    files = sorted(directory.glob("*.toml"))
    if include_demo:
        files += sorted((directory / "demo").glob("*.toml"))
    programmes = [load_programme(path) for path in files]
    return {p.code: p for p in programmes}
