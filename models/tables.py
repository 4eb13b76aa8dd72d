"""Every table, imported once so SQLModel.metadata knows them all (Alembic and tests use this)."""

from models.appeals.requests import RectificationRequest
from models.audit import AuditEvent
from models.documents import Document
from models.grants.applications import Application, AssessmentRecord, TimelineEvent
from models.grants.decisions import BudgetLedger, Decision, DecisionSequence, Proposal
from models.grants.info_requests import Attachment, InfoRequest
from models.grants.registry import RegisteredBusiness, RegisterLookup
from models.identification import ApplicantSession, SignInRequest
from models.mandates import RecordedRight
from models.notifications import EmailLog
from models.outbox import OutboxMessage
from models.payments.batches import BatchApproval, PaymentBatch, PaymentInstruction
from models.payments.imports import BankReportImport
from models.payments.payments import AccountChange, Payment
from models.payments.recovery import Recovery
from models.service_requests.requests import Feedback, Meeting, ServiceMessage, ServiceRequest, ServiceRoute
from models.service_requests.routing import RoutingRule
from models.serving.print_batches import PrintBatch
from models.staff import LoginAttempt, Organisation, PasswordLink, User, UserRole
from models.tasks import Task

__all__ = [
    "AccountChange",
    "ApplicantSession",
    "Application",
    "AssessmentRecord",
    "Attachment",
    "AuditEvent",
    "BankReportImport",
    "BatchApproval",
    "BudgetLedger",
    "Decision",
    "DecisionSequence",
    "Document",
    "EmailLog",
    "Feedback",
    "InfoRequest",
    "LoginAttempt",
    "Meeting",
    "Organisation",
    "OutboxMessage",
    "PasswordLink",
    "Payment",
    "PaymentBatch",
    "PaymentInstruction",
    "PrintBatch",
    "Proposal",
    "RecordedRight",
    "Recovery",
    "RectificationRequest",
    "RegisterLookup",
    "RegisteredBusiness",
    "RoutingRule",
    "ServiceMessage",
    "ServiceRequest",
    "ServiceRoute",
    "SignInRequest",
    "Task",
    "TimelineEvent",
    "User",
    "UserRole",
]
