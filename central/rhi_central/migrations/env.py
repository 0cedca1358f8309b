"""Alembic environment for rhi-central: always handed an open connection by rhi_central.db."""

from alembic import context

from rhi_central.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs via table copies
)
with context.begin_transaction():
    context.run_migrations()
