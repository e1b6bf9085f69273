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


_URL_HELP = "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE"


def make_engine(url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL; anything else is one sentence naming the key."""
    scheme = url.partition("://")[0].lower()
    if scheme in ("postgres", "postgresql", "postgresql+psycopg2"):
        url = "postgresql+psycopg://" + url.partition("://")[2]  # the driver we ship
        scheme = "postgresql+psycopg"
    if scheme not in ("sqlite", "postgresql+psycopg") or "://" not in url:
        name = scheme.split("+")[0] or url
        raise NurtureError(f"database.url: '{name}' databases are not supported; {_URL_HELP}.")
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


def _unreachable(engine: Engine, exc: OperationalError) -> NurtureError:
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    where = engine.url.render_as_string(hide_password=True)
    return NurtureError(f"Cannot reach the database {where} (database.url): {detail.rstrip('.')}.")


def _check_known(current: str | None) -> None:
    if current is not None and current not in known_revisions():
        raise NurtureError(
            f"The database (database.url) is stamped with schema revision '{current}', which "
            "this release does not know: it was written by a newer release; run that "
            "release, or restore a backup made with this one."
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create the schema or bring it to the newest revision (or to `revision`)."""
    try:
        current, _ = schema_revisions(engine)
        _check_known(current)
        command.upgrade(_alembic_config(engine), revision)
    except OperationalError as exc:
        raise _unreachable(engine, exc) from None


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
        try:
            current = is_current(engine)
        except OperationalError as exc:
            raise _unreachable(engine, exc) from None
        if not current:
            upgrade(engine)
    except BaseException:  # no engine is handed back: its pooled connections are closed here
        engine.dispose()
        raise
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
