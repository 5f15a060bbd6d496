"""messages on the day and after it: reminders, broadcasts, outcome questions

Revision ID: 0013_day_messages
Revises: 0011_dialogue_choices
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import matchmaker.database


# revision identifiers, used by Alembic.
revision = '0013_day_messages'
down_revision = '0011_dialogue_choices'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        for name in ('organiser_mail', 'meeting_reminders', 'outcome_questions'):
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False,
                                          server_default=sa.true()))
    op.create_table(
        'mail_receipt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('participation_id', sa.Integer(), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', matchmaker.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['participation_id'], ['participation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'participation_id', 'ref_id'),
    )
    with op.batch_alter_table('mail_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_receipt_participation_id'),
                              ['participation_id'], unique=False)
    op.create_table(
        'broadcast',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('segment', sa.String(length=20), nullable=False),
        sa.Column('product_group_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=150), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', matchmaker.database.UTCDateTime(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('finished_at', matchmaker.database.UTCDateTime(), nullable=True),
        sa.CheckConstraint('total >= 0', name='total_non_negative'),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['product_group_id'], ['product_group.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_event_id'), ['event_id'], unique=False)
    op.create_table(
        'meeting_outcome',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('participation_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.Enum('no_contact', 'knowledge', 'contact', 'negotiation',
                                     'agreement', name='outcome', native_enum=False,
                                     create_constraint=True, length=20), nullable=False),
        sa.Column('answered_at', matchmaker.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participation_id'], ['participation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('meeting_id', 'participation_id'),
    )
    with op.batch_alter_table('meeting_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_outcome_participation_id'),
                              ['participation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('meeting_outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_outcome_participation_id'))
    op.drop_table('meeting_outcome')
    with op.batch_alter_table('broadcast', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_event_id'))
    op.drop_table('broadcast')
    with op.batch_alter_table('mail_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_receipt_participation_id'))
    op.drop_table('mail_receipt')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        for name in ('outcome_questions', 'meeting_reminders', 'organiser_mail'):
            batch_op.drop_column(name)
