"""Stage 2, understand: parse each stored message, classify it, and act on what it says.

Each message is understood and acted on in one transaction, so an opt-out is written together
with its classification. A message that cannot be parsed is quarantined with its reason and
the stage moves on. With a model classifier, a lead's reply is read by the model first, out
of any transaction; the mail of a lead who objected, every machine mail and mail older than
MODEL_HORIZON never reach it, and an unreachable model leaves the offline reading in place.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from assistant.db import transaction
from assistant.errors import DraftError, ParseError
from assistant.imports import valid_address
from assistant.llm import lead_scan
from assistant.llm.base import Usage
from assistant.mail.classify import Understanding, understand
from assistant.mail.parse import ParsedMessage, parse_message
from assistant.models import (
    ContentItem,
    Direction,
    Draft,
    Lead,
    LeadStatus,
    Message,
    MessageState,
    Rep,
)
from assistant.pipeline import usage
from assistant.pipeline.context import Context
from assistant.pipeline.notify import hot_lead_notice, queue_notice
from assistant.records import (
    audit,
    cancel_open_drafts,
    is_suppressed,
    jsonable,
    record_delivery,
    suppress,
)

BATCH = 100
MODEL_HORIZON = timedelta(days=30)


async def run(ctx: Context, now: datetime) -> int:
    """Understand every stored message; returns how many were handled."""
    done = 0
    while True:
        with transaction(ctx.engine) as session:
            ids = session.exec(
                select(Message.id)
                .where(Message.state == MessageState.stored.value)
                .order_by(col(Message.id))
                .limit(BATCH)
            ).all()
        if not ids:
            return done
        for message_id in ids:
            assert message_id is not None
            reading = await closer_reading(ctx, message_id, now) if ctx.classifier else None
            with transaction(ctx.engine) as session:
                message = session.get(Message, message_id)
                if message is None or message.state != MessageState.stored.value:
                    continue  # another replica took it
                understand_one(ctx, session, message, now, reading)
            done += 1


@dataclass(frozen=True)
class Reading:
    """The model's understanding of one message, and what it cost."""

    understanding: Understanding
    usage: Usage
    by: str


async def closer_reading(ctx: Context, message_id: int, now: datetime) -> Reading | None:
    """The model classifier's reading of a lead's reply; None where only the rules may read."""
    assert ctx.classifier is not None
    with transaction(ctx.engine) as session:
        message = session.get(Message, message_id)
        if message is None or message.direction != Direction.inbound.value:
            return None
        if message.sent_at is not None and now - message.sent_at > MODEL_HORIZON:
            return None  # a first sync's history is the rules' to read, not the model's
        lead = session.get(Lead, message.lead_id) if message.lead_id else None
        if lead is None or lead.status == LeadStatus.opted_out:
            return None
        if is_suppressed(session, lead.email):
            return None  # after an objection no model sees this person's mail
        raw, lead_email = message.raw, lead.email
    try:
        parsed = parse_message(raw)
    except ParseError:
        return None  # quarantined by the stage itself
    offline = understand(parsed, today=now.date(), lead_addresses=frozenset({lead_email}))
    if offline.kind != "human" or offline.opt_out:
        return None
    sender = parsed.headers.from_
    ignore = {lead_email, *(a.email for a in parsed.headers.to)}
    ignore |= {sender.email} if sender else set()
    try:
        found, spent = await ctx.classifier.classify(
            offline,
            subject=parsed.headers.subject or "",
            today=now.date(),
            ignore_addresses=frozenset(a.lower() for a in ignore),
        )
    except DraftError as exc:
        ctx.log.warning("message %s read by the rules only: %s", message_id, exc)
        return None
    return Reading(found, spent, ctx.classifier.name)


def understand_one(
    ctx: Context,
    session: Session,
    message: Message,
    now: datetime,
    reading: Reading | None = None,
) -> None:
    try:
        parsed = parse_message(message.raw)
    except ParseError as exc:
        message.state = MessageState.quarantined.value
        message.quarantine_reason = exc.reason
        session.add(message)
        ctx.log.warning(
            "quarantined message %s from %s: %s", message.id, message.from_addr, exc.reason
        )
        return
    message.text = parsed.text
    message.state = MessageState.understood.value
    if message.direction == Direction.outbound.value:
        message.reply_text = parsed.text
        session.add(message)
        _record_manual_content(ctx, session, message, parsed, now)
        return
    lead = session.get(Lead, message.lead_id) if message.lead_id else None
    addresses = frozenset({lead.email} if lead else set())
    result = understand(parsed, today=now.date(), lead_addresses=addresses)
    if reading is not None and lead is not None and not result.opt_out:
        # An opt-out the rules see now (the reading is a moment old) always wins.
        result = reading.understanding
        usage.record(
            session,
            reading.usage,
            purpose="classify",
            model=reading.by.removeprefix("anthropic:"),
            at=now,
            rep_id=message.rep_id,
            lead_id=lead.id,
        )
    message.kind = result.kind
    message.intent = result.intent
    message.reply_text = result.reply_text
    by = reading.by if reading is not None and result is reading.understanding else "offline"
    if lead is not None and result.kind != "bounce":
        result = _with_sent_findings(session, message, lead, result)
    message.understanding = {**jsonable(asdict(result)), "read_by": by}
    session.add(message)
    if result.kind == "bounce":
        _bounce(ctx, session, message, result, now)
    elif lead is not None:
        _act(ctx, session, message, lead, result, now)


def _with_sent_findings(
    session: Session, message: Message, lead: Lead, result: Understanding
) -> Understanding:
    """The rules' injection findings over the whole mail as sent, then the model's on top."""
    rep = session.get(Rep, message.rep_id)
    found = lead_scan.scan(message.raw, lead=lead.email, own=(rep.email,) if rep else ())
    return replace(result, injection=lead_scan.combined(found, result.injection))


def _act(
    ctx: Context,
    session: Session,
    message: Message,
    lead: Lead,
    result: Understanding,
    now: datetime,
) -> None:
    if result.kind == "auto_reply":
        if result.return_date and result.return_date > now.date():
            _pause(session, lead, result.return_date, f"out of office until {result.return_date}")
            ctx.log.info("%s is out of office; paused until %s", lead.email, result.return_date)
        return
    if result.opt_out:
        suppress(session, lead.email, "opt-out by reply", now)
        _set_status(
            session, lead, LeadStatus.opted_out, f"asked to stop: {result.opt_out_evidence}"
        )
        cancelled = cancel_open_drafts(session, lead, "the lead opted out", now)
        audit(
            session,
            "daemon",
            "opt_out",
            lead,
            now,
            evidence=result.opt_out_evidence,
            cancelled_drafts=cancelled,
        )
        ctx.log.info("%s opted out; %d open draft(s) cancelled", lead.email, len(cancelled))
        return
    # People named or copied become leads to confirm, whatever else the reply says
    # ("I'm not the right person, talk to Jan" is a stop for this lead and a start for Jan).
    for event in result.events:
        if event.type in ("referral", "new_stakeholder") and event.email:
            _propose_lead(ctx, session, lead, event.email, event.name or "", event.type, now)
    if result.intent == "ready_to_talk":
        lead.sales_ready_at = now
        _set_status(
            session, lead, LeadStatus.sales_ready, result.intent_evidence or "ready to talk"
        )
        cancel_open_drafts(session, lead, "the lead is ready to talk: the rep takes over", now)
        subject, body = hot_lead_notice(lead, message, result.intent_evidence)
        queue_notice(
            session,
            kind="sales_ready",
            lead=lead,
            message=message,
            subject=subject,
            body=body,
            now=now,
        )
        audit(session, "daemon", "sales_ready", lead, now, evidence=result.intent_evidence)
        ctx.log.info("%s is ready to talk: handed to the rep", lead.email)
        return
    if result.intent in ("not_interested", "wrong_person"):
        _set_status(session, lead, LeadStatus.stopped, result.intent_evidence or result.intent)
        cancel_open_drafts(session, lead, f"the lead said {result.intent.replace('_', ' ')}", now)
        audit(
            session,
            "daemon",
            "stopped",
            lead,
            now,
            intent=result.intent,
            evidence=result.intent_evidence,
        )
        return
    for event in result.events:
        if event.date and event.date > now.date() and event.type in LATER_EVENTS:
            _pause(session, lead, event.date, f"asked to come back: {event.evidence}")
            cancel_open_drafts(session, lead, "the lead asked to come back later", now)
            ctx.log.info("%s asked to come back on %s; paused", lead.email, event.date)
            return


LATER_EVENTS = ("come_back_later", "budget_freeze")


def _propose_lead(
    ctx: Context, session: Session, source: Lead, email: str, name: str, why: str, now: datetime
) -> None:
    """A colleague named or copied in a reply becomes a lead that waits for the rep to confirm."""
    address = email.strip().lower()
    if not valid_address(address) or is_suppressed(session, address):
        return
    if session.exec(select(Lead.id).where(Lead.email == address)).first() is not None:
        return
    session.add(
        Lead(
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
    )
    audit(session, "daemon", "lead_proposed", source, now, email=address, why=why)
    ctx.log.info("%s: %s %s found; waiting for the rep to confirm", source.email, why, address)


def _bounce(
    ctx: Context, session: Session, message: Message, result: Understanding, now: datetime
) -> None:
    bounce = result.bounce
    if bounce is None or not bounce.original_message_id:
        return
    ours = bounce.original_message_id
    lead_id = session.exec(select(Draft.lead_id).where(Draft.message_id == ours)).first()
    if lead_id is None:
        lead_id = session.exec(
            select(Message.lead_id).where(
                Message.message_id == ours, Message.direction == Direction.outbound.value
            )
        ).first()
    lead = session.get(Lead, lead_id) if lead_id else None
    if lead is None:
        return
    message.lead_id = lead.id
    session.add(message)
    if not bounce.hard:
        audit(session, "daemon", "soft_bounce", lead, now, status=bounce.status)
        return
    suppress(session, lead.email, f"hard bounce {bounce.status or ''}".strip(), now)
    _set_status(session, lead, LeadStatus.stopped, f"hard bounce {bounce.status or ''}".strip())
    cancel_open_drafts(session, lead, "the address bounced", now)
    audit(session, "daemon", "hard_bounce", lead, now, status=bounce.status)
    ctx.log.info("%s bounced hard (%s): lead stopped", lead.email, bounce.status)


def _pause(session: Session, lead: Lead, until: date, why: str) -> None:
    lead.paused_until = datetime.combine(until, time(8, 0), tzinfo=UTC)
    _set_status(session, lead, LeadStatus.paused, why)


def _set_status(session: Session, lead: Lead, status: LeadStatus, why: str) -> None:
    lead.status = status.value
    lead.status_reason = why[:500]
    session.add(lead)


def _record_manual_content(
    ctx: Context, session: Session, message: Message, parsed: ParsedMessage, now: datetime
) -> None:
    """A rep's own mail counts too: library links and attached files go into the ledger."""
    if message.lead_id is None or message.draft_id is not None:
        return
    from assistant.content import ledger  # the content package owns what counts as an item

    # Links match however they were dressed (tracking, http, a trailing slash); files by hash.
    urls = ledger.links(parsed.text, parsed.html or "")
    hashes = {a.sha256 for a in parsed.attachments}
    items: list[ContentItem] = ledger.items_in_mail(session, urls, hashes)
    # Dated by the mail, not by when a first sync found it: the company rule looks back.
    when = message.sent_at or now
    for item in items:
        record_delivery(session, message.lead_id, item, "sent_folder", when, message_id=message.id)
        lead = session.get(Lead, message.lead_id)
        ctx.log.info(
            "ledger: %s already has '%s' (sent by the rep)", lead.email if lead else "?", item.slug
        )
