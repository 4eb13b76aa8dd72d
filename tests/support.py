"""Constants and settings shared by the tests and their helpers."""

import base64
import hashlib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from core.db import Database
from core.saml import ensure_keypair
from core.settings import Settings

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
TEST_PAYLOAD_KEY = base64.b64encode(b"test-payload-key-32-bytes-long!!").decode()
# Inside the 2020 programme's application period, so the real programme file is open.
IN_2020_WINDOW = datetime(2020, 5, 2, 7, 0, tzinfo=UTC)
SCRATCH = Path(tempfile.mkdtemp(prefix="grantdesk-tests-"))
SIMULATION_IDP_URL = "http://idp.test"  # the simulated identification service, driven in-process
# A trusted integration's credential: tests that are not about identification send applications with it.
TEST_API_CLIENT = ("tests", "test-integration-secret")
TEST_API_AUTHORIZATION = "Basic " + base64.b64encode(":".join(TEST_API_CLIENT).encode()).decode()
TEST_SETTINGS_API_CLIENTS = f"{TEST_API_CLIENT[0]}:{hashlib.sha256(TEST_API_CLIENT[1].encode()).hexdigest()}"


def _saml_keys() -> None:
    ensure_keypair(SCRATCH / "saml" / "sp.key", SCRATCH / "saml" / "sp.crt", "grantdesk tests")
    ensure_keypair(SCRATCH / "saml" / "idp.key", SCRATCH / "saml" / "idp.crt", "grantdesk tests idp")


# Production identifies applicants with Suomi.fi; its metadata is read only when someone signs in.
# What production needs besides its secrets: the real identification service and trade register.
PRODUCTION_SERVICES = {
    "identification": "suomifi",
    "saml_idp_metadata": "/etc/grantdesk/suomifi-metadata.xml",
    "registry": "ytj",
}


def make_settings(db: Database, **overrides: object) -> Settings:
    _saml_keys()
    if overrides.get("environment") == "production":
        overrides = {**PRODUCTION_SERVICES, **overrides}
    values: dict[str, object] = {
        "environment": "test",
        "database_url": db.url,
        "secret_key": TEST_SECRET,
        "payload_key": TEST_PAYLOAD_KEY,
        "temporal_address": "127.0.0.1:1",  # nothing there unless a test says so
        "public_base_url": "http://testserver",
        # Never the project's own var/: files a test writes go to the run's temporary folder.
        "documents_dir": SCRATCH / "documents",
        "mail_dir": SCRATCH / "outbox",
        "bank_outgoing_dir": SCRATCH / "bank",
        "payment_debtor_iban": "FI4950009420028730",  # not the demo account, which production refuses
        "saml_sp_key_file": SCRATCH / "saml" / "sp.key",
        "saml_sp_cert_file": SCRATCH / "saml" / "sp.crt",
        "simulation_idp_key_file": SCRATCH / "saml" / "idp.key",
        "simulation_idp_cert_file": SCRATCH / "saml" / "idp.crt",
        "simulation_idp_url": SIMULATION_IDP_URL,
        "api_clients": TEST_SETTINGS_API_CLIENTS,
        **overrides,
    }
    return Settings.model_validate(values)
