"""a run's progress shows its idle gaps, their lower bound and its phase

Revision ID: 0014_run_idle_gaps
Revises: 0009_trust
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_run_idle_gaps'
down_revision = '0009_trust'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('solve_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idle_gaps', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('idle_gaps_bound', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phase', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('solve_run', schema=None) as batch_op:
        batch_op.drop_column('phase')
        batch_op.drop_column('idle_gaps_bound')
        batch_op.drop_column('idle_gaps')
