"""The shared queue: listing, atomic claiming, releasing and reassigning tasks, each written to the audit.

Claims are the one place the web writes task rows: an atomic conditional UPDATE, so two handlers
pressing "take next" together never get the same task. Everything else on a task is written by the
workflow's activities.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from models.audit import audit
from models.grants.applications import Application
from models.grants.decisions import Proposal
from models.staff import User, UserRole
from models.tasks import ACTIVE_STATUSES, Task, TaskStatus
from models.types import utcnow
from web.ids import parse_id
from web.services.auth import StaffUser
from web.services.staff_mail import queue_assignment


class TaskNotAvailable(Exception):
    """Someone else holds the task, or it is no longer open."""


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None  # open | claimed | waiting
    assignee: str | None = None  # "me", "none" or a user id
    organisation: str | None = None  # the assignee's organisation
    due_before: date | None = None
    role: str | None = None


@dataclass(frozen=True)
class QueueRow:
    task: Task
    application: Application
    assignee: User | None


def list_queue(
    session: Session,
    *,
    user: StaffUser,
    programme_codes: list[str],
    filters: QueueFilters,
    limit: int = 500,
    offset: int = 0,
) -> list[QueueRow]:
    """Active tasks of the given programmes, oldest application first (processed in order of arrival)."""
    if not programme_codes:
        return []
    query = (
        select(Task, Application, User)
        .join(Application, col(Application.id) == col(Task.application_id))
        .join(User, col(User.id) == col(Task.assignee_id), isouter=True)
        .where(col(Task.programme_code).in_(programme_codes), col(Task.status).in_(ACTIVE_STATUSES))
    )
    if filters.status:
        query = query.where(Task.status == filters.status)
    if filters.role:
        query = query.where(Task.role == filters.role)
    if filters.assignee == "me":
        query = query.where(Task.assignee_id == user.id)
    elif filters.assignee == "none":
        query = query.where(col(Task.assignee_id).is_(None))
    elif filters.assignee:
        # An id that cannot be a row matches nobody rather than failing.
        query = query.where(Task.assignee_id == (parse_id(filters.assignee) or 0))
    if filters.organisation:
        query = query.where(User.organisation_code == filters.organisation)
    if filters.due_before:
        query = query.where(col(Task.due_on) <= filters.due_before)
    query = query.order_by(col(Task.arrived_at), col(Task.application_id)).offset(offset).limit(limit)
    return [QueueRow(task=t, application=a, assignee=u) for t, a, u in session.exec(query).all()]


def stage_counts(session: Session, programme_codes: list[str]) -> dict[str, int]:
    """How many applications are at each stage, for the queue's header."""
    if not programme_codes:
        return {}
    rows = session.exec(
        select(Application.status, func.count())
        .where(col(Application.programme_code).in_(programme_codes))
        .group_by(col(Application.status))
    ).all()
    return {status: count for status, count in rows}


def claim_next(session: Session, *, user: StaffUser, programme_codes: list[str], role: str) -> Task | None:
    """The oldest open task the user may take; None when the queue is empty."""
    for _ in range(20):
        candidate = session.exec(
            select(Task.id)
            .where(
                col(Task.programme_code).in_(programme_codes),
                Task.status == TaskStatus.OPEN,
                Task.role == role,
                *_not_own_proposal(user, role),
            )
            .order_by(col(Task.arrived_at), col(Task.application_id))
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if candidate is None:
            session.commit()  # ends the read transaction; nothing was written
            return None
        try:
            return claim(session, task_id=candidate, user=user)
        except TaskNotAvailable:
            continue  # someone was quicker: try the next oldest
    return None


def _not_own_proposal(user: StaffUser, role: str) -> list:
    """A decider is never offered a decision on their own proposal."""
    if role != "decider":
        return []
    own = select(Proposal.application_id).where(Proposal.proposer_id == user.id, col(Proposal.review).is_(None))
    return [col(Task.application_id).not_in(own)]


def claim(session: Session, *, task_id: int, user: StaffUser) -> Task:
    """Open → held by `user`, in one conditional UPDATE; TaskNotAvailable if it was not open any more."""
    return _move(
        session,
        task_id=task_id,
        user=user,
        action="task_claimed",
        where=[col(Task.status) == TaskStatus.OPEN],
        values={"status": TaskStatus.CLAIMED, "assignee_id": user.id, "claimed_at": utcnow()},
    )


def release(session: Session, *, task_id: int, user: StaffUser) -> None:
    """Back to the queue; only the holder can let go of a task."""
    _move(
        session,
        task_id=task_id,
        user=user,
        action="task_released",
        where=[col(Task.assignee_id) == user.id, col(Task.status) == TaskStatus.CLAIMED],
        values={"status": TaskStatus.OPEN, "assignee_id": None, "claimed_at": None},
    )


def _move(
    session: Session, *, task_id: int, user: StaffUser, action: str, where: list[Any], values: dict[str, Any]
) -> Task:
    """One conditional UPDATE, so two people pressing at once never both win; audited in the same commit."""
    result = session.execute(
        update(Task)
        .where(col(Task.id) == task_id, *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise TaskNotAvailable(task_id)
    task = session.get(Task, task_id)
    assert task is not None
    session.refresh(task)
    audit(
        session,
        action=action,
        application_id=task.application_id,
        actor_id=user.id,
        organisation_code=user.organisation_code,
        task=task.key,
    )
    session.commit()
    return task


def reassign(
    session: Session, *, task_ids: list[int], to_user: StaffUser | None, coordinator: StaffUser, base_url: str
) -> int:
    """Gives active tasks to another person (or back to the queue with None); returns how many moved.

    A task goes only to someone who holds its role and may do it: a decision never to a person
    without the decider role, nor to the one who proposed it (four eyes). Such tasks stay put.
    A person who asked for it gets an e-mail per task someone else gives them (linking `base_url`).
    """
    recipient = session.get(User, to_user.id) if to_user and to_user.id != coordinator.id else None
    notify = recipient is not None and recipient.notify_on_assignment
    moved = 0
    for task_id in task_ids:
        task = session.get(Task, task_id)
        if task is None or task.status not in ACTIVE_STATUSES:
            continue
        if to_user is not None and not may_take(session, task, to_user):
            continue
        previous = task.assignee_id
        task.assignee_id = to_user.id if to_user else None
        if task.status != TaskStatus.WAITING:
            task.status = TaskStatus.CLAIMED if to_user else TaskStatus.OPEN
        task.claimed_at = utcnow() if to_user else None
        session.add(task)
        audit(
            session,
            action="task_reassigned",
            application_id=task.application_id,
            actor_id=coordinator.id,
            organisation_code=coordinator.organisation_code,
            task=task.key,
            previous=previous,
            to=task.assignee_id,
        )
        if notify and recipient is not None:
            queue_assignment(session, task=task, user=recipient, assigned_by=coordinator.full_name, base_url=base_url)
        moved += 1
    session.commit()
    return moved


def may_take(session: Session, task: Task, user: StaffUser) -> bool:
    if task.role not in user.roles:
        return False
    if task.role != "decider":
        return True
    own = select(Proposal.id).where(
        Proposal.application_id == task.application_id,
        Proposal.proposer_id == user.id,
        col(Proposal.review).is_(None),
    )
    return session.exec(own).first() is None


def active_task_ids_of(session: Session, user_id: int, programme_codes: list[str]) -> list[int]:
    """Everything an absent person holds, to hand over at once."""
    return [
        task_id
        for task_id in session.exec(
            select(Task.id).where(
                Task.assignee_id == user_id,
                col(Task.status).in_(ACTIVE_STATUSES),
                col(Task.programme_code).in_(programme_codes),
            )
        ).all()
        if task_id is not None
    ]


def staff_with_role(session: Session, *, role: str, organisations: list[str]) -> list[User]:
    """People who can take tasks of a role in the given organisations (for the reassign lists)."""
    return list(
        session.exec(
            select(User)
            .join(UserRole, col(UserRole.user_id) == col(User.id))
            .where(UserRole.role == role, col(User.organisation_code).in_(organisations), col(User.is_active))
            .order_by(col(User.full_name))
        ).all()
    )


TASK_ROLES = ("handler", "decider")


def colleagues(session: Session, *, organisations: list[str]) -> list[User]:
    """Handlers and deciders of the given organisations: the people work can be moved to."""
    return list(
        session.exec(
            select(User)
            .where(
                col(User.id).in_(select(UserRole.user_id).where(col(UserRole.role).in_(TASK_ROLES))),
                col(User.organisation_code).in_(organisations),
                col(User.is_active),
            )
            .order_by(col(User.full_name))
        ).all()
    )
