"""Outcomes, revision history and the completion lock.

- return_interview: analysis, recommendations, shared_with_social_worker_on, amendment_reason,
  locked_at.
- offer_attempt, interview_session: revision (the revision they were recorded in; existing rows
  belong to revision 1).
- safety_plan: one plan per (interview, revision).
- interview_revision: the frozen header of each superseded revision.

Revision ID: 0003
Revises: 0002
Create Date: 2026-03-10
"""

import sqlalchemy as sa
from alembic import op

import rhi_desktop.store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("return_interview", schema=None) as batch_op:
        batch_op.add_column(sa.Column("analysis", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("recommendations", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("shared_with_social_worker_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("amendment_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("locked_at", rhi_desktop.store.types.UTCDateTime(), nullable=True)
        )
    # A completed interview from before this migration is locked from its completion time.
    op.execute(
        "UPDATE return_interview SET locked_at = completed_at "
        "WHERE completed_at IS NOT NULL AND state IN ('completed', 'synced', 'approved', "
        "'has_issues')"
    )
    for table in ("offer_attempt", "interview_session"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("revision", sa.Integer(), nullable=False, server_default="1")
            )
    # A unique index, not a constraint: adding a constraint makes SQLite copy the table, which
    # foreign keys from safety_plan_item forbid once a plan has items.
    op.create_index(
        "ix_safety_plan_interview_revision",
        "safety_plan",
        ["interview_id", "revision"],
        unique=True,
    )
    op.create_table(
        "interview_revision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=True),
        sa.Column("form_id", sa.String(length=60), nullable=True),
        sa.Column("form_version", sa.String(length=40), nullable=True),
        sa.Column("held_at", rhi_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("completed_at", rhi_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("locked_at", rhi_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("late_reason", sa.String(length=40), nullable=True),
        sa.Column("late_note", sa.Text(), nullable=True),
        sa.Column("risk_flags", rhi_desktop.store.types.JSONText(), nullable=True),
        sa.Column("analysis", sa.Text(), nullable=True),
        sa.Column("recommendations", sa.Text(), nullable=True),
        sa.Column("shared_with_social_worker_on", sa.Date(), nullable=True),
        sa.Column("amendment_reason", sa.Text(), nullable=True),
        sa.Column("superseded_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["return_interview.id"],
            name=op.f("fk_interview_revision_interview_id_return_interview"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_revision")),
        sa.UniqueConstraint(
            "interview_id", "revision", name=op.f("uq_interview_revision_interview_id")
        ),
    )
    with op.batch_alter_table("interview_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_revision_interview_id"), ["interview_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("interview_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_revision_interview_id"))
    op.drop_table("interview_revision")
    op.drop_index("ix_safety_plan_interview_revision", table_name="safety_plan")
    # Plain ALTER TABLE … DROP COLUMN (SQLite >= 3.35), not a batch table copy: other tables'
    # foreign keys point at return_interview, so it cannot be dropped and recreated.
    for table in ("interview_session", "offer_attempt"):
        op.drop_column(table, "revision")
    for column in (
        "locked_at",
        "amendment_reason",
        "shared_with_social_worker_on",
        "recommendations",
        "analysis",
    ):
        op.drop_column("return_interview", column)
