"""Stage 1, ingest: incremental sync of each rep's INBOX and Sent folder into the store.

Keyed on (rep, folder, UIDVALIDITY, UID) and Message-ID. Headers first; whole messages only
for mail to or from known leads, replies into our threads, and bounces. Each chunk of UIDs
is stored and its high-water mark advanced in one transaction, so a crash re-fetches and
changes nothing. Parsing and storing run in the worker threads, off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel import Session, col, select
from tqdm import tqdm

from assistant import logs, roster
from assistant.config import RepSettings
from assistant.db import transaction
from assistant.errors import MailError
from assistant.mail.dsn import is_probable_bounce
from assistant.mail.imap import Mailbox
from assistant.mail.parse import HeaderSummary, Triage, parse_headers, triage_headers
from assistant.models import Direction, Draft, FolderState, Lead, Message, Rep, Thread
from assistant.pipeline.context import Context, Scope

# UIDs triaged and stored per step: each step is one transaction with the folder's mark, so a
# crash costs at most one; larger steps spend fewer queries and commits per message (the IMAP
# fetches inside a step still go in the mailbox's own chunks).
SYNC_CHUNK = 1000


@dataclass
class IngestReport:
    stored: int = 0
    errors: list[str] = field(default_factory=list)


async def run(ctx: Context, now: datetime, scope: Scope | None = None) -> IngestReport:
    """Sync the mailboxes in scope (all by default) that this process holds; one unreachable
    mailbox never stops the others."""
    report = IngestReport()
    wanted = scope.mailboxes if scope is not None else None
    for rep in roster.reps(ctx.engine):
        if rep.imap is None or (wanted is not None and rep.email not in wanted):
            continue
        if not ctx.holds(rep.email):  # another replica's mailbox
            continue
        if ctx.stopping.is_set():
            break
        if ctx.manners.resting(rep.email):
            continue  # its provider asked for a pause: said once when it began
        try:
            with logs.ids(mailbox=rep.email):
                for folder in await sync_rep(ctx, rep, now):
                    report.stored += folder.stored
        except MailError as exc:
            report.errors.append(str(exc))
            ctx.log.error("%s: mailbox not synced this time: %s", rep.email, exc)
            await asyncio.to_thread(note_error, ctx, rep.email, str(exc))
    return report


# Told after each chunk: the folder, UIDs gone through, UIDs to go through in all.
Progress = Callable[[str, int, int], None]


def note_error(ctx: Context, rep_email: str, error: str) -> None:
    """Keep why the mailbox's last sync failed, for the status people see; a sync clears it."""
    with transaction(ctx.engine) as session:
        rep = session.exec(select(Rep).where(Rep.email == rep_email)).first()
        if rep is None:
            return
        for state in session.exec(select(FolderState).where(FolderState.rep_id == rep.id)):
            state.last_error = error
            session.add(state)


@dataclass(frozen=True)
class SyncReport:
    rep: str
    folder: str
    seen: int
    stored: int
    uidvalidity_changed: bool = False


async def sync_rep(
    ctx: Context, rep_settings: RepSettings, now: datetime, progress: Progress | None = None
) -> list[SyncReport]:
    """Sync the INBOX and the Sent folder of one rep; `progress` hears of each chunk."""
    with transaction(ctx.engine) as session:
        rep = _rep(session, rep_settings.email)
        rep_id = rep.id
        assert rep_id is not None
    imap = rep_settings.imap
    folders = [
        (imap.inbox if imap else "INBOX", "inbox"),
        (imap.sent_folder if imap else "Sent", "sent"),
    ]
    reports = []
    async with ctx.open_mailbox(rep_settings) as mailbox:
        for folder, role in folders:
            reports.append(
                await sync_folder(
                    ctx, mailbox, rep_id, rep_settings.email, folder, role, now, progress
                )
            )
    return reports


async def sync_folder(
    ctx: Context,
    mailbox: Mailbox,
    rep_id: int,
    rep_email: str,
    folder: str,
    role: str,
    now: datetime,
    progress: Progress | None = None,
) -> SyncReport:
    info = await mailbox.select(folder)
    changed = False
    with transaction(ctx.engine) as session:
        state = session.exec(
            select(FolderState).where(FolderState.rep_id == rep_id, FolderState.folder == folder)
        ).first()
        if state is None:
            state = FolderState(rep_id=rep_id, folder=folder, role=role)
        if state.uidvalidity is not None and state.uidvalidity != info.uidvalidity:
            # The server renumbered the folder: forget the UIDs, re-match by Message-ID below.
            ctx.log.warning(
                "%s %s: UIDVALIDITY changed from %s to %s; re-reading the folder",
                rep_email,
                folder,
                state.uidvalidity,
                info.uidvalidity,
            )
            state.last_uid = 0
            changed = True
        state.uidvalidity = info.uidvalidity
        state.uidnext = info.uidnext
        if state.last_uid >= info.uidnext - 1:
            state.synced_at = now  # nothing new is a successful sync too (readiness reads it)
            state.last_error = None
        session.add(state)
        last_uid = state.last_uid
    seen = stored = 0
    top = info.uidnext - 1
    bar = _bar(ctx, rep_email, folder, top - last_uid) if progress is None else None
    if bar is not None:
        progress = bar[1]
    if progress is not None:
        progress(folder, 0, max(0, top - last_uid))
    # A chunk is stored in a worker thread while the next one's headers are fetched and
    # triaged; chunks are stored in order, each with its mark, so a crash resumes cleanly.
    known: dict[str, bool] = {}  # addresses already looked up in this folder's leads
    storing: asyncio.Future[int] | None = None
    try:
        for start in range(last_uid + 1, top + 1, SYNC_CHUNK):
            if ctx.stopping.is_set():  # each chunk is committed with its mark: resume from here
                break
            end = min(start + SYNC_CHUNK - 1, top)
            headers = await mailbox.fetch_headers(start, end)
            seen += len(headers)
            wanted = await asyncio.to_thread(_triage, ctx, role, rep_email, headers, known)
            bodies = await mailbox.fetch_messages(sorted(wanted)) if wanted else []
            if storing is not None:
                stored += await storing
            storing = asyncio.ensure_future(
                asyncio.to_thread(
                    _store_chunk,
                    ctx,
                    rep_id,
                    rep_email,
                    folder,
                    role,
                    info.uidvalidity,
                    bodies,
                    end,
                    now,
                    partial(progress, folder, end - last_uid, top - last_uid) if progress else None,
                )
            )
    finally:
        if storing is not None:
            stored += await storing
        if bar is not None:
            bar[0].close()
    if stored:
        ctx.log.info("synced %s %s: %d new message(s) about leads", rep_email, folder, stored)
    return SyncReport(rep_email, folder, seen, stored, changed)


def _bar(ctx: Context, rep_email: str, folder: str, total: int) -> tuple[Any, Progress] | None:
    """A bar on stderr for `nurture tick --progress`: a first sync may read years of mail."""
    if not ctx.progress or total <= 0:
        return None
    bar = tqdm(total=total, desc=f"Syncing {rep_email} {folder}", unit=" UIDs")

    def advance(_folder: str, done: int, _total: int) -> None:
        bar.update(done - bar.n)

    return bar, advance


def _triage(
    ctx: Context,
    role: str,
    rep_email: str,
    headers: list[tuple[int, bytes]],
    known: dict[str, bool] | None = None,
) -> set[int]:
    seen = [(uid, triage_headers(raw)) for uid, raw in headers]
    with Session(ctx.engine) as session:
        return _relevant(session, role, rep_email, seen, known)


def _store_chunk(
    ctx: Context,
    rep_id: int,
    rep_email: str,
    folder: str,
    role: str,
    uidvalidity: int,
    bodies: list[tuple[int, bytes]],
    end: int,
    now: datetime,
    stored_up_to: Callable[[], None] | None = None,
) -> int:
    """Store one chunk's messages and advance the folder's mark, in one transaction; then
    tell `stored_up_to`."""
    stored = 0
    with transaction(ctx.engine) as session:
        chunk = [(uid, raw, parse_headers(raw)) for uid, raw in bodies]
        known = _Known.read(session, rep_id, folder, uidvalidity, chunk)
        for uid, raw, h in chunk:
            if _store(
                session, known, rep_id, rep_email, folder, role, uidvalidity, uid, raw, h, now
            ):
                stored += 1
        state = session.exec(
            select(FolderState).where(FolderState.rep_id == rep_id, FolderState.folder == folder)
        ).one()
        state.last_uid = max(state.last_uid, end)
        state.synced_at = now
        state.last_error = None
        session.add(state)
    if stored_up_to is not None:
        stored_up_to()
    return stored


def _rep(session: Session, email: str) -> Rep:
    rep = session.exec(select(Rep).where(Rep.email == email)).first()
    if rep is None:
        raise LookupError(email)
    return rep


def _relevant(
    session: Session,
    role: str,
    rep_email: str,
    seen: list[tuple[int, Triage]],
    known: dict[str, bool] | None = None,
) -> set[int]:
    """UIDs worth fetching whole: mail to or from leads, replies into our threads, bounces.

    `known` remembers, across one folder's chunks, which addresses are leads: the same
    correspondents come back in every chunk of years of mail.
    """
    addresses: set[str] = set()
    ids: set[str] = set()
    for _, t in seen:
        addresses.update(t.senders, t.recipients)
        ids.update(t.referenced)
    leads = _known_leads(session, addresses, {} if known is None else known)
    known_ids = _known_message_ids(session, ids)
    wanted = set()
    for uid, t in seen:
        if role == "sent":
            if t.recipients & leads:
                wanted.add(uid)
        elif (
            t.senders & leads
            or known_ids.intersection(t.referenced)
            or is_probable_bounce(t.fields, t.senders)
            or (rep_email in t.senders and t.recipients & leads)
        ):
            wanted.add(uid)
    return wanted


def _referenced(h: HeaderSummary) -> list[str]:
    return [*([h.in_reply_to] if h.in_reply_to else []), *h.references]


def _known_leads(session: Session, addresses: set[str], known: dict[str, bool]) -> set[str]:
    """Which of `addresses` are leads; `known` holds the answers already found, and learns."""
    for chunk in _in_chunks(a for a in addresses if a not in known):
        found = set(session.exec(select(Lead.email).where(col(Lead.email).in_(chunk))).all())
        known.update((a, a in found) for a in chunk)
    return {a for a in addresses if known.get(a)}


def _known_message_ids(session: Session, ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _in_chunks(ids):
        found.update(
            m
            for m in session.exec(
                select(Message.message_id).where(col(Message.message_id).in_(chunk))
            )
            if m
        )
        found.update(
            m
            for m in session.exec(select(Draft.message_id).where(col(Draft.message_id).in_(chunk)))
            if m
        )
    return found


def _in_chunks(values: Iterable[Any], size: int = 500) -> Iterator[list[Any]]:
    ordered = sorted(set(values))
    for i in range(0, len(ordered), size):
        yield ordered[i : i + size]


@dataclass
class _Known:
    """What storing a chunk looks up, read for the whole chunk in a few queries and kept
    current as its messages are stored."""

    uids: set[int]  # stored already, in this folder under this UIDVALIDITY
    in_folder: dict[str, Message]  # this folder's messages by Message-ID
    drafts: dict[str, Draft]  # our drafts by the Message-ID they went out with
    leads: dict[str, Lead]  # by address
    # Threads by (Message-ID, lead id): of stored messages and of our drafts the chunk's
    # messages refer to, and of stored messages that answer one of the chunk's messages.
    threads: dict[tuple[str, int], int] = field(default_factory=dict)
    draft_threads: dict[tuple[str, int], int] = field(default_factory=dict)
    answered: dict[tuple[str, int], int] = field(default_factory=dict)

    def learn(
        self, message_id: str | None, in_reply_to: str | None, lead: int, thread: int
    ) -> None:
        """A message stored in this chunk, for the chunk's later messages to thread by."""
        if message_id:
            self.threads.setdefault((message_id, lead), thread)
        if in_reply_to:
            self.answered.setdefault((in_reply_to, lead), thread)

    @classmethod
    def read(
        cls,
        session: Session,
        rep_id: int,
        folder: str,
        uidvalidity: int,
        chunk: list[tuple[int, bytes, HeaderSummary]],
    ) -> _Known:
        known = cls(set(), {}, {}, {})
        here = (Message.rep_id == rep_id) & (Message.folder == folder)
        for uids in _in_chunks(uid for uid, _, _ in chunk):
            known.uids.update(
                session.exec(
                    select(Message.uid).where(
                        here, Message.uidvalidity == uidvalidity, col(Message.uid).in_(uids)
                    )
                ).all()
            )
        for ids in _in_chunks(h.message_id for _, _, h in chunk if h.message_id):
            for m in session.exec(select(Message).where(here, col(Message.message_id).in_(ids))):
                known.in_folder.setdefault(m.message_id or "", m)
            for d in session.exec(select(Draft).where(col(Draft.message_id).in_(ids))):
                known.drafts.setdefault(d.message_id or "", d)
        for people in _in_chunks(a for _, _, h in chunk for a in _people(h)):
            for lead in session.exec(select(Lead).where(col(Lead.email).in_(people))):
                known.leads[lead.email] = lead
        known._read_threads(session, chunk)
        return known

    def _read_threads(
        self, session: Session, chunk: list[tuple[int, bytes, HeaderSummary]]
    ) -> None:
        refs = [ref for _, _, h in chunk for ref in _referenced(h)]
        ids = [h.message_id for _, _, h in chunk if h.message_id]
        lookups: tuple[tuple[dict[tuple[str, int], int], Any, Any, list[str]], ...] = (
            (self.threads, Message, Message.message_id, refs),
            (self.draft_threads, Draft, Draft.message_id, refs),
            (self.answered, Message, Message.in_reply_to, ids),
        )
        for table, model, key, wanted in lookups:
            for some in _in_chunks(wanted):
                rows = session.exec(
                    select(key, model.lead_id, model.thread_id).where(
                        col(key).in_(some), col(model.thread_id).is_not(None)
                    )
                )
                for value, lead_id, thread_id in rows:
                    if value and lead_id and thread_id:
                        table.setdefault((value, lead_id), thread_id)


def _people(h: HeaderSummary) -> list[str]:
    return [a.email for a in (*([h.from_] if h.from_ else []), *h.to, *h.cc)]


def _store(
    session: Session,
    known: _Known,
    rep_id: int,
    rep_email: str,
    folder: str,
    role: str,
    uidvalidity: int,
    uid: int,
    raw: bytes,
    h: HeaderSummary,
    now: datetime,
) -> bool:
    """Store one message unless it is already here; True when a new row was written."""
    if uid in known.uids:
        return False
    known.uids.add(uid)
    moved = known.in_folder.get(h.message_id) if h.message_id else None
    if moved is not None:  # same message, renumbered after a UIDVALIDITY change
        moved.uidvalidity, moved.uid = uidvalidity, uid
        session.add(moved)
        return False
    sender = h.from_.email if h.from_ else ""
    outbound = role == "sent" or sender == rep_email
    direction = Direction.outbound if outbound else Direction.inbound
    own = known.drafts.get(h.message_id) if h.message_id else None
    lead = _lead_for(session, known, h, outbound, own)
    thread_id = _thread_for(session, known, lead, h, own, now) if lead else None
    message = Message(
        rep_id=rep_id,
        folder=folder,
        uidvalidity=uidvalidity,
        uid=uid,
        message_id=h.message_id,
        in_reply_to=h.in_reply_to,
        references=list(h.references),
        thread_id=thread_id,
        lead_id=lead.id if lead else None,
        draft_id=own.id if own else None,
        direction=direction.value,
        from_addr=sender,
        to_addrs=[a.email for a in h.to],
        cc_addrs=[a.email for a in h.cc],
        subject=h.subject,
        sent_at=h.date or now,
        received_at=now,
        raw=raw,
    )
    # No flush per message: the chunk's rows go in together, and what its later messages
    # look up is kept in `known`.
    session.add(message)
    if h.message_id:
        known.in_folder.setdefault(h.message_id, message)
    if lead is not None and lead.id is not None and thread_id is not None:
        known.learn(h.message_id, h.in_reply_to, lead.id, thread_id)
    return True


def _lead_for(
    session: Session, known: _Known, h: HeaderSummary, outbound: bool, own: Draft | None
) -> Lead | None:
    if own is not None:
        return session.get(Lead, own.lead_id)
    candidates = (
        [a.email for a in (*h.to, *h.cc)] if outbound else ([h.from_.email] if h.from_ else [])
    )
    for address in candidates:
        if address in known.leads:
            return known.leads[address]
    # A colleague answering inside one of our threads belongs to that thread's lead.
    parent = _parent(session, h)
    return session.get(Lead, parent.lead_id) if parent and parent.lead_id else None


def _parent(session: Session, h: HeaderSummary) -> Message | None:
    refs = _referenced(h)
    if not refs:
        return None
    return session.exec(
        select(Message)
        .where(col(Message.message_id).in_(refs), col(Message.thread_id).is_not(None))
        .order_by(col(Message.id).desc())
    ).first()


def _thread_for(
    session: Session, known: _Known, lead: Lead, h: HeaderSummary, own: Draft | None, now: datetime
) -> int:
    """The lead's thread this message belongs to, by its references; a new one otherwise."""
    if own is not None and own.thread_id is not None:
        return own.thread_id
    assert lead.id is not None
    refs = _referenced(h)
    for table in (known.threads, known.draft_threads):
        hit = next((table[(ref, lead.id)] for ref in refs if (ref, lead.id) in table), None)
        if hit is not None:
            return hit
    if h.message_id:
        # The reply came first (INBOX synced before Sent): it answers this message, so the
        # message joins the reply's thread rather than starting one of its own.
        answered = known.answered.get((h.message_id, lead.id))
        if answered is not None:
            return answered
    thread = Thread(lead_id=lead.id, subject=h.subject, created_at=now)
    session.add(thread)
    session.flush()
    assert thread.id is not None
    return thread.id
