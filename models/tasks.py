"""Human work in the grant queue: one row per task, the read model the queue pages list from."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field

from models.subjects import AboutSubject
from models.types import UTCDateTime, utcnow


class TaskKind(StrEnum):
    HANDLE = "handle"  # prepare a proposal (a handler)
    DECIDE = "decide"  # accept or return the proposal (a decider who did not propose it)
    ACCOUNT = "account"  # the bank returned a payment: check the corrected account the applicant gives (a handler)
    ACCOUNT_APPROVAL = "account_approval"  # the second check of a changed account, by another person (finance)
    RECOVERY = "recovery"  # decide whether a paid grant is recovered (a decider who did not open the case)
    REPAYMENT = "repayment"  # a recovered grant was not repaid by its due date: follow it up (finance)
    DELIVER = "deliver"  # the decision could not be served (e-mail refused, letter incomplete): try again or post it
    RECTIFICATION = "rectification"  # prepare the ruling on a rectification request and record the body's (legal)
    SERVICE = "service"  # serve a customer's service request routed to the organisation (a handler)
    TRIAGE = "triage"  # no routing rule matched: the network's front desk routes it (a coordinator)


class TaskStatus(StrEnum):
    OPEN = "open"  # in the queue, nobody holds it
    CLAIMED = "claimed"  # a person holds it
    WAITING = "waiting"  # waiting for the applicant's reply; the holder keeps it
    DONE = "done"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.WAITING)


class TaskClosing(StrEnum):
    """What the workflow does with its current task."""

    DONE = "done"
    CANCELLED = "cancelled"
    WAITING = "waiting"  # parked with its holder until the applicant answers
    REOPEN = "reopen"  # back to its holder if they still hold it, else to the queue


class Task(AboutSubject, table=True):
    """One piece of human work a workflow waits for; any family's (see models/subjects.py)."""

    __table_args__ = (Index("ix_task_subject", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # The workflow's name for the task: a completion naming an older key is stale.
    key: str = Field(unique=True, max_length=120)
    # The workflow the completion is sent to (as an update).
    workflow_id: str = Field(max_length=120)
    # Convenience for the grant family's pages, which join the application.
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    # Who sees it (web/scope.py): the programme's processing organisations, or one organisation.
    programme_code: str | None = Field(default=None, index=True, max_length=80)
    organisation_code: str | None = Field(default=None, max_length=10)
    kind: str = Field(max_length=20)
    role: str = Field(max_length=20)
    status: str = Field(default=TaskStatus.OPEN, index=True, max_length=20)
    assignee_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    # Applications are processed in order of arrival.
    arrived_at: datetime = Field(sa_type=UTCDateTime, index=True)
    due_on: date | None = None
    note: str | None = Field(default=None, max_length=2000)
    detail: str | None = Field(default=None, max_length=2000)  # e.g. which fact a decision letter lacks
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
