"""Every earlier schema revision, filled with data, upgrades to the newest with its data intact."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

import assistant.models  # noqa: F401  (the tables the ORM reads after the upgrade)
from assistant.db import MIGRATIONS, known_revisions, make_engine, schema_revisions, upgrade

EARLIER = known_revisions()[:-1]


def _value(table: sa.Table, column: sa.Column[Any]) -> Any:
    """A plausible value of the column's type; keys and references point at row 1."""
    kind = column.type
    if column.primary_key or column.foreign_keys:
        return "1" if isinstance(kind, sa.String) else 1  # a text key (a lease's kind) too
    if isinstance(kind, sa.Boolean):
        return True
    if isinstance(kind, sa.Integer):
        return 7
    if isinstance(kind, sa.Float | sa.Numeric):
        return 1.5
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 2, 3, 4, 5)
    if isinstance(kind, sa.Date):
        return date(2026, 1, 2)
    if isinstance(kind, sa.JSON):
        return ["kept"]
    if isinstance(kind, sa.LargeBinary):
        return b"kept bytes"
    return f"{table.name}.{column.name}"


def _fill(engine: sa.Engine) -> dict[str, dict[str, Any]]:
    """One row in every table, every column set; returns what was written."""
    meta = sa.MetaData()
    meta.reflect(engine)
    written: dict[str, dict[str, Any]] = {}
    with engine.begin() as connection:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            row = {column.name: _value(table, column) for column in table.columns}
            connection.execute(table.insert(), row)
            written[table.name] = row
    return written


@pytest.mark.parametrize("start", EARLIER)
def test_upgrading_from_each_earlier_revision_keeps_every_row(
    empty_db_url: str, start: str
) -> None:
    engine = make_engine(empty_db_url)
    upgrade(engine, start)
    assert schema_revisions(engine)[0] == start
    written = _fill(engine)

    upgrade(engine)

    current, head = schema_revisions(engine)
    assert current == head
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        for name, row in written.items():
            table = meta.tables[name]
            [stored] = connection.execute(sa.select(table)).mappings().all()
            for column, value in row.items():
                if column in table.c:
                    assert stored[column] == value, f"{name}.{column}"
    with Session(engine) as session:  # and the models read every migrated row
        for mapper in SQLModel._sa_registry.mappers:
            if mapper.local_table.name in written:
                assert len(session.exec(select(mapper.class_)).all()) == 1, mapper.class_
    engine.dispose()


def test_the_revisions_iterated_are_every_migration_file_in_order() -> None:
    links: dict[str | None, str] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(
            re.findall(r'^(revision|down_revision) = "?([^"\n]+)"?$', path.read_text(), re.M)
        )
        down = found["down_revision"]
        links[None if down == "None" else down] = found["revision"]
    chain, current = [], links.get(None)
    while current is not None:
        chain.append(current)
        current = links.get(current)
    assert chain == known_revisions() and len(chain) == len(links)
    assert chain[:-1] == EARLIER
