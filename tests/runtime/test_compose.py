"""The container setup (docker-compose.yml, Dockerfile) checked by parsing: no Docker engine is needed."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.settings import PROJECT_ROOT, Settings

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"

SERVICES = {"postgres", "temporal", "temporal-ui", "mailpit", "migrate", "web", "worker"}
APP_SERVICES = ("migrate", "web", "worker")
# Long-running services that compose should know the health of. temporal-ui is left out: its image
# ships no tool to probe itself with, and nothing depends on it.
HEALTHCHECKED = ("postgres", "temporal", "mailpit", "web")
FUTURE_ENV: set[str] = set()  # every variable the compose file sets is read by Settings


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return compose["services"]


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the `- NAME=value` form
        env = dict(item.split("=", 1) for item in env)
    return {name: str(value) for name, value in env.items()}


def _instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in dockerfile.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    if pending:
        logical.append(pending)
    result = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        result.append((keyword.upper(), args.strip()))
    return result


def test_all_services_exist(services: dict[str, Any]) -> None:
    assert set(services) == SERVICES


@pytest.mark.parametrize("name", HEALTHCHECKED)
def test_long_running_services_have_a_healthcheck(services: dict[str, Any], name: str) -> None:
    healthcheck = services[name].get("healthcheck")
    assert healthcheck and healthcheck.get("test"), f"{name} has no healthcheck"
    assert not healthcheck.get("disable")


def test_web_healthcheck_calls_healthz(services: dict[str, Any]) -> None:
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_services_without_http_disable_the_image_healthcheck(services: dict[str, Any]) -> None:
    # The image's HEALTHCHECK probes the web port, so the worker and migrate containers turn it off.
    for name in ("worker", "migrate"):
        assert services[name]["healthcheck"] == {"disable": True}


def test_app_services_share_one_image(services: dict[str, Any]) -> None:
    builds = {json.dumps(services[name].get("build"), sort_keys=True) for name in APP_SERVICES}
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(builds) == 1 and len(images) == 1
    assert services["web"].get("build") is not None
    assert services["web"]["image"] == services["worker"]["image"]


def test_app_commands(services: dict[str, Any]) -> None:
    assert services["migrate"]["command"] == ["grantdesk", "migrate"]
    assert services["worker"]["command"] == ["python", "-m", "runtime", "worker"]
    # The web service runs what the image runs by default (listening on all interfaces, port 8000).
    image_cmd = [args for keyword, args in _instructions(DOCKERFILE) if keyword == "CMD"][-1]
    assert services["web"]["command"] == json.loads(image_cmd)
    assert services["migrate"]["restart"] == "no"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment(services: dict[str, Any], name: str) -> None:
    env = _env(services[name])
    assert env["ENVIRONMENT"] == "production"
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    for secret in ("SECRET_KEY", "PAYLOAD_KEY"):
        assert "${" in env[secret], f"{secret} must come from the environment, not the compose file"
    assert "PUBLIC_BASE_URL" in env
    assert env["IDENTIFICATION"] == "suomifi" and env["SAML_IDP_METADATA"].startswith("/config/")
    assert env["REGISTRY"] == "ytj"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_names_are_settings(services: dict[str, Any], name: str) -> None:
    known = {field.upper() for field in Settings.model_fields} | FUTURE_ENV
    unknown = {var for var in _env(services[name]) if var.upper() not in known}
    assert not unknown, f"{name} sets variables that Settings does not read: {sorted(unknown)}"


def test_start_order(services: dict[str, Any]) -> None:
    web = services["web"]["depends_on"]
    assert web["migrate"]["condition"] == "service_completed_successfully"
    assert web["temporal"]["condition"] == "service_healthy"
    worker = services["worker"]["depends_on"]
    assert worker["migrate"]["condition"] == "service_completed_successfully"
    assert worker["temporal"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["temporal"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_temporal_runs_on_postgres(services: dict[str, Any]) -> None:
    env = _env(services["temporal"])
    assert env["DB"] == "postgres12"
    assert env["POSTGRES_SEEDS"] == "postgres"
    assert env["POSTGRES_USER"] == _env(services["postgres"])["POSTGRES_USER"]
    assert env["POSTGRES_PWD"] == _env(services["postgres"])["POSTGRES_PASSWORD"]
    assert _env(services["temporal-ui"])["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_dockerfile_installs_weasyprint_libraries() -> None:
    runs = " ".join(args for keyword, args in _instructions(DOCKERFILE) if keyword == "RUN")
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core", "xmlsec1"):
        assert package in runs
    assert "--no-install-recommends" in runs


def test_dockerfile_does_not_run_as_root() -> None:
    instructions = _instructions(DOCKERFILE)
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users, "no USER line: the container would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    keywords = [keyword for keyword, _ in instructions]
    last_user = len(keywords) - 1 - keywords[::-1].index("USER")
    assert last_user < keywords.index("CMD")


def test_dockerfile_cmd_runs_grantdesk() -> None:
    instructions = _instructions(DOCKERFILE)
    cmd = [args for keyword, args in instructions if keyword == "CMD"][-1]
    assert json.loads(cmd)[:2] == ["grantdesk", "web"]
    assert ("ENV", "ENVIRONMENT=production") in instructions
    healthcheck = [args for keyword, args in instructions if keyword == "HEALTHCHECK"]
    assert healthcheck and "/healthz" in healthcheck[0]
