"""replica heartbeats and leases

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:15:00
"""

from alembic import op
import sqlalchemy as sa
import assistant.models


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('replica',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('started_at', assistant.models.UTCDateTime(), nullable=True),
    sa.Column('expires_at', assistant.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('replica', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replica_expires_at'), ['expires_at'], unique=False)
    op.create_table('lease',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', assistant.models.UTCDateTime(), nullable=True),
    sa.Column('expires_at', assistant.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('kind', 'key')
    )
    with op.batch_alter_table('lease', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lease_holder'), ['holder'], unique=False)
        batch_op.create_index(batch_op.f('ix_lease_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lease', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lease_expires_at'))
        batch_op.drop_index(batch_op.f('ix_lease_holder'))
    op.drop_table('lease')
    with op.batch_alter_table('replica', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replica_expires_at'))
    op.drop_table('replica')
