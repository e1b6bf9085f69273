"""Leads from CSV and the content library from Markdown files, into the store.

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

from assistant.content.library import ContentSpec, load_library
from assistant.db import transaction
from assistant.errors import InputError
from assistant.models import ContentItem, Lead, Rep, Stage

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


def import_content(engine: Engine, folder: Path, now: datetime) -> ImportReport:
    """Load and validate the whole folder first; nothing is written if any file is bad."""
    specs = load_library(folder)
    report = ImportReport()
    with transaction(engine) as session:
        for spec in specs:
            item = session.exec(select(ContentItem).where(ContentItem.slug == spec.slug)).first()
            if item is None:
                item = ContentItem(
                    slug=spec.slug, title=spec.title, type=spec.type, url=spec.url, stage=spec.stage
                )
                report.added += 1
            else:
                report.updated += 1
            _fill(item, spec, now)
            session.add(item)
    return report


def _fill(item: ContentItem, spec: ContentSpec, now: datetime) -> None:
    item.title, item.type, item.url, item.stage = spec.title, spec.type, spec.url, spec.stage
    item.topics, item.personas = list(spec.topics), list(spec.personas)
    item.industries = list(spec.industries)
    item.summary, item.body = spec.summary, spec.body
    item.file_path = str(spec.file) if spec.file else None
    item.file_sha256 = spec.file_sha256
    item.event_date, item.expires, item.retired = spec.event_date, spec.expires, spec.retired
    item.updated_at = now
