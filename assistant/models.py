"""The tables and their state enums. No I/O and no stage logic lives here."""

from __future__ import annotations

import enum
import hashlib
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, hands back aware UTC, whatever the backend keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


def email_hash(address: str) -> str:
    """Suppression key: survives deletion and re-import of the lead without keeping the address."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


class LeadStatus(enum.StrEnum):
    active = "active"
    paused = "paused"
    sales_ready = "sales_ready"
    stopped = "stopped"
    opted_out = "opted_out"


class Stage(enum.StrEnum):
    awareness = "awareness"
    consideration = "consideration"
    decision = "decision"


class MessageState(enum.StrEnum):
    stored = "stored"  # kept, not yet understood
    understood = "understood"
    # Older than the sync horizon: kept for the ledger and threading, never answered or drafted.
    history = "history"
    quarantined = "quarantined"  # could not be parsed; shown to a person


class Direction(enum.StrEnum):
    inbound = "inbound"
    outbound = "outbound"


class DraftState(enum.StrEnum):
    pending = "pending"  # waiting for the rep
    approved = "approved"  # frozen bytes and Message-ID; waiting for its send time
    sending = "sending"  # claimed for SMTP; outcome not yet recorded
    sent = "sent"
    failed = "failed"  # refused for good (5xx) or blocked at send time
    unknown = "unknown"  # SMTP outcome unknown; the rep decides, never retried blindly
    rejected = "rejected"
    cancelled = "cancelled"  # overtaken: opt-out, bounce, a newer reply, a stop


OPEN_DRAFT_STATES = (DraftState.pending, DraftState.approved)


class NoticeState(enum.StrEnum):
    pending = "pending"
    sending = "sending"  # claimed for SMTP; outcome not yet recorded
    sent = "sent"
    failed = "failed"
    unknown = "unknown"  # the process died mid-send: never resent blindly


class FailureState(enum.StrEnum):
    retrying = "retrying"  # tried again after its backoff
    gave_up = "gave_up"  # too many attempts: waits for a person
    resolved = "resolved"  # went through on a later try
    dismissed = "dismissed"  # a person settled it by hand: never tried again, shown no more


class RepStatus(enum.StrEnum):
    active = "active"  # its mailbox is watched and synced, its approved mail sent
    paused = "paused"  # not synced, nothing sent from it: approved mail waits
    removed = "removed"  # off the floor: its leads and history stay, to be reassigned


class RepSource(enum.StrEnum):
    file = "file"  # a `[[reps]]` table of the configuration file: the file owns its settings
    database = "database"  # added with `nurture reps add` or the web app


class Rep(SQLModel, table=True):
    """A rep and their mailbox. Passwords are never here: the settings name the environment
    variable that holds one, or the mailbox uses an OAuth grant (MailboxGrant)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(320), unique=True, nullable=False))
    name: str
    signature: str = Field(default="", sa_column=Column(Text, nullable=False))
    team: str = "default"
    title: str = ""
    timezone: str = ""
    imap: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    smtp: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    status: str = Field(default=RepStatus.active.value, index=True)
    source: str = RepSource.database.value
    created_at: datetime | None = _ts()
    updated_at: datetime | None = _ts()
    status_changed_at: datetime | None = _ts()


class FolderState(SQLModel, table=True):
    """Where the incremental sync of one folder of one rep's mailbox stands."""

    __table_args__ = (UniqueConstraint("rep_id", "folder"),)
    id: int | None = Field(default=None, primary_key=True)
    rep_id: int = Field(foreign_key="rep.id", index=True)
    folder: str
    role: str  # inbox | sent
    uidvalidity: int | None = None
    last_uid: int = 0
    uidnext: int | None = None  # the server's, when last selected: how far a sync has to go
    synced_at: datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Lead(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(320), unique=True, nullable=False))
    name: str = ""
    company: str = ""
    title: str = ""
    owner_id: int | None = Field(default=None, foreign_key="rep.id", index=True)
    stage: str = Stage.awareness.value
    topics: list[str] = _json(list)
    timezone: str = ""
    extra: dict[str, str] = _json(dict)
    status: str = Field(default=LeadStatus.active.value, index=True)
    status_reason: str = ""
    paused_until: datetime | None = _ts(index=True)
    pause_ended_at: datetime | None = _ts()  # when the last pause ran out: re-engage from here
    sales_ready_at: datetime | None = _ts()
    referred_by_id: int | None = Field(default=None, foreign_key="lead.id")
    confirmed: bool = True  # leads found in replies wait for the rep to confirm them
    created_at: datetime | None = _ts()


class Suppression(SQLModel, table=True):
    """Addresses no one in the organisation may mail again (opt-out, hard bounce)."""

    id: int | None = Field(default=None, primary_key=True)
    email_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    reason: str
    created_at: datetime | None = _ts()


class Thread(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    subject: str = ""
    created_at: datetime | None = _ts()


class Message(SQLModel, table=True):
    """One mail seen in a rep's mailbox, keyed on where it was found."""

    __table_args__ = (UniqueConstraint("rep_id", "folder", "uidvalidity", "uid"),)
    id: int | None = Field(default=None, primary_key=True)
    rep_id: int = Field(foreign_key="rep.id", index=True)
    folder: str
    uidvalidity: int
    uid: int
    message_id: str | None = Field(default=None, sa_column=Column(String(998), index=True))
    # Indexed: ingest looks up the reply that arrived before the message it answers.
    in_reply_to: str | None = Field(default=None, sa_column=Column(String(998), index=True))
    references: list[str] = _json(list)
    thread_id: int | None = Field(default=None, foreign_key="thread.id", index=True)
    lead_id: int | None = Field(default=None, foreign_key="lead.id", index=True)
    draft_id: int | None = Field(default=None, index=True)  # our own mail coming back
    direction: str
    from_addr: str = ""
    to_addrs: list[str] = _json(list)
    cc_addrs: list[str] = _json(list)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    sent_at: datetime | None = _ts(index=True)
    received_at: datetime | None = _ts()
    raw: bytes = Field(default=b"", sa_column=Column(LargeBinary, nullable=False))
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    reply_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    state: str = Field(default=MessageState.stored.value, index=True)
    kind: str | None = None  # human | auto_reply | bounce
    intent: str | None = None
    understanding: dict[str, Any] = _json(dict)
    quarantine_reason: str | None = None


class ContentItem(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(200), unique=True, nullable=False))
    title: str
    type: str
    url: str
    stage: str
    topics: list[str] = _json(list)
    personas: list[str] = _json(list)
    industries: list[str] = _json(list)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    file_path: str | None = None
    file_sha256: str | None = Field(default=None, index=True)
    event_date: datetime | None = _ts()
    expires: date | None = None
    retired: bool = False
    updated_at: datetime | None = _ts()


class ContentDelivery(SQLModel, table=True):
    """The lead's content ledger: each item once, whoever sent it."""

    __table_args__ = (UniqueConstraint("lead_id", "content_id"),)
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    content_id: int = Field(foreign_key="contentitem.id")
    source: str  # nurture | sent_folder
    draft_id: int | None = Field(default=None, foreign_key="draft.id")
    message_id: int | None = Field(default=None, foreign_key="message.id")
    delivered_at: datetime | None = _ts(index=True)  # the company rule looks back from now


class ContentPolicy(SQLModel, table=True):
    """The manager's content rules as last imported: one row, read by every process."""

    id: int | None = Field(default=None, primary_key=True)
    tracks: dict[str, list[str]] = _json(dict)  # stage -> slugs, most preferred first
    same_company_days: int = 0  # 0: colleagues at one company may get the same item
    ranker: str = "bm25"  # or "hybrid": BM25 with sentence embeddings
    updated_at: datetime | None = _ts()


class ContentGap(SQLModel, table=True):
    """A word of a lead's question that no library item covers: marketing's to-do list."""

    __table_args__ = (UniqueConstraint("message_id", "topic"),)
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    lead_id: int | None = Field(default=None, foreign_key="lead.id", index=True)
    topic: str = Field(sa_column=Column(String(100), nullable=False, index=True))  # the stem
    word: str = Field(sa_column=Column(String(100), nullable=False))  # as the lead wrote it
    sentence: str = Field(default="", sa_column=Column(Text, nullable=False))
    asked_at: datetime | None = _ts(index=True)


class GapScan(SQLModel, table=True):
    """A lead's reply already read for content gaps: each reply is read once."""

    message_id: int = Field(foreign_key="message.id", primary_key=True)
    scanned_at: datetime | None = _ts()


class Draft(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # What caused it: "reply:<message id>" or "follow_up:<message id of our last mail>".
    # Unique, so planning the same situation twice makes one draft.
    trigger: str = Field(sa_column=Column(String(200), unique=True, nullable=False))
    lead_id: int = Field(foreign_key="lead.id", index=True)
    rep_id: int = Field(foreign_key="rep.id", index=True)
    thread_id: int | None = Field(default=None, foreign_key="thread.id")
    reply_to_id: int | None = Field(default=None, foreign_key="message.id")
    # Threading, from our records (never from the model): set when the draft is made.
    in_reply_to: str | None = Field(default=None, sa_column=Column(String(998)))
    references: list[str] = _json(list)
    situation: str  # reply | follow_up | ...
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    content_id: int | None = Field(default=None, foreign_key="contentitem.id")
    content_reason: str = ""
    subject: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    drafter: str = ""
    rationale: str = ""
    flags: list[str] = _json(list)
    prompt_template: str = ""
    prompt_hash: str = ""
    rules_version: int = 0
    # What the model took for this draft, regenerations included; cost None: no price known.
    input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    touch_number: int = 1
    version: int = 1
    state: str = Field(default=DraftState.pending.value, index=True)
    decision_note: str = ""
    created_at: datetime | None = _ts()
    # Frozen at approval: the exact bytes that go out and their Message-ID.
    message_id: str | None = Field(default=None, sa_column=Column(String(998), unique=True))
    mime: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    recipient: str | None = None
    # Copied on the reply, as the lead copied them (reply-all); the rep may drop any before
    # approving. They are written into the frozen bytes and given to SMTP with the lead.
    cc: list[str] = _json(list)
    approved_at: datetime | None = _ts()
    approved_by: str | None = None
    send_after: datetime | None = _ts(index=True)
    schedule_note: str = ""  # why it goes out at send_after: the window, a cap, the throttle
    attempts: int = 0
    next_attempt_at: datetime | None = _ts(index=True)
    sending_since: datetime | None = _ts()
    claimed_by: str | None = None  # host:pid of the process that holds the send
    sent_at: datetime | None = _ts()
    smtp_response: str | None = None
    last_error: str | None = None
    filed_in_sent: bool = False
    snoozed_until: datetime | None = _ts()  # hidden from the rep's queue until then
    # The planned step it was written for, as plan stored it: regenerating reads it back.
    step: dict[str, Any] = _json(dict)


class Notification(SQLModel, table=True):
    """A message to a rep (not a lead): a hot lead, a lead to confirm. Sent without approval."""

    __table_args__ = (UniqueConstraint("kind", "message_ref"),)
    id: int | None = Field(default=None, primary_key=True)
    rep_id: int = Field(foreign_key="rep.id", index=True)
    lead_id: int | None = Field(default=None, foreign_key="lead.id")
    kind: str  # sales_ready | new_lead
    message_ref: int  # the inbound message that caused it: one notice per message and kind
    subject: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default=NoticeState.pending.value, index=True)
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime | None = _ts()
    sent_at: datetime | None = _ts()
    next_attempt_at: datetime | None = _ts()
    sending_since: datetime | None = _ts()
    claimed_by: str | None = None  # host:pid of the process that holds the send


class Failure(SQLModel, table=True):
    """An item a stage could not handle (Mailman's shunt): shown to a person, retried later.

    One row per stage and item; the other items of the stage go on without it.
    """

    __table_args__ = (UniqueConstraint("stage", "kind", "item_id"),)
    id: int | None = Field(default=None, primary_key=True)
    stage: str = Field(index=True)
    kind: str  # what the item is: message | lead | notice
    item_id: int
    lead_id: int | None = Field(default=None, index=True)
    rep_id: int | None = Field(default=None, index=True)
    state: str = Field(default=FailureState.retrying.value, index=True)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    attempts: int = 0
    first_at: datetime | None = _ts()
    last_at: datetime | None = _ts()
    next_attempt_at: datetime | None = _ts(index=True)


class PlannedStep(SQLModel, table=True):
    """The plan stage's latest decision for one lead; the draft stage reads it from here."""

    lead_id: int = Field(foreign_key="lead.id", primary_key=True)
    action: str  # reply | follow_up | wait | stop | none
    situation: str = ""
    trigger: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    reply_to: str | None = None
    touch_number: int = 0
    rule: str = ""
    why: str = Field(default="", sa_column=Column(Text, nullable=False))
    due: datetime | None = _ts(index=True)
    deadline: datetime | None = _ts()
    planned_at: datetime | None = _ts()


class DraftVersion(SQLModel, table=True):
    """An earlier text of a draft, kept when it is regenerated or its content swapped."""

    __table_args__ = (UniqueConstraint("draft_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    version: int
    subject: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    content_id: int | None = None
    drafter: str = ""
    flags: list[str] = _json(list)
    replaced_by: str = ""  # what made the next version: "instruction: shorter", "content swap"
    created_at: datetime | None = _ts()


class ModelUsage(SQLModel, table=True):
    """One use of the model (a draft, a regeneration, a classification): tokens and dollars."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime | None = _ts(index=True)
    rep_id: int | None = Field(default=None, foreign_key="rep.id", index=True)
    lead_id: int | None = Field(default=None, index=True)
    draft_id: int | None = Field(default=None, index=True)
    purpose: str  # draft | regenerate | classify
    model: str = ""
    batched: bool = False
    input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None


class BatchedDraft(SQLModel, table=True):
    """A draft waiting in a Message Batch: kept so that a restart collects, never resubmits."""

    id: int | None = Field(default=None, primary_key=True)
    # The planned step's trigger: unique, so one step sits in at most one batch.
    trigger: str = Field(sa_column=Column(String(200), unique=True, nullable=False))
    lead_id: int = Field(foreign_key="lead.id", index=True)
    batch_id: str | None = Field(default=None, index=True)  # None until the API accepted it
    prepared: dict[str, Any] = _json(dict)  # everything needed to store the draft later
    submitted_at: datetime | None = _ts()


class AuditEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime | None = _ts(index=True)
    actor: str  # a rep's address, "daemon", "cli"
    action: str
    lead_id: int | None = Field(default=None, index=True)
    draft_id: int | None = Field(default=None, index=True)
    detail: dict[str, Any] = _json(dict)


class RuleSet(SQLModel, table=True):
    """One version of a team's (or one rep's) tone or cadence rules; the newest one applies."""

    __table_args__ = (UniqueConstraint("team", "rep_email", "kind", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    team: str = "default"
    rep_email: str = ""  # "" for the team's rules; an address for one rep's overrides
    kind: str  # tone | cadence
    version: int
    data: dict[str, Any] = _json(dict)
    created_by: str = ""
    created_at: datetime | None = _ts()


class UserRole(enum.StrEnum):
    rep = "rep"
    manager = "manager"
    admin = "admin"


class User(SQLModel, table=True):
    """A person who signs in to the web app: a rep, a team's manager, or an admin."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(320), unique=True, nullable=False))
    password_hash: str
    role: str = UserRole.rep.value
    team: str = "default"
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    created_at: datetime | None = _ts()


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; this row only its keyed hash."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    user_id: int = Field(foreign_key="user.id", index=True)
    csrf_token: str
    flash: str = Field(default="", sa_column=Column(Text, nullable=False))  # shown once
    created_at: datetime | None = _ts()
    seen_at: datetime | None = _ts()
    expires_at: datetime | None = _ts(index=True)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins counted per account and per client address, shared by every replica."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(400), unique=True, nullable=False))
    failures: int = 0
    window_start: datetime | None = _ts()
    locked_until: datetime | None = _ts()


class Replica(SQLModel, table=True):
    """A running daemon, seen by the others through its heartbeat (see assistant.leases)."""

    id: str = Field(sa_column=Column(String(200), primary_key=True))  # host:pid:random
    started_at: datetime | None = _ts()
    expires_at: datetime | None = _ts(index=True)  # gone unless it beats again before then


class Lease(SQLModel, table=True):
    """One thing held by one daemon until `expires_at`: a mailbox it watches, a draft it writes."""

    kind: str = Field(sa_column=Column(String(20), primary_key=True))  # mailbox | draft
    key: str = Field(sa_column=Column(String(400), primary_key=True))
    holder: str = Field(sa_column=Column(String(200), nullable=False, index=True))
    acquired_at: datetime | None = _ts()
    expires_at: datetime | None = _ts(index=True)
