"""Routing rules as data: service package × life-cycle stage × customer group → the organisation that serves it.

A rule may leave the stage or the group open (None: any). The most specific matching rule wins (both named
beats one, one beats none); no match sends the request to the network's front desk (triage). The rules are
rows, seeded from the organisations' roles in the handbook (`SEED_RULES`), so the network changes them
without a release.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.service_requests.catalogue import CustomerGroup as G
from models.service_requests.catalogue import LifeCycleStage as S
from models.service_requests.catalogue import ServicePackage as P


class RoutingRule(SQLModel, table=True):
    __tablename__ = "routing_rule"
    __table_args__ = (UniqueConstraint("package", "stage", "customer_group"),)

    id: int | None = Field(default=None, primary_key=True)
    package: str = Field(max_length=30)
    stage: str | None = Field(default=None, max_length=20)
    customer_group: str | None = Field(default=None, max_length=20)
    organisation_code: str = Field(foreign_key="organisation.code", max_length=10)


@dataclass(frozen=True)
class Need:
    package: str
    stage: str
    customer_group: str


def route_for(rules: Iterable[RoutingRule], need: Need) -> str | None:
    """The organisation of the most specific rule that matches, or None (triage)."""
    matching = [
        r
        for r in rules
        if r.package == need.package
        and r.stage in (None, need.stage)
        and r.customer_group in (None, need.customer_group)
    ]
    if not matching:
        return None
    best = max(matching, key=lambda r: ((r.stage is not None) + (r.customer_group is not None), -(r.id or 0)))
    return best.organisation_code


# (package, stage or None, customer group or None, organisation) from the handbook's table of what each does.
SEED_RULES: list[tuple[P, S | None, G | None, str]] = [
    (P.START, None, None, "YE"),  # EnterpriseEspoo: business plans, start-up advice
    (P.START, S.VISITING, G.ELSEWHERE, "EE"),  # Enter Espoo: landing services for those moving in
    (P.GROW, None, None, "YE"),
    (P.GROW, None, G.MEDIUM, "EE"),  # investors, matchmaking
    (P.GROW, None, G.LARGE, "EE"),
    (P.COMPETENCE, None, None, "O"),  # Omnia: staff training, apprenticeships, skills clinic
    (P.RECRUITMENT, None, None, "TE"),  # the TE Office: recruitment, work permits
    (P.RECRUITMENT, None, G.IMMIGRANT, "O"),  # Omnia's immigrant services
    (P.INTERNATIONALISATION, None, None, "CC"),  # the Chamber: documents, foreign-labour advice
    (P.INTERNATIONALISATION, S.VISITING, None, "EE"),
    # Change situations are the Federation's legal and tax advice once there is a business to change;
    # before that, the front desk finds the right place.
    (P.CHANGE, S.ONGOING, None, "EY"),
    (P.CHANGE, S.CHANGE, None, "EY"),
]
