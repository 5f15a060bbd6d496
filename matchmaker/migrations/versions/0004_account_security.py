"""account security: e-mail verification

Revision ID: 0004_account_security
Revises: 0003_user_language
Create Date: 2026-11-24 10:02:11.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_account_security'
down_revision = '0003_user_language'
branch_labels = None
depends_on = None


def upgrade():
    # Accounts that exist already count as verified: they were made before the check.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('email_verified')
