"""The network's organisations and the staff who work in grantdesk."""

from datetime import datetime
from enum import StrEnum

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
