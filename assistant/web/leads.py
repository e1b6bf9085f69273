"""Leads: the list, and one lead's page with its timeline, content and status controls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from anyio.from_thread import run as run_async
from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from starlette.responses import Response

from assistant.lifecycle import commands as lead_actions
from assistant.lifecycle.leads import PAUSABLE, RESUMABLE, STOPPABLE, morning
from assistant.models import (
    AuditEntry,
    ContentDelivery,
    ContentItem,
    Direction,
    Draft,
    DraftState,
    Lead,
    LeadStatus,
    Message,
    Rep,
)
from assistant.pipeline.draft import draft_now as write_now
from assistant.web import scope
from assistant.web.http import BadInput, Pages, Req
from assistant.web.mailview import MailView, view

pages = Pages()
LIST_SIZE = 100
# Draft decisions show on the draft itself; these are the lead-level events worth a line.
LEAD_EVENTS = {
    "paused", "resumed", "stopped", "reassigned", "opt_out", "sales_ready", "hard_bounce",
    "soft_bounce", "lead_proposed",
}  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """One line of a lead's timeline."""

    at: datetime | None
    kind: str  # inbound | outbound | draft | event
    message: Message | None = None
    mail: MailView | None = None
    draft: Draft | None = None
    event: AuditEntry | None = None


@pages.get("/leads")
def lead_list(req: Req) -> Response:
    status, search = req.param("status"), req.param("q").strip()[:100]
    with Session(req.engine) as db:
        allowed = scope.rep_ids(db, req.user)
        query = select(Lead, Rep).join(Rep, isouter=True).where(scope.leads_filter(allowed))
        if status in {s.value for s in LeadStatus}:
            query = query.where(Lead.status == status)
        if search:
            like = f"%{search.lower()}%"
            query = query.where(
                or_(
                    func.lower(Lead.email).like(like),
                    func.lower(Lead.name).like(like),
                    func.lower(Lead.company).like(like),
                )
            )
        rows = db.exec(
            query.order_by(col(Lead.sales_ready_at).desc(), Lead.name).limit(LIST_SIZE)
        ).all()
        waiting = (
            dict(
                db.exec(
                    select(Draft.lead_id, func.count(col(Draft.id)))
                    .where(
                        Draft.state == DraftState.pending.value,
                        col(Draft.lead_id).in_([lead.id for lead, _ in rows]),
                    )
                    .group_by(col(Draft.lead_id))
                ).all()
            )
            if rows
            else {}
        )
    return req.render(
        "leads.html",
        rows=rows,
        waiting=waiting,
        status=status,
        q=search,
        statuses=[s.value for s in LeadStatus],
        show_rep=req.user.role != "rep",
    )


@pages.get("/leads/{lead_id:int}")
def lead_page(req: Req) -> Response:
    with Session(req.engine) as db:
        lead = scope.lead(db, req.user, int(req.request.path_params["lead_id"]))
        owner = db.get(Rep, lead.owner_id) if lead.owner_id else None
        delivered = db.exec(
            select(ContentDelivery, ContentItem)
            .join(ContentItem, col(ContentItem.id) == ContentDelivery.content_id)
            .where(ContentDelivery.lead_id == lead.id)
            .order_by(col(ContentDelivery.delivered_at))
        ).all()
        entries = timeline(db, lead)
        handoff = [r for r in scope.reps(db, req.user) if r.id != lead.owner_id]
    return req.render(
        "lead.html",
        lead=lead,
        owner=owner,
        delivered=delivered,
        entries=entries,
        reps=handoff,
        today=req.now.date().isoformat(),
        can_pause=lead.status in PAUSABLE,
        can_resume=lead.status in RESUMABLE,
        can_stop=lead.status in STOPPABLE,
        can_draft=lead.status != LeadStatus.opted_out and lead.owner_id is not None,
    )


def timeline(db: Session, lead: Lead) -> list[Entry]:
    """Mail both ways, drafts not yet visible as mail, and lead-level events, oldest first."""
    messages = db.exec(select(Message).where(Message.lead_id == lead.id)).all()
    drafts = db.exec(select(Draft).where(Draft.lead_id == lead.id)).all()
    events = db.exec(
        select(AuditEntry).where(
            AuditEntry.lead_id == lead.id, col(AuditEntry.action).in_(LEAD_EVENTS)
        )
    ).all()
    filed = {m.draft_id for m in messages if m.draft_id is not None}
    entries = [
        Entry(
            m.sent_at or m.received_at,
            m.direction,
            message=m,
            mail=view(m) if m.direction == Direction.inbound.value else None,
        )
        for m in messages
    ]
    entries += [
        Entry(d.sent_at or d.approved_at or d.created_at, "draft", draft=d)
        for d in drafts
        if d.id not in filed
    ]
    entries += [Entry(e.at, "event", event=e) for e in events]
    epoch = datetime.min.replace(tzinfo=UTC)
    # At the same moment, mail comes before the draft that answers it.
    order = {"inbound": 0, "outbound": 0, "draft": 1, "event": 2}
    return sorted(entries, key=lambda e: (e.at or epoch, order[e.kind]))


def _lead_id(req: Req) -> int:
    lead_id = int(req.request.path_params["lead_id"])
    with Session(req.engine) as db:
        scope.lead(db, req.user, lead_id)
    return lead_id


@pages.post("/leads/{lead_id:int}/pause")
def pause(req: Req) -> Response:
    lead_id = _lead_id(req)
    try:
        day = date.fromisoformat(req.field("until"))
    except ValueError:
        raise BadInput("Pick the day nurturing should start again.") from None
    until = morning(day)
    lead_actions.pause(
        req.engine, lead_id, until, req.field("reason").strip()[:300], req.actor, req.now
    )
    return req.redirect(
        req.back(f"/leads/{lead_id}"), flash=("ok", f"Paused until {day:%d %B %Y}.")
    )


@pages.post("/leads/{lead_id:int}/draft")
def draft_now(req: Req) -> Response:
    lead_id = _lead_id(req)
    instruction = " ".join(req.field("instruction").split())[:500] or None
    draft_id = run_async(_draft_now, req, lead_id, instruction)
    return req.redirect(f"/drafts/{draft_id}", flash=("ok", "Here is a new draft to approve."))


async def _draft_now(req: Req, lead_id: int, instruction: str | None) -> int:
    return await write_now(
        req.web.context(), lead_id, actor=req.actor, now=req.now, instruction=instruction
    )


@pages.post("/leads/{lead_id:int}/resume")
def resume(req: Req) -> Response:
    lead_id = _lead_id(req)
    lead_actions.resume(req.engine, lead_id, req.actor, req.now)
    return req.redirect(req.back(f"/leads/{lead_id}"), flash=("ok", "Nurturing again."))


@pages.post("/leads/{lead_id:int}/stop")
def stop(req: Req) -> Response:
    lead_id = _lead_id(req)
    lead_actions.stop(req.engine, lead_id, req.field("reason").strip()[:300], req.actor, req.now)
    return req.redirect(
        req.back(f"/leads/{lead_id}"), flash=("ok", "Stopped: no more emails to this lead.")
    )


@pages.post("/leads/{lead_id:int}/reassign")
def reassign(req: Req) -> Response:
    lead_id = _lead_id(req)
    target = int(req.field("rep")) if req.field("rep").isdigit() else -1
    with Session(req.engine) as db:
        if target not in {r.id for r in scope.reps(db, req.user)}:
            raise BadInput("Pick a rep from your team.")
    rep = lead_actions.reassign(req.engine, lead_id, target, req.actor, req.now)
    # The lead may now be out of the user's reach: go back to the list, not its page.
    return req.redirect("/leads", flash=("ok", f"The lead now belongs to {rep.name}."))
