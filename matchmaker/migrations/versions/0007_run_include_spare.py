"""a meetings run may use spare tables

Revision ID: 0007_run_include_spare
Revises: 0006_request_reads
Create Date: 2026-11-23 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_run_include_spare'
down_revision = '0006_request_reads'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solve_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('include_spare', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('solve_run', schema=None) as batch_op:
        batch_op.drop_column('include_spare')
