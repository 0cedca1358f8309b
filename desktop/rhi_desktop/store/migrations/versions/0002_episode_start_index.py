"""Index episodes by start time (caseload counts of the last 30 days and 12 months).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_missing_episode_started_at", "missing_episode", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_missing_episode_started_at", table_name="missing_episode")
