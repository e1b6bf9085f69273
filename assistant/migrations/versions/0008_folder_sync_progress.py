"""folder sync progress: the server's UIDNEXT and the last sync error

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 08:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("folderstate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uidnext", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("folderstate", schema=None) as batch_op:
        batch_op.drop_column("last_error")
        batch_op.drop_column("uidnext")
