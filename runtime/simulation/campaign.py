"""A campaign to simulate: who applies, for which business, and what becomes of each case, drawn from a seed.

The mix follows the 2020 campaigns the handbook describes: about three in four approved (Espoo), about half of
the cases needing more information from the applicant (Vantaa), and the usual rejections: turnover that did not
fall enough, a business registered in another municipality, an application after closing, a second application
for the same business. Some rejected applicants ask for rectification. People and businesses come from Faker's
Finnish locale, whose identity codes and business IDs carry valid check characters.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from faker import Faker

from models.service_requests.catalogue import CustomerGroup, LifeCycleStage, ServicePackage


class Fate(StrEnum):
    """What the rules will make of the application (the staff's proposals follow the assessment)."""

    ELIGIBLE = "eligible"
    SMALL_DROP = "small_drop"  # turnover fell 30 % or less
    WRONG_MUNICIPALITY = "wrong_municipality"
    LATE = "late"  # sent after the call closed
    DUPLICATE = "duplicate"  # a second application for a business that already applied


# Shares of the applications (the rest are eligible): about 75 % end approved, as in Espoo.
SHARES = {Fate.SMALL_DROP: 0.10, Fate.WRONG_MUNICIPALITY: 0.05, Fate.LATE: 0.04, Fate.DUPLICATE: 0.04}
NEEDS_INFO_SHARE = 0.5  # Vantaa: about half of the applications needed more information
RECTIFICATION_SHARE = 0.25  # of the rejected applicants
LANGUAGES = (("fi", 0.8), ("sv", 0.1), ("en", 0.1))
HOME = "Espoo"
ELSEWHERE = ("Helsinki", "Vantaa", "Kauniainen", "Kirkkonummi")


@dataclass(frozen=True)
class Case:
    """One application of the campaign, as its applicant will send it, and its planned course."""

    n: int
    fate: Fate
    needs_info: bool
    asks_rectification: bool
    personal_id: str
    given_names: str
    surname: str
    language: str
    business_id: str
    business_name: str
    home_municipality: str
    registered_on: date
    industry_code: str
    iban: str
    email_consent: bool
    street: str
    postcode: str
    post_office: str
    reference_eur: Decimal
    crisis_eur: Decimal

    @property
    def email(self) -> str:
        return f"applicant-{self.n}@simulation.example"

    def form(self) -> dict[str, Any]:
        """The application's JSON body, as the form or an integration sends it."""
        return {
            "information_is_true": True,
            "applicant": {
                "name": f"{self.given_names} {self.surname}",
                "personal_id": self.personal_id,
                "email": self.email,
                "phone": "+358 40 123 4567",
                "language": self.language,
                "email_consent": self.email_consent,
                "address": {
                    "street": self.street,
                    "postcode": self.postcode,
                    "post_office": self.post_office.upper(),
                    "country": "FI",
                },
            },
            "business": {
                "business_id": self.business_id,
                "name": self.business_name,
                "company_form": "tmi",
                "home_municipality": HOME,  # as declared: the register has the last word
                "industry_code": self.industry_code,
                "started_on": self.registered_on.isoformat(),
                "employees": 0,
                "laid_off_employees": 0,
                "other_working_owners": 0,
                "yel_insured": True,
                "annual_income_eur": "30000.00",
                "profitable_2019": True,
                "in_difficulty_before_crisis": False,
            },
            "turnover": {
                # The same weeks a year apart, as most applicants compared them.
                "reference_start": "2019-03-16",
                "reference_end": "2019-05-31",
                "reference_eur": str(self.reference_eur),
                "crisis_start": "2020-03-16",
                "crisis_end": "2020-05-31",
                "crisis_eur": str(self.crisis_eur),
            },
            "aid": {"tax_debt": False, "tax_payment_plan": False, "other_corona_aid": False, "de_minimis_eur_3y": "0"},
            "payment": {"iban": self.iban},
            "costs_description": "Rent, accounting and insurance while the business was closed.",
        }


@dataclass(frozen=True)
class ServiceNeed:
    """One customer asking the network for help beside the grant."""

    n: int
    personal_id: str
    given_names: str
    surname: str
    language: str
    package: ServicePackage
    stage: LifeCycleStage
    group: CustomerGroup
    consent: bool
    referred: bool  # the first organisation sends it on to another
    rating: int | None  # the feedback the customer gives, or none

    @property
    def email(self) -> str:
        return f"customer-{self.n}@simulation.example"

    def form(self) -> dict[str, Any]:
        return {
            "package": str(self.package),
            "stage": str(self.stage),
            "customer_group": str(self.group),
            "description": "I would like advice on keeping my business going through the crisis.",
            "name": f"{self.given_names} {self.surname}",
            "email": self.email,
            "language": self.language,
            "share_consent": self.consent,
        }


@dataclass
class Campaign:
    cases: list[Case]
    service_needs: list[ServiceNeed] = field(default_factory=list)

    @property
    def on_time(self) -> list[Case]:
        return [c for c in self.cases if c.fate not in (Fate.LATE, Fate.DUPLICATE)]

    @property
    def after_closing(self) -> list[Case]:
        """Sent after the on-time ones: late applications and second applications for the same business."""
        return [c for c in self.cases if c.fate in (Fate.LATE, Fate.DUPLICATE)]


def plan_campaign(applications: int, service_requests: int, seed: int) -> Campaign:
    """The same seed gives the same campaign, person for person."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible simulation, not a secret)
    fake = Faker("fi_FI")
    fake.seed_instance(seed)
    seen_people: set[str] = set()
    seen_businesses: set[str] = set()
    cases: list[Case] = []
    for n in range(applications):
        fate = _draw_fate(rng) if cases else Fate.ELIGIBLE
        if fate == Fate.DUPLICATE:  # of an application sent on time, before the call closed
            first = rng.choice([c for c in cases if c.fate != Fate.LATE])
            cases.append(_again(first, n, rng))
            continue
        personal_id = _unique(lambda: _identity_code(fake), seen_people)
        business_id = _unique(fake.company_business_id, seen_businesses)
        reference = Decimal(rng.randrange(6_000, 30_000))
        drop = rng.uniform(0.05, 0.29) if fate == Fate.SMALL_DROP else rng.uniform(0.35, 0.95)
        cases.append(
            Case(
                n=n,
                fate=fate,
                needs_info=rng.random() < NEEDS_INFO_SHARE,
                asks_rectification=fate != Fate.ELIGIBLE and rng.random() < RECTIFICATION_SHARE,
                personal_id=personal_id,
                given_names=fake.first_name(),
                surname=fake.last_name(),
                language=_weighted(rng, LANGUAGES),
                business_id=business_id,
                business_name=f"Toiminimi {fake.last_name()} {n}",
                home_municipality=rng.choice(ELSEWHERE) if fate == Fate.WRONG_MUNICIPALITY else HOME,
                registered_on=date(rng.randrange(2005, 2019), rng.randrange(1, 13), 1),
                industry_code=rng.choice(("47190", "56101", "74100", "96020", "85520", "90010")),
                iban=fake.iban(),
                email_consent=rng.random() < 0.9,
                street=fake.street_address(),
                postcode=fake.postcode(),
                post_office=HOME,
                reference_eur=reference,
                crisis_eur=(reference * Decimal(str(round(1 - drop, 3)))).quantize(Decimal("1")),
            )
        )
    return Campaign(cases=cases, service_needs=_plan_service_needs(service_requests, rng, fake, seen_people))


def _again(first: Case, n: int, rng: random.Random) -> Case:
    """The same person applies again for the same business (the register counts the first application)."""
    return Case(**{**first.__dict__, "n": n, "fate": Fate.DUPLICATE, "needs_info": False,
                   "asks_rectification": rng.random() < RECTIFICATION_SHARE})  # fmt: skip


def _plan_service_needs(count: int, rng: random.Random, fake: Faker, seen: set[str]) -> list[ServiceNeed]:
    needs = []
    for n in range(count):
        consent = rng.random() < 0.7
        needs.append(
            ServiceNeed(
                n=n,
                personal_id=_unique(lambda: _identity_code(fake), seen),
                given_names=fake.first_name(),
                surname=fake.last_name(),
                language=_weighted(rng, LANGUAGES),
                package=rng.choice(list(ServicePackage)),
                stage=rng.choice(list(LifeCycleStage)),
                group=rng.choice(list(CustomerGroup)),
                consent=consent,
                referred=consent and rng.random() < 0.3,
                rating=rng.randrange(1, 6) if rng.random() < 0.6 else None,
            )
        )
    return needs


def _identity_code(fake: Faker) -> str:
    """A valid personal identity code from the range kept for test use (individual numbers 900-999)."""
    finnish: Any = fake  # the fi_FI provider's arguments are not in Faker's generic stubs
    return str(finnish.ssn(min_age=20, max_age=70, artificial=True))


def _draw_fate(rng: random.Random) -> Fate:
    roll = rng.random()
    for fate, share in SHARES.items():
        if roll < share:
            return fate
        roll -= share
    return Fate.ELIGIBLE


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _unique(draw: Any, seen: set[str]) -> str:
    while (value := draw()) in seen:
        pass
    seen.add(value)
    return str(value)
