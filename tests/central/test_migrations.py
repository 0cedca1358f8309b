"""Migrations: they build the schema the models expect, on both backends, and run twice."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from rhi_central.db import current_revision, head_revision, make_engine, migrate
from rhi_central.models import Base


def test_migrations_match_models_on_each_backend(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        migrate(engine)  # idempotent: every command runs it at start
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert {"interviews", "audit_events", "devices"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
