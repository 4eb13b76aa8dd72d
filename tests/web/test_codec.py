"""The Temporal UI's codec endpoint: administrators and coordinators read payloads; nobody else; each use audited."""

import asyncio

import httpx
import pytest
from fastapi.testclient import TestClient
from google.protobuf import json_format
from sqlmodel import select
from temporalio.api.common.v1 import Payload, Payloads

from core.db import Database
from core.temporal import EncryptionCodec
from models.audit import AuditEvent
from models.staff import Role
from runtime.seed import create_user, seed_reference_data
from tests.support import TEST_PAYLOAD_KEY
from tests.web_helpers import sign_in

PASSWORD = "codec-test-password"
UI = "http://localhost:8233"
SECRET = b'{"applicant": {"personal_id": "131052-308T"}}'


@pytest.fixture
def people(db: Database) -> None:
    with db.session() as session:
        seed_reference_data(session)
        for email, roles in (("admin@e.example", [Role.ADMIN]), ("handler@e.example", [Role.HANDLER])):
            create_user(session, email=email, full_name=email, organisation="E", roles=roles, password=PASSWORD)


def encrypted() -> dict[str, object]:
    payload = Payload(metadata={"encoding": b"json/plain"}, data=SECRET)
    [sealed] = asyncio.run(EncryptionCodec.from_base64(TEST_PAYLOAD_KEY).encode([payload]))
    assert SECRET not in sealed.data
    return json_format.MessageToDict(Payloads(payloads=[sealed]))


def decode(client: TestClient, body: dict[str, object]) -> httpx.Response:
    return client.post("/codec/decode", json=body, headers={"X-Namespace": "default", "Origin": UI})


def test_an_administrator_reads_the_payload_and_the_use_is_audited(
    client: TestClient, db: Database, people: None
) -> None:
    sign_in(client, "admin@e.example", PASSWORD)

    response = decode(client, encrypted())

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == UI
    [payload] = json_format.ParseDict(response.json(), Payloads()).payloads
    assert payload.data == SECRET
    with db.session() as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "payloads_decoded")).all()
    assert event.detail == {"namespace": "default", "payloads": 1}


def test_nobody_else_decodes(client: TestClient, db: Database, people: None) -> None:
    body = encrypted()
    assert decode(client, body).status_code == 401  # not signed in
    sign_in(client, "handler@e.example", PASSWORD)
    refused = decode(client, body)
    assert refused.status_code == 403
    # The refusal carries the CORS headers too, so the UI can say "not permitted" rather than "unreachable".
    assert refused.headers["access-control-allow-origin"] == UI
    assert SECRET.decode() not in refused.text
    with db.session() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "payloads_decoded")).first() is None


def test_only_the_temporal_ui_may_call_across_origins(client: TestClient) -> None:
    allowed = client.options("/codec/decode", headers={"Origin": UI, "Access-Control-Request-Method": "POST"})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == UI
    other = client.options("/codec/decode", headers={"Origin": "https://evil.example"})
    assert other.status_code == 403
    assert "access-control-allow-origin" not in other.headers


def test_a_payload_under_another_key_is_refused(client: TestClient, people: None) -> None:
    sign_in(client, "admin@e.example", PASSWORD)
    other_key = EncryptionCodec(b"another-32-byte-key-for-the-test")
    [sealed] = asyncio.run(other_key.encode([Payload(metadata={"encoding": b"json/plain"}, data=SECRET)]))
    response = decode(client, json_format.MessageToDict(Payloads(payloads=[sealed])))
    assert response.status_code == 422
