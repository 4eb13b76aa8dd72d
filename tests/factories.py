"""Valid inputs to start from; each test changes only what it is about."""

import copy
from datetime import date
from typing import Any

from models.grants.eligibility import RegistryFacts, SubmittedApplication
from models.grants.programme import Programme

# Passes every rule of the 2020 programme: 12 000 € in Jan–Feb 2020 (6 000/month), 3 300 € in
# 16.3.–31.5.2020 (about 1 311/month), a drop of about 78 %.
VALID_APPLICATION: dict[str, Any] = {
    "information_is_true": True,
    "applicant": {
        "name": "Maija Meikäläinen",
        "personal_id": "131052-308T",
        "email": "maija@example.com",
        "phone": "+358 40 123 4567",
        "language": "fi",
        "email_consent": True,
        "address": {"street": "Kauppamiehentie 6 A 2", "postcode": "02150", "post_office": "ESPOO", "country": "FI"},
    },
    "business": {
        "business_id": "0112038-9",
        "name": "Toiminimi Virtanen",
        "company_form": "tmi",
        "home_municipality": "Espoo",
        "industry_code": "74100",
        "started_on": "2015-03-01",
        "employees": 0,
        "laid_off_employees": 0,
        "other_working_owners": 0,
        "yel_insured": True,
        "annual_income_eur": "36000.00",
        "profitable_2019": True,
        "in_difficulty_before_crisis": False,
    },
    "turnover": {
        "reference_start": "2020-01-01",
        "reference_end": "2020-02-29",
        "reference_eur": "12000.00",
        "crisis_start": "2020-03-16",
        "crisis_end": "2020-05-31",
        "crisis_eur": "3300.00",
    },
    "aid": {
        "tax_debt": False,
        "tax_payment_plan": False,
        "other_corona_aid": False,
        "de_minimis_eur_3y": "0.00",
    },
    "payment": {"iban": "FI21 1234 5600 0007 85"},
    "costs_description": "Rent of the workshop and accounting fees, March to August 2020.",
}

# Other valid personal identity codes, for tests that need several different people.
PERSONAL_IDS = ["131052-308T", "010190-123M", "311299-1236", "150675-123U", "020202A123C", "240588-1236"]


def application(**changes: Any) -> dict[str, Any]:
    """A deep copy of the valid application with `section__field=value` changes applied."""
    data = copy.deepcopy(VALID_APPLICATION)
    for key, value in changes.items():
        if "__" in key:
            section, field = key.split("__", 1)
            data[section][field] = value
        else:
            data[key] = value
    return data


def submitted(submitted_at: str | None = "2020-05-02T10:00:00+03:00", **changes: Any) -> SubmittedApplication:
    return SubmittedApplication.model_validate({**application(**changes), "submitted_at": submitted_at})


def no_registry(**facts: Any) -> RegistryFacts:
    return RegistryFacts.model_validate(facts)


def in_force_today(programme: Programme) -> Programme:
    """The programme with its legal basis in force from its start until 2100, so a test may decide today."""
    basis = programme.legal_basis.model_copy(update={"valid_until": date(2100, 12, 31)})
    return programme.model_copy(update={"legal_basis": basis})
