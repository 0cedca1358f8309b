"""Alembic environment: always given an open (keyed) connection by rhi_desktop.store.schema."""

from alembic import context

from rhi_desktop.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only ALTER via table copies
)
with context.begin_transaction():
    context.run_migrations()
