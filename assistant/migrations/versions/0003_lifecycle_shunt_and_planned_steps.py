"""lifecycle, shunt and planned steps

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 04:28:52
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
import assistant.models


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('rep_id', sa.Integer(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('first_at', assistant.models.UTCDateTime(), nullable=True),
    sa.Column('last_at', assistant.models.UTCDateTime(), nullable=True),
    sa.Column('next_attempt_at', assistant.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stage', 'kind', 'item_id')
    )
    with op.batch_alter_table('failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failure_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_failure_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_failure_rep_id'), ['rep_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_failure_stage'), ['stage'], unique=False)
        batch_op.create_index(batch_op.f('ix_failure_state'), ['state'], unique=False)

    op.create_table('plannedstep',
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('situation', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('trigger', sa.String(length=200), nullable=True),
    sa.Column('reply_to', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('touch_number', sa.Integer(), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('due', assistant.models.UTCDateTime(), nullable=True),
    sa.Column('deadline', assistant.models.UTCDateTime(), nullable=True),
    sa.Column('planned_at', assistant.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], ),
    sa.PrimaryKeyConstraint('lead_id')
    )
    with op.batch_alter_table('plannedstep', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plannedstep_due'), ['due'], unique=False)

    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('cc', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', assistant.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('sending_since', assistant.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('sending_since')
        batch_op.drop_column('next_attempt_at')

    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_column('cc')
        batch_op.drop_column('step')

    with op.batch_alter_table('plannedstep', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plannedstep_due'))

    op.drop_table('plannedstep')
    with op.batch_alter_table('failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failure_state'))
        batch_op.drop_index(batch_op.f('ix_failure_stage'))
        batch_op.drop_index(batch_op.f('ix_failure_rep_id'))
        batch_op.drop_index(batch_op.f('ix_failure_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_failure_lead_id'))

    op.drop_table('failure')
