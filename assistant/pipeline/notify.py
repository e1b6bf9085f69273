"""Notices to reps: a lead ready to talk, leads found in replies to confirm.

They go to the rep's own address through the rep's SMTP account; no lead ever receives one.
"""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from assistant.db import transaction
from assistant.mail.compose import new_message_id, one_line
from assistant.models import Lead, Message, Notification, Rep
from assistant.pipeline.context import Context

MAX_ATTEMPTS = 5


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


async def run(ctx: Context, now: datetime) -> int:
    with transaction(ctx.engine) as session:
        rows = session.exec(
            select(Notification, Rep)
            .join(Rep, col(Rep.id) == Notification.rep_id)
            .where(Notification.state == "pending")
        ).all()
    sent = 0
    for notice, rep_row in rows:
        rep = ctx.settings.rep(rep_row.email)
        if rep is None or rep.smtp is None:
            continue
        msg = EmailMessage()
        msg["From"] = Address("Nurture", addr_spec=rep.email)
        msg["To"] = Address(one_line(rep.name), addr_spec=rep.email)
        msg["Subject"] = notice.subject
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = new_message_id(rep.email)
        msg["Auto-Submitted"] = "auto-generated"  # so no auto-responder answers it
        msg.set_content(notice.body)
        result = await ctx.submit(rep, rep.email, rep.email, msg.as_bytes())
        with transaction(ctx.engine) as session:
            if result.outcome == "accepted":
                values = {"state": "sent", "sent_at": now}
                sent += 1
                ctx.log.info("told %s: %s", rep.email, notice.subject)
            else:
                final = result.outcome == "refused" or notice.attempts + 1 >= MAX_ATTEMPTS
                values = {"state": "failed" if final else "pending", "last_error": result.detail}
            session.execute(
                update(Notification)
                .where(col(Notification.id) == notice.id, col(Notification.state) == "pending")
                .values(attempts=notice.attempts + 1, **values)
            )
    return sent
