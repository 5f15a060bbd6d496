"""event.data_version: the key of the market and suggestion caches, read by primary key

Revision ID: 0014_event_data_version
Revises: 0009_trust
Create Date: 2026-12-03 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_event_data_version'
down_revision = '0014_run_idle_gaps'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.BigInteger(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('data_version')
