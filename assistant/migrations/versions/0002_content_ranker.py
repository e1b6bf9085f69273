"""the content policy names its ranker

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 18:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contentpolicy") as batch:
        batch.add_column(sa.Column("ranker", sa.String(), nullable=False, server_default="bm25"))


def downgrade() -> None:
    with op.batch_alter_table("contentpolicy") as batch:
        batch.drop_column("ranker")
