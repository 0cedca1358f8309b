"""Seal each completed revision's payload, hash and signed PDF in its outbox row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

import rhi_desktop.store.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (not a batch table copy): nullable columns need no rebuild.
    op.add_column("outbox_item", sa.Column("content_sha256", sa.String(length=64), nullable=True))
    op.add_column(
        "outbox_item", sa.Column("payload", rhi_desktop.store.types.JSONText(), nullable=True)
    )
    op.add_column("outbox_item", sa.Column("pdf", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox_item", "pdf")
    op.drop_column("outbox_item", "payload")
    op.drop_column("outbox_item", "content_sha256")
