"""The library folder into the store: all files or none, and the manager's rules with them.

Every bad file is reported at once and nothing is written: a half-imported library could keep
offering an item whose file was being retired or given an expiry date, had that file a typo
elsewhere. A retirement made with `nurture content retire` (or in the web app) outlives later
imports; `nurture content restore` undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.config import ContentSettings
from assistant.content import policy
from assistant.content.embed import load_encoder
from assistant.content.library import ContentSpec, LibraryErrors, load_library_report
from assistant.db import transaction
from assistant.errors import ContentError, NotFound
from assistant.models import ContentItem


@dataclass
class LibraryImport:
    """What an import changed, and what the marketer should know about."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept_retired: list[str] = field(default_factory=list)  # retired by hand, file says not
    not_in_folder: list[str] = field(default_factory=list)  # still offered, no file here
    tracks: dict[str, list[str]] = field(default_factory=dict)
    same_company_days: int = 0


def import_library(
    engine: Engine,
    folder: Path,
    rules: ContentSettings,
    config_path: str,
    now: datetime,
    *,
    progress: bool = False,
) -> LibraryImport:
    """Check every file and the rules, then write items and rules in one transaction."""
    specs, errors = load_library_report(folder, progress=progress)
    errors += [
        ContentError(
            str(spec.source),
            "body",
            f"is {size:,} bytes, over the limit of {rules.max_body_bytes:,} "
            "([content] max_body_bytes): every body goes into the model's prompt",
        )
        for spec in specs
        if (size := len(spec.body.encode("utf-8"))) > rules.max_body_bytes
    ]
    if errors:
        raise LibraryErrors(folder, errors)
    if rules.ranker == "hybrid":
        load_encoder()  # a missing model stops the import, not a later drafting pass
    report = LibraryImport(same_company_days=rules.same_company_days)
    with transaction(engine) as session:
        stored = {item.slug: item for item in session.exec(select(ContentItem)).all()}
        known = {spec.slug for spec in specs} | set(stored)
        report.tracks = policy.check_tracks(rules.tracks, known, config_path)
        for spec in specs:
            item = stored.get(spec.slug)
            if item is None:
                item = ContentItem(
                    slug=spec.slug, title=spec.title, type=spec.type, url=spec.url, stage=spec.stage
                )
                report.added.append(spec.slug)
            else:
                report.updated.append(spec.slug)
                if item.retired and not spec.retired:
                    report.kept_retired.append(spec.slug)
            _fill(item, spec, now, keep_retired=item.retired)
            session.add(item)
        in_folder = {spec.slug for spec in specs}
        report.not_in_folder = sorted(
            slug for slug, item in stored.items() if slug not in in_folder and not item.retired
        )
        policy.save(
            session,
            tracks=report.tracks,
            same_company_days=rules.same_company_days,
            ranker=rules.ranker,
            now=now,
        )
    return report


def set_retired(session: Session, slug: str, retired: bool, now: datetime) -> ContentItem:
    """Retire an item (never offered again) or bring it back."""
    item = session.exec(select(ContentItem).where(ContentItem.slug == slug)).first()
    if item is None:
        raise NotFound(f"There is no content item '{slug}'.")
    item.retired = retired
    item.updated_at = now  # a new timestamp makes every process re-index the library
    session.add(item)
    return item


def _fill(item: ContentItem, spec: ContentSpec, now: datetime, *, keep_retired: bool) -> None:
    item.title, item.type, item.url, item.stage = spec.title, spec.type, spec.url, spec.stage
    item.topics, item.personas = list(spec.topics), list(spec.personas)
    item.industries = list(spec.industries)
    item.summary, item.body = spec.summary, spec.body
    item.file_path = str(spec.file) if spec.file else None
    item.file_sha256 = spec.file_sha256
    item.event_date, item.expires = spec.event_date, spec.expires
    item.retired = spec.retired or keep_retired
    item.updated_at = now
