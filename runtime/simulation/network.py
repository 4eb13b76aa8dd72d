"""What every simulated person works with: the database, the Temporal client the staff pages use, the campaign's
programme, and the simulated staff of the network's organisations."""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select

from core.db import Database
from core.settings import Settings
from core.storage import LocalFileStore
from core.temporal import TemporalGateway
from models.grants.programme import Programme
from models.grants.registry import RegisteredBusiness
from models.mandates import ActingRight, RecordedRight
from models.staff import Organisation, Role
from runtime.seed import DEMO_TITLES, create_user, seed_reference_data
from runtime.simulation.campaign import Campaign
from web.services.auth import StaffUser
from web.services.processing import ActionRefused

log = logging.getLogger(__name__)
PASSWORD = "simulated-staff-only"  # noqa: S105 (nobody signs in as them: they act through the update API)
GRANT_ORGANISATIONS = ("E", "EE", "YE", "O")  # process the grant (the programme's processing organisations)
SERVICE_ORGANISATIONS = ("E", "EE", "YE", "EY", "CC", "O", "TE")
DECIDERS = 3
RELOADS = 20
RELOAD_SECONDS = 0.3


@dataclass(frozen=True)
class Staff:
    handlers: list[StaffUser]  # of the grant's processing organisations
    deciders: list[StaffUser]
    legal: StaffUser
    finance: tuple[StaffUser, StaffUser]  # a batch needs two different people
    service: dict[str, StaffUser]  # a handler and coordinator per organisation, for service requests


@dataclass
class Network:
    db: Database
    settings: Settings
    gateway: TemporalGateway
    programme: Programme
    staff: Staff
    bank_dir: Path
    files: LocalFileStore
    done: asyncio.Event = field(default_factory=asyncio.Event)
    needs_info: set[int] = field(default_factory=set)  # applications whose handler asks a question first
    asked: set[int] = field(default_factory=set)
    to_answer: asyncio.Queue[int] = field(default_factory=asyncio.Queue)
    stuck: set[int] = field(default_factory=set)  # tasks whose action the system refused: left to a person
    # What the simulated people did (actions) and what the system refused them (the report lists both).
    actions: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)

    def refused(self, what: str, reason: object) -> None:
        log.warning("refused: %s: %s", what, reason)
        self.refusals[f"{what}: {str(reason)[:120]}"] += 1


async def with_reloads(network: Network, what: str, action: Callable[[], Awaitable[object]]) -> bool:
    """Does the action as a person on the page would: a refusal because the case is a moment behind (another
    action still finishing) is tried again after a reload; one that persists is counted, and False returned."""
    for attempt in range(RELOADS):
        try:
            await action()
            return True
        except ActionRefused as refused:
            if attempt == RELOADS - 1:
                network.refused(what, refused)
                return False
            network.actions["retried"] += 1
            await asyncio.sleep(RELOAD_SECONDS)
    return False


def seed_campaign(db: Database, campaign: Campaign) -> Staff:
    """The network, its simulated staff, and what the trade register and the Mandates service say about the
    campaign's businesses: every applicant owns the sole trader's business they apply for."""
    with db.session() as session:
        seed_reference_data(session)
        names = {o.code: o.name for o in session.exec(select(Organisation)).all()}
        for case in campaign.cases:
            if session.get(RegisteredBusiness, case.business_id) is None:
                session.add(
                    RegisteredBusiness(
                        business_id=case.business_id, name=case.business_name, company_form="tmi",
                        home_municipality=case.home_municipality, industry_code=case.industry_code,
                        registered_on=case.registered_on, employees=0, tax_debt=False,
                    )
                )  # fmt: skip
                session.add(RecordedRight(business_id=case.business_id, personal_id=case.personal_id,
                                          right=ActingRight.OWNER))  # fmt: skip
        session.commit()

        def person(key: str, organisation: str, roles: list[Role]) -> StaffUser:
            titles = next((DEMO_TITLES[role] for role in DEMO_TITLES if role in roles), None)
            user = create_user(
                session, email=f"{key}@simulation.example", full_name=f"Simulated {key.replace('-', ' ').title()}",
                organisation=organisation, roles=roles, password=PASSWORD, titles=titles,
            )  # fmt: skip
            return StaffUser(
                id=user.id or 0, email=user.email, full_name=user.full_name, organisation_code=organisation,
                organisation_name=names[organisation], roles=frozenset(str(r) for r in roles),
            )  # fmt: skip

        return Staff(
            handlers=[person(f"handler-{o.lower()}-{i}", o, [Role.HANDLER])
                      for o in GRANT_ORGANISATIONS for i in (1, 2)],
            deciders=[person(f"decider-{i}", "E", [Role.DECIDER]) for i in range(1, DECIDERS + 1)],
            legal=person("lawyer", "E", [Role.LEGAL]),
            finance=(person("finance-1", "E", [Role.FINANCE]), person("finance-2", "E", [Role.FINANCE])),
            service={o: person(f"adviser-{o.lower()}", o, [Role.HANDLER, Role.COORDINATOR])
                     for o in SERVICE_ORGANISATIONS},
        )  # fmt: skip
