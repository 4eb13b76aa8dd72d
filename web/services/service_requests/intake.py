"""Accepting a service request: one transaction writes it and the promise to start its workflow.

The same rules as grant intake: a repeated Idempotency-Key returns the first receipt, the same key with
another request is a conflict, and an accepted request is never lost (the outbox starts its workflow even
if Temporal is down). A signed-in customer's request is confirmed by the sign-in; anyone else's waits for the
link sent to the e-mail address given.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.db import one_writer
from models.audit import audit_subject
from models.identification import IdentifiedPerson
from models.outbox import START_SERVICE_REQUEST, OutboxMessage
from models.service_requests.form import ServiceRequestForm
from models.service_requests.requests import RequestStatus, ServiceRequest
from models.subjects import SubjectType
from web.services.intake import IdempotencyConflict, form_digest, person_digest, scoped_idempotency_key

REFERENCE_PREFIX = "SR"


@dataclass(frozen=True)
class ServiceReceipt:
    request_id: int
    reference: str
    confirmed: bool
    replayed: bool = False


def submit_service_request(
    session: Session,
    *,
    form: ServiceRequestForm,
    received_at: datetime,
    secret: str,
    channel: str,
    identified: IdentifiedPerson | None = None,
    idempotency_key: str | None = None,
) -> ServiceReceipt:
    """Stores the request and its outbox row atomically; a repeated key returns the first receipt."""
    with one_writer(session):
        return _store(
            session,
            form=form,
            received_at=received_at,
            secret=secret,
            channel=channel,
            identified=identified,
            idempotency_key=idempotency_key,
        )


def _store(
    session: Session,
    *,
    form: ServiceRequestForm,
    received_at: datetime,
    secret: str,
    channel: str,
    identified: IdentifiedPerson | None,
    idempotency_key: str | None,
) -> ServiceReceipt:
    digest = form_digest(form)
    key = None
    if idempotency_key:
        key = scoped_idempotency_key(idempotency_key, channel=channel, programme_code="service-requests")
        earlier = _by_idempotency_key(session, key, digest)
        if earlier is not None:
            return earlier
    request = ServiceRequest(
        received_at=received_at,
        language=form.language,
        name=identified.name if identified else form.name,
        email=str(form.email),
        phone=form.phone,
        business_id=form.business_id,
        business_name=form.business_name or None,
        package=form.package,
        stage=form.stage,
        customer_group=form.customer_group,
        description=form.description,
        share_consent=form.share_consent,
        person_digest=person_digest(identified.personal_id, secret) if identified else None,
        confirmed_at=received_at if identified else None,
        status=RequestStatus.UNCONFIRMED,
        idempotency_key=key,
        form_digest=digest,
    )
    try:
        session.add(request)
        session.flush()
        request.reference = f"{REFERENCE_PREFIX}-{received_at.year}-{request.id:06d}"
        audit_subject(
            session,
            action="service_request_received",
            subject_type=SubjectType.SERVICE_REQUEST,
            subject_id=request.id or 0,
            key=f"service_request_received:{request.id}",
            channel=channel,
            identified=identified is not None,
            share_consent=form.share_consent,
        )
        session.add(
            OutboxMessage(topic=START_SERVICE_REQUEST, key=request.workflow_id, payload={"request_id": request.id})
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        if key:
            earlier = _by_idempotency_key(session, key, digest)
            if earlier is not None:
                return earlier
        raise
    return ServiceReceipt(request_id=request.id or 0, reference=request.reference, confirmed=identified is not None)


def _by_idempotency_key(session: Session, key: str, digest: str) -> ServiceReceipt | None:
    earlier = session.exec(select(ServiceRequest).where(ServiceRequest.idempotency_key == key)).first()
    if earlier is None:
        return None
    if earlier.form_digest != digest:
        raise IdempotencyConflict(key)
    return ServiceReceipt(
        request_id=earlier.id or 0,
        reference=earlier.reference or "",
        confirmed=earlier.confirmed_at is not None,
        replayed=True,
    )
