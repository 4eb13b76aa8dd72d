"""Cases put straight into the database for the staff pages' tests: no Temporal, so they run on both databases."""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm.attributes import flag_modified

from core.db import Database
from models.grants.application_form import ApplicationForm
from models.grants.applications import Application, AssessmentRecord
from models.grants.eligibility import RegistryFacts, SubmittedApplication, assess
from models.grants.programme import Programme
from models.staff import Role
from models.subjects import SubjectType
from models.tasks import Task
from runtime.seed import create_user, seed_reference_data
from tests.factories import application
from tests.support import IN_2020_WINDOW, TEST_SECRET
from tests.workflow_helpers import TITLES
from web.services.intake import submit_application

PASSWORD = "casework-test-password"
# Who works where: E processes the 2020 grant; TE processes only a programme of its own (see `with_te_programme`).
PEOPLE = {
    "handler": ("hanna@e.example", "E", [Role.HANDLER]),
    "decider": ("tuula@e.example", "E", [Role.DECIDER]),
    "finance": ("fiia@e.example", "E", [Role.FINANCE]),
    "te_handler": ("teppo@te.example", "TE", [Role.HANDLER]),
}


def with_te_programme(programmes: dict[str, Programme], programme: Programme) -> dict[str, Programme]:
    """The grant as it is, plus a programme that only the TE Office processes."""
    te = programme.model_copy(
        update={
            "code": "te-grant",
            "processing_organisations": ["TE"],
            "paying_organisation": "TE",
            "decision_prefix": "TE",
        }
    )
    return {**programmes, te.code: te}


def seed_people(db: Database) -> dict[str, int]:
    with db.session() as session:
        seed_reference_data(session)
        ids = {
            key: create_user(
                session,
                email=email,
                full_name=key.replace("_", " ").title(),
                organisation=org,
                roles=roles,
                password=PASSWORD,
                titles=TITLES,
            ).id
            or 0
            for key, (email, org, roles) in PEOPLE.items()
        }
        session.commit()
    return ids


def file_application(
    db: Database,
    programme: Programme,
    *,
    submitted_at: datetime = IN_2020_WINDOW,
    stored: dict[str, Any] | None = None,
    **changes: Any,
) -> int:
    """An application as the intake stores it; `stored` sets applicant fields as later forms store them
    (the postal address), without depending on what today's form requires."""
    with db.session() as session:
        receipt = submit_application(
            session,
            programme=programme,
            form=ApplicationForm.model_validate(application(**changes)),
            submitted_at=submitted_at,
            secret=TEST_SECRET,
        )
        if stored:
            row = session.get(Application, receipt.application_id)
            assert row is not None
            row.form = {**row.form, "applicant": {**row.form["applicant"], **stored}}
            flag_modified(row, "form")
            session.add(row)
            session.commit()
    return receipt.application_id


def store_assessment(db: Database, application_id: int, programme: Programme, **registry: Any) -> None:
    """The assessment as the activity stores it, with the register saying `registry`."""
    with db.session() as session:
        row = session.get(Application, application_id)
        assert row is not None
        submitted = SubmittedApplication.model_validate({**row.form, "submitted_at": row.submitted_at})
        facts = RegistryFacts.model_validate({"prior_applications": 0, **registry})
        result = assess(submitted, facts, programme)
        session.add(
            AssessmentRecord(
                application_id=application_id,
                eligible=result.eligible,
                reasons=[str(code) for code in result.reasons],
                turnover_drop=None if result.turnover_drop is None else str(result.turnover_drop),
                rules_version=result.rules_version,
                result=result.model_dump(mode="json"),
                inputs={"application": submitted.model_dump(mode="json"), "registry": facts.model_dump(mode="json")},
            )
        )
        session.commit()


def open_task(
    db: Database,
    application_id: int,
    *,
    kind: str = "handle",
    due_on: date | None = None,
    status: str = "open",
    assignee_id: int | None = None,
    note: str | None = None,
) -> int:
    with db.session() as session:
        row = session.get(Application, application_id)
        assert row is not None
        task = Task(
            key=f"grant-{application_id}/{kind}/{uuid.uuid4()}",
            workflow_id=f"grant-{application_id}",
            subject_type=SubjectType.GRANT_APPLICATION,
            subject_id=application_id,
            application_id=application_id,
            programme_code=row.programme_code,
            kind=kind,
            role="decider" if kind == "decide" else "handler",
            status=status,
            assignee_id=assignee_id,
            arrived_at=row.submitted_at,
            due_on=due_on,
            note=note,
        )
        session.add(task)
        session.commit()
        return task.id or 0


def days(n: int) -> timedelta:
    return timedelta(days=n)
