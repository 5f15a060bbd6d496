"""event lifecycle: booking closed and event over phases, live booking, frozen changes

Revision ID: 0008_event_lifecycle
Revises: 0007_run_include_spare
Create Date: 2026-12-03 09:00:00.000000

The old phase 'scheduled' (booking closed, schedule not yet published) becomes
'booking_closed'. An event whose schedule was published had booking closed then, so it
keeps live booking off.
"""
from alembic import op
import sqlalchemy as sa

import matchmaker.database


# revision identifiers, used by Alembic.
revision = '0008_event_lifecycle'
down_revision = '0007_run_include_spare'
branch_labels = None
depends_on = None

OLD = ('draft', 'booking_open', 'scheduled', 'published')
NEW = ('draft', 'booking_open', 'booking_closed', 'published', 'over')


def _phase(values):
    return sa.Enum(*values, name='phase', native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_booking', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('changes_frozen_from',
                                      matchmaker.database.UTCDateTime(), nullable=True))
        batch_op.alter_column('phase', existing_type=_phase(OLD), type_=sa.String(20),
                              existing_nullable=False)
    op.execute("UPDATE event SET phase = 'booking_closed' WHERE phase = 'scheduled'")
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('phase', existing_type=sa.String(20), type_=_phase(NEW),
                              existing_nullable=False)
        batch_op.alter_column('live_booking', server_default=None)


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('phase', existing_type=_phase(NEW), type_=sa.String(20),
                              existing_nullable=False)
    op.execute("UPDATE event SET phase = 'scheduled' WHERE phase = 'booking_closed'")
    op.execute("UPDATE event SET phase = 'published' WHERE phase = 'over'")
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('phase', existing_type=sa.String(20), type_=_phase(OLD),
                              existing_nullable=False)
        batch_op.drop_column('changes_frozen_from')
        batch_op.drop_column('live_booking')
