"""The task rows and the stage the pages read: a stage never shows before the work it names exists."""

import dataclasses
from datetime import timedelta

from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.grants.assessment import AssessmentActivities
from activities.tasks import TaskActivities, due_on
from core.clock import helsinki_today
from core.db import Database
from core.trade_register.local import LocalTradeRegister
from models.grants.applications import Application, Stage
from models.grants.payloads import AssessApplicationInput, OpenTaskInput
from models.grants.programme import Programme
from models.tasks import Task
from models.time_limits import is_working_day
from tests.workflow_helpers import accept


def status(db: Database, application_id: int) -> str:
    with db.session() as session:
        application = session.get(Application, application_id)
        assert application is not None
        return application.status


def test_assessed_appears_together_with_the_handler_task(
    sqlite_db: Database, programme: Programme, programmes: dict[str, Programme]
) -> None:
    application_id = accept(sqlite_db, programme)
    assessment = AssessmentActivities(sqlite_db, LocalTradeRegister(sqlite_db), programmes)
    tasks = TaskActivities(sqlite_db)

    assessment.assess_application(AssessApplicationInput(application_id=application_id, round=1))
    # Checked, but not yet in anyone's queue: a page read now must not say "assessed".
    assert status(sqlite_db, application_id) == Stage.RECEIVED

    task = OpenTaskInput(
        key=f"grant-{application_id}/handle/1",
        application_id=application_id,
        kind="handle",
        role="handler",
        due_in_days=14,
    )
    in_workflow = ActivityEnvironment()
    in_workflow.info = dataclasses.replace(in_workflow.info, workflow_id=f"grant-{application_id}")
    in_workflow.run(tasks.open_task, task)
    in_workflow.run(tasks.open_task, task)  # a retried activity changes nothing
    assert status(sqlite_db, application_id) == Stage.ASSESSED
    with sqlite_db.session() as session:
        [stored] = session.exec(select(Task)).all()
    assert (stored.workflow_id, stored.subject_type, stored.subject_id) == (
        f"grant-{application_id}",
        "grant_application",
        application_id,
    )


def test_a_later_task_does_not_move_the_stage(sqlite_db: Database, programme: Programme) -> None:
    application_id = accept(sqlite_db, programme)
    with sqlite_db.session() as session:
        application = session.get(Application, application_id)
        assert application is not None
        application.status = Stage.IN_DECISION
        session.add(application)
        session.commit()

    in_workflow = ActivityEnvironment()
    in_workflow.info = dataclasses.replace(in_workflow.info, workflow_id=f"grant-{application_id}")
    in_workflow.run(
        TaskActivities(sqlite_db).open_task,
        OpenTaskInput(
            key=f"grant-{application_id}/decide/2", application_id=application_id, kind="decide", role="decider"
        ),
    )

    assert status(sqlite_db, application_id) == Stage.IN_DECISION


def test_a_task_falls_due_on_a_working_day() -> None:
    today = helsinki_today()
    for days in range(1, 22):  # three weeks: every weekday, a weekend or two, perhaps a holiday
        due = due_on(days)
        assert due is not None and is_working_day(due)
        nominal = today + timedelta(days=days)
        assert due >= nominal and all(not is_working_day(nominal + timedelta(d)) for d in range((due - nominal).days))
    assert due_on(None) is None
