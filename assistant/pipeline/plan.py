"""Stage 3, plan: decide each lead's next step from its conversation and the cadence rules.

`next_step` is a pure function of a lead's snapshot and `now`; `run` gathers the snapshots
and returns the drafts to write. Nothing here sends or drafts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlmodel import Session, col, select

from assistant.config import CadenceSettings
from assistant.db import transaction
from assistant.models import (
    OPEN_DRAFT_STATES,
    Direction,
    Draft,
    DraftState,
    Lead,
    LeadStatus,
    Message,
    MessageState,
)
from assistant.pipeline.context import Context
from assistant.records import audit, is_suppressed

Action = Literal["reply", "follow_up", "wait", "stop", "none"]


@dataclass(frozen=True)
class Touch:
    """One message of the conversation, reduced to what cadence needs."""

    key: str  # "m<message id>" or "d<draft id>": stable across the Sent copy of our own mail
    direction: Literal["inbound", "outbound"]
    at: datetime
    human: bool = True


@dataclass(frozen=True)
class Snapshot:
    status: str
    paused_until: datetime | None
    touches: tuple[Touch, ...]  # oldest first
    open_draft: bool


@dataclass(frozen=True)
class Step:
    action: Action
    why: str
    trigger: str | None = None
    reply_to: str | None = None  # the touch key being answered or followed up
    due: datetime | None = None
    touch_number: int = 0


def add_business_days(start: datetime, days: int) -> datetime:
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def business_days_between(start: date, end: date) -> int:
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


def next_step(snap: Snapshot, now: datetime, rules: CadenceSettings) -> Step:
    if snap.status in (LeadStatus.opted_out, LeadStatus.stopped):
        return Step("stop", f"lead is {snap.status.replace('_', ' ')}")
    if snap.status == LeadStatus.sales_ready:
        return Step("stop", "lead is sales-ready: the rep takes it from here")
    if snap.status == LeadStatus.paused and snap.paused_until and snap.paused_until > now:
        return Step("wait", f"paused until {snap.paused_until:%Y-%m-%d}", due=snap.paused_until)
    if snap.open_draft:
        return Step("none", "a draft is already waiting for the rep")
    human = [t for t in snap.touches if t.human]
    last_in = next((t for t in reversed(human) if t.direction == "inbound"), None)
    last_out = next((t for t in reversed(snap.touches) if t.direction == "outbound"), None)
    if last_in and (last_out is None or last_in.at > last_out.at):
        return Step(
            "reply",
            "the lead replied and has not had an answer",
            trigger=f"reply:{last_in.key}",
            reply_to=last_in.key,
            due=now,
        )
    if last_out is None:
        return Step("none", "no conversation yet")
    unanswered = sum(
        1
        for t in snap.touches
        if t.direction == "outbound" and (last_in is None or t.at > last_in.at)
    )
    if unanswered >= rules.max_touches:
        return Step("stop", f"{unanswered} touches without a reply (max {rules.max_touches})")
    due = add_business_days(last_out.at, rules.follow_up_after_business_days)
    if now < due:
        return Step(
            "wait",
            f"follow-up due after {rules.follow_up_after_business_days} business days of silence",
            due=due,
        )
    return Step(
        "follow_up",
        f"no reply {business_days_between(last_out.at.date(), now.date())} business days "
        f"after our last email (rule: follow up after {rules.follow_up_after_business_days})",
        trigger=f"follow_up:{last_out.key}",
        reply_to=last_out.key,
        due=now,
        touch_number=unanswered + 1,
    )


def snapshot(session: Session, lead: Lead) -> Snapshot:
    touches: dict[str, Touch] = {}
    messages = session.exec(
        select(Message).where(
            Message.lead_id == lead.id, Message.state == MessageState.understood.value
        )
    ).all()
    for m in messages:
        key = f"d{m.draft_id}" if m.draft_id else f"m{m.id}"
        human = m.direction == Direction.outbound.value or m.kind == "human"
        if m.sent_at is not None:
            touches.setdefault(key, Touch(key, m.direction, m.sent_at, human))  # type: ignore[arg-type]
    sent = session.exec(
        select(Draft).where(Draft.lead_id == lead.id, Draft.state == DraftState.sent.value)
    ).all()
    for d in sent:
        if d.sent_at is not None:
            touches[f"d{d.id}"] = Touch(f"d{d.id}", "outbound", d.sent_at)
    open_draft = (
        session.exec(
            select(Draft.id).where(
                Draft.lead_id == lead.id,
                col(Draft.state).in_([s.value for s in (*OPEN_DRAFT_STATES, DraftState.sending)]),
            )
        ).first()
        is not None
    )
    ordered = tuple(sorted(touches.values(), key=lambda t: (t.at, t.key)))
    return Snapshot(lead.status, lead.paused_until, ordered, open_draft)


@dataclass(frozen=True)
class Job:
    lead_id: int
    step: Step


def run(ctx: Context, now: datetime) -> list[Job]:
    """The drafts to write this tick; also resumes paused leads and stops exhausted ones."""
    jobs: list[Job] = []
    with transaction(ctx.engine) as session:
        leads = session.exec(
            select(Lead).where(
                col(Lead.status).in_([LeadStatus.active.value, LeadStatus.paused.value]),
                col(Lead.owner_id).is_not(None),
                Lead.confirmed == True,  # noqa: E712
            )
        ).all()
        for lead in leads:
            assert lead.id is not None
            if is_suppressed(session, lead.email):
                continue
            if lead.status == LeadStatus.paused and lead.paused_until and lead.paused_until <= now:
                lead.status, lead.paused_until, lead.status_reason = (
                    LeadStatus.active.value,
                    None,
                    "",
                )
                session.add(lead)
                audit(session, "daemon", "resumed", lead, now)
                ctx.log.info("%s: pause ended, nurturing again", lead.email)
            step = next_step(snapshot(session, lead), now, ctx.settings.cadence)
            if step.action in ("reply", "follow_up"):
                exists = session.exec(select(Draft.id).where(Draft.trigger == step.trigger)).first()
                if exists is None:
                    jobs.append(Job(lead.id, step))
            elif step.action == "stop" and lead.status == LeadStatus.active:
                lead.status, lead.status_reason = LeadStatus.stopped.value, step.why
                session.add(lead)
                audit(session, "daemon", "stopped", lead, now, why=step.why)
                ctx.log.info("%s: stopped (%s)", lead.email, step.why)
    return jobs
