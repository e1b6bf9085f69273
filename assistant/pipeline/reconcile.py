"""The Sent folder's part of sending: settle interrupted sends and file one copy of each.

A claim whose process died is looked up in Sent by its Message-ID: found means delivered;
otherwise the outcome is unknown and the rep decides (RFC 1047: nothing is resent blindly).
Where the provider files its own copy (Gmail, Microsoft 365), unknown sends are looked up
again on later passes, since the provider's copy proves the submission.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from assistant import roster
from assistant.db import transaction
from assistant.errors import MailError
from assistant.failpoints import hit
from assistant.lifecycle import drafts as lifecycle
from assistant.models import Draft, DraftState, Rep
from assistant.pipeline.context import Context

UNKNOWN_RECHECK = timedelta(minutes=10)
UNKNOWN_LOOKUP_FOR = timedelta(days=2)


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    filed: list[int] = field(default_factory=list)
    rescheduled: list[int] = field(default_factory=list)


def lease(ctx: Context) -> timedelta:
    """How long a claim from another host is trusted: longer than any one submission."""
    every = roster.reps(ctx.engine, roster.ANY)
    longest = max((r.smtp.timeout_seconds for r in every if r.smtp), default=30.0)
    return timedelta(seconds=5 * longest + 60)


def _abandoned(draft: Draft, now: datetime, trusted: timedelta) -> bool:
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
    return draft.sending_since is None or now - draft.sending_since > trusted


def _drafts_by_rep(session: Session, drafts: list[Draft]) -> dict[str, list[Draft]]:
    by_rep: dict[str, list[Draft]] = {}
    for draft in drafts:
        rep = session.get(Rep, draft.rep_id)
        by_rep.setdefault(rep.email if rep else "", []).append(draft)
    return by_rep


async def _found_in_sent(ctx: Context, rep_email: str, drafts: list[Draft]) -> set[int] | None:
    """Which drafts' Message-IDs are in the rep's Sent folder; None when it cannot be read."""
    rep = roster.find(ctx.engine, rep_email)  # a paused mailbox is not opened
    if rep is None or rep.imap is None:
        return set()
    found: set[int] = set()
    try:
        async with ctx.open_mailbox(rep) as mailbox:
            for draft in drafts:
                assert draft.id is not None and draft.message_id is not None
                if await mailbox.contains_message_id(rep.imap.sent_folder, draft.message_id):
                    found.add(draft.id)
    except MailError as exc:
        ctx.log.warning("%s: cannot look in Sent yet (%s); will try again", rep_email, exc)
        return None
    return found


async def abandoned(ctx: Context, now: datetime, report: SendReport) -> None:
    """Settle claims left in `sending` by a process that died mid-send."""
    with transaction(ctx.engine) as session:
        stuck = session.exec(select(Draft).where(Draft.state == DraftState.sending.value)).all()
        trusted = lease(ctx)
        by_rep = _drafts_by_rep(session, [d for d in stuck if _abandoned(d, now, trusted)])
    for rep_email, drafts in by_rep.items():
        found = await _found_in_sent(ctx, rep_email, drafts)
        if found is None:
            continue
        with transaction(ctx.engine) as session:
            for draft in drafts:
                assert draft.id is not None
                if draft.id in found:
                    if lifecycle.mark_sent(
                        session,
                        draft,
                        "daemon",
                        now,
                        sent_at=draft.sending_since or now,
                        filed_in_sent=True,
                    ):
                        report.sent.append(draft.id)
                        ctx.log.info("draft %s: found in Sent after a crash; marked sent", draft.id)
                elif lifecycle.mark_unknown(
                    session,
                    draft,
                    "the send was interrupted and its outcome is unknown; "
                    "check the lead's inbox, then mark it sent or send it again",
                    now,
                    recheck_at=now + UNKNOWN_RECHECK,
                ):
                    report.unknown.append(draft.id)
                    ctx.log.warning("draft %s: send outcome unknown; waiting for the rep", draft.id)


async def unknown(ctx: Context, now: datetime, report: SendReport) -> None:
    """Look again for unknown sends where the provider files its own Sent copy."""
    own_copy = [r.email for r in roster.reps(ctx.engine) if r.imap and not r.imap.append_to_sent]
    if not own_copy:
        return
    with transaction(ctx.engine) as session:
        rows = session.exec(
            select(Draft)
            .join(Rep, col(Rep.id) == Draft.rep_id)
            .where(
                Draft.state == DraftState.unknown.value,
                col(Rep.email).in_(own_copy),
                or_(col(Draft.next_attempt_at).is_(None), col(Draft.next_attempt_at) <= now),
                col(Draft.sending_since) > now - UNKNOWN_LOOKUP_FOR,
            )
        ).all()
        by_rep = _drafts_by_rep(session, list(rows))
    for rep_email, drafts in by_rep.items():
        found = await _found_in_sent(ctx, rep_email, drafts)
        if found is None:
            continue
        with transaction(ctx.engine) as session:
            for draft in drafts:
                assert draft.id is not None
                if draft.id not in found:
                    lifecycle.recheck_later(session, draft.id, now + UNKNOWN_RECHECK)
                elif lifecycle.mark_sent(
                    session,
                    draft,
                    "daemon",
                    now,
                    source=(DraftState.unknown,),
                    sent_at=draft.sending_since or now,
                    filed_in_sent=True,
                ):
                    report.sent.append(draft.id)
                    ctx.log.info("draft %s: the provider's Sent copy proves delivery", draft.id)


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
        rep = roster.find(ctx.engine, email)  # a paused mailbox gets its copies on resume
        if rep is None or rep.imap is None or not rep.imap.append_to_sent:
            continue
        if not ctx.holds(email):  # the mailbox's holder files it: two replicas could both
            continue  # look, find nothing and append
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
                        lifecycle.mark_filed(session, draft.id)
                    report.filed.append(draft.id)
        except MailError as exc:
            ctx.log.warning("%s: Sent copy not filed yet (%s); will retry", email, exc)
