"""The manager's content rules: tracks per stage and the same-company rule, kept in the store.

`nurture content import` checks the configuration's `[content]` rules against the library it
imports and stores both in one transaction, so every process (daemon replicas, the CLI, the
web app) ranks with the same library and the same rules.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from assistant.content.library import STAGES
from assistant.errors import ConfigError
from assistant.models import ContentPolicy


def current(session: Session) -> ContentPolicy:
    """The rules in force; no rules (no tracks, no company rule) before the first import."""
    row = session.exec(select(ContentPolicy).order_by(col(ContentPolicy.id))).first()
    return row or ContentPolicy()


def check_tracks(
    tracks: Mapping[str, Sequence[str]], slugs: Collection[str], where: str
) -> dict[str, list[str]]:
    """The tracks, each slug checked against the library; ConfigError names the bad one."""
    checked: dict[str, list[str]] = {}
    for stage, names in tracks.items():
        key = f"content.tracks.{stage}"
        if stage not in STAGES:
            raise ConfigError(where, key, f"'{stage}' is not a stage ({', '.join(STAGES)})")
        for slug in names:
            if slug not in slugs:
                raise ConfigError(where, key, f"'{slug}' is not an item of the library")
        checked[stage] = list(dict.fromkeys(names))
    return checked


def save(
    session: Session,
    *,
    tracks: Mapping[str, Sequence[str]],
    same_company_days: int,
    ranker: str = "bm25",
    now: datetime,
) -> ContentPolicy:
    """Replace the rules in force (the caller has checked the tracks)."""
    row = session.exec(select(ContentPolicy).order_by(col(ContentPolicy.id))).first()
    row = row or ContentPolicy()
    row.tracks = {stage: list(slugs) for stage, slugs in tracks.items() if slugs}
    row.same_company_days = same_company_days
    row.ranker = ranker
    row.updated_at = now
    session.add(row)
    return row
