"""message.in_reply_to indexed: a message whose reply came first finds that reply's thread

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:45:00
"""

from alembic import op


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_in_reply_to"), ["in_reply_to"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_in_reply_to"))
