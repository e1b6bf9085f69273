"""Leads from CSV into the store (the content library has its own: assistant.content.store).

Re-importing updates rows in place, never duplicates them. Bad CSV rows are reported with
their line number and the rest are imported.
"""

from __future__ import annotations

import csv
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from assistant.db import transaction
from assistant.errors import InputError
from assistant.models import Lead, Rep, Stage

LEAD_COLUMNS = ("email", "name", "company", "title", "owner", "stage", "topics", "timezone")
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)


def valid_address(value: str) -> bool:
    return bool(_ADDRESS.match(value)) and len(value) <= 254


def import_leads(engine: Engine, path: Path, now: datetime) -> ImportReport:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8 text") from None
    reader = csv.DictReader(text.splitlines())
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in headers:
        raise InputError(str(path), "no 'email' column in the header row", line=1)
    report = ImportReport()
    with transaction(engine) as session:
        reps = {r.email: r.id for r in session.exec(select(Rep)).all()}
        seen: set[str] = set()
        for number, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            if None in raw:
                report.problems.append(f"{path}, line {number}: more fields than columns")
                continue
            problem = _lead_problem(row, reps)
            email = row.get("email", "").lower()
            if problem is None and email in seen:
                problem = f"{email} appears twice in the file"
            if problem:
                report.problems.append(f"{path}, line {number}: {problem}")
                continue
            seen.add(email)
            lead = session.exec(select(Lead).where(Lead.email == email)).first()
            if lead is None:
                lead = Lead(email=email, created_at=now)
                report.added += 1
            else:
                report.updated += 1
            lead.name = row.get("name", lead.name)
            lead.company = row.get("company", lead.company)
            lead.title = row.get("title", lead.title)
            if row.get("owner"):
                lead.owner_id = reps[row["owner"].lower()]
            if row.get("stage"):
                lead.stage = row["stage"].lower()
            if "topics" in row:
                lead.topics = [t.strip() for t in re.split(r"[;|]", row["topics"]) if t.strip()]
            if row.get("timezone"):
                lead.timezone = row["timezone"]
            extra = {k: v for k, v in row.items() if k not in LEAD_COLUMNS and v}
            lead.extra = {**lead.extra, **extra}
            session.add(lead)
    return report


def _lead_problem(row: dict[str, str], reps: dict[str, int | None]) -> str | None:
    email = row.get("email", "")
    if not email:
        return "the email is empty"
    if not valid_address(email):
        return f"'{email}' is not a valid email address"
    owner = row.get("owner", "").lower()
    if owner and owner not in reps:
        return f"owner '{owner}' is not a rep in the configuration"
    stage = row.get("stage", "").lower()
    if stage and stage not in {s.value for s in Stage}:
        return f"stage '{stage}' is not one of awareness, consideration, decision"
    zone = row.get("timezone", "")
    if zone:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return f"timezone '{zone}' is not a known IANA time zone"
    return None
