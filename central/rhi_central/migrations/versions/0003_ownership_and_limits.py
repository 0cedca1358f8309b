"""Who may write what, and limits that survive a restart.

- children.created_by_device: a child a worker added on a laptop (central had no record of it)
  and that central took with that laptop's push; NULL for children central was given.
- reviews.worker: review feedback goes to the worker who owns the interview (every laptop of
  that worker), not to whichever device sent the latest revision.
- enrol_failures: failed enrolment attempts per address and per code, in the database so the
  limit holds across restarts and API processes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("children") as batch:
        batch.add_column(sa.Column("created_by_device", sa.String(length=36), nullable=True))
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("worker", sa.String(length=200), nullable=True))
    # Feedback already given follows the worker of the device it went to.
    op.execute(
        "UPDATE reviews SET worker = "
        "(SELECT devices.worker FROM devices WHERE devices.id = reviews.device_id)"
    )
    op.create_index("ix_reviews_worker_seq", "reviews", ["worker", "seq"])
    op.create_table(
        "enrol_failures",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_enrol_failures_key_at", "enrol_failures", ["key", "at"])
    op.create_index("ix_enrol_failures_at", "enrol_failures", ["at"])


def downgrade() -> None:
    op.drop_index("ix_enrol_failures_at", table_name="enrol_failures")
    op.drop_index("ix_enrol_failures_key_at", table_name="enrol_failures")
    op.drop_table("enrol_failures")
    op.drop_index("ix_reviews_worker_seq", table_name="reviews")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("worker")
    with op.batch_alter_table("children") as batch:
        batch.drop_column("created_by_device")
