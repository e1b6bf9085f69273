"""What cadence needs to know about one lead, read from the store into plain values.

`plan.next_step` is pure; this module is its only window on the database: the conversation
reduced to touches, open drafts, the lead's local time, and recent mail to their company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz
from typing import Literal

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from assistant import reading, rules
from assistant.cadence import LocalTime, lead_local_time
from assistant.config import Settings
from assistant.models import (
    OPEN_DRAFT_STATES,
    Direction,
    Draft,
    DraftState,
    Lead,
    Message,
    MessageState,
    Rep,
)

WEEK = timedelta(days=7)
UTC_TIME = LocalTime(UTC, "UTC", "no time zone known for lead or rep")
_DATE = re.compile(rb"^Date:[ \t]*(.+?)\r?$", re.I | re.M)
# Free-mail domains say nothing about a company: leads on them are never grouped by domain.
FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.ru",
        "yandex.ru",
        "qq.com",
    ]
)


@dataclass(frozen=True)
class Touch:
    """One message of the conversation, reduced to what cadence needs."""

    key: str  # "m<message id>" or "d<draft id>": stable across the Sent copy of our own mail
    direction: Literal["inbound", "outbound"]
    at: datetime
    human: bool = True
    pauses: bool = False  # this message put the lead on hold (out of office, "try in Q3")
    intent: str | None = None  # a person's inbound reply: its intent, as understood
    refers: bool = False  # it names a colleague to write to instead


@dataclass(frozen=True)
class OpenDraft:
    id: int
    state: str
    situation: str
    created_at: datetime


@dataclass(frozen=True)
class Snapshot:
    status: str
    paused_until: datetime | None
    touches: tuple[Touch, ...]  # oldest first
    open_drafts: tuple[OpenDraft, ...] = ()
    local: LocalTime = UTC_TIME
    pause_ended_at: datetime | None = None
    status_reason: str = ""
    company: str = ""
    company_sends: tuple[datetime, ...] = ()  # mail to the company's leads, sent or scheduled
    introduced_by: str = ""  # a referred lead the rep confirmed: who named them ("l<lead id>")
    sales_ready_at: datetime | None = None


def rules_for(session: Session, lead: Lead, settings: Settings) -> rules.Cadence:
    """The cadence in force for the lead's owner: team rules with the rep's overrides."""
    rep = session.get(Rep, lead.owner_id) if lead.owner_id else None
    if rep is None:
        return rules.cadence_for(session, "default", "", settings.cadence)
    return rules.cadence_for(session, rep.team, rep.email, settings.cadence)


def local_time(session: Session, lead: Lead, settings: Settings) -> LocalTime:
    rep = session.get(Rep, lead.owner_id) if lead.owner_id else None
    return lead_local_time(
        lead.timezone,
        lead.email,
        _reply_offset(session, lead) if not lead.timezone else None,
        rep.timezone if rep else "",
        lead.extra.get("country", "").upper(),
    )


def _reply_offset(session: Session, lead: Lead) -> int | None:
    """Minutes east of UTC in the Date header of the lead's newest message, if it says."""
    raw = session.exec(
        select(Message.raw)
        .where(Message.lead_id == lead.id, Message.direction == Direction.inbound.value)
        .order_by(col(Message.sent_at).desc())
        .limit(1)
    ).first()
    if not raw:
        return None
    found = _DATE.search(raw[:16384])
    text = found.group(1).decode("ascii", "replace").strip() if found else ""
    parsed = parsedate_tz(text) if text else None
    # "-0000" means the sender would not say (RFC 5322 3.3); "+0000" is a real UTC.
    if parsed is None or parsed[9] is None or text.endswith("-0000"):
        return None
    return int(parsed[9]) // 60


def company_key(lead: Lead) -> str:
    if lead.company.strip():
        return lead.company.strip().lower()
    domain = lead.email.rpartition("@")[2].lower()
    return "" if domain in FREE_MAIL else f"@{domain}"


def company_sends(
    session: Session, lead: Lead, now: datetime, exclude: int | None = None
) -> tuple[datetime, ...]:
    """When mail went (or is scheduled to go) to any lead of this lead's company lately."""
    key = company_key(lead)
    if not key:
        return ()
    same = (
        col(Lead.email).endswith(key)
        if key.startswith("@")
        else func.lower(func.trim(col(Lead.company))) == key
    )
    lead_ids = select(Lead.id).where(same)
    rows = session.exec(
        select(Draft.state, Draft.sent_at, Draft.send_after).where(
            col(Draft.lead_id).in_(lead_ids),
            col(Draft.id) != (exclude or 0),
            or_(
                (col(Draft.state) == DraftState.sent.value) & (col(Draft.sent_at) >= now - WEEK),
                col(Draft.state).in_(
                    [DraftState.approved.value, DraftState.sending.value, DraftState.unknown.value]
                ),
            ),
        )
    ).all()
    out = [
        (sent_at if state == DraftState.sent.value else send_after)
        for state, sent_at, send_after in rows
    ]
    return tuple(sorted(t for t in out if t is not None))


def snapshot(session: Session, lead: Lead, settings: Settings, now: datetime) -> Snapshot:
    touches: dict[str, Touch] = {}
    messages = session.exec(
        select(Message).where(
            Message.lead_id == lead.id, Message.state == MessageState.understood.value
        )
    ).all()
    for m in messages:
        key = f"d{m.draft_id}" if m.draft_id else f"m{m.id}"
        human = m.direction == Direction.outbound.value or m.kind == "human"
        said = reading.load(m.understanding)
        refers = any(e.type == reading.EventType.referral and e.email for e in said.events)
        if m.sent_at is not None:
            touch = Touch(key, m.direction, m.sent_at, human, said.pauses, said.intent, refers)  # type: ignore[arg-type]
            touches.setdefault(key, touch)
    sent = session.exec(
        select(Draft).where(Draft.lead_id == lead.id, Draft.state == DraftState.sent.value)
    ).all()
    for d in sent:
        if d.sent_at is not None:
            touches[f"d{d.id}"] = Touch(f"d{d.id}", "outbound", d.sent_at)
    open_states = [s.value for s in (*OPEN_DRAFT_STATES, DraftState.sending, DraftState.unknown)]
    open_drafts = tuple(
        OpenDraft(d.id, d.state, d.situation, d.created_at or now)
        for d in session.exec(
            select(Draft).where(Draft.lead_id == lead.id, col(Draft.state).in_(open_states))
        ).all()
        if d.id is not None
    )
    return Snapshot(
        status=lead.status,
        paused_until=lead.paused_until,
        touches=tuple(sorted(touches.values(), key=lambda t: (t.at, t.key))),
        open_drafts=open_drafts,
        local=local_time(session, lead, settings),
        pause_ended_at=lead.pause_ended_at,
        status_reason=lead.status_reason,
        company=lead.company or company_key(lead),
        company_sends=company_sends(session, lead, now),
        introduced_by=f"l{lead.id}" if lead.referred_by_id is not None and lead.confirmed else "",
        sales_ready_at=lead.sales_ready_at,
    )
