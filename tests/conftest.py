"""Shared fixtures: real Dovecot, SMTP and database servers, and the one world the tests build."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from assistant.db import open_database
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.postgres import PostgresUnavailable, create_database, drop_database
from tests.servers.smtp import SmtpServer

if TYPE_CHECKING:  # imported by the fixture: the stand-in must load first, as a plugin
    from tests.world import World

pytest_plugins = ["tests.servers.anthropic_standin"]


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One Dovecot for the whole session; tests isolate themselves with fresh users."""
    server = Dovecot()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailbox_user(dovecot: Dovecot) -> MailboxUser:
    """A new, empty mailbox with its own login."""
    return dovecot.new_user()


@pytest.fixture
def make_smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    """Start SMTP servers, e.g. ``make_smtp_server(login=("rep", "pw"))``; stopped after."""
    servers: list[SmtpServer] = []

    def make(login: tuple[str, str] | None = None) -> SmtpServer:
        server = SmtpServer(login=login)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(make_smtp_server: Callable[..., SmtpServer]) -> SmtpServer:
    """An SMTP server without AUTH that records every message."""
    return make_smtp_server()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLAlchemy URL for a new SQLite file."""
    return f"sqlite:///{tmp_path}/nurture.db"


def _postgres(template: str | None = None) -> str:
    try:
        return create_database(template)
    except PostgresUnavailable as exc:
        # A missing PostgreSQL must fail loudly: a skip would hide half of the suite.
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A SQLAlchemy URL for an empty PostgreSQL database of its own (what replicas share)."""
    url = _postgres()
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLAlchemy URL for an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/nurture.db"
        return
    url = _postgres()
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest schema, made once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "nurture.db"
    open_database(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database at the newest schema, made once and copied for each test."""
    url = _postgres()
    try:
        open_database(url).dispose()  # no session may stay open on a template
        yield url
    finally:
        drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLAlchemy URL for a database at the newest schema and with no rows, once on SQLite
    and once on PostgreSQL: a copy of a template, since running the migrations for every
    test cost seconds each."""
    if request.param == "sqlite":
        path = tmp_path / "nurture.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = _postgres(request.getfixturevalue("postgres_template"))
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def make_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., World]]:
    """Build worlds (tests/world.py) for this test: `make_world(db_url, now, **options)`.
    Worlds made on one database share it (a second one is a restart); all are closed after
    the test."""
    from tests.world import build_world

    made: list[World] = []

    def make(db_url: str, now: datetime, **options: Any) -> World:
        world = build_world(monkeypatch, tmp_path, db_url, now, **options)
        made.append(world)
        return world

    yield make
    for world in made:
        world.close()


@pytest.fixture
def world_on_servers(
    make_world: Callable[..., World],
    db_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> Callable[..., World]:
    """`world_on_servers(now, **options)`: a world on Dovecot, aiosmtpd and the test
    database (SQLite and PostgreSQL)."""
    return functools.partial(
        make_world, db_url, dovecot=dovecot, user=mailbox_user, smtp=smtp_server
    )
