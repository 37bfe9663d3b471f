"""delivery state: attempts, backoff, permanent stops, worker leases, the group's last problem

Revision ID: 0005
Revises: question_reports
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = 'question_reports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('groups') as batch:
        batch.add_column(sa.Column('problem', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('problem_detail', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('problem_since', sa.DateTime(), nullable=True))
    with op.batch_alter_table('quizzes') as batch:
        batch.add_column(sa.Column('tries', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('retry_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('stopped', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('lease_owner', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('quizzes') as batch:
        for name in ('lease_until', 'lease_owner', 'stopped', 'retry_at', 'tries'):
            batch.drop_column(name)
    with op.batch_alter_table('groups') as batch:
        for name in ('problem_since', 'problem_detail', 'problem'):
            batch.drop_column(name)
