"""Where the register and the applicant disagree, in words: which fact, what was declared, what the register says.

A municipality named in the other language (Esbo for Espoo) is the same place, so not a disagreement,
also in assessments stored before municipalities were compared by their official code.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

from core.i18n import N_
from models.municipalities import same_municipality
from web.services.assessment_words import COMPANY_FORMS, Words, register_situations, with_code

DISCREPANCY_FIELDS = {
    "business.name": N_("Business name"),
    "business.company_form": N_("Company form"),
    "business.home_municipality": N_("Home municipality"),
    "business.industry_code": N_("Industry code (TOL 2008)"),
    "business.started_on": N_("Business started"),
    "business.employees": N_("Employees"),
    # Declared no employees, but registered as an employer.
    "business.employer_register": N_("In the employer register"),
    "aid.tax_debt": N_("Tax debt"),
    "aid.other_corona_aid": N_("Other corona funding"),
    "aid.de_minimis_eur_3y": N_("De minimis aid in three years"),
}


@dataclass(frozen=True)
class DiscrepancyInWords:
    field: str
    declared: str
    registry: str


def discrepancy_in_words(discrepancy: Mapping[str, str], language: str) -> DiscrepancyInWords:
    """What the applicant declared and what the register says, as the reader writes such values."""
    w = Words(language)
    field = discrepancy["field"]

    def value(text: str) -> str:
        try:
            if field == "business.company_form" and text in COMPANY_FORMS:
                return w._(COMPANY_FORMS[text])
            if field == "business.home_municipality":
                return with_code(text)
            if field == "business.started_on":
                return w.day(text)
            if field == "aid.de_minimis_eur_3y":
                return w.money(text)
            if text in ("True", "False", "None"):
                return w.answer(text)
        except (InvalidOperation, ValueError):
            pass
        return text

    label = w._(DISCREPANCY_FIELDS[field]) if field in DISCREPANCY_FIELDS else field
    return DiscrepancyInWords(label, value(discrepancy["declared"]), value(discrepancy["registry"]))


def is_real_discrepancy(discrepancy: Mapping[str, str]) -> bool:
    """Assessments stored before municipalities were compared by code noted Esbo against Espoo: not a disagreement."""
    if discrepancy.get("field") != "business.home_municipality":
        return True
    return not same_municipality(discrepancy.get("declared"), discrepancy.get("registry"))


def register_findings(result: Mapping[str, Any], language: str) -> list[str]:
    """For the applicant: where the register's facts were used instead of what they declared, and the
    proceedings it records, so a reason that contradicts their answers says where it came from."""
    w = Words(language)
    lines = [
        w._(
            "%(fact)s: you declared %(declared)s, the register says %(registry)s",
            fact=d.field,
            declared=d.declared,
            registry=d.registry,
        )
        for d in (
            discrepancy_in_words(raw, language)
            for raw in result.get("discrepancies", [])
            if is_real_discrepancy(raw) and raw.get("field") != "business.name"
        )
    ]
    for check in result.get("checks", []):
        lines += register_situations(w, check.get("detail", {}))
    return lines
