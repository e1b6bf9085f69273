"""mailbox_grant.public_client: a grant from Microsoft's device flow refreshes without a secret

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mailbox_grant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_client", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("mailbox_grant", schema=None) as batch_op:
        batch_op.drop_column("public_client")
