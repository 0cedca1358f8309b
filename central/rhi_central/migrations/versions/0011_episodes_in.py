"""Episodes in: when the council was notified, imports between preview and apply, integration
tokens, and the indexes the line of sight reads by.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("episodes", sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_episodes_returned_at", "episodes", ["returned_at"])
    op.create_index("ix_episodes_started_at", "episodes", ["started_at"])
    op.create_index("ix_episodes_police_reference", "episodes", ["police_reference"])
    op.create_index("ix_children_local_id", "children", ["local_id"])
    op.create_table(
        "episode_imports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_base64", sa.Text(), nullable=True),
        sa.Column("mapping_text", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("summary", JSON, nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "integration_tokens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )


def downgrade() -> None:
    op.drop_table("integration_tokens")
    op.drop_table("episode_imports")
    op.drop_index("ix_children_local_id", "children")
    op.drop_index("ix_episodes_police_reference", "episodes")
    op.drop_index("ix_episodes_started_at", "episodes")
    op.drop_index("ix_episodes_returned_at", "episodes")
    with op.batch_alter_table("episodes") as batch:
        batch.drop_column("notified_at")
