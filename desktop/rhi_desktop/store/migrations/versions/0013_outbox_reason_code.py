"""Outbox rows keep central's machine-readable reason; refusals of older versions retried once.

Older versions marked every refusal ``rejected`` for good, including those caused by a state
on central that changes (a questionnaire not published yet). Each such row is queued again
once, here: central's answer to the retry says whether it is really refused.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"  # chained after 0011 (attachments) when merged with the xlsform branch
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox_item", sa.Column("reason_code", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE outbox_item SET state = 'pending', next_attempt_at = NULL WHERE state = 'rejected'"
    )


def downgrade() -> None:
    op.drop_column("outbox_item", "reason_code")
