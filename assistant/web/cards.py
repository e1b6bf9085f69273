"""The queue's cards: each pending draft with its lead, content, and the lead's last message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from assistant.models import (
    ContentItem,
    Direction,
    Draft,
    DraftState,
    Lead,
    LeadStatus,
    Message,
    Rep,
    User,
)
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


Row = tuple[Draft, Lead, Rep]


def _order(db: Session, user: User) -> list[tuple[int, datetime | None]]:
    """(draft id, snoozed until) of the user's pending drafts, in the pipeline's queue order.

    The same order as assistant.pipeline.approve.queue (sales-ready leads first, then oldest
    first), read as a few columns so that a queue of thousands stays fast; the full rows are
    loaded only for the page shown.
    """
    allowed = scope.rep_ids(db, user)
    if allowed == set():
        return []
    query = (
        select(Draft.id, Draft.snoozed_until)
        .join(Lead, col(Lead.id) == Draft.lead_id)
        .where(Draft.state == DraftState.pending.value, scope.leads_filter(allowed))
        .order_by(
            case((col(Lead.status) == LeadStatus.sales_ready.value, 0), else_=1),
            col(Draft.created_at),
            col(Draft.id),
        )
    )
    if allowed is not None:
        query = query.where(col(Draft.rep_id).in_(allowed))
    return [(i, until) for i, until in db.exec(query).all() if i is not None]


def _load(db: Session, ids: list[int]) -> list[Row]:
    if not ids:
        return []
    found = {
        d.id: (d, lead, rep)
        for d, lead, rep in db.exec(
            select(Draft, Lead, Rep)
            .join(Lead, col(Lead.id) == Draft.lead_id)
            .join(Rep, col(Rep.id) == Draft.rep_id)
            .where(col(Draft.id).in_(ids))
        ).all()
    }
    return [found[i] for i in ids if i in found]


def pending(db: Session, user: User, now: datetime) -> tuple[list[int], int]:
    """Ids of the user's pending drafts in queue order, and how many are snoozed out of it."""
    rows = _order(db, user)
    awake = [i for i, until in rows if until is None or until <= now]
    return awake, len(rows) - len(awake)


def snoozed(db: Session, user: User, now: datetime) -> list[Row]:
    return _load(db, [i for i, until in _order(db, user) if until is not None and until > now])


def build(db: Session, rows: list[Row]) -> list[Card]:
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
    ids, asleep = pending(db, user, now)
    pages = max(1, -(-len(ids) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = _load(db, ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return Queue(build(db, shown), len(ids), asleep, page, pages)


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
