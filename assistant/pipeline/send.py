"""Stage 7, send: approved drafts go out over SMTP once, then a copy is filed in Sent.

A draft is claimed (approved -> sending) and committed before SMTP is spoken. A claim left
behind by a dead process is reconciled: our Message-ID in Sent proves delivery; otherwise the
outcome is unknown and the rep decides. Nothing is resent blindly.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from assistant.db import transaction
from assistant.errors import MailError
from assistant.failpoints import hit
from assistant.models import ContentItem, Draft, DraftState, Lead, LeadStatus, Rep
from assistant.pipeline.approve import transition
from assistant.pipeline.context import Context
from assistant.records import audit, is_suppressed, record_delivery

MAX_ATTEMPTS = 8
CLAIM_BATCH = 50
OWNER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    filed: list[int] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


async def run(ctx: Context, now: datetime) -> SendReport:
    report = SendReport()
    await reconcile(ctx, now, report)
    for draft_id in claim(ctx, now, report):
        await deliver(ctx, draft_id, now, report)
    await file_copies(ctx, now, report)
    return report


def _abandoned(draft: Draft, now: datetime, lease: timedelta) -> bool:
    """A claim whose process is gone: same host and dead pid, or older than the lease."""
    host, _, pid = (draft.claimed_by or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
    return draft.sending_since is None or now - draft.sending_since > lease


async def reconcile(ctx: Context, now: datetime, report: SendReport) -> None:
    with transaction(ctx.engine) as session:
        stuck = session.exec(select(Draft).where(Draft.state == DraftState.sending.value)).all()
        lease = timedelta(seconds=120)
        stuck = [d for d in stuck if _abandoned(d, now, lease)]
        reps = {d.id: _rep_email(session, d) for d in stuck}
    for draft in stuck:
        assert draft.id is not None and draft.message_id is not None
        rep = ctx.settings.rep(reps[draft.id])
        found = False
        if rep is not None and rep.imap is not None:
            try:
                async with ctx.open_mailbox(rep) as mailbox:
                    found = await mailbox.contains_message_id(
                        rep.imap.sent_folder, draft.message_id
                    )
            except MailError as exc:
                ctx.log.warning(
                    "draft %s: cannot look in Sent yet (%s); will try again", draft.id, exc
                )
                continue
        with transaction(ctx.engine) as session:
            if found:
                transition(
                    session,
                    draft.id,
                    DraftState.sending,
                    state=DraftState.sent.value,
                    sent_at=draft.sending_since or now,
                    filed_in_sent=True,
                )
                _delivered(session, draft, now)
                report.sent.append(draft.id)
                ctx.log.info("draft %s: found in Sent after an interruption; marked sent", draft.id)
            else:
                transition(
                    session,
                    draft.id,
                    DraftState.sending,
                    state=DraftState.unknown.value,
                    last_error="the send was interrupted and its outcome is unknown; "
                    "check the lead's inbox, then mark it sent or send it again",
                )
                lead = session.get(Lead, draft.lead_id)
                audit(session, "daemon", "outcome_unknown", lead, now, draft_id=draft.id)
                report.unknown.append(draft.id)
                ctx.log.warning("draft %s: send outcome unknown; waiting for the rep", draft.id)


def _rep_email(session: Session, draft: Draft) -> str:
    rep = session.get(Rep, draft.rep_id)
    return rep.email if rep else ""


def claim(ctx: Context, now: datetime, report: SendReport) -> list[int]:
    claimed: list[int] = []
    with transaction(ctx.engine) as session:
        due = session.exec(
            select(Draft)
            .where(
                Draft.state == DraftState.approved.value,
                col(Draft.send_after) <= now,
            )
            .order_by(col(Draft.send_after))
            .limit(CLAIM_BATCH)
        ).all()
        due = [d for d in due if d.next_attempt_at is None or d.next_attempt_at <= now]
    for draft in due:
        assert draft.id is not None
        with transaction(ctx.engine) as session:
            lead = session.get(Lead, draft.lead_id)
            assert lead is not None
            blocked = _blocked(session, lead)
            if blocked:
                if transition(
                    session,
                    draft.id,
                    DraftState.approved,
                    state=DraftState.failed.value,
                    last_error=f"not sent: {blocked}",
                ):
                    audit(
                        session, "daemon", "send_blocked", lead, now, draft_id=draft.id, why=blocked
                    )
                    report.failed.append(draft.id)
                    ctx.log.info(
                        "draft %s to %s blocked at send time: %s", draft.id, lead.email, blocked
                    )
                continue
            if transition(
                session,
                draft.id,
                DraftState.approved,
                state=DraftState.sending.value,
                sending_since=now,
                claimed_by=OWNER,
                attempts=draft.attempts + 1,
            ):
                claimed.append(draft.id)
    return claimed


def _blocked(session: Session, lead: Lead) -> str | None:
    if is_suppressed(session, lead.email):
        return "the address is suppressed (opt-out or hard bounce)"
    if lead.status == LeadStatus.opted_out:
        return "the lead opted out"
    if lead.status == LeadStatus.stopped:
        return f"the lead was stopped ({lead.status_reason})"
    if lead.status == LeadStatus.sales_ready:
        return "the lead became sales-ready: the rep takes over"
    return None


async def deliver(ctx: Context, draft_id: int, now: datetime, report: SendReport) -> None:
    with transaction(ctx.engine) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None and draft.mime is not None and draft.recipient is not None
        rep_email = _rep_email(session, draft)
    rep = ctx.settings.rep(rep_email)
    if rep is None or rep.smtp is None:
        with transaction(ctx.engine) as session:
            transition(
                session,
                draft_id,
                DraftState.sending,
                state=DraftState.approved.value,
                next_attempt_at=now + backoff(draft.attempts),
                last_error=f"no SMTP settings for {rep_email}",
            )
        report.deferred.append(draft_id)
        ctx.log.error("draft %s: no SMTP settings for %s in the configuration", draft_id, rep_email)
        return
    result = await ctx.submit(rep, rep.email, draft.recipient, draft.mime)
    hit("after_smtp")
    with transaction(ctx.engine) as session:
        lead = session.get(Lead, draft.lead_id)
        if result.outcome == "accepted":
            transition(
                session,
                draft_id,
                DraftState.sending,
                state=DraftState.sent.value,
                sent_at=now,
                smtp_response=result.detail,
                last_error=None,
            )
            _delivered(session, draft, now)
            audit(session, "daemon", "sent", lead, now, draft_id=draft_id, smtp=result.detail)
            report.sent.append(draft_id)
            ctx.log.info("sent draft %s to %s (%s)", draft_id, draft.recipient, result.detail)
        elif result.outcome == "deferred" and draft.attempts < MAX_ATTEMPTS:
            transition(
                session,
                draft_id,
                DraftState.sending,
                state=DraftState.approved.value,
                next_attempt_at=now + backoff(draft.attempts),
                last_error=result.detail,
            )
            report.deferred.append(draft_id)
            ctx.log.warning("draft %s deferred, will retry: %s", draft_id, result.detail)
        elif result.outcome == "unknown":
            transition(
                session,
                draft_id,
                DraftState.sending,
                state=DraftState.unknown.value,
                last_error=result.detail,
            )
            audit(session, "daemon", "outcome_unknown", lead, now, draft_id=draft_id)
            report.unknown.append(draft_id)
            ctx.log.warning(
                "draft %s: outcome unknown (%s); waiting for the rep", draft_id, result.detail
            )
        else:
            transition(
                session,
                draft_id,
                DraftState.sending,
                state=DraftState.failed.value,
                last_error=result.detail,
            )
            audit(
                session, "daemon", "send_failed", lead, now, draft_id=draft_id, smtp=result.detail
            )
            report.failed.append(draft_id)
            ctx.log.error("draft %s refused: %s", draft_id, result.detail)


def _delivered(session: Session, draft: Draft, now: datetime) -> None:
    if draft.content_id is None:
        return
    item = session.get(ContentItem, draft.content_id)
    if item is not None:
        record_delivery(session, draft.lead_id, item, "nurture", now, draft_id=draft.id)


async def file_copies(ctx: Context, now: datetime, report: SendReport) -> None:
    """File each sent message in the rep's Sent folder once (unless the provider does)."""
    with transaction(ctx.engine) as session:
        rows = session.exec(
            select(Draft, Rep)
            .join(Rep, col(Rep.id) == Draft.rep_id)
            .where(
                Draft.state == DraftState.sent.value,
                Draft.filed_in_sent == False,  # noqa: E712
            )
        ).all()
    by_rep: dict[str, list[Draft]] = {}
    for draft, rep_row in rows:
        by_rep.setdefault(rep_row.email, []).append(draft)
    for email, drafts in by_rep.items():
        rep = ctx.settings.rep(email)
        if rep is None or rep.imap is None or not rep.imap.append_to_sent:
            continue
        folder = rep.imap.sent_folder
        try:
            async with ctx.open_mailbox(rep) as mailbox:
                for draft in drafts:
                    assert draft.id is not None and draft.message_id and draft.mime
                    # Look first: a crash after an APPEND must not leave two copies.
                    if not await mailbox.contains_message_id(folder, draft.message_id):
                        hit("before_sent_append")
                        await mailbox.append(folder, draft.mime)
                        hit("after_sent_append")
                    with transaction(ctx.engine) as session:
                        session.get(Draft, draft.id)
                        transition(session, draft.id, DraftState.sent, filed_in_sent=True)
                    report.filed.append(draft.id)
        except MailError as exc:
            ctx.log.warning("%s: Sent copy not filed yet (%s); will retry", email, exc)
