"""Every route × every role × own or other organisation × anonymous: who gets in, and who is told nothing.

The routes come from the application's own route table, so a route added without a line here fails
`test_every_route_has_a_line_in_the_matrix`. Each principal gets a fresh copy of one prepared database
(an application of the grant, its open handler task, an attachment, a decision letter and a print
batch), signs in once, and tries every route.
"""

import hashlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.db import Database
from core.storage import LocalFileStore
from models.documents import Document, DocumentKind
from models.grants.decisions import Decision, Proposal
from models.grants.info_requests import Attachment
from models.grants.programme import Programme
from models.grants.status_links import status_token
from models.payments.batches import PaymentBatch, PaymentBatchStatus
from models.payments.payments import Payment
from models.payments.recovery import Recovery
from models.service_requests.form import ServiceRequestForm
from models.service_requests.links import CONFIRM_SALT, request_token
from models.service_requests.requests import RouteVia, ServiceRoute
from models.serving.print_batches import PrintBatch, PrintBatchStatus
from models.staff import LinkPurpose, Role
from models.subjects import SubjectType
from models.tasks import Task, TaskKind, TaskStatus
from models.types import utcnow
from runtime.seed import create_user, seed_reference_data
from tests.factories import application
from tests.support import IN_2020_WINDOW, TEST_API_AUTHORIZATION, TEST_SECRET, make_settings
from tests.web_helpers import csrf_from, sign_in
from tests.workflow_helpers import accept
from web.app import create_app
from web.services.password_links import issue_link
from web.services.service_requests.intake import submit_service_request

PASSWORD = "matrix-test-password"
OWN, OTHER = "E", "TE"  # the City processes the grant; the TE Office does not
PDF = b"%PDF-1.4\n%%EOF\n"

ALLOW = "allow"  # passed the checks (the answer may still be 409/422 for the state or the input)
LOGIN = "login"  # sent to the sign-in page
UNSIGNED = "401"  # an endpoint for programs (the Temporal UI's codec calls) says "sign in", not redirects
FORBID = "403"  # signed in, but the role may not
HIDDEN = "404"  # another organisation's case, or a key that opens nothing: as if it did not exist


@dataclass(frozen=True)
class Principal:
    role: str | None  # None: not signed in
    own: bool = True

    @property
    def email(self) -> str:
        return f"{self.role}@{OWN if self.own else OTHER}.example".lower()

    def __str__(self) -> str:
        return "anonymous" if self.role is None else f"{self.role}-{'own' if self.own else 'other'}"


PRINCIPALS = [Principal(None)] + [Principal(str(role), own) for role in Role for own in (True, False)]
CASE_ROLES = {Role.HANDLER, Role.DECIDER, Role.LEGAL, Role.COORDINATOR, Role.ADMIN}
Rule = Callable[[Principal], str]


def public(p: Principal) -> str:
    return ALLOW


def wrong_password(p: Principal) -> str:
    return UNSIGNED


def unidentified(p: Principal) -> str:
    """Applying to a programme that requires identification: a staff sign-in identifies no applicant."""
    return UNSIGNED


def token_refused(p: Principal) -> str:
    return HIDDEN


def signed_in(p: Principal) -> str:
    return LOGIN if p.role is None else ALLOW


def roles(*allowed: str) -> Rule:
    """Lists and actions of a role: the organisation only narrows what is listed."""
    return lambda p: LOGIN if p.role is None else ALLOW if p.role in allowed else FORBID


def case(*allowed: str, acting: tuple[str, ...] | None = None) -> Rule:
    """A resource of the grant's cases: the role first, then the organisation, then who may act on it."""

    def rule(p: Principal) -> str:
        if p.role is None:
            return LOGIN
        if p.role not in allowed:
            return FORBID
        if not p.own:
            return HIDDEN
        return FORBID if acting is not None and p.role not in acting else ALLOW

    return rule


def print_batch(p: Principal) -> str:
    if p.role is None:
        return LOGIN
    if p.role not in CASE_ROLES:
        return FORBID
    return ALLOW if p.own and p.role == Role.COORDINATOR else HIDDEN


def own_coordinators(p: Principal) -> str:
    """The post room's batch in a path: coordinators only, and of an organisation processing its programme."""
    if p.role is None:
        return LOGIN
    if p.role != Role.COORDINATOR:
        return FORBID
    return ALLOW if p.own else HIDDEN


def own_finance(p: Principal) -> str:
    """Payments of the grants the user's organisation pays: its finance staff only."""
    if p.role is None:
        return LOGIN
    if p.role != Role.FINANCE:
        return FORBID
    return ALLOW if p.own else HIDDEN


def finance_pages(p: Principal) -> str:
    """Finance's lists: any finance user gets in; another organisation's user sees none of this one's rows."""
    return LOGIN if p.role is None else ALLOW if p.role == Role.FINANCE else FORBID


def decoders(p: Principal) -> str:
    """Temporal payloads are decoded for administrators and coordinators of any organisation."""
    if p.role is None:
        return UNSIGNED
    return ALLOW if p.role in (Role.ADMIN, Role.COORDINATOR) else FORBID


def own_administrators(p: Principal) -> str:
    """An organisation's staff accounts: its administrators only; to another organisation's, not there at all."""
    if p.role is None:
        return LOGIN
    if p.role != Role.ADMIN:
        return FORBID
    return ALLOW if p.own else HIDDEN


SERVICE_ROLES = {Role.HANDLER, Role.COORDINATOR}


def service_request(p: Principal) -> str:
    """A service request routed to the own organisation: its handlers and coordinators; another organisation's
    are told nothing."""
    if p.role is None:
        return LOGIN
    if p.role not in SERVICE_ROLES:
        return FORBID
    return ALLOW if p.own else HIDDEN


def service_request_json(p: Principal) -> str:
    """The same through the staff JSON API: "sign in" as 401, not a redirect."""
    return UNSIGNED if p.role is None else service_request(p)


def service_requests_json(p: Principal) -> str:
    """The organisation's list through the staff JSON API: any handler or coordinator (their own rows only)."""
    if p.role is None:
        return UNSIGNED
    return ALLOW if p.role in SERVICE_ROLES else FORBID


def network_coordinators(p: Principal) -> str:
    """The network's overdue service requests: coordinators of the coordinating organisation only."""
    if p.role is None:
        return LOGIN
    if p.role != Role.COORDINATOR:
        return FORBID
    return ALLOW if p.own else HIDDEN


def administrators(p: Principal) -> str:
    """Outside dev the API documentation is for administrators, of any organisation."""
    return LOGIN if p.role is None else ALLOW if p.role == Role.ADMIN else HIDDEN


@dataclass(frozen=True)
class Fixture:
    db_file: Path
    documents: Path
    token: str
    ids: dict[str, int]
    password_link: str  # a one-time link of the own organisation's handler
    service_token: str  # the status page of a service request routed to the own organisation
    confirm_token: str  # its e-mail confirmation


@dataclass(frozen=True)
class Case:
    url: str
    rule: Rule
    data: dict[str, object] | None = None  # posted with the CSRF token
    json: bool = False
    method: str | None = None  # another method than GET (no data) or POST (data)
    headers: dict[str, str] | None = None


def matrix(f: Fixture) -> dict[str, list[Case]]:
    """Route → the requests made to it and who may make them."""
    ids, token = f.ids, f.token
    case_roles = tuple(CASE_ROLES)
    task = f"/staff/tasks/{ids['task']}"
    service = f"/staff/service-requests/{ids['service_request']}"
    form: dict[str, object] = {}
    return {
        "GET /healthz": [Case("/healthz", public)],
        "GET /": [Case("/", public)],
        "GET /apply/{programme}": [Case("/apply/sole-entrepreneur-2020", public)],
        "POST /apply/{programme}": [Case("/apply/sole-entrepreneur-2020", unidentified, form)],
        "GET /sign-in": [Case("/sign-in?next=/my-applications", public)],  # to the identification service
        "POST /sign-in/acs": [Case("/sign-in/acs", public, {"SAMLResponse": "x", "RelayState": "x"})],  # refused
        "POST /sign-out": [Case("/sign-out", public, {})],
        "GET /saml/metadata": [Case("/saml/metadata", public)],
        "GET /my-applications": [Case("/my-applications", public)],  # to the sign-in: a person's own only
        "GET /api/v1/token": [Case("/api/v1/token", unidentified)],
        "GET /apply/{programme}/privacy": [Case("/apply/sole-entrepreneur-2020/privacy", public)],
        "GET /lost-link": [Case("/lost-link", public)],
        "GET /decisions": [Case("/decisions", public)],
        "POST /lost-link": [Case("/lost-link", public, {"reference": "ESP-2020-000001", "email": "x@example.com"})],
        "GET /status/{token}": [Case(f"/status/{token}", public), Case(f"/status/{token}x", token_refused)],
        "POST /status/{token}/answer": [
            Case(f"/status/{token}/answer", public, {"answer": "x"}),
            Case(f"/status/{token}x/answer", token_refused, {"answer": "x"}),
        ],
        "POST /status/{token}/withdraw": [
            Case(f"/status/{token}/withdraw", public, form),
            Case(f"/status/{token}x/withdraw", token_refused, form),
        ],
        "POST /status/{token}/account": [
            Case(f"/status/{token}/account", public, {"iban": "FI4950009420028730"}),
            Case(f"/status/{token}x/account", token_refused, {"iban": "FI4950009420028730"}),
        ],
        "POST /status/{token}/recovery/{recovery_seq}/explanation": [
            Case(f"/status/{token}/recovery/1/explanation", token_refused, {"text": "x"}),  # no hearing is open
            Case(f"/status/{token}x/recovery/1/explanation", token_refused, {"text": "x"}),
        ],
        "POST /status/{token}/rectification": [
            Case(f"/status/{token}/rectification", public, {"demand": "x"}),  # none served: refused, kept
            Case(f"/status/{token}x/rectification", token_refused, {"demand": "x"}),
        ],
        "GET /status/{token}/ruling-letter/{request_seq}": [
            Case(f"/status/{token}/ruling-letter/1", token_refused),  # no ruling: as if it did not exist
            Case(f"/status/{token}x/ruling-letter/1", token_refused),
        ],
        "GET /status/{token}/recovery-letter/{recovery_seq}": [
            Case(f"/status/{token}/recovery-letter/1", token_refused),  # none decided: as if it did not exist
            Case(f"/status/{token}x/recovery-letter/1", token_refused),
        ],
        "GET /status/{token}/letter": [
            Case(f"/status/{token}/letter", public),
            Case(f"/status/{token}x/letter", token_refused),
        ],
        "POST /api/v1/programmes/{programme}/applications": [
            Case("/api/v1/programmes/sole-entrepreneur-2020/applications", unidentified, application(), json=True),
            Case(
                "/api/v1/programmes/sole-entrepreneur-2020/applications",
                public,  # a trusted integration, whoever else is signed in
                application(),
                json=True,
                headers={"Authorization": TEST_API_AUTHORIZATION},
            ),
        ],
        "GET /api/v1/status/{token}": [
            Case(f"/api/v1/status/{token}", public),
            Case(f"/api/v1/status/{token}x", token_refused),
        ],
        "GET /staff/login": [Case("/staff/login", public)],
        "POST /staff/login": [Case("/staff/login", wrong_password, {"email": "nobody@e.example", "password": "x"})],
        "GET /staff/password": [Case("/staff/password", signed_in)],
        "POST /staff/password": [Case("/staff/password", signed_in, {"current": "wrong", "new": "", "repeat": ""})],
        "GET /staff": [Case("/staff", signed_in)],
        "GET /staff/applications/{application_id}": [
            Case(f"/staff/applications/{ids['application']}", case(*case_roles))
        ],
        "GET /staff/queue": [Case("/staff/queue", roles(*case_roles))],
        "GET /staff/queue/export": [Case("/staff/queue/export?format=csv", roles(*case_roles))],
        "GET /staff/search": [Case("/staff/search", roles(*case_roles))],
        "POST /staff/search": [Case("/staff/search", roles(*case_roles), {"q": "Virtanen"})],
        "POST /staff/search/export": [
            Case("/staff/search/export", roles(*case_roles), {"q": "Virtanen", "format": "xlsx"})
        ],
        "POST /staff/queue/next": [Case("/staff/queue/next", roles(Role.HANDLER), {"role": "handler"})],
        "GET /staff/tasks/{task_id}": [Case(task, case(*case_roles))],
        "POST /staff/tasks/{task_id}/personal-id": [Case(f"{task}/personal-id", case(*case_roles), form)],
        "POST /staff/applications/{application_id}/personal-id": [
            Case(f"/staff/applications/{ids['application']}/personal-id", case(*case_roles), form)
        ],
        "POST /staff/tasks/{task_id}/claim": [Case(f"{task}/claim", case(*case_roles, acting=(Role.HANDLER,)), form)],
        "POST /staff/tasks/{task_id}/release": [Case(f"{task}/release", case(*case_roles), form)],
        "POST /staff/tasks/{task_id}/request-info": [Case(f"{task}/request-info", case(*case_roles), {"message": "?"})],
        "POST /staff/tasks/{task_id}/propose": [Case(f"{task}/propose", case(*case_roles), {"outcome": "approve"})],
        "POST /staff/tasks/{task_id}/decide": [Case(f"{task}/decide", case(*case_roles), {"verdict": "accept"})],
        "POST /staff/tasks/{task_id}/check-account": [
            Case(f"{task}/check-account", case(Role.HANDLER), {"decision": "accept"})
        ],
        "POST /staff/applications/{application_id}/recovery": [
            Case(f"/staff/applications/{ids['application']}/recovery", case(Role.HANDLER), {"reason": ""})
        ],
        "POST /staff/applications/{application_id}/rectification-requests": [
            Case(
                f"/staff/applications/{ids['application']}/rectification-requests",
                case(Role.LEGAL, Role.HANDLER),
                {"demand": ""},
            )
        ],
        "POST /staff/tasks/{task_id}/rule": [Case(f"{task}/rule", case(Role.LEGAL), {"ruling": "x"})],
        "POST /staff/tasks/{task_id}/decide-recovery": [
            Case(f"{task}/decide-recovery", case(Role.DECIDER), {"verdict": "x"})
        ],
        "POST /staff/tasks/{task_id}/redeliver": [Case(f"{task}/redeliver", case(*case_roles), {"channel": "email"})],
        "GET /staff/attachments/{attachment_id}": [Case(f"/staff/attachments/{ids['attachment']}", case(*case_roles))],
        "GET /staff/documents/{document_id}": [
            Case(f"/staff/documents/{ids['letter']}", case(*case_roles)),
            Case(f"/staff/documents/{ids['batch']}", print_batch),
        ],
        "GET /staff/account": [Case("/staff/account", signed_in)],
        "POST /staff/account": [Case("/staff/account", signed_in, {"language": "fi"})],
        "POST /staff/account/letters": [Case("/staff/account/letters", signed_in, {"title_fi": "neuvoja"})],
        "GET /staff/set-password/{token}": [
            Case(f"/staff/set-password/{f.password_link}", public),
            Case(f"/staff/set-password/{f.password_link}x", token_refused),
        ],
        "POST /staff/set-password/{token}": [
            Case(f"/staff/set-password/{f.password_link}", public, {"new": "a", "repeat": "b"}),
            Case(f"/staff/set-password/{f.password_link}x", token_refused, {"new": "a", "repeat": "b"}),
        ],
        "GET /staff/users": [Case("/staff/users", roles(Role.ADMIN))],
        "GET /staff/users/new": [Case("/staff/users/new", roles(Role.ADMIN))],
        "POST /staff/users": [Case("/staff/users", roles(Role.ADMIN), {"full_name": "", "email": ""})],
        "GET /staff/users/{user_id}": [Case(f"/staff/users/{ids['handler']}", own_administrators)],
        "POST /staff/users/{user_id}/roles": [
            Case(f"/staff/users/{ids['handler']}/roles", own_administrators, {"roles": ["handler"]})
        ],
        "POST /staff/users/{user_id}/letters": [
            Case(f"/staff/users/{ids['handler']}/letters", own_administrators, {"title_fi": "neuvoja"})
        ],
        "POST /staff/users/{user_id}/reset": [Case(f"/staff/users/{ids['handler']}/reset", own_administrators, form)],
        "POST /staff/users/{user_id}/deactivate": [
            Case(f"/staff/users/{ids['handler']}/deactivate", own_administrators, form)
        ],
        "GET /staff/coordination": [Case("/staff/coordination", roles(Role.COORDINATOR))],
        "POST /staff/coordination/reassign": [
            Case(
                "/staff/coordination/reassign", roles(Role.COORDINATOR), {"task_ids": [str(ids["task"])], "to_user": ""}
            )
        ],
        "POST /staff/coordination/reassign-all": [
            Case(
                "/staff/coordination/reassign-all",
                roles(Role.COORDINATOR),
                {"from_user": str(ids["handler"]), "to_user": ""},
            )
        ],
        "POST /staff/coordination/print-batch": [
            Case("/staff/coordination/print-batch", roles(Role.COORDINATOR), form)
        ],
        "POST /staff/coordination/print-batches/{batch_id}/posted": [
            Case(f"/staff/coordination/print-batches/{ids['print_batch']}/posted", own_coordinators, {"posted_on": "x"})
        ],
        "GET /staff/legal": [Case("/staff/legal?sent=2020-06-02&channel=email", roles(Role.LEGAL))],
        "GET /staff/finance": [Case("/staff/finance", finance_pages)],
        "POST /staff/finance/payment-run": [Case("/staff/finance/payment-run", finance_pages, form)],
        "GET /staff/finance/batches/{batch_id}": [Case(f"/staff/finance/batches/{ids['payment_batch']}", own_finance)],
        "GET /staff/finance/batches/{batch_id}/file": [
            Case(f"/staff/finance/batches/{ids['payment_batch']}/file", own_finance)
        ],
        "POST /staff/finance/batches/{batch_id}/approve": [
            Case(f"/staff/finance/batches/{ids['payment_batch']}/approve", own_finance, form)
        ],
        "POST /staff/finance/batches/{batch_id}/refuse": [
            Case(f"/staff/finance/batches/{ids['payment_batch']}/refuse", own_finance, {"reason": ""})
        ],
        "POST /staff/finance/bank-reports": [Case("/staff/finance/bank-reports", finance_pages, form)],
        "POST /staff/finance/account-changes/{task_id}": [
            Case(f"/staff/finance/account-changes/{ids['finance_task']}", own_finance, {"decision": "x"})
        ],
        "POST /staff/finance/recoveries/{recovery_id}/repaid": [
            Case(f"/staff/finance/recoveries/{ids['recovery']}/repaid", own_finance, {"amount": ""})
        ],
        "GET /staff/finance/state-report": [Case("/staff/finance/state-report?format=csv", finance_pages)],
        "POST /codec/decode": [
            Case("/codec/decode", decoders, {"payloads": []}, json=True, headers={"X-Namespace": "default"})
        ],
        "OPTIONS /codec/decode": [
            Case("/codec/decode", public, method="OPTIONS", headers={"Origin": "http://localhost:8233"})
        ],
        "GET /openapi.json": [Case("/openapi.json", administrators)],
        "GET /docs": [Case("/docs", administrators)],
        "GET /redoc": [Case("/redoc", administrators)],
        "GET /help": [Case("/help", public)],
        "POST /help": [Case("/help", public, {"description": "x"})],  # kept and refused with the reasons
        "GET /help/confirm/{token}": [
            Case(f"/help/confirm/{f.confirm_token}", public),
            Case(f"/help/confirm/{f.confirm_token}x", token_refused),
            Case(f"/help/confirm/{f.service_token}", token_refused),  # a status link confirms nothing
        ],
        "GET /help/requests/{token}": [
            Case(f"/help/requests/{f.service_token}", public),
            Case(f"/help/requests/{f.service_token}x", token_refused),
            Case(f"/help/requests/{f.confirm_token}", token_refused),  # nor opens the page
        ],
        "POST /help/requests/{token}/reply": [
            Case(f"/help/requests/{f.service_token}/reply", public, {"body": "x"}),
            Case(f"/help/requests/{f.service_token}x/reply", token_refused, {"body": "x"}),
        ],
        "POST /help/requests/{token}/feedback": [
            Case(f"/help/requests/{f.service_token}/feedback", public, {"rating": "5"}),
            Case(f"/help/requests/{f.service_token}x/feedback", token_refused, {"rating": "5"}),
        ],
        "POST /api/v1/service-requests": [Case("/api/v1/service-requests", public, SERVICE_REQUEST, json=True)],
        "GET /api/v1/staff/service-requests": [Case("/api/v1/staff/service-requests", service_requests_json)],
        "GET /api/v1/staff/service-requests/{request_id}": [
            Case(f"/api/v1/staff/service-requests/{ids['service_request']}", service_request_json)
        ],
        "GET /staff/service-requests": [Case("/staff/service-requests", roles(Role.HANDLER, Role.COORDINATOR))],
        "GET /staff/service-requests/{request_id}": [Case(service, service_request)],
        "GET /staff/service-requests/overdue": [Case("/staff/service-requests/overdue", network_coordinators)],
        "POST /staff/service-requests/{request_id}/accept": [
            Case(f"{service}/accept", service_request, {"task_key": "x"})
        ],
        "POST /staff/service-requests/{request_id}/reply": [Case(f"{service}/reply", service_request, {"body": "x"})],
        "POST /staff/service-requests/{request_id}/meeting": [
            Case(f"{service}/meeting", service_request, {"starts": "x"})
        ],
        "POST /staff/service-requests/{request_id}/refer": [
            Case(f"{service}/refer", service_request, {"organisation": "O", "reason": "x"})
        ],
        "POST /staff/service-requests/{request_id}/close": [
            Case(f"{service}/close", service_request, {"outcome": "x"})
        ],
        # Last: it ends the principal's sessions.
        "POST /staff/logout": [Case("/staff/logout", signed_in, form)],
    }


def route_table(app: FastAPI) -> set[str]:
    keys = set()
    for context in iter_route_contexts(app.routes):
        for method in getattr(context.original_route, "methods", None) or ():
            if method != "HEAD":
                keys.add(f"{method} {context.path}")
    return keys


@pytest.fixture(scope="module")
def fixture(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, programmes: dict[str, Programme]
) -> Iterator[Fixture]:
    folder = tmp_path_factory.mktemp("matrix")
    db_file = folder / "matrix.db"
    shutil.copy(sqlite_template, db_file)
    db = Database(f"sqlite:///{db_file}")
    store = LocalFileStore(folder / "documents")
    ids: dict[str, int] = {}
    with db.session() as session:
        seed_reference_data(session)
        for p in PRINCIPALS[1:]:
            user = create_user(
                session,
                email=p.email,
                full_name=str(p),
                organisation=OWN if p.own else OTHER,
                roles=[Role(str(p.role))],
                password=PASSWORD,
            )
            ids.setdefault(str(p.role), user.id or 0)
    ids["application"] = application_id = accept(db, programmes["sole-entrepreneur-2020"])
    with db.session() as session:
        rows: dict[str, Task | Attachment | Document] = {
            "task": Task(
                key=f"grant-{application_id}/handle/1",
                workflow_id=f"grant-{application_id}",
                subject_type=SubjectType.GRANT_APPLICATION,
                subject_id=application_id,
                application_id=application_id,
                programme_code="sole-entrepreneur-2020",
                kind=TaskKind.HANDLE,
                role=Role.HANDLER,
                status=TaskStatus.OPEN,
                arrived_at=datetime(2020, 5, 2, tzinfo=UTC),
            ),
            "attachment": Attachment(
                application_id=application_id,
                filename="ledger.pdf",
                content_type="application/pdf",
                size=len(PDF),
                sha256=hashlib.sha256(PDF).hexdigest(),
                storage_key=store.put(PDF),
            ),
            "letter": _document(store, DocumentKind.DECISION_LETTER, application_id),
            "batch": _document(store, DocumentKind.PRINT_BATCH, None),
        }
        for row in rows.values():
            session.add(row)
        batch = PrintBatch(
            programme_code="sole-entrepreneur-2020",
            made_on=date(2020, 5, 2),
            status=PrintBatchStatus.PRINTED,
            created_by=ids[str(Role.COORDINATOR)],
        )
        session.add(batch)
        session.flush()
        payment_batch = PaymentBatch(
            programme_code="sole-entrepreneur-2020",
            run_id="matrix",
            msg_id="GRANTDESK-0000000001",
            execution_date=date(2020, 6, 2),
            schema_version="pain.001.001.09",
            status=PaymentBatchStatus.AWAITING_APPROVAL,
            document_id=rows["batch"].id,
        )
        session.add(payment_batch)
        finance_task = Task(
            key=f"grant-{application_id}/payment/account_approval/1",
            workflow_id=f"grant-{application_id}/payment",
            subject_type=SubjectType.GRANT_APPLICATION,
            subject_id=application_id,
            application_id=application_id,
            programme_code="sole-entrepreneur-2020",
            kind=TaskKind.ACCOUNT_APPROVAL,
            role=Role.FINANCE,
            status=TaskStatus.OPEN,
            arrived_at=datetime(2020, 5, 2, tzinfo=UTC),
        )
        session.add(finance_task)
        session.flush()
        decision_id = _decision(session, application_id, ids["decider"])
        letter = rows["letter"]
        assert isinstance(letter, Document)
        letter.decision_id = decision_id  # the grant decision's letter, as sent
        session.add(letter)
        payment = Payment(
            decision_id=decision_id,
            application_id=application_id,
            programme_code="sole-entrepreneur-2020",
            reference="ESP 2020/000001",
            amount=Decimal("2000.00"),
            creditor_name="Toiminimi",
            iban="FI4950009420028730",
            status="paid",
            paid_on=date(2020, 6, 3),
            workflow_id=f"grant-{application_id}/payment",
        )
        session.add(payment)
        session.flush()
        recovery = Recovery(
            application_id=application_id,
            payment_id=payment.id or 0,
            programme_code="sole-entrepreneur-2020",
            seq=1,
            reason="-",
            amount=Decimal("2000.00"),
            opened_by=ids["handler"],
            workflow_id=f"grant-{application_id}/recovery-1",
        )
        session.add(recovery)
        session.commit()
        ids.update({name: row.id or 0 for name, row in rows.items()})
        ids["print_batch"] = batch.id or 0
        ids["payment_batch"], ids["finance_task"] = payment_batch.id or 0, finance_task.id or 0
        ids["recovery"] = recovery.id or 0
        ids["service_request"] = _service_request(session)
        _link, password_link = issue_link(
            session,
            user_id=ids["handler"],
            purpose=LinkPurpose.PASSWORD_RESET,
            now=utcnow(),
            valid_for=timedelta(days=1),
        )
        session.commit()
    db.dispose()
    yield Fixture(
        db_file=db_file,
        documents=folder / "documents",
        token=status_token(application_id, TEST_SECRET),
        ids=ids,
        password_link=password_link,
        service_token=request_token(ids["service_request"], TEST_SECRET),
        confirm_token=request_token(ids["service_request"], TEST_SECRET, salt=CONFIRM_SALT),
    )


def _decision(session: Session, application_id: int, decider: int) -> int:
    """A grant decision for the case (the payment and the recovery point at one)."""
    proposal = Proposal(
        application_id=application_id, seq=1, outcome="approve", amount=Decimal("2000.00"), reasons=[],
        justification="-", proposer_id=decider,
    )  # fmt: skip
    session.add(proposal)
    session.flush()
    decision = Decision(
        application_id=application_id, programme_code="sole-entrepreneur-2020", year=2020, seq=1,
        number="ESP 2020/000001", outcome="approve", amount=Decimal("2000.00"), reasons=[], justification="-",
        proposal_id=proposal.id, presenter_id=decider, decider_id=decider,
    )  # fmt: skip
    session.add(decision)
    session.flush()
    return decision.id or 0


SERVICE_REQUEST: dict[str, object] = {
    "package": "start",
    "stage": "planning",
    "customer_group": "would_be",
    "description": "I need help with a business plan.",
    "name": "Maija",
    "email": "maija@example.fi",
}


def _service_request(session: Session) -> int:
    """A confirmed service request routed to the own organisation (the network's coordinating one)."""
    form = ServiceRequestForm.model_validate(SERVICE_REQUEST)
    receipt = submit_service_request(session, form=form, received_at=IN_2020_WINDOW, secret=TEST_SECRET, channel="api")
    session.add(ServiceRoute(request_id=receipt.request_id, position=1, organisation_code=OWN, via=RouteVia.ROUTING))
    session.commit()
    return receipt.request_id


def _document(store: LocalFileStore, kind: str, application_id: int | None) -> Document:
    return Document(
        kind=kind,
        version="2020-05-04",
        application_id=application_id,
        programme_code="sole-entrepreneur-2020",
        language="fi",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        storage_key=store.put(PDF),
    )


def outcome(status: int, location: str) -> str:
    if status == 303 and location.startswith("/staff/login?next="):
        return LOGIN
    return {401: UNSIGNED, 403: FORBID, 404: HIDDEN}.get(status, ALLOW)


def test_every_route_has_a_line_in_the_matrix(fixture: Fixture, programmes: dict[str, Programme]) -> None:
    app = create_app(make_settings(Database("sqlite://")), programmes=programmes, run_relay=False)
    assert route_table(app) == set(matrix(fixture)), "add the new route to the matrix with who may use it"


@pytest.mark.parametrize("principal", PRINCIPALS, ids=str)
def test_who_gets_what(
    fixture: Fixture, principal: Principal, programmes: dict[str, Programme], tmp_path: Path
) -> None:
    shutil.copy(fixture.db_file, tmp_path / "copy.db")
    shutil.copytree(fixture.documents, tmp_path / "documents")
    db = Database(f"sqlite:///{tmp_path / 'copy.db'}")
    settings = make_settings(db, documents_dir=tmp_path / "documents")
    app = create_app(settings, db=db, programmes=programmes, clock=lambda: IN_2020_WINDOW, run_relay=False)
    wrong = []
    with TestClient(app) as client:
        if principal.role is not None:
            assert sign_in(client, principal.email, PASSWORD).status_code == 303
        token = csrf_from(client.get("/staff/login").text)
        for route, cases in matrix(fixture).items():
            for c in cases:
                if c.method is not None:
                    response = client.request(c.method, c.url, headers=c.headers, follow_redirects=False)
                elif c.data is None:
                    response = client.get(c.url, follow_redirects=False)
                elif c.json:
                    response = client.post(c.url, json=c.data, headers=c.headers, follow_redirects=False)
                else:
                    response = client.post(c.url, data={"csrf_token": token, **c.data}, follow_redirects=False)
                got = outcome(response.status_code, response.headers.get("location", ""))
                if got != c.rule(principal):
                    wrong.append(f"{route} {c.url}: expected {c.rule(principal)}, got {got} ({response.status_code})")
    db.dispose()
    assert not wrong, f"{principal}:\n" + "\n".join(wrong)
