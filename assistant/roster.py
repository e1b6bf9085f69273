"""The reps and their mailboxes as the database holds them: seeded from the file, read at run time.

Every part that needs a rep's settings while running (sync, send, notices, the daemon's
watchers, the web app, the doctor) asks `reps` or `find` here, never `Settings.reps`, so a rep
added, paused or removed with `nurture reps` or the web app counts without a restart.

The configuration file's `[[reps]]` tables seed the table on every start (`seed`, idempotent):

- a rep in the file gets a row, or its row takes the file's settings (the file owns them);
- the file says nothing about status: a rep paused or removed at run time stays so even though
  the file still lists it, until `nurture reps resume` (a removal is a decision a person made);
- a rep that came from the file and is no longer in it is removed, once, and handed to the
  database: for a file-only setup the file says who is on the floor, as before; its leads and
  history stay, and `nurture reps resume` brings it back as a rep the database owns;
- reps added with `nurture reps add` or the web app are the database's: seeding leaves them be.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.config import RepSettings, Settings
from assistant.db import transaction
from assistant.errors import InputError
from assistant.models import FolderState, Lead, Rep, RepSource, RepStatus

log = logging.getLogger("nurture")
ACTIVE = (RepStatus.active,)
ON_FLOOR = (RepStatus.active, RepStatus.paused)
ANY = tuple(RepStatus)


def as_settings(row: Rep) -> RepSettings:
    """The row as the typed settings the stages and adapters take."""
    return RepSettings.model_validate(
        {
            "email": row.email,
            "name": row.name,
            "title": row.title,
            "signature": row.signature,
            "team": row.team,
            "timezone": row.timezone,
            "imap": row.imap,
            "smtp": row.smtp,
        }
    )


FIELDS = (
    "name", "title", "signature", "team", "timezone", "auth", "provider",
    "imap_host", "imap_port", "imap_security", "imap_username", "imap_password_env",
    "sent_folder", "append_to_sent",
    "smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_password_env",
)  # fmt: skip
_SHARED = ("auth", "provider", "sent_folder", "append_to_sent")


def from_fields(
    email: str, fields: Mapping[str, Any], named: Callable[[str], str] = str
) -> RepSettings:
    """A new rep's settings from flat fields (the CLI's options, the admin page's form), in
    the shape of a `[[reps]]` table; an empty field keeps its default. A bad field is one
    sentence naming it as `named` says (an option, a label)."""

    def given(**values: Any) -> dict[str, Any]:
        return {k: v for k, v in values.items() if v not in (None, "")}

    f = {key: fields.get(key) for key in FIELDS}
    auth = f["auth"] or "password"
    data: dict[str, Any] = given(
        email=email,
        name=f["name"],
        title=f["title"],
        signature=(f["signature"] or "").replace("\\n", "\n"),
        team=f["team"],
        timezone=f["timezone"],
    )
    if f["imap_host"]:
        data["imap"] = given(
            host=f["imap_host"],
            port=f["imap_port"],
            security=f["imap_security"],
            username=f["imap_username"] or email.strip().lower(),
            auth=auth,
            provider=f["provider"],
            password_env=f["imap_password_env"],
            sent_folder=f["sent_folder"],
            append_to_sent=f["append_to_sent"],
        )
    if f["smtp_host"]:
        data["smtp"] = given(
            host=f["smtp_host"],
            port=f["smtp_port"],
            security=f["smtp_security"],
            username=f["smtp_username"] or f["imap_username"],
            auth=auth,
            provider=f["provider"],
            password_env=f["smtp_password_env"],
        )
    try:
        return RepSettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        problem = "is required" if first["type"] == "missing" else str(first["msg"])
        problem = problem.removeprefix("Value error, ")
        raise InputError(named(_field(first["loc"])), problem[0].lower() + problem[1:]) from None


def _field(loc: tuple[int | str, ...]) -> str:
    """The flat field a validation error is about: ("imap", "port") -> imap_port."""
    parts = [str(part) for part in loc]
    if parts[0] in ("imap", "smtp"):
        if len(parts) == 1:  # the section's own check: OAuth without a provider
            return "provider"
        return parts[1] if parts[1] in _SHARED else f"{parts[0]}_{parts[1]}"
    return parts[0]


@contextmanager
def _reading(db: Session | Engine) -> Iterator[Session]:
    if isinstance(db, Session):
        yield db
        return
    with Session(db) as session:
        yield session


def reps(db: Session | Engine, statuses: Iterable[RepStatus] = ACTIVE) -> list[RepSettings]:
    """The reps in these statuses (the active ones by default), oldest first."""
    with _reading(db) as session:
        rows = session.exec(
            select(Rep)
            .where(col(Rep.status).in_([s.value for s in statuses]))
            .order_by(col(Rep.id))
        ).all()
        return [as_settings(row) for row in rows]


def find(
    db: Session | Engine, email: str, statuses: Iterable[RepStatus] = ACTIVE
) -> RepSettings | None:
    """One rep's settings, if the rep is in one of these statuses."""
    with _reading(db) as session:
        row = session.exec(select(Rep).where(Rep.email == email.strip().lower())).first()
        if row is None or row.status not in {s.value for s in statuses}:
            return None
        return as_settings(row)


def seed(engine: Engine, settings: Settings, now: datetime) -> None:
    """The configuration file's reps, as rows: see the module's rules."""
    from assistant.lifecycle import reps as lifecycle

    in_file = {rep.email: rep for rep in settings.reps}
    with transaction(engine) as session:
        rows = {row.email: row for row in session.exec(select(Rep)).all()}
        for email, rep in in_file.items():
            row = rows.get(email)
            if row is None:
                row = Rep(
                    email=email, created_at=now, status_changed_at=now, **lifecycle.values(rep)
                )
                row.source = RepSource.file.value
                session.add(row)
                continue
            changed = {k: v for k, v in lifecycle.values(rep).items() if getattr(row, k) != v}
            if row.source != RepSource.file.value:
                changed["source"] = RepSource.file.value
            for key, value in changed.items():
                setattr(row, key, value)
            if changed:
                row.updated_at = now
                session.add(row)
            if row.status == RepStatus.removed.value:
                log.warning(
                    "%s is in %s but was removed: `nurture reps resume %s` brings the rep back",
                    email,
                    settings.path or "the settings",
                    email,
                )
        for email, row in rows.items():
            if row.source == RepSource.file.value and email not in in_file:
                if row.status != RepStatus.removed.value:
                    lifecycle.remove(session, row, "configuration", now)
                row.source = RepSource.database.value  # removed once; the database keeps it
                row.updated_at = now
                session.add(row)


@dataclass(frozen=True)
class FloorLine:
    """One rep as `nurture reps list` and the admin page show them."""

    email: str
    name: str
    status: str
    source: str
    leads: int
    mailbox: str  # the mailbox's state in a few words
    attention: bool  # the mailbox needs a person: never synced long after, lagging, no grant

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def floor(
    engine: Engine, settings: Settings, now: datetime, *, removed: bool = False
) -> list[FloorLine]:
    """Every rep on the floor (and the removed ones if asked), with leads owned and mailbox
    state: read from the sync marks and the OAuth grants, the same for every process."""
    from assistant.oauth.store import MailboxGrant

    with Session(engine) as session:
        query = select(Rep).order_by(col(Rep.email))
        if not removed:
            query = query.where(Rep.status != RepStatus.removed.value)
        rows = session.exec(query).all()
        owned = dict(
            session.exec(
                select(col(Lead.owner_id), func.count(col(Lead.id))).group_by(col(Lead.owner_id))
            ).all()
        )
        synced = dict(
            session.exec(
                select(col(FolderState.rep_id), func.min(col(FolderState.synced_at))).group_by(
                    col(FolderState.rep_id)
                )
            ).all()
        )
        grants = {g.email: g for g in session.exec(select(MailboxGrant)).all()}
    lag = settings.daemon.max_sync_lag_seconds
    return [
        FloorLine(
            row.email,
            row.name,
            row.status,
            row.source,
            owned.get(row.id, 0),
            *_mailbox_state(row, synced.get(row.id or 0), grants.get(row.email), now, lag),
        )
        for row in rows
    ]


def _mailbox_state(
    row: Rep, synced: datetime | None, grant: Any, now: datetime, lag: float
) -> tuple[str, bool]:
    """A few words on the mailbox, and whether it needs a person."""
    if row.imap is None:
        return "no mailbox", False
    if row.status != RepStatus.active.value:
        return f"{row.status}: not watched", False
    if row.imap.get("auth", "password") != "password":
        if grant is None:
            return "not connected: `nurture reps connect`", True
        if grant.state != "ok":
            return f"needs reconnect: {grant.last_error}", True
    if synced is None:
        return "not synced yet", False
    ago = (now - synced).total_seconds()
    when = f"{ago / 60:.0f} min ago" if ago >= 60 else "just now"
    if ago > lag:
        return f"sync lagging: last synced {when}", True
    return f"synced {when}", False


def sync_reps(engine: Engine, settings: Settings) -> None:
    """The reps of the configuration file, as rows (see `seed` for the rules); light enough
    for every command, which runs it before it reads the database."""
    from assistant import clock

    seed(engine, settings, clock.now())
