"""Stage 2, understand: parse each stored message once and store one reading of it.

What the reading means for its lead is the plan's decision (`react`), carried out through
`assistant.lifecycle` in the same transaction, so an opt-out is written together with its
classification. A message that cannot be parsed is quarantined with its reason and
the stage moves on. With a model classifier, a lead's reply is read by the model first, out
of any transaction; the mail of a lead who objected, every machine mail and mail older than
MODEL_HORIZON never reach it, and an unreachable model leaves the offline reading in place.
Mail older than `[sync] first_sync_days` (a first sync's years of history) is history: its
content goes into the ledger and an opt-out or hard bounce in it still counts, but nothing
else in it moves its lead or asks for a draft.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session, col, func, select

from assistant.db import transaction
from assistant.errors import DraftError, ParseError
from assistant.imports import valid_address
from assistant.lifecycle import leads
from assistant.llm.base import Usage
from assistant.mail import scan as lead_scan
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
from assistant.pipeline import facts, shunt, usage
from assistant.pipeline.context import Context, Scope
from assistant.pipeline.notify import hot_lead_notice, queue_notice
from assistant.pipeline.react import (
    Decision,
    HandOver,
    HardBounce,
    OptOut,
    Pause,
    ProposeLead,
    SoftBounce,
    Stop,
    on_bounce,
    react,
)
from assistant.reading import dump
from assistant.records import audit, is_suppressed, record_delivery

BATCH = 100
TOGETHER_BYTES = 256 * 1024  # a message larger than this is read in a transaction of its own
MODEL_HORIZON = timedelta(days=30)


async def run(ctx: Context, now: datetime, scope: Scope | None = None) -> int:
    """Understand every stored message; returns how many were handled.

    A replica takes the mail of the mailboxes it holds. Each message goes through the shunt:
    one that makes understanding fail is recorded, held back for its backoff, and the others
    are understood in the same pass. With the rules alone, a batch is first read in one
    transaction; if that fails, its messages are read one by one, each in its own. Parsing
    and reading run in the worker threads; each message's lead joins the pass's scope.
    """
    done, after = 0, 0
    while True:
        with transaction(ctx.engine) as session:
            query = select(Message.id).where(
                Message.state == MessageState.stored.value,
                col(Message.id).not_in(shunt.held("understand", "message", now)),
                col(Message.id) > after,
            )
            if ctx.held is not None:  # the mail of this replica's mailboxes only
                mine = select(Rep.id).where(col(Rep.email).in_(sorted(ctx.held)))
                query = query.where(col(Message.rep_id).in_(mine))
            ids = [
                i
                for i in session.exec(query.order_by(col(Message.id)).limit(BATCH)).all()
                if i is not None
            ]
        if not ids:
            return done

        async def one(message_id: int) -> int | None:
            if ctx.classifier is None:  # the rules alone: parsed where it is read, in one go
                lead_id = await asyncio.to_thread(_understand_stored, ctx, message_id, None, now)
            else:
                parsed = await asyncio.to_thread(_parse, ctx, message_id)
                if parsed is None:
                    return None
                reading = (
                    await closer_reading(ctx, message_id, parsed, now)
                    if isinstance(parsed, ParsedMessage)
                    else None
                )
                lead_id = await asyncio.to_thread(
                    _understand_stored, ctx, message_id, parsed, now, reading
                )
            if scope is not None:
                scope.touch(lead_id)
            return lead_id

        async def together(some: list[int]) -> dict[int, int | None]:
            found = await asyncio.to_thread(_understand_together, ctx, some, now)
            for lead_id in found.values():
                if scope is not None:
                    scope.touch(lead_id)
            return found

        if ctx.classifier is None:  # the rules alone: a batch in one transaction
            items = await shunt.together(
                ctx.engine, ctx.log, "understand", "message", ids, together, one, now, ctx.stopping
            )
        else:
            items = await shunt.each(
                ctx.engine, ctx.log, "understand", "message", ids, one, now, ctx.stopping
            )
        done += len(items)
        if ctx.stopping.is_set():
            return done
        after = ids[-1]


def _understand_together(ctx: Context, ids: list[int], now: datetime) -> dict[int, int | None]:
    """Understand small messages by the rules alone, in one transaction: message id to lead.

    A message it leaves (large, gone, or held by another replica) is for the one-by-one path.
    """
    out: dict[int, int | None] = {}
    with transaction(ctx.engine) as session:
        messages = session.exec(
            select(Message)
            .where(
                col(Message.id).in_(ids),
                Message.state == MessageState.stored.value,
                func.length(Message.raw) <= TOGETHER_BYTES,
            )
            .order_by(col(Message.id))
            .with_for_update(skip_locked=True)
        ).all()
        for message in messages:
            if ctx.stopping.is_set():
                break
            assert message.id is not None
            understand_one(ctx, session, message, _parsed(message.raw), now)
            out[message.id] = message.lead_id
    return out


def _parse(ctx: Context, message_id: int) -> ParsedMessage | ParseError | None:
    """The one full parse of a stored message; None when it is gone."""
    with Session(ctx.engine) as session:
        raw = session.exec(select(Message.raw).where(Message.id == message_id)).first()
    return None if raw is None else _parsed(raw)


def _parsed(raw: bytes) -> ParsedMessage | ParseError:
    try:
        return parse_message(raw)
    except ParseError as exc:
        return exc


def _understand_stored(
    ctx: Context,
    message_id: int,
    parsed: ParsedMessage | ParseError | None,
    now: datetime,
    reading: Reading | None = None,
) -> int | None:
    """Understand one message in its own transaction; returns its lead, if it has one.

    `parsed` None: the message is parsed here, from the row read for the reading."""
    with transaction(ctx.engine) as session:
        # Locked, so that of two replicas reading it at once one stores the reading and the
        # other finds it understood (or skips it while the first holds it).
        message = session.exec(
            select(Message).where(Message.id == message_id).with_for_update(skip_locked=True)
        ).first()
        if message is None or message.state != MessageState.stored.value:
            return None  # another replica took it
        if parsed is None:
            parsed = _parsed(message.raw)
        understand_one(ctx, session, message, parsed, now, reading)
        return message.lead_id


@dataclass(frozen=True)
class Reading:
    """The model's understanding of one message, and what it cost."""

    understanding: Understanding
    usage: Usage
    by: str


async def closer_reading(
    ctx: Context, message_id: int, parsed: ParsedMessage, now: datetime
) -> Reading | None:
    """The model classifier's reading of a lead's reply; None where only the rules may read."""
    assert ctx.classifier is not None
    with transaction(ctx.engine) as session:
        message = session.get(Message, message_id)
        if message is None or message.direction != Direction.inbound.value:
            return None
        if message.sent_at is not None and now - message.sent_at > MODEL_HORIZON:
            return None  # a first sync's history is the rules' to read, not the model's
        if is_history(ctx, message, now):
            return None
        lead = session.get(Lead, message.lead_id) if message.lead_id else None
        if lead is None or lead.status == LeadStatus.opted_out:
            return None
        if is_suppressed(session, lead.email):
            return None  # after an objection no model sees this person's mail
        lead_email = lead.email
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


def is_history(ctx: Context, message: Message, now: datetime) -> bool:
    """Mail from before the sync horizon: recorded, never answered."""
    horizon = timedelta(days=ctx.settings.sync.first_sync_days)
    return message.sent_at is not None and now - message.sent_at > horizon


def understand_one(
    ctx: Context,
    session: Session,
    message: Message,
    parsed: ParsedMessage | ParseError,
    now: datetime,
    reading: Reading | None = None,
) -> None:
    """Store the reading of one parsed message and apply what it means for its lead."""
    if isinstance(parsed, ParseError):
        message.state = MessageState.quarantined.value
        message.quarantine_reason = parsed.reason
        session.add(message)
        ctx.log.warning(
            "quarantined message %s from %s: %s", message.id, message.from_addr, parsed.reason
        )
        return
    message.text = parsed.text
    history = is_history(ctx, message, now)
    message.state = (MessageState.history if history else MessageState.understood).value
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
    if lead is not None and result.kind != "bounce" and not history:
        # History is never drafted from: no prompt will hold it, so it needs no scan.
        result = _with_sent_findings(session, message, parsed, lead, result)
    message.understanding = dump(result, by)
    session.add(message)
    if result.kind == "bounce":
        lead = _bounced_lead(session, message, parsed, result)
        decisions = on_bounce(result.bounce) if lead is not None else ()
    else:
        decisions = (
            react(result, lead.status, now, partial(_undated_days, session, lead, ctx))
            if lead is not None
            else ()
        )
    if history:  # an objection holds for good; the rest of old mail is past news
        decisions = tuple(d for d in decisions if isinstance(d, OptOut | HardBounce))
    for decision in decisions:
        assert lead is not None
        apply(ctx, session, message, lead, decision, now)


def _undated_days(session: Session, lead: Lead, ctx: Context) -> int:
    return facts.rules_for(session, lead, ctx.settings).pause_without_date_days


def _with_sent_findings(
    session: Session, message: Message, parsed: ParsedMessage, lead: Lead, result: Understanding
) -> Understanding:
    """The rules' injection findings over the whole mail as sent, then the model's on top."""
    rep = session.get(Rep, message.rep_id)
    own = (rep.email,) if rep else ()
    found = lead_scan.scan(message.raw, lead=lead.email, own=own, parsed=parsed)
    return replace(result, injection=lead_scan.combined(found, result.injection))


def apply(
    ctx: Context, session: Session, message: Message, lead: Lead, decision: Decision, now: datetime
) -> None:
    """Carry out one decision through the lifecycle, in the reading's transaction."""
    match decision:
        case OptOut(evidence):
            cancelled = leads.opt_out(session, lead, evidence, now)
            ctx.log.info("%s opted out; %d open draft(s) cancelled", lead.email, len(cancelled))
        case HardBounce(status):
            leads.hard_bounce(session, lead, status, now)
            ctx.log.info("%s bounced hard (%s): lead stopped", lead.email, status)
        case SoftBounce(status):
            audit(session, "daemon", "soft_bounce", lead, now, status=status)
        case HandOver(evidence):
            leads.hand_over(session, lead, evidence, now)
            subject, body = hot_lead_notice(lead, message, evidence)
            queue_notice(
                session,
                kind="sales_ready",
                lead=lead,
                message=message,
                subject=subject,
                body=body,
                now=now,
            )
            ctx.log.info("%s is ready to talk: handed to the rep", lead.email)
        case Stop(intent, evidence):
            leads.stop(
                session, lead, evidence or intent, "daemon", now, intent=intent, evidence=evidence
            )
        case Pause(until, why, asked):
            allowed = leads.REACHABLE if asked else leads.NURTURED
            if leads.pause(
                session, lead, until, why, "daemon", now, allowed=allowed, cancel_drafts=asked
            ):
                ctx.log.info("%s: paused until %s (%s)", lead.email, f"{until:%Y-%m-%d}", why)
        case ProposeLead(email, name, why):
            if valid_address(email.strip().lower()) and leads.propose(
                session, lead, email, name, why, now
            ):
                ctx.log.info(
                    "%s: %s %s found; waiting for the rep to confirm", lead.email, why, email
                )


def _bounced_lead(
    session: Session, message: Message, parsed: ParsedMessage, result: Understanding
) -> Lead | None:
    """The lead whose mail bounced: through our Message-ID in the returned headers, or, in a
    machine-readable report (an RFC 3464 part, X-Failed-Recipients), through the failed
    recipient's address when we have mailed that lead. Never guessed from free text."""
    bounce = result.bounce
    if bounce is None:
        return None
    lead_id = None
    if ours := bounce.original_message_id:
        lead_id = session.exec(select(Draft.lead_id).where(Draft.message_id == ours)).first()
        if lead_id is None:
            lead_id = session.exec(
                select(Message.lead_id).where(
                    Message.message_id == ours, Message.direction == Direction.outbound.value
                )
            ).first()
    if lead_id is None and _machine_readable(parsed) and len(bounce.recipients) == 1:
        lead_id = _mailed_lead(session, bounce.recipients[0], message.rep_id)
    lead = session.get(Lead, lead_id) if lead_id else None
    if lead is not None:
        message.lead_id = lead.id
        session.add(message)
    return lead


def _machine_readable(parsed: ParsedMessage) -> bool:
    return bool(parsed.raw_headers.get("x-failed-recipients", "").strip()) or any(
        p.content_type == "message/delivery-status" for p in parsed.parts
    )


def _mailed_lead(session: Session, address: str, rep_id: int) -> int | None:
    """The lead at this address, if this rep's mail has gone to them."""
    lead = session.exec(select(Lead).where(Lead.email == address.strip().lower())).first()
    if lead is None or lead.id is None:
        return None
    sent = (
        session.exec(
            select(Draft.id).where(
                Draft.lead_id == lead.id, Draft.rep_id == rep_id, col(Draft.sent_at).is_not(None)
            )
        ).first()
        or session.exec(
            select(Message.id).where(
                Message.lead_id == lead.id,
                Message.rep_id == rep_id,
                Message.direction == Direction.outbound.value,
            )
        ).first()
    )
    return lead.id if sent is not None else None


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
