"""The network's organisations and the staff who work in grantdesk."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Role(StrEnum):
    HANDLER = "handler"
    DECIDER = "decider"
    LEGAL = "legal"
    FINANCE = "finance"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Organisation(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=10)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=500)


class User(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=320)
    full_name: str = Field(max_length=200)
    organisation_code: str = Field(foreign_key="organisation.code")
    password_hash: str = Field(max_length=300)
    is_active: bool = True
    # Part of every session cookie: raising it (sign-out, password change, deactivation) ends every session.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The language of the e-mails the person gets (invitations, resets, assignments): fi, sv or en.
    language: str = Field(default="fi", max_length=2, sa_column_kwargs={"server_default": "fi"})
    # A temporary password (given by the CLI) must be replaced before any other staff page opens.
    must_change_password: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Opted in on the account page: an e-mail when someone else assigns a task to the person.
    notify_on_assignment: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # How decision letters name the person's office, per language ("elinkeinojohtaja", "näringslivsdirektör"),
    # and the phone number a letter may give (Administrative Procedure Act 44 §).
    titles: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default=sa.text("'{}'"))
    )
    phone: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})


class UserRole(SQLModel, table=True):
    user_id: int = Field(foreign_key="staff_user.id", primary_key=True)
    role: str = Field(primary_key=True, max_length=20)


class LoginAttempt(SQLModel, table=True):
    """Failed and successful sign-ins, counted to slow down password guessing."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, max_length=320)
    client_ip: str = Field(index=True, max_length=64)
    succeeded: bool
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class LinkPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a password)


class PasswordLink(SQLModel, table=True):
    """A one-time link to set one's password: an invitation or a reset (web/services/password_links.py).

    Only the SHA-256 of the link's token is kept: whoever reads the table (or a backup) cannot use a
    link. A link works once, until it expires, and stops working when a newer one is issued.
    """

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    purpose: str = Field(max_length=20)  # a LinkPurpose
    token_digest: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A newer link was issued or used, or the account was deactivated.
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
