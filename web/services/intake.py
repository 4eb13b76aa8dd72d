"""Accepting an application: one transaction writes it and the promise to start its workflow."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.db import one_writer
from models.audit import audit
from models.grants.application_form import ApplicationForm
from models.grants.applications import Application
from models.grants.programme import Programme
from models.identification import IdentifiedPerson
from models.outbox import START_GRANT_WORKFLOW, OutboxMessage


class ProgrammeNotOpen(Exception):
    """The programme has not opened for applications yet."""


class IdempotencyConflict(Exception):
    """The same Idempotency-Key came with a different application."""


@dataclass(frozen=True)
class Receipt:
    application_id: int
    reference: str
    replayed: bool = False


def person_digest(personal_id: str, secret: str) -> str:
    return hmac.new(secret.encode(), personal_id.upper().encode(), hashlib.sha256).hexdigest()


def scoped_idempotency_key(key: str, *, channel: str, programme_code: str) -> str:
    """A client's key means "this submission" only on the route and programme it was sent to.

    Reused on another programme (or on the form instead of the API) it is a new submission, not a
    replay of the first programme's receipt. Stored as a digest: fixed length whatever the client sent.
    """
    return hashlib.sha256(f"{channel}\n{programme_code}\n{key}".encode()).hexdigest()


def form_digest(form: BaseModel) -> str:
    canonical = json.dumps(form.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def submit_application(
    session: Session,
    *,
    programme: Programme,
    form: ApplicationForm,
    submitted_at: datetime,
    secret: str,
    idempotency_key: str | None = None,
    channel: str = "api",
    identified: IdentifiedPerson | None = None,
    api_client: str | None = None,
    acting_right: str | None = None,
) -> Receipt:
    """Stores the application and its outbox row atomically; a repeated key returns the first receipt.

    `channel` ("api" or "form") and the programme scope the key (see `scoped_idempotency_key`). How the
    applicant was known (`identified` by the identification service, or sent by the trusted `api_client`)
    is stored with the application and in the audit trail.
    """
    if submitted_at < programme.opens_at:
        raise ProgrammeNotOpen(programme.code)
    with one_writer(session):
        return _store(
            session,
            programme=programme,
            form=form,
            submitted_at=submitted_at,
            secret=secret,
            idempotency_key=idempotency_key,
            channel=channel,
            identified=identified,
            api_client=api_client,
            acting_right=acting_right,
        )


def _store(
    session: Session,
    *,
    programme: Programme,
    form: ApplicationForm,
    submitted_at: datetime,
    secret: str,
    idempotency_key: str | None,
    channel: str,
    identified: IdentifiedPerson | None,
    api_client: str | None,
    acting_right: str | None,
) -> Receipt:
    digest = form_digest(form)
    if idempotency_key:
        idempotency_key = scoped_idempotency_key(idempotency_key, channel=channel, programme_code=programme.code)
    if idempotency_key:
        earlier = _by_idempotency_key(session, idempotency_key, digest)
        if earlier is not None:
            return earlier
    application = Application(
        programme_code=programme.code,
        submitted_at=submitted_at,
        language=form.applicant.language,
        applicant_name=form.applicant.name,
        email=form.applicant.email,
        business_id=form.business.business_id,
        business_name=form.business.name,
        person_digest=person_digest(form.applicant.personal_id, secret),
        form=form.model_dump(mode="json"),
        idempotency_key=idempotency_key or None,
        form_digest=digest,
        identified_assurance=identified.assurance if identified else None,
        identified_at=identified.authenticated_at if identified else None,
        identification_provider=identified.provider if identified else None,
        api_client=api_client,
        acting_right=acting_right,
    )
    try:
        session.add(application)
        session.flush()  # assigns the id the reference and workflow id are made from
        application.reference = f"{programme.decision_prefix}-{submitted_at.year}-{application.id:06d}"
        audit(
            session,
            action="application_received",
            application_id=application.id,
            key=f"application_received:{application.id}",
            channel=channel,
            assurance=application.identified_assurance,
            identified_at=identified.authenticated_at.isoformat() if identified else None,
            provider=application.identification_provider,
            api_client=api_client,
            acting_right=acting_right,
        )
        session.add(
            OutboxMessage(
                topic=START_GRANT_WORKFLOW,
                key=application.workflow_id,
                payload={"application_id": application.id, "programme_code": programme.code},
            )
        )
        session.commit()
    except IntegrityError:
        # Two identical submits raced: the other one won and holds the key.
        session.rollback()
        if idempotency_key:
            earlier = _by_idempotency_key(session, idempotency_key, digest)
            if earlier is not None:
                return earlier
        raise
    return Receipt(application_id=application.id or 0, reference=application.reference)


def _by_idempotency_key(session: Session, key: str, digest: str) -> Receipt | None:
    earlier = session.exec(select(Application).where(Application.idempotency_key == key)).first()
    if earlier is None:
        return None
    if earlier.form_digest != digest:
        raise IdempotencyConflict(key)
    return Receipt(application_id=earlier.id or 0, reference=earlier.reference or "", replayed=True)
