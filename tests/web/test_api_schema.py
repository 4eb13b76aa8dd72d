"""The OpenAPI document says what the JSON API really answers: schemathesis finds no server error and no
response that breaks the documented schema (status codes, bodies, headers), on inputs of every shape."""

import uuid

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi.checks import positive_data_acceptance

from core.db import Database
from core.migrate import upgrade
from core.settings import PROJECT_ROOT
from models.grants.programme import load_programmes
from tests.factories import in_force_today
from tests.support import IN_2020_WINDOW, SCRATCH, TEST_API_AUTHORIZATION, make_settings
from web.app import create_app

# Built when the module loads: schemathesis makes one test per operation from the app's own schema.
DB_URL = f"sqlite:///{SCRATCH / 'api-schema.db'}"
upgrade(DB_URL)
APP = create_app(
    # Thousands of posts from one test client: the per-client limit on public posts is off here.
    make_settings(Database(DB_URL), environment="dev", public_post_limit=""),
    programmes={
        code: in_force_today(p) for code, p in load_programmes(PROJECT_ROOT / "programmes", include_demo=False).items()
    },
    clock=lambda: IN_2020_WINDOW,
    run_relay=False,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def test_only_the_json_api_is_documented() -> None:
    assert set(APP.openapi()["paths"]) == {
        "/api/v1/programmes/{programme}/applications",
        "/api/v1/status/{token}",
        "/api/v1/token",
        "/api/v1/service-requests",
        "/api/v1/staff/service-requests",
        "/api/v1/staff/service-requests/{request_id}",
    }


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_documented(case: schemathesis.Case) -> None:
    # As the trusted test integration: the programme requires identification, and an anonymous post would
    # stop at 401 before the body is read.
    headers = {"Authorization": TEST_API_AUTHORIZATION}
    for name, generated in list((case.headers or {}).items()):
        if case.path == "/api/v1/service-requests" and name.lower() == "idempotency-key" and len(generated) <= 200:
            # Generated keys ("0", or 200 zeros) are shared by unrelated bodies, which is the conflict the API
            # refuses with 422 by design (tests/web/test_service_requests.py). A valid key is made unique, so each
            # case is a submission of its own; a key too long to be valid is left alone, its refusal still tested.
            unique = uuid.uuid4().hex * 7
            case.headers[name] = unique[: max(len(generated), 32)]
    excluded: list[CheckFunction] = []
    if case.path == "/api/v1/service-requests":
        # A schema can say a business ID's shape, not its check digit (nor an e-mail domain's existence): a
        # schema-valid request may still be refused with 422 and the field, which is right. Every other check
        # (no 5xx, documented statuses and bodies, schema-violating requests refused) still runs.
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers=headers, excluded_checks=excluded)
