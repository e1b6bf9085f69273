"""An in-process Nurture on real servers: Dovecot, aiosmtpd and a test database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.config import ContentSettings, Settings, parse
from assistant.content.store import import_library
from assistant.imports import import_leads
from assistant.models import Draft, Lead
from assistant.pipeline import TickReport, tick
from assistant.pipeline import approve as approve_stage
from assistant.pipeline.context import Context
from assistant.runtime import context
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[1]
REP = "ana@acme.test"


@dataclass
class World:
    ctx: Context
    dovecot: Dovecot
    user: MailboxUser
    smtp: SmtpServer

    @property
    def engine(self) -> Engine:
        return self.ctx.engine

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    def tick(self, now: datetime) -> TickReport:
        return asyncio.run(tick(self.ctx, now))

    def deliver(self, raw: bytes, folder: str = "INBOX") -> int:
        return self.dovecot.deliver(self.user.name, raw, folder=folder)

    def lead(self, email: str) -> Lead:
        with Session(self.engine) as session:
            return session.exec(select(Lead).where(Lead.email == email)).one()

    def drafts(self, email: str) -> list[Draft]:
        with Session(self.engine) as session:
            lead = session.exec(select(Lead).where(Lead.email == email)).one()
            return list(session.exec(select(Draft).where(Draft.lead_id == lead.id)).all())

    def approve(self, draft_id: int, now: datetime) -> Draft:
        return approve_stage.approve(self.engine, self.settings, draft_id, REP, now)


def make_world(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    user: MailboxUser,
    smtp: SmtpServer,
    leads_csv: str,
    now: datetime,
    llm: dict[str, object] | None = None,
) -> World:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", user.password)
    settings = parse(
        {
            "database": {"url": db_url},
            "llm": llm or {},
            "content": {"library": str(ROOT / "data" / "content")},
            "reps": [
                {
                    "email": REP,
                    "name": "Ana Ruiz",
                    "signature": "Ana Ruiz\nAcme",
                    "imap": {
                        "host": user.host,
                        "port": user.port,
                        "security": "none",
                        "username": user.name,
                        "password_env": "TEST_IMAP_PASSWORD",
                        "timeout_seconds": 10,
                    },
                    "smtp": {"host": smtp.host, "port": smtp.port, "security": "none"},
                }
            ],
        },
        tmp_path / "nurture.toml",
    )
    ctx = context(settings)
    csv = tmp_path / "leads.csv"
    csv.write_text(leads_csv, encoding="utf-8")
    import_library(ctx.engine, ROOT / "data" / "content", ContentSettings(), "test", now)
    report = import_leads(ctx.engine, csv, now)
    assert not report.problems, report.problems
    return World(ctx, dovecot, user, smtp)
