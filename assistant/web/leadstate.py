"""A person's controls over a lead: pause, resume, stop, reassign; each audited, each a CAS."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from assistant.db import transaction
from assistant.errors import StateError
from assistant.models import Lead, LeadStatus, Rep
from assistant.records import audit, cancel_open_drafts, is_suppressed

_S = LeadStatus
PAUSABLE = (_S.active, _S.paused, _S.sales_ready)
RESUMABLE = (_S.paused, _S.stopped, _S.sales_ready)
STOPPABLE = (_S.active, _S.paused, _S.sales_ready)


def _move(db: Session, lead: Lead, allowed: tuple[LeadStatus, ...], **values: Any) -> None:
    """Change the lead only if its status is still one that allows it."""
    result = db.execute(
        update(Lead)
        .where(col(Lead.id) == lead.id, col(Lead.status).in_([s.value for s in allowed]))
        .values(**values)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise StateError(
            f"{lead.email} is {lead.status.replace('_', ' ')} now; nothing was changed."
        )


def pause(
    engine: Engine, lead_id: int, until: datetime, reason: str, actor: str, now: datetime
) -> None:
    if until <= now:
        raise StateError("A pause must end in the future.")
    with transaction(engine) as db:
        lead = _get(db, lead_id)
        _move(
            db,
            lead,
            PAUSABLE,
            status=_S.paused.value,
            paused_until=until,
            status_reason=reason or "paused by the rep",
        )
        cancelled = cancel_open_drafts(db, lead, f"lead paused until {until:%Y-%m-%d}", now)
        audit(db, actor, "paused", lead, now, until=until, reason=reason, cancelled=cancelled)


def resume(engine: Engine, lead_id: int, actor: str, now: datetime) -> None:
    with transaction(engine) as db:
        lead = _get(db, lead_id)
        if is_suppressed(db, lead.email):
            raise StateError(f"{lead.email} asked not to be contacted: they cannot be resumed.")
        was = lead.status
        _move(db, lead, RESUMABLE, status=_S.active.value, paused_until=None, status_reason="")
        audit(db, actor, "resumed", lead, now, was=was)


def stop(engine: Engine, lead_id: int, reason: str, actor: str, now: datetime) -> None:
    with transaction(engine) as db:
        lead = _get(db, lead_id)
        _move(
            db,
            lead,
            STOPPABLE,
            status=_S.stopped.value,
            paused_until=None,
            status_reason=reason or "stopped by the rep",
        )
        cancelled = cancel_open_drafts(db, lead, "lead stopped", now)
        audit(db, actor, "stopped", lead, now, reason=reason, cancelled=cancelled)


def reassign(engine: Engine, lead_id: int, rep_id: int, actor: str, now: datetime) -> Rep:
    """Hand the lead to another rep; drafts written in the old rep's name are cancelled."""
    with transaction(engine) as db:
        lead = _get(db, lead_id)
        rep = db.get(Rep, rep_id)
        if rep is None:
            raise StateError("That rep does not exist.")
        if lead.owner_id == rep_id:
            raise StateError(f"{lead.email} already belongs to {rep.name}.")
        before = lead.owner_id
        result = db.execute(
            update(Lead)
            .where(col(Lead.id) == lead.id, col(Lead.owner_id).is_not_distinct_from(before))
            .values(owner_id=rep_id)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise StateError(f"{lead.email} was reassigned by someone else a moment ago.")
        cancelled = cancel_open_drafts(db, lead, f"lead reassigned to {rep.email}", now)
        audit(db, actor, "reassigned", lead, now, before=before, after=rep_id, cancelled=cancelled)
        return rep


def _get(db: Session, lead_id: int) -> Lead:
    lead = db.get(Lead, lead_id)
    if lead is None:
        raise StateError("That lead does not exist.")
    return lead
