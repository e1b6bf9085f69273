"""Alembic environment: runs against the engine handed over by assistant.db."""

from alembic import context
from sqlmodel import SQLModel

import assistant.models  # noqa: F401  (registers the tables)

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    context.run_migrations()
