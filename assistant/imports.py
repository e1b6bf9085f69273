"""Leads from CSV into the store (the content library has its own: assistant.content.store).

Re-importing updates rows in place, never duplicates them. Bad CSV rows are reported with
the file's line number and the rest are imported. Rows are checked first, then written in
bulk: one pass over the stored leads, then COPY on PostgreSQL or executemany on SQLite.
"""

from __future__ import annotations

import csv
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from tqdm import tqdm

from assistant.db import transaction
from assistant.errors import InputError
from assistant.models import Lead, Rep, Stage

LEAD_COLUMNS = ("email", "name", "company", "title", "owner", "stage", "topics", "timezone")
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_BATCH = 1000
_STAGES = {s.value for s in Stage}
_rep = Rep.__table__.c  # type: ignore[attr-defined]
_lead = Lead.__table__  # type: ignore[attr-defined]
_KEPT = ("id", "email", "name", "company", "title", "owner_id", "stage", "topics", "timezone")
_CHANGED = (*_KEPT[2:], "extra")  # what an import may change on a stored lead


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    values: dict[str, str]


def valid_address(value: str) -> bool:
    return bool(_ADDRESS.match(value)) and len(value) <= 254


def import_leads(
    engine: Engine,
    path: Path,
    now: datetime,
    *,
    default_owner: str | None = None,
    progress: bool = False,
) -> ImportReport:
    """Import the file; `default_owner` (a rep's address) owns rows that name nobody."""
    report = ImportReport()
    problems: list[tuple[int, str]] = []
    with transaction(engine) as session:
        connection = session.connection()
        reps = {
            email: rep_id
            for email, rep_id in connection.execute(
                sa.select(_rep.email, _rep.id).where(_rep.status != "removed")  # none to them
            )
        }
        rows: dict[str, _Row] = {}
        for row in tqdm(_records(path), desc="Reading", unit=" rows", disable=not progress):
            problem = _lead_problem(row.values, reps)
            email = row.values.get("email", "").lower()
            if problem is None and email in rows:
                problem = f"{email} appears twice in the file"
            if problem:
                problems.append((row.line, problem))
                continue
            rows[email] = row
        if default_owner is not None and default_owner not in reps:
            raise InputError(str(path), f"the default owner {default_owner} is not a rep")
        existing = _existing(connection, list(rows))
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        base = Lead(email="", created_at=now).model_dump(exclude={"id"})
        for email, row in rows.items():
            old = existing.get(email)
            lead = _merged(dict(old) if old else {**base, "email": email}, row.values)
            named = row.values.get("owner", "").lower()
            if named:
                lead["owner_id"] = reps[named]
            elif not lead["owner_id"] and default_owner is not None:
                lead["owner_id"] = reps[default_owner]
            if not lead["owner_id"]:
                problems.append(
                    (row.line, "no owner: fill the 'owner' column or set [leads] default_owner")
                )
                continue
            if old is None:
                inserts.append(lead)
            elif lead != old:  # a re-import of the same file writes nothing
                updates.append(lead)
            report.updated += old is not None
        _write(connection, inserts, updates, progress)
    report.added = len(inserts)
    report.problems = [f"{path}, line {line}: {problem}" for line, problem in sorted(problems)]
    return report


def _records(path: Path) -> Iterator[_Row]:
    """Each record with the physical line it starts on; fields may hold line breaks."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip().lower() for h in next(reader, [])]
            if "email" not in header:
                raise InputError(str(path), "no 'email' column in the header row", line=1)
            start = reader.line_num + 1
            for fields in reader:
                line, start = start, reader.line_num + 1
                if not fields:  # a blank line
                    continue
                if len(fields) > len(header):
                    values = {"": "more fields than columns"}
                else:
                    values = {k: v.strip() for k, v in zip(header, fields, strict=False) if k}
                yield _Row(line, values)
        except UnicodeDecodeError:
            raise InputError(str(path), "not UTF-8 text") from None
        except csv.Error as exc:
            raise InputError(str(path), f"not readable as CSV ({exc})", reader.line_num) from None


def _existing(connection: Connection, emails: list[str]) -> dict[str, dict[str, Any]]:
    """The stored leads among these addresses, read in one streamed pass over the table.

    One scan rather than batches of `IN (...)`: PostgreSQL's plan for a long IN list of
    parameters compares every row with every value, which took minutes at 100,000 leads.
    """
    wanted = set(emails)
    found: dict[str, dict[str, Any]] = {}
    if not wanted:
        return found
    query = sa.select(*[_lead.c[name] for name in (*_KEPT, "extra")])
    rows = connection.execute(query, execution_options={"yield_per": 5000}).mappings()
    for row in rows:
        if row["email"] in wanted:
            found[row["email"]] = dict(row)
    return found


def _merged(lead: dict[str, Any], row: dict[str, str]) -> dict[str, Any]:
    """The lead's columns with what the row gives laid over them."""
    for key in ("name", "company", "title"):
        if key in row:
            lead[key] = row[key]
    if row.get("stage"):
        lead["stage"] = row["stage"].lower()
    if "topics" in row:
        lead["topics"] = [t.strip() for t in re.split(r"[;|]", row["topics"]) if t.strip()]
    if row.get("timezone"):
        lead["timezone"] = row["timezone"]
    extra = {k: v for k, v in row.items() if k not in LEAD_COLUMNS and v}
    lead["extra"] = {**(lead.get("extra") or {}), **extra}
    return lead


def _write(
    connection: Connection,
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    progress: bool,
) -> None:
    """Store the new leads and the changed ones: COPY on PostgreSQL, executemany on SQLite."""
    write = _copy if connection.dialect.name == "postgresql" else _executemany
    with tqdm(
        total=len(inserts) + len(updates), desc="Storing", unit=" leads", disable=not progress
    ) as bar:
        write(connection, inserts, updates, bar)


def _executemany(
    connection: Connection,
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    bar: tqdm[Any],
) -> None:
    """Plain executemany in chunks, inside the import's one transaction.

    Without RETURNING, SQLite's driver runs one prepared statement for every row; a lead that
    another writer stored meanwhile is updated, not a failed import.
    """
    insert = sqlite_insert(_lead)
    upsert = insert.on_conflict_do_update(
        index_elements=[_lead.c.email], set_={name: insert.excluded[name] for name in _CHANGED}
    )
    update = (
        sa.update(_lead)
        .where(_lead.c.id == sa.bindparam("lead_id"))
        .values({name: sa.bindparam(f"new_{name}") for name in _CHANGED})
    )
    for chunk in _chunks(inserts):
        connection.execute(upsert, chunk)
        bar.update(len(chunk))
    for chunk in _chunks(updates):
        params = [
            {"lead_id": lead["id"], **{f"new_{name}": lead[name] for name in _CHANGED}}
            for lead in chunk
        ]
        connection.execute(update, params)
        bar.update(len(chunk))


def _copy(
    connection: Connection,
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
    bar: tqdm[Any],
) -> None:
    """COPY every row into a temporary table, then one UPDATE and one INSERT from it.

    Multi-row INSERTs with parameters spent most of their time in the driver rewriting the
    statement; COPY sends rows as data. New leads go in file order; a lead another writer
    stored meanwhile is updated rather than failing the import.
    """
    dialect = connection.dialect
    columns = [c for c in _lead.c if c.name != "id"]
    binds = {c.name: c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns}
    names = ", ".join(c.name for c in columns)

    def changed(source: str) -> str:
        return ", ".join(f"{name} = {source}.{name}" for name in _CHANGED)

    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE lead_import ON COMMIT DROP AS "
        f"SELECT id, {names}, 0 AS line FROM lead WITH NO DATA"
    )
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY lead_import (line, id, {names}) FROM STDIN") as copy:
        for line, lead in enumerate([*inserts, *updates]):
            values = [line, lead.get("id")]
            for name in (c.name for c in columns):
                value, bind = lead.get(name), binds[name]
                values.append(bind(value) if bind is not None and value is not None else value)
            copy.write_row(values)
            if line % _BATCH == _BATCH - 1:
                bar.update(_BATCH)
    connection.exec_driver_sql(
        f"UPDATE lead SET {changed('i')} FROM lead_import i "
        "WHERE i.id IS NOT NULL AND lead.id = i.id"
    )
    connection.exec_driver_sql(
        f"INSERT INTO lead ({names}) SELECT {names} FROM lead_import WHERE id IS NULL "
        f"ORDER BY line ON CONFLICT (email) DO UPDATE SET {changed('excluded')}"
    )
    bar.update(bar.total - bar.n)


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), _BATCH):
        yield rows[i : i + _BATCH]


def _lead_problem(row: dict[str, str], reps: dict[str, int]) -> str | None:
    if "" in row:
        return row[""]
    email = row.get("email", "")
    if not email:
        return "the email is empty"
    if not valid_address(email):
        return f"'{email}' is not a valid email address"
    owner = row.get("owner", "").lower()
    if owner and owner not in reps:
        return f"owner '{owner}' is not a rep in the configuration"
    stage = row.get("stage", "").lower()
    if stage and stage not in _STAGES:
        return f"stage '{stage}' is not one of awareness, consideration, decision"
    zone = row.get("timezone", "")
    if zone:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return f"timezone '{zone}' is not a known IANA time zone"
    return None
