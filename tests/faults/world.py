"""An in-process Nurture on real servers, with drafts seeded straight into the store.

For the send and sync stages a full pipeline run adds nothing but time: tests seed leads and
pending drafts here, then call the real stage functions against Dovecot and aiosmtpd.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.config import parse
from assistant.db import transaction
from assistant.models import Draft, Lead, Rep
from assistant.pipeline import approve as approve_stage
from assistant.pipeline import send
from assistant.pipeline.context import Context
from assistant.runtime import context
from tests.servers.dovecot import MailboxUser
from tests.servers.smtp import SmtpServer

REP = "ana@acme.test"


@dataclass
class SendWorld:
    ctx: Context
    user: MailboxUser
    smtp: SmtpServer

    @property
    def engine(self) -> Engine:
        return self.ctx.engine

    def close(self) -> None:
        """Close the store's pooled connections: the test is over."""
        self.engine.dispose()

    def lead(self, email: str, *, timezone: str = "Europe/Madrid", company: str = "") -> int:
        with transaction(self.engine) as session:
            rep = session.exec(select(Rep).where(Rep.email == REP)).one()
            lead = Lead(
                email=email,
                name=email.split("@")[0].title(),
                company=company,
                owner_id=rep.id,
                timezone=timezone,
            )
            session.add(lead)
            session.flush()
            assert lead.id is not None
            return lead.id

    def pending(self, lead_email: str, now: datetime, *, situation: str = "reply") -> int:
        """A pending draft for the lead, as the draft stage would leave it."""
        with transaction(self.engine) as session:
            lead = session.exec(select(Lead).where(Lead.email == lead_email)).one()
            count = len(session.exec(select(Draft.id)).all())
            assert lead.id is not None and lead.owner_id is not None
            draft = Draft(
                trigger=f"test:{lead.id}:{count}",
                lead_id=lead.id,
                rep_id=lead.owner_id,
                situation=situation,
                subject=f"Re: question {count}",
                body=f"Hello {lead.name},\n\nAnswer number {count}.\n\nAna\n",
                created_at=now,
            )
            session.add(draft)
            session.flush()
            assert draft.id is not None
            return draft.id

    def approve(self, draft_id: int, now: datetime, **kwargs: Any) -> Draft:
        return approve_stage.approve(self.engine, self.ctx.settings, draft_id, REP, now, **kwargs)

    def send(self, now: datetime, **kwargs: Any) -> send.SendReport:
        return asyncio.run(send.run(self.ctx, now, **kwargs))

    def draft(self, draft_id: int) -> Draft:
        with Session(self.engine) as session:
            found = session.get(Draft, draft_id)
            assert found is not None
            return found


def settings_data(
    db_url: str, user: MailboxUser, smtp: SmtpServer | None, cadence: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Settings for one rep on the test servers (no SMTP when `smtp` is None)."""
    data: dict[str, Any] = {
        "database": {"url": db_url},
        "cadence": cadence or {},
        "reps": [
            {
                "email": REP,
                "name": "Ana Ruiz",
                "timezone": "Europe/Madrid",
                "imap": {
                    "host": user.host,
                    "port": user.port,
                    "security": "none",
                    "username": user.name,
                    "password_env": "TEST_IMAP_PASSWORD",
                    "timeout_seconds": 5,
                },
            }
        ],
    }
    if smtp is not None:
        data["reps"][0]["smtp"] = {
            "host": smtp.host,
            "port": smtp.port,
            "security": "none",
            "timeout_seconds": 5,
        }
    return data


def make_send_world(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    user: MailboxUser,
    smtp: SmtpServer,
    cadence: dict[str, Any] | None = None,
) -> SendWorld:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", user.password)
    settings = parse(settings_data(db_url, user, smtp, cadence), tmp_path / "nurture.toml")
    return SendWorld(context(settings), user, smtp)
