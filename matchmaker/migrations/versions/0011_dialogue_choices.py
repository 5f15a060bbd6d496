"""dialogue choices: the market dialogues a participant ranks, or none at all

Revision ID: 0011_dialogue_choices
Revises: 0008_event_lifecycle
Create Date: 2026-12-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import matchmaker.database


# revision identifiers, used by Alembic.
revision = '0011_dialogue_choices'
down_revision = '0008_event_lifecycle'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dialogue_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.CheckConstraint('rank >= 1', name=op.f('ck_dialogue_choice_rank_positive')),
    sa.ForeignKeyConstraint(['participation_id'], ['participation.id'], name=op.f('fk_dialogue_choice_participation_id_participation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_session.id'], name=op.f('fk_dialogue_choice_session_id_dialogue_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogue_choice')),
    sa.UniqueConstraint('participation_id', 'rank', name=op.f('uq_dialogue_choice_participation_id_rank')),
    sa.UniqueConstraint('participation_id', 'session_id', name=op.f('uq_dialogue_choice_participation_id_session_id'))
    )
    with op.batch_alter_table('dialogue_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_choice_session_id'), ['session_id'], unique=False)

    op.create_table('dialogue_opt_out',
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', matchmaker.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participation_id'], ['participation.id'], name=op.f('fk_dialogue_opt_out_participation_id_participation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participation_id', name=op.f('pk_dialogue_opt_out'))
    )


def downgrade():
    op.drop_table('dialogue_opt_out')
    with op.batch_alter_table('dialogue_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_choice_session_id'))

    op.drop_table('dialogue_choice')
