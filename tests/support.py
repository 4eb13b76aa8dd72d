"""Constants and settings shared by the tests and their helpers."""

import base64
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from core.db import Database
from core.settings import Settings

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
TEST_PAYLOAD_KEY = base64.b64encode(b"test-payload-key-32-bytes-long!!").decode()
# Inside the 2020 programme's application period, so the real programme file is open.
IN_2020_WINDOW = datetime(2020, 5, 2, 7, 0, tzinfo=UTC)
SCRATCH = Path(tempfile.mkdtemp(prefix="grantdesk-tests-"))


def make_settings(db: Database, **overrides: object) -> Settings:
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
        **overrides,
    }
    return Settings.model_validate(values)
