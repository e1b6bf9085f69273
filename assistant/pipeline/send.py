"""Stage 7, send: approved drafts go out over SMTP at most once each, in the lead's window.

A draft is claimed (approved -> sending) and committed before SMTP is spoken; the claim is a
compare-and-set on a row locked with FOR UPDATE SKIP LOCKED, so replicas never share one.
At the last moment the lead's state, the window and the mailbox's limits are checked again.
4xx answers and lost connections before the data retry later with the same bytes; a 5xx is
final; a link lost after the data leaves the outcome unknown for reconciliation.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import time
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from assistant import roster
from assistant.db import transaction
from assistant.failpoints import hit
from assistant.lifecycle import drafts
from assistant.mail.polite import smtp_throttled
from assistant.mail.smtp import SubmitResult
from assistant.models import Draft, DraftState, Lead, LeadStatus, Rep, RepStatus
from assistant.pipeline import reconcile, schedule
from assistant.pipeline.context import Context, Scope
from assistant.pipeline.reconcile import SendReport
from assistant.records import is_suppressed

MAX_ATTEMPTS = 8
CLAIM_BATCH = 20
OWNER = f"{socket.gethostname()}:{os.getpid()}"
_rng = random.SystemRandom()
_ACTIVE_REPS = select(Rep.id).where(Rep.status == RepStatus.active.value)


def backoff(attempts: int, rng: random.Random = _rng) -> timedelta:
    """30 s, 1, 2, 4 ... minutes up to an hour, each ±20% so retries of many drafts spread."""
    base = min(3600.0, 30.0 * 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * rng.uniform(0.8, 1.2))


def submit_budget(ctx: Context, rep_email: str) -> float:
    """The longest one submission may take: connect, login, MAIL, RCPT and DATA timeouts."""
    rep = roster.find(ctx.engine, rep_email, roster.ANY)
    timeout = rep.smtp.timeout_seconds if rep and rep.smtp else 30.0
    return 5 * timeout


async def run(
    ctx: Context, now: datetime, scope: Scope | None = None, *, linger: float = 0.0
) -> SendReport:
    """Reconcile, send what is due, file Sent copies. `linger`: seconds to wait for sends
    staggered a little later (the daemon passes its send interval; one-shot ticks pass 0).
    Every pass takes all that is due, whatever its scope: each send is claimed on its own."""
    report = SendReport()
    await reconcile.abandoned(ctx, now, report)
    await reconcile.unknown(ctx, now, report)
    started = time.monotonic()
    while not ctx.stopping.is_set():
        moment = now + timedelta(seconds=time.monotonic() - started)
        draft_id, next_at = claim_next(ctx, moment, report)
        if draft_id is not None:
            await deliver(ctx, draft_id, moment, report)
            continue
        if next_at is None:
            break
        wait = (next_at - moment).total_seconds()
        if wait > linger - (time.monotonic() - started):
            break
        await asyncio.sleep(min(max(0.0, wait), 1.0))  # short naps: a stop is seen at once
    await reconcile.file_copies(ctx, now, report)
    return report


def claim_next(
    ctx: Context, now: datetime, report: SendReport
) -> tuple[int | None, datetime | None]:
    """Claim one due draft; else None and when the next approved one falls due."""
    with transaction(ctx.engine) as session:
        due = session.exec(
            select(Draft)
            .where(
                Draft.state == DraftState.approved.value,
                col(Draft.send_after) <= now,
                or_(col(Draft.next_attempt_at).is_(None), col(Draft.next_attempt_at) <= now),
                col(Draft.rep_id).in_(_ACTIVE_REPS),  # a paused mailbox's mail waits
            )
            .order_by(col(Draft.send_after), col(Draft.id))
            .limit(CLAIM_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for draft in due:
            assert draft.id is not None
            if _claim(ctx, session, draft, now, report):
                return draft.id, None
        next_at = session.exec(
            select(func.min(Draft.send_after)).where(
                Draft.state == DraftState.approved.value,
                col(Draft.send_after) > now,
                col(Draft.rep_id).in_(_ACTIVE_REPS),
            )
        ).one()
    return None, next_at


def _claim(ctx: Context, session: Session, draft: Draft, now: datetime, report: SendReport) -> bool:
    assert draft.id is not None
    lead = session.get(Lead, draft.lead_id)
    assert lead is not None
    blocked = _blocked(session, lead, draft)
    if blocked:
        if drafts.block(session, draft, blocked, now):
            report.failed.append(draft.id)
            ctx.log.info("draft %s to %s blocked at send time: %s", draft.id, lead.email, blocked)
        return False
    if not _lock_mailbox(session, draft.rep_id):
        return False  # another replica is claiming for this mailbox: its count comes first
    when, _, _ = schedule.for_draft(session, ctx.settings, draft, lead, now, at_send_time=True)
    if when.at > now:
        if drafts.hold(session, draft.id, when.at, when.note):
            report.rescheduled.append(draft.id)
            ctx.log.info("draft %s held until %s: %s", draft.id, when.at.isoformat(), when.note)
        return False
    return drafts.claim(session, draft, OWNER, now)


def _lock_mailbox(session: Session, rep_id: int) -> bool:
    """Lock the mailbox's row until this claim commits, so that two replicas never count its
    sends against the budget at once; False when another holds it (PostgreSQL; SQLite has
    one writer anyway)."""
    locked = session.exec(
        select(Rep.id).where(Rep.id == rep_id).with_for_update(skip_locked=True)
    ).first()
    return locked is not None


def _blocked(session: Session, lead: Lead, draft: Draft) -> str | None:
    """A reason not to send after all, learned since the rep approved."""
    if is_suppressed(session, lead.email):
        return "the address is suppressed (opt-out or hard bounce)"
    if lead.status == LeadStatus.opted_out:
        return "the lead opted out"
    if lead.status == LeadStatus.stopped:
        return f"the lead was stopped ({lead.status_reason})"
    became_ready = lead.sales_ready_at is not None and (
        draft.approved_at is None or lead.sales_ready_at > draft.approved_at
    )
    if lead.status == LeadStatus.sales_ready and became_ready:
        return "the lead became sales-ready after approval: the rep takes over"
    return None


def _rep_email(session: Session, draft: Draft) -> str:
    rep = session.get(Rep, draft.rep_id)
    return rep.email if rep else ""


async def deliver(ctx: Context, draft_id: int, now: datetime, report: SendReport) -> None:
    with transaction(ctx.engine) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None and draft.mime is not None and draft.recipient is not None
        rep_email = _rep_email(session, draft)
    rep = roster.find(ctx.engine, rep_email)
    if rep is None:  # paused or removed after the claim: tried again after the backoff
        result = SubmitResult("deferred", f"{rep_email} is not active: nothing is sent from it")
    elif rep.smtp is None:
        result = SubmitResult("deferred", f"no SMTP settings for {rep_email} in the configuration")
    else:
        try:
            result = await asyncio.wait_for(
                ctx.submit(rep, rep.email, [draft.recipient, *draft.cc], draft.mime),
                submit_budget(ctx, rep_email),
            )
        except TimeoutError:
            result = SubmitResult("unknown", "the SMTP exchange did not finish in time")
    hit("after_smtp")
    if result.outcome == "deferred" and smtp_throttled(result.code, result.detail):
        _rest_mailbox(ctx, draft, rep_email, result, now, report)
        return
    if result.outcome == "accepted":
        ctx.manners.recovered(rep_email)
    _record(ctx, draft, result, now, report)


def _rest_mailbox(
    ctx: Context,
    draft: Draft,
    rep_email: str,
    result: SubmitResult,
    now: datetime,
    report: SendReport,
) -> None:
    """The provider throttles this mailbox: its mail waits, approved, until the rest is over.

    The pause is written on the drafts themselves (this one and the mailbox's others due
    before it ends), so every replica sees it; the other mailboxes send on.
    """
    assert draft.id is not None
    until = now + timedelta(seconds=ctx.manners.throttled(rep_email, result.detail, ctx.log))
    note = (
        f"the provider asked this mailbox to slow down ({result.detail}); "
        f"trying again at {until:%H:%M} UTC"
    )
    with transaction(ctx.engine) as session:
        drafts.throttled(session, draft, until, note)
        waiting = session.exec(
            select(Draft.id).where(
                Draft.rep_id == draft.rep_id,
                Draft.state == DraftState.approved.value,
                col(Draft.send_after) < until,
                col(Draft.id) != draft.id,
            )
        ).all()
        for other in waiting:
            if other is not None:
                drafts.hold(session, other, until, note)
    report.deferred.append(draft.id)


def _record(
    ctx: Context, draft: Draft, result: SubmitResult, now: datetime, report: SendReport
) -> None:
    assert draft.id is not None
    with transaction(ctx.engine) as session:
        if result.outcome == "accepted":
            # A concurrent cancel may have overwritten the claim; the mail is out regardless.
            drafts.mark_sent(
                session,
                draft,
                "daemon",
                now,
                source=(DraftState.sending, DraftState.cancelled),
                smtp_response=result.detail,
                last_error=None,
            )
            report.sent.append(draft.id)
            ctx.log.info("sent draft %s to %s (%s)", draft.id, draft.recipient, result.detail)
        elif result.outcome == "deferred" and draft.attempts < MAX_ATTEMPTS:
            retry = now + backoff(draft.attempts)
            error = f"attempt {draft.attempts} deferred: {result.detail}"
            drafts.retry(session, draft, retry, error)
            report.deferred.append(draft.id)
            ctx.log.warning(
                "draft %s deferred (attempt %d), retry at %s: %s",
                draft.id,
                draft.attempts,
                retry.isoformat(timespec="seconds"),
                result.detail,
            )
        elif result.outcome == "unknown":
            error = (
                f"{result.detail}; it may have been delivered: check, then mark it "
                "sent or send it again"
            )
            drafts.mark_unknown(session, draft, error, now)
            report.unknown.append(draft.id)
            ctx.log.warning(
                "draft %s: outcome unknown (%s); waiting for the rep", draft.id, result.detail
            )
        else:
            detail = result.detail
            if result.outcome == "deferred":
                detail = f"gave up after {draft.attempts} attempts; last answer: {detail}"
            drafts.fail(session, draft, detail, now)
            report.failed.append(draft.id)
            ctx.log.error("draft %s not sent: %s", draft.id, detail)
