"""request receipts: signed requests already handled (replay protection)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('request_receipts',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index(op.f('ix_request_receipts_seen_at'), 'request_receipts', ['seen_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_request_receipts_seen_at'), table_name='request_receipts')
    op.drop_table('request_receipts')
