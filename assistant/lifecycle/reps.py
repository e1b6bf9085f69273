"""A rep's status on the floor (active, paused, removed): added, paused, resumed, removed.

Each move is a compare-and-set in the caller's transaction with its audit entry; the audit
entry and the row's `updated_at` are what a running daemon notices (its reconcile step).
A removed rep's leads, drafts and mail stay: the leads wait to be reassigned.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from assistant.config import RepSettings
from assistant.errors import StateError
from assistant.models import Rep, RepSource, RepStatus
from assistant.records import audit

_S = RepStatus


def values(rep: RepSettings) -> dict[str, Any]:
    """What a row keeps of the settings: everything but the address, passwords only by name."""
    return {
        "name": rep.name,
        "title": rep.title,
        "signature": rep.signature,
        "team": rep.team,
        "timezone": rep.timezone,
        "imap": rep.imap.model_dump(mode="json") if rep.imap else None,
        "smtp": rep.smtp.model_dump(mode="json") if rep.smtp else None,
    }


def _move(
    session: Session, rep: Rep, allowed: tuple[RepStatus, ...], target: RepStatus, now: datetime
) -> bool:
    result = session.execute(
        update(Rep)
        .where(col(Rep.id) == rep.id, col(Rep.status).in_([s.value for s in allowed]))
        .values(status=target.value, status_changed_at=now, updated_at=now)
    )
    moved = getattr(result, "rowcount", 0) == 1
    if moved:
        session.refresh(rep)
    return moved


def _audit(session: Session, actor: str, action: str, rep: Rep, now: datetime, **more: Any) -> None:
    audit(session, actor, action, None, now, rep=rep.email, **more)


def get(session: Session, email: str) -> Rep:
    """The rep's row; one sentence when there is none."""
    row = session.exec(select(Rep).where(Rep.email == email.strip().lower())).first()
    if row is None:
        raise StateError(f"{email.strip().lower()} is not a rep.")
    return row


def add(session: Session, rep: RepSettings, actor: str, now: datetime) -> Rep:
    """A new rep, active at once; an address already on file is one sentence."""
    found = session.exec(select(Rep).where(Rep.email == rep.email)).first()
    if found is not None:
        hint = " (`nurture reps resume` brings it back)" if found.status != _S.active else ""
        raise StateError(f"{rep.email} is already a rep, {found.status}{hint}.")
    row = Rep(email=rep.email, name=rep.name, created_at=now, updated_at=now, status_changed_at=now)
    for key, value in values(rep).items():
        setattr(row, key, value)
    row.source = RepSource.database.value
    session.add(row)
    session.flush()
    _audit(session, actor, "rep_added", row, now)
    return row


def pause(session: Session, rep: Rep, actor: str, now: datetime) -> bool:
    """Stop syncing the mailbox and sending from it; approved mail waits for the resume."""
    moved = _move(session, rep, (_S.active,), _S.paused, now)
    if moved:
        _audit(session, actor, "rep_paused", rep, now)
    return moved


def resume(session: Session, rep: Rep, actor: str, now: datetime) -> bool:
    """Back on the floor: watched, synced, sending, from a pause or a removal."""
    moved = _move(session, rep, (_S.paused, _S.removed), _S.active, now)
    if moved:
        _audit(session, actor, "rep_resumed", rep, now)
    return moved


def remove(session: Session, rep: Rep, actor: str, now: datetime) -> bool:
    """Off the floor; the leads stay theirs until reassigned, the history stays."""
    moved = _move(session, rep, (_S.active, _S.paused), _S.removed, now)
    if moved:
        _audit(session, actor, "rep_removed", rep, now)
    return moved


def require(moved: bool, rep: Rep) -> None:
    """For a person's action: a move the rep's status does not allow is one sentence."""
    if not moved:
        raise StateError(f"{rep.email} is {rep.status}; nothing was changed.")
