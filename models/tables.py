"""Every table, imported once so SQLModel.metadata knows them all (Alembic and tests use this)."""

from models.grants import Application, AssessmentRecord, TimelineEvent
from models.outbox import OutboxMessage
from models.registry import RegisteredBusiness
from models.staff import LoginAttempt, Organisation, User, UserRole

__all__ = [
    "Application",
    "AssessmentRecord",
    "LoginAttempt",
    "Organisation",
    "OutboxMessage",
    "RegisteredBusiness",
    "TimelineEvent",
    "User",
    "UserRole",
]
