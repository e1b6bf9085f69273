"""Small shared writes every stage uses: the audit log, suppression, the content ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from assistant.models import (
    OPEN_DRAFT_STATES,
    AuditEntry,
    ContentDelivery,
    ContentItem,
    Draft,
    DraftState,
    Lead,
    Suppression,
    email_hash,
)


def suppress(session: Session, address: str, reason: str, now: datetime) -> None:
    key = email_hash(address)
    if session.exec(select(Suppression).where(Suppression.email_hash == key)).first() is None:
        session.add(Suppression(email_hash=key, reason=reason, created_at=now))


def is_suppressed(session: Session, address: str) -> bool:
    key = email_hash(address)
    return (
        session.exec(select(Suppression.id).where(Suppression.email_hash == key)).first()
        is not None
    )


def cancel_open_drafts(session: Session, lead: Lead, why: str, now: datetime) -> list[int]:
    """Cancel the lead's pending and approved drafts; a send already claimed is left to send.

    A compare-and-set, so a claim taken a moment ago by a sending process is never overwritten
    (the send re-checks the lead at its last moment anyway). The draft gives up its trigger,
    so the same step can be drafted again if it still stands (after a reassignment, say).
    """
    open_states = [s.value for s in OPEN_DRAFT_STATES]
    ids = session.exec(
        select(Draft.id).where(Draft.lead_id == lead.id, col(Draft.state).in_(open_states))
    ).all()
    cancelled = []
    for draft_id in ids:
        result = session.execute(
            update(Draft)
            .where(col(Draft.id) == draft_id, col(Draft.state).in_(open_states))
            .values(
                state=DraftState.cancelled.value,
                decision_note=why,
                trigger=col(Draft.trigger) + f"~cancelled-{draft_id}",
            )
        )
        if getattr(result, "rowcount", 0) == 1 and draft_id is not None:
            cancelled.append(draft_id)
    return cancelled


def record_delivery(
    session: Session,
    lead_id: int,
    item: ContentItem,
    source: str,
    now: datetime,
    *,
    draft_id: int | None = None,
    message_id: int | None = None,
) -> None:
    exists = session.exec(
        select(ContentDelivery.id).where(
            ContentDelivery.lead_id == lead_id, ContentDelivery.content_id == item.id
        )
    ).first()
    if exists is None and item.id is not None:
        session.add(
            ContentDelivery(
                lead_id=lead_id,
                content_id=item.id,
                source=source,
                draft_id=draft_id,
                message_id=message_id,
                delivered_at=now,
            )
        )


def audit(
    session: Session,
    actor: str,
    action: str,
    lead: Lead | None,
    now: datetime,
    *,
    draft_id: int | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(
            at=now,
            actor=actor,
            action=action,
            lead_id=lead.id if lead else None,
            draft_id=draft_id,
            detail=jsonable(detail),
        )
    )


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
