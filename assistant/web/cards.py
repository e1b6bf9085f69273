"""The queue's cards: each pending draft with its lead, content, and the lead's last message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from assistant.models import (
    ContentItem,
    Direction,
    Draft,
    Lead,
    LeadStatus,
    Message,
    Rep,
    User,
    UserRole,
)
from assistant.pipeline.approve import queue
from assistant.web import scope
from assistant.web.mailview import MailView, view

PAGE_SIZE = 50


@dataclass(frozen=True)
class Card:
    draft: Draft
    lead: Lead
    rep: Rep
    item: ContentItem | None
    last: Message | None
    mail: MailView | None

    @property
    def hot(self) -> bool:
        return self.lead.status == LeadStatus.sales_ready


@dataclass(frozen=True)
class Queue:
    cards: list[Card]
    total: int
    snoozed: int
    page: int
    pages: int


def _mine(db: Session, user: User) -> tuple[set[int] | None, list[tuple[Draft, Lead, Rep]]]:
    allowed = scope.rep_ids(db, user)
    if allowed == set():
        return allowed, []
    own = db.get(Rep, user.rep_id) if user.role == UserRole.rep and user.rep_id else None
    rows = queue(db, own.email if own else None)
    return allowed, [
        r
        for r in rows
        if scope.can_see(allowed, r[1].owner_id) and scope.can_see(allowed, r[0].rep_id)
    ]


def pending(db: Session, user: User, now: datetime) -> tuple[list[tuple[Draft, Lead, Rep]], int]:
    """The user's pending drafts in queue order, and how many are snoozed out of it."""
    _, rows = _mine(db, user)
    awake = [r for r in rows if r[0].snoozed_until is None or r[0].snoozed_until <= now]
    return awake, len(rows) - len(awake)


def snoozed(db: Session, user: User, now: datetime) -> list[tuple[Draft, Lead, Rep]]:
    _, rows = _mine(db, user)
    return [r for r in rows if r[0].snoozed_until is not None and r[0].snoozed_until > now]


def build(db: Session, rows: list[tuple[Draft, Lead, Rep]]) -> list[Card]:
    """Cards for one page of rows, loading their content and messages in a few queries."""
    content_ids = {d.content_id for d, _, _ in rows if d.content_id is not None}
    items = (
        {i.id: i for i in db.exec(select(ContentItem).where(col(ContentItem.id).in_(content_ids)))}
        if content_ids
        else {}
    )
    last = latest_inbound(db, [d for d, _, _ in rows])
    cards = []
    for draft, lead, rep in rows:
        message = last.get(draft.id or 0)
        cards.append(
            Card(
                draft,
                lead,
                rep,
                items.get(draft.content_id),
                message,
                view(message) if message is not None else None,
            )
        )
    return cards


def latest_inbound(db: Session, drafts: list[Draft]) -> dict[int, Message]:
    """Per draft: the lead's message it answers, else (a follow-up) the lead's latest one."""
    if not drafts:
        return {}
    newest_ids = set(
        db.exec(
            select(func.max(Message.id))
            .where(
                col(Message.lead_id).in_({d.lead_id for d in drafts}),
                Message.direction == Direction.inbound.value,
            )
            .group_by(col(Message.lead_id))
        ).all()
    )
    ids = newest_ids | {d.reply_to_id for d in drafts if d.reply_to_id is not None}
    found = {m.id: m for m in db.exec(select(Message).where(col(Message.id).in_(ids)))}
    newest = {m.lead_id: m for m in found.values() if m.id in newest_ids}
    out: dict[int, Message] = {}
    for draft in drafts:
        message = found.get(draft.reply_to_id) if draft.reply_to_id else None
        if message is None or message.direction != Direction.inbound.value:
            message = newest.get(draft.lead_id)
        if message is not None and draft.id is not None:
            out[draft.id] = message
    return out


def page_of(db: Session, user: User, now: datetime, page: int) -> Queue:
    rows, asleep = pending(db, user, now)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return Queue(build(db, shown), len(rows), asleep, page, pages)


def sales_ready(db: Session, user: User, limit: int = 12) -> list[Lead]:
    """Leads who asked to talk: the rep takes these over from the drafts."""
    allowed = scope.rep_ids(db, user)
    return list(
        db.exec(
            select(Lead)
            .where(Lead.status == LeadStatus.sales_ready.value, scope.leads_filter(allowed))
            .order_by(col(Lead.sales_ready_at).desc())
            .limit(limit)
        ).all()
    )
