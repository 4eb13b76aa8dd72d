"""What a task, a timeline event, an e-mail or an audit event is about: a subject of one workflow family.

The queue, claims, the audit trail and the mail log are shared by every family (grant applications
now; service requests, appeals and payments next), so their rows name their subject by type and id
instead of by a foreign key to one family's table.
"""

from enum import StrEnum

from sqlmodel import Field, SQLModel


class SubjectType(StrEnum):
    GRANT_APPLICATION = "grant_application"
    STAFF_USER = "staff_user"  # invitations and password resets
    PRINT_BATCH = "print_batch"  # the post room's confirmation of a posting
    PAYMENT_BATCH = "payment_batch"  # its file, approvals, release or cancellation
    BANK_REPORT = "bank_report"  # a bank report imported and applied
    SERVICE_REQUEST = "service_request"  # a customer's request to the network (models/service_requests/)


class AboutSubject(SQLModel):
    """Columns for a row that is about one subject (mixed into the table models)."""

    subject_type: str = Field(max_length=30)  # a SubjectType
    subject_id: int
