"""documents belong to a programme; staff sessions can be ended

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_code', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_document_programme_code'), ['programme_code'], unique=False)
    # Letters belong to their application's programme. Print batches made before this revision mixed
    # programmes: they keep no programme and so are shown to nobody (their letters are archived one by one).
    op.execute(
        "UPDATE document SET programme_code = "
        "(SELECT application.programme_code FROM application WHERE application.id = document.application_id) "
        "WHERE application_id IS NOT NULL"
    )
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_programme_code'))
        batch_op.drop_column('programme_code')
