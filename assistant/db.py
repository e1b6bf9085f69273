"""Engine, sessions, transactions and schema upgrades (Alembic)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from assistant.errors import NurtureError

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Create the schema or bring it to the newest revision."""
    try:
        command.upgrade(_alembic_config(engine), "head")
    except OperationalError as exc:
        raise NurtureError(f"Cannot reach the database {engine.url!r}: {exc.orig}") from None


def known_revisions() -> list[str]:
    """Every schema revision this release knows, oldest first."""
    script = ScriptDirectory(str(MIGRATIONS))
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def schema_revisions(engine: Engine) -> tuple[str | None, str | None]:
    """The revision the database is stamped with, and the newest one this code knows."""
    head = ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision(), head


def is_current(engine: Engine) -> bool:
    current, head = schema_revisions(engine)
    return current == head


def open_database(url: str) -> Engine:
    """An engine on a database at the newest schema revision."""
    engine = make_engine(url)
    try:
        current = is_current(engine)
    except OperationalError as exc:
        raise NurtureError(f"Cannot reach the database {engine.url!r}: {exc.orig}") from None
    if not current:
        upgrade(engine)
    return engine


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
