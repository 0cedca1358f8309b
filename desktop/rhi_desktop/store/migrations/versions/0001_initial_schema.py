"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

import rhi_desktop.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=True),
        sa.Column("entity_id", sa.String(length=36), nullable=True),
        sa.Column("detail", rhi_desktop.store.types.JSONText(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("synced", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_event")),
        sa.UniqueConstraint("id", name=op.f("uq_audit_event_id")),
    )
    op.create_table(
        "child",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("local_id", sa.String(length=40), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("dob", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=16), nullable=False),
        sa.Column("ethnicity", sa.String(length=80), nullable=True),
        sa.Column("looked_after", sa.Boolean(), nullable=False),
        sa.Column("uasc", sa.Boolean(), nullable=False),
        sa.Column("out_of_area", sa.Boolean(), nullable=False),
        sa.Column("placement_type", sa.String(length=80), nullable=True),
        sa.Column("placing_authority", sa.String(length=80), nullable=True),
        sa.Column("social_worker", sa.String(length=100), nullable=True),
        sa.Column("preferred_language", sa.String(length=16), nullable=False),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("created_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child")),
        sa.UniqueConstraint("local_id", name=op.f("uq_child_local_id")),
    )
    op.create_table(
        "outbox_item",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", rhi_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_item")),
        sa.UniqueConstraint("kind", "entity_id", "revision", name=op.f("uq_outbox_item_kind")),
    )
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_item_state"), ["state"], unique=False)

    op.create_table(
        "profile_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", rhi_desktop.store.types.JSONText(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_profile_setting")),
    )
    op.create_table(
        "missing_episode",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("child_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=1), nullable=False),
        sa.Column("started_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("returned_at", rhi_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("where_found", sa.String(length=200), nullable=True),
        sa.Column("found_by", sa.String(length=120), nullable=True),
        sa.Column("police_reference", sa.String(length=60), nullable=True),
        sa.Column("risk_grade", sa.String(length=24), nullable=False),
        sa.Column("safe_and_well_done", sa.Boolean(), nullable=False),
        sa.Column("created_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_missing_episode_child_id_child")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_episode")),
    )
    with op.batch_alter_table("missing_episode", schema=None) as batch_op:
        batch_op.create_index("ix_episode_child_start", ["child_id", "started_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_missing_episode_returned_at"), ["returned_at"], unique=False
        )

    op.create_table(
        "return_interview",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("child_id", sa.String(length=36), nullable=False),
        sa.Column("form_id", sa.String(length=60), nullable=True),
        sa.Column("form_version", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=True),
        sa.Column("created_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("held_at", rhi_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("completed_at", rhi_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("late_reason", sa.String(length=40), nullable=True),
        sa.Column("late_note", sa.Text(), nullable=True),
        sa.Column("current_section", sa.String(length=80), nullable=True),
        sa.Column("risk_flags", rhi_desktop.store.types.JSONText(), nullable=True),
        sa.Column("updated_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_return_interview_child_id_child")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_interview")),
    )
    with op.batch_alter_table("return_interview", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_return_interview_child_id"), ["child_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_return_interview_state"), ["state"], unique=False)

    op.create_table(
        "answer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=80), nullable=False),
        sa.Column("repeat_path", sa.String(length=200), nullable=False),
        sa.Column("value", rhi_desktop.store.types.JSONText(), nullable=False),
        sa.Column("updated_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["return_interview.id"],
            name=op.f("fk_answer_interview_id_return_interview"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint(
            "interview_id",
            "revision",
            "question",
            "repeat_path",
            name=op.f("uq_answer_interview_id"),
        ),
    )
    op.create_table(
        "interview_episode",
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("episode_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["missing_episode.id"],
            name=op.f("fk_interview_episode_episode_id_missing_episode"),
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["return_interview.id"],
            name=op.f("fk_interview_episode_interview_id_return_interview"),
        ),
        sa.PrimaryKeyConstraint("interview_id", "episode_id", name=op.f("pk_interview_episode")),
    )
    op.create_table(
        "interview_session",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("present", rhi_desktop.store.types.JSONText(), nullable=True),
        sa.Column("time_alone", sa.Boolean(), nullable=True),
        sa.Column("confidentiality_explained", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["return_interview.id"],
            name=op.f("fk_interview_session_interview_id_return_interview"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_session")),
    )
    with op.batch_alter_table("interview_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_session_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "offer_attempt",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("by_whom", sa.String(length=100), nullable=True),
        sa.Column("declined_by", sa.String(length=16), nullable=True),
        sa.Column("decline_reason", sa.String(length=40), nullable=True),
        sa.Column("decline_note", sa.Text(), nullable=True),
        sa.Column("carer_shared", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["return_interview.id"],
            name=op.f("fk_offer_attempt_interview_id_return_interview"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_attempt")),
    )
    with op.batch_alter_table("offer_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offer_attempt_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "referral",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["return_interview.id"],
            name=op.f("fk_referral_interview_id_return_interview"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "review_feedback",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.Column("received_at", rhi_desktop.store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["return_interview.id"],
            name=op.f("fk_review_feedback_interview_id_return_interview"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_feedback")),
    )
    with op.batch_alter_table("review_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_feedback_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "safety_plan",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["return_interview.id"],
            name=op.f("fk_safety_plan_interview_id_return_interview"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_plan")),
    )
    with op.batch_alter_table("safety_plan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_safety_plan_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "signature",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("signed_at", rhi_desktop.store.types.UTCDateTime(), nullable=True),
        sa.Column("strokes", rhi_desktop.store.types.JSONText(), nullable=True),
        sa.Column("png", sa.LargeBinary(), nullable=True),
        sa.Column("declined_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["return_interview.id"],
            name=op.f("fk_signature_interview_id_return_interview"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature")),
    )
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signature_interview_id"), ["interview_id"], unique=False
        )

    op.create_table(
        "safety_plan_item",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("relationship", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("who", sa.String(length=100), nullable=True),
        sa.Column("by_when", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["safety_plan.id"], name=op.f("fk_safety_plan_item_plan_id_safety_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_plan_item")),
    )
    with op.batch_alter_table("safety_plan_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safety_plan_item_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("safety_plan_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_plan_item_plan_id"))

    op.drop_table("safety_plan_item")
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signature_interview_id"))

    op.drop_table("signature")
    with op.batch_alter_table("safety_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_plan_interview_id"))

    op.drop_table("safety_plan")
    with op.batch_alter_table("review_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_feedback_interview_id"))

    op.drop_table("review_feedback")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_interview_id"))

    op.drop_table("referral")
    with op.batch_alter_table("offer_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_attempt_interview_id"))

    op.drop_table("offer_attempt")
    with op.batch_alter_table("interview_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_session_interview_id"))

    op.drop_table("interview_session")
    op.drop_table("interview_episode")
    op.drop_table("answer")
    with op.batch_alter_table("return_interview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_interview_state"))
        batch_op.drop_index(batch_op.f("ix_return_interview_child_id"))

    op.drop_table("return_interview")
    with op.batch_alter_table("missing_episode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missing_episode_returned_at"))
        batch_op.drop_index("ix_episode_child_start")

    op.drop_table("missing_episode")
    op.drop_table("profile_setting")
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_item_state"))

    op.drop_table("outbox_item")
    op.drop_table("child")
    op.drop_table("audit_event")
