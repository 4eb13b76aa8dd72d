"""The OpenAPI document says what the JSON API really answers: schemathesis finds no server error and no
response that breaks the documented schema (status codes, bodies, headers), on inputs of every shape."""

import schemathesis
from hypothesis import HealthCheck, settings

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
    }


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_documented(case: schemathesis.Case) -> None:
    # As the trusted test integration: the programme requires identification, and an anonymous post would
    # stop at 401 before the body is read.
    case.call_and_validate(headers={"Authorization": TEST_API_AUTHORIZATION})
