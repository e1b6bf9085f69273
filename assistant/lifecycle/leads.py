"""A lead's status (active, paused, sales-ready, stopped, opted out), its owner and confirmation.

Every function runs in the caller's transaction and is a compare-and-set: it changes the lead
only if its status is still one that allows the move, and returns whether it did. The callers
that act for a person (web app, CLI) use `require` to turn a lost race into one sentence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from assistant.errors import StateError
from assistant.lifecycle import cas, drafts
from assistant.models import Lead, LeadStatus, Rep, RepStatus
from assistant.records import audit, is_suppressed, suppress

_S = LeadStatus
PAUSABLE = (_S.active, _S.paused, _S.sales_ready)
RESUMABLE = (_S.paused, _S.stopped, _S.sales_ready)
STOPPABLE = (_S.active, _S.paused, _S.sales_ready)
# Everything but an objection: a stopped lead may still write "let's talk" or bounce.
REACHABLE = (_S.active, _S.paused, _S.sales_ready, _S.stopped)
# A pause the lead asked for (out of office, "try me in Q3") holds only a lead being nurtured.
NURTURED = (_S.active, _S.paused)


def require(moved: bool, lead: Lead) -> None:
    """For a person's action: a move the lead's status no longer allows is one sentence."""
    if not moved:
        raise StateError(
            f"{lead.email} is {lead.status.replace('_', ' ')} now; nothing was changed."
        )


def _move(session: Session, lead: Lead, allowed: tuple[LeadStatus, ...], **values: Any) -> bool:
    moved = cas.move(session, Lead, lead.id, "status", allowed, **values)
    if moved:
        session.refresh(lead)
    return moved


def morning(day: date) -> datetime:
    """A pause that ends on a day ends at 08:00 UTC of it."""
    return datetime.combine(day, time(8, 0), tzinfo=UTC)


def pause(
    session: Session,
    lead: Lead,
    until: datetime,
    why: str,
    actor: str,
    now: datetime,
    *,
    allowed: tuple[LeadStatus, ...] = PAUSABLE,
    cancel_drafts: bool = True,
) -> bool:
    """Hold the lead until `until`; open drafts written before the pause are cancelled."""
    if until <= now:
        raise StateError("A pause must end in the future.")
    moved = _move(
        session,
        lead,
        allowed,
        status=_S.paused.value,
        paused_until=until,
        status_reason=(why or "paused by the rep")[:500],
    )
    if moved:
        cancelled = (
            drafts.cancel_open(session, lead, f"lead paused until {until:%Y-%m-%d}", now)
            if cancel_drafts
            else []
        )
        audit(session, actor, "paused", lead, now, until=until, reason=why, cancelled=cancelled)
    return moved


def resume(session: Session, lead: Lead, actor: str, now: datetime) -> bool:
    """A person puts the lead back into nurturing; never someone who objected."""
    if is_suppressed(session, lead.email):
        raise StateError(f"{lead.email} asked not to be contacted: they cannot be resumed.")
    was = lead.status
    moved = _move(
        session, lead, RESUMABLE, status=_S.active.value, paused_until=None, status_reason=""
    )
    if moved:
        audit(session, actor, "resumed", lead, now, was=was)
    return moved


def end_pause(session: Session, lead: Lead, now: datetime) -> bool:
    """The pause ran out: nurture again, remembering when, so the plan re-engages."""
    if lead.paused_until is None or lead.paused_until > now:
        return False
    moved = _move(
        session,
        lead,
        (_S.paused,),
        status=_S.active.value,
        pause_ended_at=lead.paused_until,
        paused_until=None,
        status_reason="",
    )
    if moved:
        audit(session, "daemon", "resumed", lead, now)
    return moved


def stop(
    session: Session,
    lead: Lead,
    why: str,
    actor: str,
    now: datetime,
    *,
    allowed: tuple[LeadStatus, ...] = STOPPABLE,
    **detail: Any,
) -> bool:
    """No more nurturing (not interested, max touches, the rep's stop); open drafts cancelled."""
    moved = _move(
        session,
        lead,
        allowed,
        status=_S.stopped.value,
        paused_until=None,
        status_reason=(why or "stopped by the rep")[:500],
    )
    if moved:
        cancelled = drafts.cancel_open(session, lead, f"lead stopped: {why}"[:300], now)
        audit(session, actor, "stopped", lead, now, reason=why, cancelled=cancelled, **detail)
    return moved


def opt_out(session: Session, lead: Lead, evidence: str, now: datetime) -> list[int]:
    """The lead objected: suppressed for good, stopped, every open draft cancelled."""
    suppress(session, lead.email, "opt-out by reply", now)
    _move(
        session,
        lead,
        (*REACHABLE, _S.opted_out),
        status=_S.opted_out.value,
        paused_until=None,
        status_reason=f"asked to stop: {evidence}"[:500],
    )
    cancelled = drafts.cancel_open(session, lead, "the lead opted out", now)
    audit(session, "daemon", "opt_out", lead, now, evidence=evidence, cancelled_drafts=cancelled)
    return cancelled


def hard_bounce(session: Session, lead: Lead, status: str | None, now: datetime) -> list[int]:
    """The address does not exist: suppressed, stopped, every open draft cancelled."""
    why = f"hard bounce {status or ''}".strip()
    suppress(session, lead.email, why, now)
    _move(session, lead, REACHABLE, status=_S.stopped.value, paused_until=None, status_reason=why)
    cancelled = drafts.cancel_open(session, lead, "the address bounced", now)
    audit(session, "daemon", "hard_bounce", lead, now, status=status, cancelled=cancelled)
    return cancelled


def hand_over(session: Session, lead: Lead, evidence: str | None, now: datetime) -> bool:
    """The lead is ready to talk: the rep takes over; nurturing drafts are cancelled."""
    moved = _move(
        session,
        lead,
        REACHABLE,
        status=_S.sales_ready.value,
        sales_ready_at=now,
        paused_until=None,
        status_reason=(evidence or "ready to talk")[:500],
    )
    if moved:
        drafts.cancel_open(session, lead, "the lead is ready to talk: the rep takes over", now)
        audit(session, "daemon", "sales_ready", lead, now, evidence=evidence)
    return moved


def confirm(session: Session, lead: Lead, actor: str, now: datetime) -> bool:
    """A lead found in a reply becomes one Nurture writes to, once a person says so."""
    moved = cas.move(session, Lead, lead.id, "confirmed", (False,), confirmed=True)
    if moved:
        session.refresh(lead)
        audit(session, actor, "confirmed", lead, now)
    return moved


def reassign(session: Session, lead: Lead, rep: Rep, actor: str, now: datetime) -> None:
    """Hand the lead to another rep; drafts written in the old rep's name are cancelled."""
    if lead.owner_id == rep.id:
        raise StateError(f"{lead.email} already belongs to {rep.name}.")
    if rep.status == RepStatus.removed:
        raise StateError(f"{rep.email} was removed: hand the lead to a rep on the floor.")
    before = lead.owner_id
    # A compare-and-set on the owner, who may be nobody yet (NULL is not IN anything).
    result = session.execute(
        update(Lead)
        .where(col(Lead.id) == lead.id, col(Lead.owner_id).is_not_distinct_from(before))
        .values(owner_id=rep.id)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise StateError(f"{lead.email} was reassigned by someone else a moment ago.")
    session.refresh(lead)
    cancelled = drafts.cancel_open(session, lead, f"lead reassigned to {rep.email}", now)
    audit(session, actor, "reassigned", lead, now, before=before, after=rep.id, cancelled=cancelled)


def propose(
    session: Session, source: Lead, email: str, name: str, why: str, now: datetime
) -> Lead | None:
    """A colleague named or copied in a reply becomes a lead that waits for the rep to confirm."""
    address = email.strip().lower()
    if is_suppressed(session, address):
        return None
    if session.exec(select(Lead.id).where(Lead.email == address)).first() is not None:
        return None
    lead = Lead(
        email=address,
        name=name,
        company=source.company,
        owner_id=source.owner_id,
        stage=source.stage,
        topics=list(source.topics),
        timezone=source.timezone,
        referred_by_id=source.id,
        confirmed=False,
        created_at=now,
        status_reason=f"{why.replace('_', ' ')} from {source.email}",
    )
    session.add(lead)
    audit(session, "daemon", "lead_proposed", source, now, email=address, why=why)
    return lead
