"""Enterprise Grid: the workspaces served through their org's org-wide Slack install

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('slack_org_teams',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('enterprise_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('team_id')
    )
    op.create_index(op.f('ix_slack_org_teams_enterprise_id'), 'slack_org_teams', ['enterprise_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_slack_org_teams_enterprise_id'), table_name='slack_org_teams')
    op.drop_table('slack_org_teams')
