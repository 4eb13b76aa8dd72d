"""Every table, imported once so SQLModel.metadata knows them all (Alembic and tests use this)."""

from models.audit import AuditEvent
from models.documents import Document
from models.grants.applications import Application, AssessmentRecord, TimelineEvent
from models.grants.decisions import BudgetLedger, Decision, DecisionSequence, Proposal
from models.grants.info_requests import Attachment, InfoRequest
from models.grants.registry import RegisteredBusiness
from models.notifications import EmailLog
from models.outbox import OutboxMessage
from models.serving.print_batches import PrintBatch
from models.staff import LoginAttempt, Organisation, PasswordLink, User, UserRole
from models.tasks import Task

__all__ = [
    "Application",
    "AssessmentRecord",
    "Attachment",
    "AuditEvent",
    "BudgetLedger",
    "Decision",
    "DecisionSequence",
    "Document",
    "EmailLog",
    "InfoRequest",
    "LoginAttempt",
    "Organisation",
    "OutboxMessage",
    "PasswordLink",
    "PrintBatch",
    "Proposal",
    "RegisteredBusiness",
    "Task",
    "TimelineEvent",
    "User",
    "UserRole",
]
