"""Writes the task rows the queue pages read. Keyed by the workflow's task key, so retries are no-ops."""

from datetime import date, timedelta

from sqlmodel import select
from temporalio import activity

from activities.grants.records import load_application
from core.clock import helsinki_today
from core.db import Database
from models.grants.applications import Stage
from models.grants.payloads import CloseTaskInput, OpenTaskInput
from models.subjects import SubjectType
from models.tasks import Task, TaskClosing, TaskKind, TaskStatus
from models.time_limits import next_working_day_from
from models.types import utcnow


class TaskActivities:
    def __init__(self, db: Database) -> None:
        self._db = db

    @activity.defn(name="open_task")
    def open_task(self, request: OpenTaskInput) -> None:
        with self._db.session() as session:
            if session.exec(select(Task).where(Task.key == request.key)).first() is not None:
                return
            application = load_application(session, request.application_id)
            workflow_id = activity.info().workflow_id
            if not workflow_id:
                raise ValueError("a task is opened by the workflow that waits for it")
            session.add(
                Task(
                    key=request.key,
                    workflow_id=workflow_id,
                    subject_type=SubjectType.GRANT_APPLICATION,
                    subject_id=request.application_id,
                    application_id=request.application_id,
                    programme_code=application.programme_code,
                    kind=request.kind,
                    role=request.role,
                    status=TaskStatus.CLAIMED if request.assignee_id else TaskStatus.OPEN,
                    assignee_id=request.assignee_id,
                    claimed_at=utcnow() if request.assignee_id else None,
                    arrived_at=request.arrived_at or application.submitted_at,
                    due_on=due_on(request.due_in_days),
                    note=request.note,
                    detail=request.detail,
                )
            )
            if request.kind == TaskKind.HANDLE and application.status == Stage.RECEIVED:
                # The first handler task puts the application in the queue: the status and the task
                # appear in one commit, so no page shows "assessed" without a task to work on.
                application.status = Stage.ASSESSED
                session.add(application)
            session.commit()

    @activity.defn(name="close_task")
    def close_task(self, request: CloseTaskInput) -> None:
        """done / cancelled end the task; waiting parks it with its holder; reopen brings it back."""
        with self._db.session() as session:
            task = session.exec(select(Task).where(Task.key == request.key)).first()
            if task is None or task.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
                return
            match request.status:
                case TaskClosing.DONE | TaskClosing.CANCELLED:
                    task.status = TaskStatus(request.status.value)
                    task.completed_at = utcnow()
                case TaskClosing.WAITING:
                    task.status = TaskStatus.WAITING
                case TaskClosing.REOPEN:
                    # Back to the same handler if they still hold it, else to the queue.
                    task.status = TaskStatus.CLAIMED if task.assignee_id else TaskStatus.OPEN
            if request.note:
                task.note = request.note
            session.add(task)
            session.commit()


def due_on(days: int | None) -> date | None:
    """`days` from today, or the next working day if that is a weekend or a public holiday: work is due on a
    day people work."""
    return next_working_day_from(helsinki_today() + timedelta(days=days)) if days else None
