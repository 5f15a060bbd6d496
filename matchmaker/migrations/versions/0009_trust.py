"""trust: organiser rights, join policies, contact visibility, pending participations

Revision ID: 0009_trust
Revises: 0013_day_messages
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import matchmaker.database


# revision identifiers, used by Alembic.
revision = '0009_trust'
down_revision = '0013_day_messages'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('can_organise', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'join_policy', sa.Enum('open', 'approval', 'code', name='join_policy',
                                   native_enum=False, create_constraint=True, length=20),
            server_default='open', nullable=False))
        batch_op.add_column(sa.Column('join_code', sa.String(length=40), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column(
            'contact_visibility', sa.Enum('contacts', 'participants', name='contact_visibility',
                                          native_enum=False, create_constraint=True, length=20),
            server_default='contacts', nullable=False))
    op.create_table(
        'pending_participation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('invited', 'requested', name='pending_kind', native_enum=False,
                                  create_constraint=True, length=20), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('organisation', sa.String(length=200), nullable=False),
        sa.Column('role', sa.Enum('buyer', 'supplier', 'facilitator', 'organiser', 'moderator',
                                  name='pending_role', native_enum=False, create_constraint=True,
                                  length=20), nullable=False),
        sa.Column('product_groups', sa.Text(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('pitch', sa.String(length=200), nullable=False),
        sa.Column('share_contact', sa.Boolean(), nullable=False),
        sa.Column('created_at', matchmaker.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', 'user_id'),
    )
    with op.batch_alter_table('pending_participation', schema=None) as batch_op:
        batch_op.create_index('ix_pending_participation_event_id', ['event_id'], unique=False)
        batch_op.create_index('ix_pending_participation_user_id', ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_participation', schema=None) as batch_op:
        batch_op.drop_index('ix_pending_participation_user_id')
        batch_op.drop_index('ix_pending_participation_event_id')
    op.drop_table('pending_participation')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint('contact_visibility', type_='check')
        batch_op.drop_constraint('join_policy', type_='check')
        batch_op.drop_column('contact_visibility')
        batch_op.drop_column('join_code')
        batch_op.drop_column('join_policy')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('can_organise')
