"""Who sees which service request: the organisations in its route chain, in the handler and coordinator roles;
nobody else, on the pages and in the JSON API, and another organisation's request answers as a missing one."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.db import Database
from models.service_requests.requests import RouteVia, ServiceRequest, ServiceRoute
from models.staff import Role
from runtime.seed import ORGANISATIONS, create_user, seed_reference_data
from tests.web_helpers import sign_in

PASSWORD = "scope-test-password"
ORGS = [code for code, _, _ in ORGANISATIONS]
# Requests and the organisations they have been with, in order.
CHAINS = {
    "SR-T-1": [("TE", RouteVia.ROUTING)],  # never referred: the TE Office's alone
    "SR-T-2": [("TE", RouteVia.ROUTING), ("O", RouteVia.REFERRAL)],  # referred with consent
    "SR-T-3": [("E", RouteVia.TRIAGE), ("EY", RouteVia.ROUTING)],  # the front desk routed it
}
SERVING = {Role.HANDLER, Role.COORDINATOR}


def _request(session: Session, reference: str, chain: list[tuple[str, RouteVia]]) -> int:
    request = ServiceRequest(
        reference=reference,
        status="new",
        received_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        language="fi",
        name="Asiakas",
        email="asiakas@example.fi",
        package="start",
        stage="planning",
        customer_group="would_be",
        description="Tarvitsen apua liiketoimintasuunnitelmaan.",
        share_consent=len(chain) > 1,
        form_digest="x",
        organisation_code=chain[-1][0],
    )
    session.add(request)
    session.flush()
    for position, (organisation, via) in enumerate(chain, start=1):
        session.add(
            ServiceRoute(request_id=request.id or 0, position=position, organisation_code=organisation, via=via)
        )
    session.commit()
    return request.id or 0


@pytest.fixture
def world(client: TestClient, db: Database) -> Iterator[tuple[TestClient, dict[str, int]]]:
    with db.session() as session:
        seed_reference_data(session)
        ids = {reference: _request(session, reference, chain) for reference, chain in CHAINS.items()}
        for organisation in ORGS:
            for role in Role:
                create_user(
                    session,
                    email=f"{role}@{organisation.lower()}.example",
                    full_name=f"{role} {organisation}",
                    organisation=organisation,
                    roles=[role],
                    password=PASSWORD,
                )
    yield client, ids


@pytest.mark.parametrize("role", list(Role))
def test_each_role_of_each_organisation_sees_exactly_the_requests_routed_to_it(
    world: tuple[TestClient, dict[str, int]], role: Role
) -> None:
    client, ids = world
    for organisation in ORGS:
        client.cookies.clear()
        assert sign_in(client, f"{role}@{organisation.lower()}.example", PASSWORD).status_code == 303
        expected = {
            reference
            for reference, chain in CHAINS.items()
            if role in SERVING and organisation in {org for org, _ in chain}
        }
        who = f"{role} of {organisation}"
        listing = client.get("/staff/service-requests")
        api = client.get("/api/v1/staff/service-requests")
        if role in SERVING:
            assert listing.status_code == 200 and api.status_code == 200, who
            assert {r["reference"] for r in api.json()} == expected, who
            assert {ref for ref in CHAINS if ref in listing.text} == expected, who
        else:
            assert listing.status_code == 403 and api.status_code == 403, who
        for reference, request_id in ids.items():
            page = client.get(f"/staff/service-requests/{request_id}")
            one = client.get(f"/api/v1/staff/service-requests/{request_id}")
            if reference in expected:
                assert page.status_code == 200 and one.status_code == 200, f"{who} should see {reference}"
                assert [link["organisation"] for link in one.json()["chain"]] == [o for o, _ in CHAINS[reference]]
            else:
                allowed = 404 if role in SERVING else 403
                assert (page.status_code, one.status_code) == (allowed, allowed), f"{who} must not see {reference}"
        # No action reaches the workflow of a request the user cannot see.
        hidden = [rid for ref, rid in ids.items() if ref not in expected]
        for request_id in hidden:
            response = client.post(f"/staff/service-requests/{request_id}/close", data={"outcome": "advised"})
            assert response.status_code in (403, 404), who


def test_the_networks_coordinators_see_overdue_requests_without_personal_data(
    world: tuple[TestClient, dict[str, int]], db: Database
) -> None:
    client, ids = world
    with db.session() as session:
        request = session.get(ServiceRequest, ids["SR-T-1"])  # the TE Office's alone
        assert request is not None
        request.escalation = "network"
        session.add(request)
        session.commit()
    assert sign_in(client, "coordinator@e.example", PASSWORD).status_code == 303
    page = client.get("/staff/service-requests/overdue?lang=en")
    assert page.status_code == 200
    assert "SR-T-1" in page.text and "Uusimaa TE Office" in page.text
    assert "Asiakas" not in page.text and "asiakas@example.fi" not in page.text and "liiketoiminta" not in page.text
    assert "SR-T-2" not in page.text  # not overdue
    assert client.get(f"/staff/service-requests/{ids['SR-T-1']}").status_code == 404  # the request itself: not theirs
    client.cookies.clear()
    assert sign_in(client, "coordinator@te.example", PASSWORD).status_code == 303
    assert client.get("/staff/service-requests/overdue").status_code == 404  # not the network's coordinators
