"""Who wrote each answer, and what the worker decided about each risk flag.

- answer.author: "worker" or "young_person" (existing answers were typed by the worker: NULL
  reads as "worker"), so young-person mode shows the child only their own words.
- return_interview.flag_decisions, interview_revision.flag_decisions: {flag code: why no
  referral was made}, the worker's answer to a flag that suggests a referral.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import rhi_desktop.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (nullable): no table rebuild, so foreign keys are not disturbed.
    op.add_column("answer", sa.Column("author", sa.String(length=16), nullable=True))
    for table in ("return_interview", "interview_revision"):
        op.add_column(
            table,
            sa.Column("flag_decisions", rhi_desktop.store.types.JSONText(), nullable=True),
        )


def downgrade() -> None:
    # Plain DROP COLUMN too: a batch copy of return_interview would break its foreign keys.
    for table in ("interview_revision", "return_interview"):
        op.drop_column(table, "flag_decisions")
    op.drop_column("answer", "author")
