"""mailbox grants (OAuth 2.0)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:10:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import assistant.models


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mailbox_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('scopes', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.LargeBinary(), nullable=False),
    sa.Column('access_expires_at', assistant.models.UTCDateTime(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('notified_at', assistant.models.UTCDateTime(), nullable=True),
    sa.Column('connected_at', assistant.models.UTCDateTime(), nullable=True),
    sa.Column('updated_at', assistant.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )


def downgrade() -> None:
    op.drop_table('mailbox_grant')
