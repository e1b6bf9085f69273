"""`nurture demo`: the whole loop on sample data, with no mail server and no API key.

Mailboxes are folders of .eml files; outgoing mail goes over real SMTP to a small server on
loopback that stands in for the team's mail provider. The story (earlier emails, replies)
comes from data/demo/story.toml; leads and content from data/ (both shipped in the package).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import tempfile
import time
import tomllib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import click
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant import clock, resources
from assistant.config import WEEKDAYS, RepSettings, parse
from assistant.content.store import import_library
from assistant.db import open_database
from assistant.imports import import_leads
from assistant.llm.offline import OfflineDrafter
from assistant.mail import smtp
from assistant.mail.imap import Mailbox
from assistant.mail.localbox import LocalMailbox
from assistant.models import ContentItem, Draft, Lead, Message
from assistant.pipeline import approve as approve_stage
from assistant.pipeline import send, tick
from assistant.pipeline.context import Context
from assistant.pipeline.plan import add_business_days
from assistant.roster import sync_reps

DATA = resources.folder("data")


@dataclass
class Outbox:
    """The loopback SMTP server's handler: keeps what it accepts."""

    received: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(bytes(envelope.original_content or envelope.content))
        return "250 2.0.0 queued"


class _Narrator(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.secho(f"    · {record.getMessage()}", dim=True)


def _say(text: str = "", pause: float = 0.0, **style: Any) -> None:
    click.secho(text, **style)
    if pause:
        time.sleep(pause)


def _heading(text: str, pause: float) -> None:
    _say("")
    _say(f"━━ {text} ", bold=True, fg="cyan", pause=pause / 2)


def run_demo(pause: float = 1.2, folder: Path | None = None) -> None:
    temporary = folder is None
    root = folder or Path(tempfile.mkdtemp(prefix="nurture-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.run(_story(root, pause))
    finally:
        if temporary:
            shutil.rmtree(root, ignore_errors=True)
        else:
            _say(f"\nThe demo's database and mailboxes are in {root}.")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _mail(
    sender: str,
    to: str,
    subject: str,
    body: str,
    at: datetime,
    *,
    in_reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[bytes, str]:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = format_datetime(at)
    message_id = make_msgid(domain=sender.rpartition("@")[2].rstrip(">"))
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body.strip() + "\n")
    return msg.as_bytes(), message_id


async def _story(root: Path, pause: float) -> None:
    story = tomllib.loads((DATA / "demo" / "story.toml").read_text(encoding="utf-8"))
    outbox = Outbox()
    port = _free_port()
    controller = Controller(outbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await _play(root, story, outbox, port, pause)
    finally:
        controller.stop()


def _narrated() -> logging.Logger:
    """The demo's log: told as a story on the terminal, not as log lines."""
    log = logging.getLogger("nurture.demo")
    log.propagate = False
    log.handlers = [_Narrator()]
    log.setLevel(logging.INFO)
    return log


def _earlier_touches(
    engine: Engine, story: dict[str, Any], boxes: dict[str, LocalMailbox], now: datetime
) -> dict[str, tuple[str, str]]:
    """The reps' first emails, put in their Sent folders: each lead's Message-ID and subject."""
    reps = story["reps"]
    sent_ids: dict[str, tuple[str, str]] = {}
    with Session(engine) as session:
        for touch in story["touches"]:
            lead = session.exec(select(Lead).where(Lead.email == touch["lead"])).one()
            item = session.exec(
                select(ContentItem).where(ContentItem.slug == touch["content"])
            ).one()
            rep = next(r for r in reps if r["email"] == touch["rep"])
            at = now - timedelta(days=touch["days_ago"])
            body = touch["body"].format(
                first=lead.name.split()[0],
                title=item.title,
                url=item.url,
                rep=rep["name"].split()[0],
            )
            raw, mid = _mail(
                f"{rep['name']} <{rep['email']}>",
                f"{lead.name} <{lead.email}>",
                touch["subject"],
                body,
                at,
            )
            boxes[rep["email"]].deliver("Sent", raw)
            sent_ids[lead.email] = (mid, touch["subject"])
            _say(
                f'  {rep["name"]} → {lead.name} ({lead.company}): "{touch["subject"]}" '
                f'— linked "{item.title}"'
            )
    return sent_ids


async def _play(root: Path, story: dict[str, Any], outbox: Outbox, port: int, pause: float) -> None:
    reps = story["reps"]
    settings = parse(
        {
            "database": {"url": f"sqlite:///{root / 'nurture.db'}"},
            "content": {"library": str(DATA / "content")},
            # The demo runs on the real clock: an always-open window lets it send at any hour.
            "cadence": {
                "working_days": list(WEEKDAYS),
                "window_start": "00:00",
                "window_end": "24:00",
            },
            "reps": [
                {
                    **rep,
                    "imap": {"host": "local", "username": rep["email"], "password_env": "UNUSED"},
                    "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
                }
                for rep in reps
            ],
        }
    )
    engine = open_database(settings.database_url)
    sync_reps(engine, settings)
    boxes = {rep["email"]: LocalMailbox(root / "mail" / rep["email"]) for rep in reps}

    @asynccontextmanager
    async def open_mailbox(rep: RepSettings) -> AsyncIterator[Mailbox]:
        yield boxes[rep.email]

    async def submit(
        rep: RepSettings, sender: str, recipient: str | Sequence[str], raw: bytes
    ) -> smtp.SubmitResult:
        return await smtp.submit(
            smtp.SmtpAccount("127.0.0.1", port, "none"), sender, recipient, raw
        )

    ctx = Context(settings, engine, OfflineDrafter(), open_mailbox, submit, _narrated())
    now = clock.now()

    _heading("Nurture demo", pause)
    names = ", ".join(f"{r['name']} ({r['email']})" for r in reps)
    _say(f"A B2B sales team: {names}. Nothing is sent unless a rep approves it.", pause=pause)
    content = import_library(engine, DATA / "content", settings.content, "demo", now)
    leads = import_leads(engine, DATA / "leads.csv", now)
    _say(
        f"Imported {len(content.added)} content items (white papers, webinars, case studies, ...) "
        f"and {leads.added} leads.",
        pause=pause,
    )

    _heading("Earlier: the reps' own emails, found in their Sent folders", pause)
    sent_ids = _earlier_touches(engine, story, boxes, now)
    time.sleep(pause)

    _heading("New mail in the reps' inboxes", pause)
    for reply in story["replies"]:
        mid, subject = sent_ids[reply["lead"]]
        with Session(engine) as session:
            lead = session.exec(select(Lead).where(Lead.email == reply["lead"])).one()
        owner = next(r for r in reps if r["email"] == reply["rep"])
        back = now + timedelta(days=14)
        body = reply["body"].format(back_de=f"{back:%d.%m.}", back_en=f"{back:%-d %B}")
        raw, _ = _mail(
            f"{lead.name} <{lead.email}>",
            f"{owner['name']} <{owner['email']}>",
            reply.get("subject", f"Re: {subject}"),
            body,
            now - timedelta(hours=reply.get("hours_ago", 3)),
            in_reply_to=mid,
            headers=reply.get("headers"),
        )
        boxes[owner["email"]].deliver("INBOX", raw)
        first = _gist(body)
        _say(f'  {lead.name} ({lead.company}) → {owner["name"].split()[0]}: "{first[:90]}"')
    time.sleep(pause)

    _heading("Nurture reads the mailboxes, understands each reply and drafts", pause)
    await tick(ctx, now)
    _understood(engine)
    time.sleep(pause)

    _heading("The reps' approval queue (sales-ready leads first)", pause)
    drafts = _queue(engine)
    if drafts:
        _show(engine, drafts[0])
        time.sleep(pause * 2)

    _heading("The reps approve; Nurture sends over SMTP, in the thread, and files a copy", pause)
    for draft_id in drafts:
        approve_stage.approve(engine, settings, draft_id, "demo", now)
        _say(f"  approved draft #{draft_id}")
    await tick(ctx, now)
    for minutes in range(1, 4):  # sends from one mailbox are staggered a little apart
        await send.run(ctx, now + timedelta(minutes=minutes))
    _outbox(outbox, boxes, pause)

    later = add_business_days(now, 3) + timedelta(minutes=5)
    _heading(f"Three business days of silence later ({later:%a %d %b})", pause)
    clock.fast_forward(later - now)
    await tick(ctx, later)
    followups = _queue(engine)
    if followups:
        _show(engine, followups[0])
    _heading("That is the loop", pause)
    _say("Replies understood, one new piece of content per touch, nothing sent without a rep.")
    _say("Run it on your own mailboxes: write nurture.toml (see README.md), then")
    _say(
        "  nurture init && nurture content import && nurture leads import leads.csv && nurture run"
    )


def _gist(body: str) -> str:
    """The first line that says something (not the greeting)."""
    lines = [line.strip() for line in body.strip().splitlines() if line.strip()]
    meaningful = [line for line in lines[1:] if len(line.split()) > 3] or lines
    return meaningful[0]


def _understood(engine: Any) -> None:
    with Session(engine) as session:
        rows = session.exec(
            select(Message, Lead).join(Lead).where(Message.direction == "inbound")
        ).all()
        for message, lead in rows:
            what = message.kind or "?"
            if message.kind == "human":
                what = f"human reply, intent: {(message.intent or 'other').replace('_', ' ')}"
            status = lead.status.replace("_", " ")
            if lead.paused_until:
                status += f" until {lead.paused_until:%d %b}"
            _say(f"  {lead.name:<22} {what:<40} → lead {status}")


def _queue(engine: Any) -> list[int]:
    with Session(engine) as session:
        rows = approve_stage.queue(session)
        for draft, lead, rep in rows:
            item = session.get(ContentItem, draft.content_id) if draft.content_id else None
            hot = (
                click.style(" HOT ", bg="red", fg="white") + " "
                if lead.status == "sales_ready"
                else ""
            )
            _say(
                f"  #{draft.id:<3} {hot}{rep.name.split()[0]:<5} {draft.situation:<10} "
                f"{lead.name:<22} {item.title if item else 'no new content fits'}"
            )
        return [d.id for d, _, _ in rows if d.id is not None]


def _show(engine: Any, draft_id: int) -> None:
    with Session(engine) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        lead = session.get(Lead, draft.lead_id)
        assert lead is not None
        _say(
            f"\n  Draft #{draft.id} to {lead.name} <{lead.email}> — Subject: {draft.subject}",
            bold=True,
        )
        for line in draft.body.rstrip().splitlines():
            _say(f"  │ {line}")
        _say(f"  Why now: {draft.reason}", fg="yellow")
        _say(f"  Why this content: {draft.content_reason}", fg="yellow")
        for flag in draft.flags:
            _say(f"  Flag for the rep: {flag}", fg="magenta")


def _outbox(outbox: Outbox, boxes: dict[str, LocalMailbox], pause: float) -> None:
    for raw in outbox.received:
        msg = message_from_bytes(raw, policy=policy.default)
        reply_to = msg["In-Reply-To"]
        thread = f"In-Reply-To {reply_to}" if reply_to else "a notice to the rep"
        _say(f"  SMTP 250: To {msg['To']} — {msg['Subject']} ({thread})")
    filed = sum(len(list((box.root / "Sent").glob("*.eml"))) for box in boxes.values())
    _say(
        f"  Sent folders now hold {filed} messages (the reps' earlier mail plus Nurture's copies).",
        pause=pause,
    )
