"""request reads: when a participant last opened their meeting requests

Revision ID: 0006_request_reads
Revises: 0005_shortlist
Create Date: 2026-11-30 10:12:00.000000

"""
from alembic import op
import sqlalchemy as sa

import matchmaker.database


# revision identifiers, used by Alembic.
revision = '0006_request_reads'
down_revision = '0005_shortlist'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requests_seen_at', matchmaker.database.UTCDateTime(),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_column('requests_seen_at')
