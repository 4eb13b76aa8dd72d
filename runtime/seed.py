"""Seed data: the network's seven organisations, demo businesses and (dev only) demo staff accounts."""

import secrets
from datetime import date
from typing import Any

from sqlmodel import Session, select

from core.passwords import password_hash
from models.grants.registry import RegisteredBusiness
from models.mandates import ActingRight, RecordedRight
from models.service_requests.routing import SEED_RULES, RoutingRule
from models.staff import Organisation, Role, User, UserRole

ORGANISATIONS = [
    (
        "E",
        "City of Espoo, Economic Development and Employment Unit",
        "Industrial policy, employment services; coordinates the network and runs the grant.",
    ),
    ("EE", "Enter Espoo", "Business attraction, landing services, investors, tourism, matchmaking events."),
    ("YE", "EnterpriseEspoo", "Free business advice over the life cycle, start-up grant advice, business plans."),
    ("EY", "Federation of Espoo Enterprises", "Member services, advocacy, legal and tax advice, training."),
    ("CC", "Helsinki Region Chamber of Commerce", "Member services, lobbying, legal and foreign-labour advice."),
    ("O", "Omnia", "Staff training, recruitment, apprenticeships, skills clinic, immigrant services."),
    ("TE", "Uusimaa TE Office", "Employment, recruitment, start-up grant, work permits."),
]

# (business ID, name, form, home municipality, TOL code, registered, employees, tax debt)
DEMO_BUSINESSES = [
    ("0112038-9", "Toiminimi Virtanen", "tmi", "Espoo", "74100", date(2015, 3, 1), 0, False),
    ("2326287-1", "Kahvila Korvapuusti", "tmi", "Espoo", "56101", date(2012, 6, 15), 0, False),
    ("1572860-0", "Esbo Design Ab", "oy", "Espoo", "74102", date(2018, 9, 1), 2, False),
    ("0737546-2", "Helsingin Hieronta", "tmi", "Helsinki", "96040", date(2016, 1, 10), 0, False),
    ("2471871-1", "Metsäpalvelu Koivu", "tmi", "Espoo", "02200", date(2010, 4, 1), 0, False),
    ("1059223-0", "Remontti Rautio", "tmi", "Espoo", "43320", date(2014, 2, 1), 0, True),
    ("3100012-6", "Kukkakauppa Orvokki", "tmi", "Espoo", "47761", date(2011, 5, 1), 0, False),
]
# What else the registers say about some of them: Esbo Design employs, the florist is bankrupt.
DEMO_REGISTER_FACTS: dict[str, dict[str, Any]] = {
    "1572860-0": {"employer_register": True, "prepayment_register": True, "vat_register": True},
    "3100012-6": {"situations": ["bankruptcy"]},
}

# Who may act for the demo businesses (the simulated Mandates service's data): the simulated identification's
# test people (runtime/idp_simulation.py). Laura Nieminen has no right for Esbo Design Ab: try her there.
DEMO_RIGHTS = [
    ("2326287-1", "010170-901K", ActingRight.OWNER),  # Maija Meikäläinen, Kahvila Korvapuusti
    ("1572860-0", "010170-901K", ActingRight.MANDATE),  # ... and a mandate for Esbo Design Ab
    ("0112038-9", "150585-902R", ActingRight.OWNER),  # Matti Virtanen, Toiminimi Virtanen
    ("1572860-0", "080975-903W", ActingRight.REPRESENTATIVE),  # Anna Andersson, Esbo Design Ab
    ("1059223-0", "231166-904W", ActingRight.OWNER),  # Pekka Korhonen, Remontti Rautio
    ("2471871-1", "231166-904W", ActingRight.OWNER),  # ... and Metsäpalvelu Koivu
    ("0737546-2", "120392-9053", ActingRight.OWNER),  # Laura Nieminen, Helsingin Hieronta
    ("3100012-6", "120392-9053", ActingRight.OWNER),  # ... and Kukkakauppa Orvokki (bankrupt)
]

DEMO_STAFF = [
    ("handler@e.example", "Hanna Handler", "E", [Role.HANDLER]),
    ("handler@ee.example", "Eero Enter", "EE", [Role.HANDLER]),
    ("handler@ye.example", "Yrjö Yritys", "YE", [Role.HANDLER]),
    ("handler@o.example", "Olga Omnia", "O", [Role.HANDLER]),
    ("decider@e.example", "Tuula Decider", "E", [Role.DECIDER]),
    ("legal@e.example", "Lauri Legal", "E", [Role.LEGAL]),
    ("finance@e.example", "Fiia Finance", "E", [Role.FINANCE]),
    # A payment batch needs two different finance users' approvals.
    ("finance2@e.example", "Fredrik Finance", "E", [Role.FINANCE]),
    ("coordinator@e.example", "Kaisa Coordinator", "E", [Role.COORDINATOR, Role.HANDLER]),
    ("admin@e.example", "Aki Admin", "E", [Role.ADMIN]),
]
# How decision letters name the demo presenters' and deciders' offices (a letter without them is not made).
# The first of a person's roles found here names their office in letters (a decider's before a handler's).
DEMO_TITLES = {
    Role.DECIDER: {"fi": "elinkeinojohtaja", "sv": "näringslivsdirektör", "en": "Director of Economic Development"},
    Role.HANDLER: {"fi": "yritysneuvoja", "sv": "företagsrådgivare", "en": "business adviser"},
    Role.LEGAL: {"fi": "lakimies", "sv": "jurist", "en": "lawyer"},  # presents rulings on rectification
}


def seed_reference_data(session: Session) -> None:
    """Organisations and demo registry entries; safe to run again."""
    for code, name, description in ORGANISATIONS:
        if session.get(Organisation, code) is None:
            session.add(Organisation(code=code, name=name, description=description))
    for business_id, name, form, town, tol, registered, employees, tax_debt in DEMO_BUSINESSES:
        if session.get(RegisteredBusiness, business_id) is None:
            session.add(
                RegisteredBusiness(
                    business_id=business_id,
                    name=name,
                    company_form=form,
                    home_municipality=town,
                    industry_code=tol,
                    registered_on=registered,
                    employees=employees,
                    tax_debt=tax_debt,
                    **DEMO_REGISTER_FACTS.get(business_id, {}),
                )
            )
    session.flush()  # the organisations, before the rules that name them
    seed_routing_rules(session)
    session.commit()


def seed_routing_rules(session: Session) -> None:
    """The handbook's routing, only into an empty table: rules the network has changed are theirs to keep."""
    if session.exec(select(RoutingRule.id)).first() is not None:
        return
    for package, stage, group, organisation in SEED_RULES:
        session.add(RoutingRule(package=package, stage=stage, customer_group=group, organisation_code=organisation))


def seed_demo_rights(session: Session) -> None:
    """The simulated Mandates service's rights for the demo businesses (never in production); safe to run again."""
    for business_id, personal_id, right in DEMO_RIGHTS:
        if session.get(RecordedRight, (business_id, personal_id, right)) is None:
            session.add(RecordedRight(business_id=business_id, personal_id=personal_id, right=right))
    session.commit()


def create_user(
    session: Session,
    *,
    email: str,
    full_name: str,
    organisation: str,
    roles: list[Role],
    password: str,
    titles: dict[str, str] | None = None,
) -> User:
    user = User(
        email=email.lower(),
        full_name=full_name,
        organisation_code=organisation,
        password_hash=password_hash.hash(password),
        titles=titles or {},
    )
    session.add(user)
    session.flush()
    for role in roles:
        session.add(UserRole(user_id=user.id or 0, role=role))
    session.commit()
    return user


def seed_demo_staff(session: Session) -> list[tuple[str, str]]:
    """Creates the demo accounts that do not exist yet; returns (e-mail, password) of the new ones."""
    created = []
    for email, name, org, roles in DEMO_STAFF:
        if session.exec(select(User).where(User.email == email)).first() is None:
            password = secrets.token_urlsafe(12)
            titles = next((DEMO_TITLES[role] for role in DEMO_TITLES if role in roles), None)
            create_user(
                session, email=email, full_name=name, organisation=org, roles=roles, password=password, titles=titles
            )
            created.append((email, password))
    return created
