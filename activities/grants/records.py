"""Writes to the application's record and timeline; each write is keyed so a retry writes nothing new."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from temporalio import activity

from activities.errors import ApplicationNotFound
from core.db import Database
from models.audit import audit
from models.grants.applications import Application, add_timeline_event
from models.grants.payloads import ApplicationRef, StageUpdateInput


def load_application(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise ApplicationNotFound(f"application {application_id} does not exist")
    return application


class GrantRecordActivities:
    def __init__(self, db: Database) -> None:
        self._db = db

    @activity.defn(name="record_receipt")
    def record_receipt(self, ref: ApplicationRef) -> None:
        """The workflow has the application: the applicant's timeline says so."""
        with self._db.session() as session:
            load_application(session, ref.application_id)
            add_timeline_event(session, ref.application_id, "workflow_started")
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # a concurrent retry wrote it first

    @activity.defn(name="update_stage")
    def update_stage(self, request: StageUpdateInput) -> None:
        """The application's status, its timeline and the audit trail move together, once per activity."""
        info = activity.info()
        once = f"{info.workflow_run_id}:{info.activity_id}"
        with self._db.session() as session:
            application = load_application(session, request.application_id)
            application.status = request.status
            session.add(application)
            add_timeline_event(session, request.application_id, f"{request.event}:{once}"[:80], request.event)
            audit(
                session,
                action=request.event,
                application_id=request.application_id,
                actor_id=request.actor_id,
                organisation_code=request.organisation_code,
                key=f"{info.workflow_id}:{once}",
                **request.detail,
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # a retry of an attempt that did commit
