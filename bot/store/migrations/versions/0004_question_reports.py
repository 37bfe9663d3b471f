"""question reports: members flag a question once each (wrong answer, unclear, outdated, typo)

Revision ID: question_reports
Revises: 0003
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = 'question_reports'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('question_reports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quiz_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('group_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('question_id', 'member_id', name='uq_one_report_per_member')
    )
    with op.batch_alter_table('question_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_reports_group_id'), ['group_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('question_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_reports_group_id'))
    op.drop_table('question_reports')
