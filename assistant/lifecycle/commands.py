"""A person's controls over a lead, for the web app and the CLI: each its own transaction.

A move the lead's status no longer allows (someone else acted a moment ago) is one sentence.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from assistant.db import transaction
from assistant.errors import StateError
from assistant.lifecycle import leads
from assistant.models import Lead, Rep


def _get(db: Session, lead_id: int) -> Lead:
    lead = db.get(Lead, lead_id)
    if lead is None:
        raise StateError("That lead does not exist.")
    return lead


def pause(
    engine: Engine, lead_id: int, until: datetime, reason: str, actor: str, now: datetime
) -> None:
    with transaction(engine) as db:
        lead = _get(db, lead_id)
        leads.require(leads.pause(db, lead, until, reason, actor, now), lead)


def resume(engine: Engine, lead_id: int, actor: str, now: datetime) -> None:
    with transaction(engine) as db:
        lead = _get(db, lead_id)
        leads.require(leads.resume(db, lead, actor, now), lead)


def stop(engine: Engine, lead_id: int, reason: str, actor: str, now: datetime) -> None:
    with transaction(engine) as db:
        lead = _get(db, lead_id)
        leads.require(leads.stop(db, lead, reason or "stopped by the rep", actor, now), lead)


def confirm(engine: Engine, lead_id: int, actor: str, now: datetime) -> bool:
    """True when the lead was waiting and is now confirmed; False if it already was."""
    with transaction(engine) as db:
        return leads.confirm(db, _get(db, lead_id), actor, now)


def reassign(engine: Engine, lead_id: int, rep_id: int, actor: str, now: datetime) -> Rep:
    with transaction(engine) as db:
        lead = _get(db, lead_id)
        rep = db.get(Rep, rep_id)
        if rep is None:
            raise StateError("That rep does not exist.")
        leads.reassign(db, lead, rep, actor, now)
        return rep
