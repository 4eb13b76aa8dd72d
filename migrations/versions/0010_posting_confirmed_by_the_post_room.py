"""posting confirmed by the post room; letters set aside by a batch; task details

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:40:00

A print batch used to count as posted on the day it was made. Now the post room confirms the day the
letters left (`posted_on`, nullable until then) and `made_on` keeps the day it was made. Batches made
before this migration were dated as made: they become `posted` on that day. Each decision records the
day it left (`dispatched_on`), taken for existing rows from their batch or their e-mail's sending day.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("printbatch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("made_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("posting_confirmed_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("posting_confirmed_at", models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column("posted_on", existing_type=sa.Date(), nullable=True)
        batch_op.create_foreign_key(
            "fk_printbatch_posting_confirmed_by_staff_user", "staff_user", ["posting_confirmed_by"], ["id"]
        )
    op.execute("UPDATE printbatch SET made_on = posted_on")
    op.execute("UPDATE printbatch SET status = 'posted' WHERE status = 'ready'")
    with op.batch_alter_table("printbatch", schema=None) as batch_op:
        batch_op.alter_column("made_on", existing_type=sa.Date(), nullable=False)

    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatched_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("letter_held", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True))
    _backfill_dispatch_days()
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True))


def _backfill_dispatch_days() -> None:
    """A posted letter left on its batch's day; an e-mail on the Helsinki day it was sent."""
    bind = op.get_bind()
    helsinki = ZoneInfo("Europe/Helsinki")
    rows = bind.execute(
        sa.text(
            "SELECT d.id, d.channel, d.sent_at, b.posted_on FROM decision d"
            " LEFT JOIN printbatch b ON b.id = d.print_batch_id WHERE d.sent_at IS NOT NULL"
        )
    ).all()
    for decision_id, channel, sent_at, posted_on in rows:
        if channel == "letter" and posted_on is not None:
            day = posted_on
        else:
            sent = sent_at if isinstance(sent_at, datetime) else datetime.fromisoformat(str(sent_at))
            day = (sent if sent.tzinfo else sent.replace(tzinfo=UTC)).astimezone(helsinki).date()
        bind.execute(sa.text("UPDATE decision SET dispatched_on = :day WHERE id = :id"), {"day": day, "id": decision_id})


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("detail")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_column("letter_held")
        batch_op.drop_column("dispatched_on")
    op.execute("UPDATE printbatch SET posted_on = made_on WHERE posted_on IS NULL")
    op.execute("UPDATE printbatch SET status = 'ready' WHERE status IN ('posted', 'printed')")
    with op.batch_alter_table("printbatch", schema=None) as batch_op:
        batch_op.drop_constraint("fk_printbatch_posting_confirmed_by_staff_user", type_="foreignkey")
        batch_op.alter_column("posted_on", existing_type=sa.Date(), nullable=False)
        batch_op.drop_column("posting_confirmed_at")
        batch_op.drop_column("posting_confirmed_by")
        batch_op.drop_column("made_on")
