"""Notices to reps: a lead ready to talk, leads found in replies to confirm.

They go to the rep's own address through the rep's SMTP account; no lead ever receives one.
Each is claimed before SMTP is spoken (`assistant.lifecycle.notices`): at most one submission
per notice across replicas and crashes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from sqlmodel import Session, col, select

from assistant import roster
from assistant.db import transaction
from assistant.failpoints import hit
from assistant.lifecycle import notices
from assistant.mail.compose import new_message_id, one_line
from assistant.models import Lead, Message, NoticeState, Notification, Rep
from assistant.pipeline import shunt
from assistant.pipeline.context import Context, Scope
from assistant.pipeline.send import OWNER

MAX_ATTEMPTS = 5
# A claim older than this belongs to a process that died: longer than any one submission.
CLAIM_LEASE = timedelta(minutes=15)


def queue_notice(
    session: Session,
    *,
    kind: str,
    lead: Lead,
    message: Message,
    subject: str,
    body: str,
    now: datetime,
) -> None:
    """Record a notice in the caller's transaction; one per message and kind."""
    assert lead.owner_id is not None and message.id is not None
    exists = session.exec(
        select(Notification.id).where(
            Notification.kind == kind, Notification.message_ref == message.id
        )
    ).first()
    if exists is None:
        session.add(
            Notification(
                rep_id=lead.owner_id,
                lead_id=lead.id,
                kind=kind,
                message_ref=message.id,
                subject=one_line(subject),
                body=body,
                created_at=now,
            )
        )


def hot_lead_notice(lead: Lead, message: Message, evidence: str | None) -> tuple[str, str]:
    who = f"{lead.name or lead.email}" + (f" ({lead.company})" if lead.company else "")
    subject = f"Ready to talk: {who}"
    words = (message.reply_text or message.text).strip()
    body = (
        f"{who} is ready to talk. Nurture has stopped nurturing this lead; it is yours now.\n\n"
        f'What they said: "{evidence or words[:300]}"\n\n'
        f"Their message ({message.subject}):\n\n"
        + "\n".join(f"> {line}" for line in words.splitlines())
        + f"\n\nReply to them directly at {lead.email}.\n"
    )
    return subject, body


async def run(ctx: Context, now: datetime, scope: Scope | None = None) -> int:
    """Send the pending notices, each claimed first so that no replica sends it twice. Every
    pass takes them all, whatever its scope: a notice is already one claimed item."""
    with transaction(ctx.engine) as session:
        for stale in notices.abandoned(session, now, CLAIM_LEASE):
            notices.mark_unknown(
                session, stale, "the process sending it stopped; it may have gone out"
            )
            ctx.log.warning("notice %s: outcome unknown after a crash; not resent", stale.id)
    claimed: list[int] = []
    while True:
        with transaction(ctx.engine) as session:
            taken = notices.claim_next(session, OWNER, now)
        if taken is None or taken.id is None:
            break
        claimed.append(taken.id)

    async def one(notice_id: int) -> bool:
        return await _send(ctx, notice_id, now)

    done = await shunt.each(
        ctx.engine, ctx.log, "notify", "notice", claimed, one, now, ctx.stopping
    )
    with transaction(ctx.engine) as session:
        # A notice whose sending raised may or may not have gone out: never resent blindly.
        for notice in session.exec(
            select(Notification).where(col(Notification.id).in_(claimed))
        ).all():
            if notice.state == NoticeState.sending:
                notices.mark_unknown(session, notice, "sending it failed; see the failures")
    return sum(1 for ok in done if ok)


async def _send(ctx: Context, notice_id: int, now: datetime) -> bool:
    """One claimed notice over the rep's SMTP account; the outcome is recorded at once."""
    with transaction(ctx.engine) as session:
        notice = session.get(Notification, notice_id)
        assert notice is not None
        rep_row = session.get(Rep, notice.rep_id)
    # A paused rep is still told of a hot lead; a removed one no longer has a mailbox of ours.
    rep = roster.find(ctx.engine, rep_row.email, roster.ON_FLOOR) if rep_row else None
    if rep is None or rep.smtp is None:
        why = "the rep was removed" if rep is None else "no SMTP settings for the rep"
        with transaction(ctx.engine) as session:
            notices.fail(session, notice, why)
        return False
    msg = EmailMessage()
    msg["From"] = Address("Nurture", addr_spec=rep.email)
    msg["To"] = Address(one_line(rep.name), addr_spec=rep.email)
    msg["Subject"] = notice.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = new_message_id(rep.email)
    msg["Auto-Submitted"] = "auto-generated"  # so no auto-responder answers it
    msg.set_content(notice.body)
    hit("before_notice_smtp")
    result = await ctx.submit(rep, rep.email, rep.email, msg.as_bytes())
    hit("after_notice_smtp")
    with transaction(ctx.engine) as session:
        if result.outcome == "accepted":
            notices.mark_sent(session, notice, now)
            ctx.log.info("told %s: %s", rep.email, notice.subject)
            return True
        if result.outcome == "unknown":
            notices.mark_unknown(session, notice, result.detail)
        elif result.outcome == "refused" or notice.attempts >= MAX_ATTEMPTS:
            notices.fail(session, notice, result.detail)
        else:
            notices.retry(session, notice, now + shunt.backoff(notice.attempts), result.detail)
    return False
