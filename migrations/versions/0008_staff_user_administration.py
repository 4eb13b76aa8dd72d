"""staff user administration: one-time password links, e-mail language, temporary passwords, assignment e-mails

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 17:19:17.707069
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


import models.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "passwordlink",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("token_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_digest"),
    )
    with op.batch_alter_table("passwordlink", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passwordlink_user_id"), ["user_id"], unique=False)

    # Server defaults, so the accounts that exist keep working: Finnish e-mails, their password as it
    # is, no assignment e-mails until they ask for them. sa.false() is FALSE on PostgreSQL, 0 on SQLite.
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), server_default="fi", nullable=False)
        )
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("notify_on_assignment", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("notify_on_assignment")
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("language")

    with op.batch_alter_table("passwordlink", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passwordlink_user_id"))

    op.drop_table("passwordlink")
