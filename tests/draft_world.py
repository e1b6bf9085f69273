"""An in-process Nurture for drafting tests: folder mailboxes, a test database, real drafters.

The mailbox is a folder of .eml files (the demo's), so a test runs the whole tick in well
under a second; the drafters are built from settings exactly as the daemon builds them, the
model reached through the real SDK at the stand-in server when `[llm]` says anthropic.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.config import ContentSettings, RepSettings, parse
from assistant.content.store import import_library
from assistant.db import open_database
from assistant.imports import import_leads
from assistant.mail import smtp
from assistant.mail.imap import Mailbox
from assistant.mail.localbox import LocalMailbox
from assistant.models import Draft, Lead
from assistant.pipeline import TickReport, tick
from assistant.pipeline.context import Context
from assistant.roster import sync_reps
from assistant.runtime import models
from tests.mails import mail
from tests.servers.anthropic_standin import tool_name

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
REP = "ana@acme.test"
LEAD = "maria@northwind.test"
LEADS = (
    "email,name,company,title,owner,stage,topics,timezone\n"
    f"{LEAD},María López,Northwind,CFO,{REP},consideration,crm;forecasting,Europe/Madrid\n"
    f"li.wei@contoso.test,Li Wei,Contoso,VP Sales,{REP},consideration,forecasting,Asia/Shanghai\n"
)
FIRST = "<first@acme.test>"


@dataclass
class DraftWorld:
    ctx: Context
    box: LocalMailbox
    sent: list[bytes] = field(default_factory=list)
    # One event loop for the world's life, as the daemon has: the model client's
    # connections belong to it.
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)

    @property
    def engine(self) -> Engine:
        return self.ctx.engine

    def tick(self, now: datetime) -> TickReport:
        return self.run(tick(self.ctx, now))

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def close(self) -> None:
        """Stop the world: the model clients' connections first, then the loop."""
        self.run(self.ctx.aclose())
        self.loop.close()
        self.engine.dispose()

    def deliver(self, raw: bytes, folder: str = "INBOX") -> int:
        return self.box.deliver(folder, raw)

    def first_touch(self, email: str, at: datetime, message_id: str = FIRST) -> None:
        """Our first email to a lead, as the rep sent it by hand (found in Sent)."""
        self.deliver(
            mail(
                sender=f"Ana Ruiz <{REP}>",
                to=email,
                subject="Forecasting guide",
                body="Hi,\n\nThe guide we spoke about: https://acme.test/x\n\nAna",
                message_id=message_id,
                date=at,
            ),
            folder="Sent",
        )

    def reply(self, email: str, body: str, at: datetime, n: int = 1, parent: str = FIRST) -> None:
        """The lead's answer to our first email."""
        self.deliver(
            mail(
                sender=email,
                to=f"Ana Ruiz <{REP}>",
                subject="Re: Forecasting guide",
                body=body,
                message_id=f"<r{n}.{email}>",
                in_reply_to=parent,
                references=(parent,),
                date=at,
            )
        )

    def drafts(self, email: str | None = None) -> list[Draft]:
        with Session(self.engine) as session:
            query = select(Draft).order_by(col(Draft.id))
            if email is not None:
                lead = session.exec(select(Lead).where(Lead.email == email)).one()
                query = query.where(Draft.lead_id == lead.id)
            return list(session.exec(query).all())


def make_draft_world(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    now: datetime,
    *,
    llm: dict[str, Any] | None = None,
    leads_csv: str = LEADS,
) -> DraftWorld:
    monkeypatch.setenv("TEST_ANTHROPIC_KEY", "sk-ant-standin-key")
    settings = parse(
        {
            "database": {"url": db_url},
            "llm": {"api_key_env": "TEST_ANTHROPIC_KEY", **(llm or {})},
            "content": {"library": str(ROOT / "data" / "content")},
            "reps": [
                {
                    "email": REP,
                    "name": "Ana Ruiz",
                    "signature": "Ana Ruiz\nAcme",
                    # The folder mailbox stands in for these servers.
                    "imap": {"host": "localbox", "username": "ana", "password_env": "UNUSED"},
                    "smtp": {"host": "localbox"},
                }
            ],
        },
        tmp_path / "nurture.toml",
    )
    engine = open_database(settings.database_url)
    sync_reps(engine, settings)
    box = LocalMailbox(tmp_path / "mail")
    world_sent: list[bytes] = []

    @asynccontextmanager
    async def open_mailbox(rep: RepSettings) -> AsyncIterator[Mailbox]:
        yield box

    async def submit(
        rep: RepSettings, sender: str, recipient: str | Sequence[str], raw: bytes
    ) -> smtp.SubmitResult:
        world_sent.append(raw)
        return smtp.SubmitResult("accepted", "250 2.0.0 queued", 250)

    closers: list[Callable[[], Awaitable[None]]] = []
    drafter, classifier = models(settings, closers)
    ctx = Context(
        settings, engine, drafter, open_mailbox, submit, classifier=classifier, closers=closers
    )
    csv = tmp_path / "leads.csv"
    csv.write_text(leads_csv, encoding="utf-8")
    import_library(
        engine, ROOT / "data" / "content", ContentSettings(), "test", now - timedelta(days=30)
    )
    report = import_leads(engine, csv, now - timedelta(days=30))
    assert not report.problems, report.problems
    return DraftWorld(ctx, box, world_sent)


_CHOSEN = re.compile(
    r'<chosen_content slug="([^"]+)">\ntitle: ([^\n]*)\n(?:url|attached file): (\S+)'
)
_FIRST_NAME = re.compile(r"^first name: (.+)$", re.MULTILINE)


def model_answers(body: dict[str, Any]) -> dict[str, Any]:
    """A well-behaved model for the stand-in: clean drafts, plain readings of replies."""
    if tool_name(body) == "record_understanding":
        return {
            "intent": "interested",
            "intent_evidence": None,
            "events": [],
            "opt_out": False,
            "opt_out_evidence": None,
        }
    prompt = body["messages"][0]["content"]
    chosen, first = _CHOSEN.search(prompt), _FIRST_NAME.search(prompt)
    slug, title, where = chosen.groups() if chosen else (None, "", "")
    name = first.group(1) if first else "there"
    offer = f"\n\n{title} should help: {where}" if chosen else ""
    return {
        "subject": "Your forecasting question",
        "body": f"Hi {name},\n\nThanks for your note.{offer}\n\nBest,\nAna Ruiz\nAcme",
        "content_slug": slug,
        "rationale": "Answers the lead with the chosen item.",
        "confidence": 0.9,
        "flags": [],
    }
