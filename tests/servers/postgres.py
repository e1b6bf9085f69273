"""Fresh PostgreSQL databases on the local server, one per test."""

import uuid

import psycopg
from psycopg import sql

HOST = "127.0.0.1"
PORT = 5432
ADMIN_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """The local PostgreSQL server cannot be reached with trust auth."""


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(
            host=HOST,
            port=PORT,
            user=ADMIN_USER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        raise PostgresUnavailable(
            f"PostgreSQL is not reachable as {ADMIN_USER}@{HOST}:{PORT} with trust auth "
            f"({str(exc).strip()}); scripts/bootstrap starts it and sets trust auth"
        ) from exc


def create_database(template: str | None = None) -> str:
    """Create a uniquely named database and return its SQLAlchemy URL.

    Empty, or a copy of `template` (the URL of a database no one is connected to): copying
    a migrated database is much quicker than running every migration again.
    """
    name = f"nurture_test_{uuid.uuid4().hex[:12]}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        source = sql.Identifier(template.rsplit("/", 1)[1])
        create = sql.SQL("{} TEMPLATE {}").format(create, source)
    with _admin() as admin:
        admin.execute(create)
    return f"postgresql+psycopg://{ADMIN_USER}@{HOST}:{PORT}/{name}"


def drop_database(url: str) -> None:
    """Drop a database made by create_database, ending the sessions left open on it."""
    name = url.rsplit("/", 1)[1]
    with _admin() as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
