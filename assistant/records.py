"""Small shared writes every stage uses: the reps, the audit log, suppression, the ledger."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from assistant.models import (
    AuditEntry,
    ContentDelivery,
    ContentItem,
    Lead,
    Suppression,
    email_hash,
)

if TYPE_CHECKING:
    pass


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
