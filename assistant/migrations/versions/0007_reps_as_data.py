"""reps and their mailboxes as data

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:15:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import assistant.models


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every rep row so far came from the configuration file: it stays the file's.
    with op.batch_alter_table("rep", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("imap", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("smtp", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="active"))
        batch_op.add_column(sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="file"))
        batch_op.add_column(sa.Column("created_at", assistant.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", assistant.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("status_changed_at", assistant.models.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_rep_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rep", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rep_status"))
        for column in ("status_changed_at", "updated_at", "created_at", "source", "status", "smtp", "imap", "timezone", "title"):
            batch_op.drop_column(column)
