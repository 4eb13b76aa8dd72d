"""Staff sign-in, sessions, CSRF, rate limiting and what each organisation may see."""

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import select

from core.db import Database
from core.seed import create_user, seed_reference_data
from core.settings import DEV_PAYLOAD_KEY, DEV_SECRET, Settings
from models.programme import Programme
from models.staff import Role, User
from tests.factories import application
from tests.support import TEST_PAYLOAD_KEY, make_settings
from tests.web_helpers import csrf_from, sign_in
from web.app import create_app

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff(db: Database) -> dict[str, str]:
    with db.session() as session:
        seed_reference_data(session)
        people = {
            "handler": ("handler@e.example", "E", [Role.HANDLER]),
            "omnia": ("handler@o.example", "O", [Role.HANDLER]),
            "te": ("advisor@te.example", "TE", [Role.HANDLER]),
            "finance": ("finance@e.example", "E", [Role.FINANCE]),
        }
        for email, org, roles in people.values():
            create_user(session, email=email, full_name=email.split("@")[0], organisation=org, roles=roles,
                        password=PASSWORD)
    return {key: email for key, (email, _, _) in people.items()}


def submit_one(client: TestClient) -> str:
    response = client.post("/api/v1/programmes/sole-entrepreneur-2020/applications", json=application())
    assert response.status_code == 201
    return str(response.json()["reference"])


def test_every_staff_page_requires_sign_in(client: TestClient) -> None:
    for path in ("/staff", "/staff/applications/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/staff/login")


def test_sign_in_sets_a_hardened_session_cookie(client: TestClient, staff: dict[str, str]) -> None:
    response = sign_in(client, staff["handler"], PASSWORD)

    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http in tests and dev
    assert client.get("/staff").status_code == 200


def test_cookie_is_secure_outside_dev(db: Database, staff: dict[str, str], programmes: dict[str, Programme]) -> None:
    settings = make_settings(db, environment="production")
    with TestClient(create_app(settings, db=db, programmes=programmes, run_relay=False)) as prod:
        response = sign_in(prod, staff["handler"], PASSWORD)
    assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_password_keeps_the_address_and_says_why(client: TestClient, staff: dict[str, str]) -> None:
    response = sign_in(client, staff["handler"], "wrong")
    assert response.status_code == 401
    assert f'value="{staff["handler"]}"' in response.text
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_passwords_are_stored_as_argon2_hashes(db: Database, staff: dict[str, str]) -> None:
    with db.session() as session:
        user = session.exec(select(User).where(User.email == staff["handler"])).one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_repeated_failures_are_rate_limited(client: TestClient, staff: dict[str, str]) -> None:
    for _ in range(5):
        assert sign_in(client, staff["handler"], "guess").status_code == 401
    # Even the right password is refused for a while: the guesser learns nothing.
    response = sign_in(client, staff["handler"], PASSWORD)
    assert response.status_code == 429
    # Another account is not locked by someone guessing this one.
    assert sign_in(client, staff["omnia"], PASSWORD).status_code == 303


def test_login_and_logout_need_the_csrf_token(client: TestClient, staff: dict[str, str]) -> None:
    forged = client.post("/staff/login", data={"email": staff["handler"], "password": PASSWORD})
    assert forged.status_code == 403

    assert sign_in(client, staff["handler"], PASSWORD).status_code == 303
    assert client.post("/staff/logout", data={}).status_code == 403
    assert client.get("/staff").status_code == 200  # still signed in
    token = csrf_from(client.get("/staff").text)
    assert client.post("/staff/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_next_parameter_never_leaves_the_site(client: TestClient, staff: dict[str, str]) -> None:
    page = client.get("/staff/login?next=https://evil.example/")
    response = client.post(
        "/staff/login",
        data={"email": staff["handler"], "password": PASSWORD, "csrf_token": csrf_from(page.text),
              "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/staff"


def test_processing_organisations_see_applications_others_do_not(client: TestClient, staff: dict[str, str]) -> None:
    reference = submit_one(client)
    sign_in(client, staff["omnia"], PASSWORD)  # Omnia processes the 2020 grant
    assert reference in client.get("/staff").text
    assert client.get("/staff/applications/1").status_code == 200

    client.cookies.clear()
    sign_in(client, staff["te"], PASSWORD)  # the TE Office does not
    assert reference not in client.get("/staff").text
    assert client.get("/staff/applications/1").status_code == 404


def test_roles_without_case_work_do_not_open_applications(client: TestClient, staff: dict[str, str]) -> None:
    submit_one(client)
    sign_in(client, staff["finance"], PASSWORD)
    assert client.get("/staff/applications/1").status_code == 403


def test_placeholder_secrets_are_refused_outside_dev() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=DEV_SECRET, payload_key=TEST_PAYLOAD_KEY)
    with pytest.raises(ValidationError, match="PAYLOAD_KEY"):
        Settings(environment="production", secret_key="s" * 40, payload_key=DEV_PAYLOAD_KEY)
    assert Settings(environment="dev").secret_key == DEV_SECRET


