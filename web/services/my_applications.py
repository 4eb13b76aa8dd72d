"""A signed-in person's own applications: found by the digest of their personal identity code."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.grants.applications import Application, Stage
from models.grants.status_links import status_token
from models.service_requests.links import request_token
from models.service_requests.requests import ServiceRequest
from web.services.intake import person_digest

# Stages in which a person's application still stands: they are shown it instead of a new form.
ENDED = (Stage.WITHDRAWN, Stage.REJECTED)


@dataclass(frozen=True)
class MyApplication:
    application: Application
    status_path: str


def applications_of(session: Session, personal_id: str, secret: str) -> list[MyApplication]:
    found = session.exec(
        select(Application)
        .where(Application.person_digest == person_digest(personal_id, secret))
        .order_by(col(Application.submitted_at).desc())
    ).all()
    return [MyApplication(a, f"/status/{status_token(a.id or 0, secret)}") for a in found]


def application_in_progress(
    session: Session, personal_id: str, programme_code: str, secret: str
) -> MyApplication | None:
    """The person's application to the programme that still stands (not withdrawn or rejected), if any."""
    return next(
        (
            mine
            for mine in applications_of(session, personal_id, secret)
            if mine.application.programme_code == programme_code and mine.application.status not in ENDED
        ),
        None,
    )


@dataclass(frozen=True)
class MyServiceRequest:
    request: ServiceRequest
    status_path: str


def service_requests_of(session: Session, personal_id: str, secret: str) -> list[MyServiceRequest]:
    """The person's service requests sent while signed in (found by the same digest), newest first."""
    found = session.exec(
        select(ServiceRequest)
        .where(ServiceRequest.person_digest == person_digest(personal_id, secret))
        .order_by(col(ServiceRequest.received_at).desc())
    ).all()
    return [MyServiceRequest(r, f"/help/requests/{request_token(r.id or 0, secret)}") for r in found]
