"""tasks, timeline events, e-mails and audit events name their subject; tasks their workflow

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBJECT = sqlmodel.sql.sqltypes.AutoString(length=30)
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _workflow_id_from_key() -> str:
    # The task key is "<workflow id>/<kind>/<n>".
    if op.get_bind().dialect.name == "postgresql":
        return "split_part(key, '/', 1)"
    return "substr(key, 1, instr(key, '/') - 1)"


def upgrade() -> None:
    for table in ("task", "timelineevent", "emaillog"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('subject_type', SUBJECT, nullable=True))
            batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET subject_type = 'grant_application', subject_id = application_id")
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workflow_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column('organisation_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
    op.execute(f"UPDATE task SET workflow_id = {_workflow_id_from_key()}")
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.alter_column('subject_type', existing_type=SUBJECT, nullable=False)
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('workflow_id', existing_type=sqlmodel.sql.sqltypes.AutoString(length=120),
                              nullable=False)
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('programme_code', existing_type=sqlmodel.sql.sqltypes.AutoString(length=80),
                              nullable=True)
        batch_op.create_index('ix_task_subject', ['subject_type', 'subject_id'], unique=False)
    with op.batch_alter_table('emaillog', schema=None) as batch_op:
        batch_op.alter_column('subject_type', existing_type=SUBJECT, nullable=False)
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index('ix_emaillog_subject', ['subject_type', 'subject_id'], unique=False)
    # 0001 left the (application_id, key) constraint unnamed: PostgreSQL named it itself; on SQLite the
    # naming convention gives the reflected constraint the name dropped here.
    postgres = op.get_bind().dialect.name == "postgresql"
    old_unique = "timelineevent_application_id_key_key" if postgres else "uq_timelineevent_application_id_key"
    with op.batch_alter_table('timelineevent', schema=None, naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.alter_column('subject_type', existing_type=SUBJECT, nullable=False)
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(old_unique, type_='unique')
        batch_op.create_unique_constraint('uq_timelineevent_subject_key', ['subject_type', 'subject_id', 'key'])
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_type', SUBJECT, nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_auditevent_subject', ['subject_type', 'subject_id'], unique=False)
    op.execute(
        "UPDATE auditevent SET subject_type = 'grant_application', subject_id = application_id "
        "WHERE application_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_index('ix_auditevent_subject')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('subject_type')
    with op.batch_alter_table('timelineevent', schema=None) as batch_op:
        batch_op.drop_constraint('uq_timelineevent_subject_key', type_='unique')
        batch_op.create_unique_constraint('uq_timelineevent_application_id_key', ['application_id', 'key'])
    for table in ("task", "timelineevent", "emaillog"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table != "timelineevent":
                batch_op.drop_index(f'ix_{table}_subject')
            batch_op.drop_column('subject_id')
            batch_op.drop_column('subject_type')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('organisation_code')
        batch_op.drop_column('workflow_id')
