"""Work per mailbox and per lead: a wake syncs its own mailbox and plans and drafts only the
leads of its new mail; a timer pass takes only the leads whose timers fell due."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from assistant.config import ContentSettings, parse
from assistant.content.store import import_library
from assistant.imports import import_leads
from assistant.lifecycle import commands
from assistant.llm.base import DraftRequest, DraftResult
from assistant.llm.offline import OfflineDrafter
from assistant.models import AuditEntry, Draft, FolderState, Lead, LeadStatus, PlannedStep
from assistant.pipeline import tick
from assistant.pipeline.context import Context, Scope
from assistant.runtime import context
from tests.bounds import HANG_SECONDS
from tests.mails import mail
from tests.paths import ROOT
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

NOW = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # a Tuesday morning
REPS = 3


def rep(i: int) -> str:
    return f"rep{i}@acme.test"


def lead(i: int) -> str:
    return f"buyer{i}@customer{i}.test"


def _world(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    smtp: SmtpServer,
) -> tuple[Context, list[MailboxUser]]:
    users = [dovecot.new_user() for _ in range(REPS)]
    reps = []
    for i, user in enumerate(users):
        monkeypatch.setenv(f"TEST_IMAP_PASSWORD_{i}", user.password)
        reps.append(
            {
                "email": rep(i),
                "name": f"Rep {i}",
                "imap": {
                    "host": user.host,
                    "port": user.port,
                    "security": "none",
                    "username": user.name,
                    "password_env": f"TEST_IMAP_PASSWORD_{i}",
                    "timeout_seconds": 10,
                },
                "smtp": {"host": smtp.host, "port": smtp.port, "security": "none"},
            }
        )
    settings = parse(
        {
            "database": {"url": db_url},
            "content": {"library": str(ROOT / "data" / "content")},
            "reps": reps,
        },
        tmp_path / "nurture.toml",
    )
    ctx = context(settings)
    csv = tmp_path / "leads.csv"
    rows = "".join(f"{lead(i)},Buyer {i},Customer {i},CTO,{rep(i)}\n" for i in range(REPS))
    csv.write_text("email,name,company,title,owner\n" + rows, encoding="utf-8")
    import_library(ctx.engine, ROOT / "data" / "content", ContentSettings(), "test", NOW)
    assert not import_leads(ctx.engine, csv, NOW).problems
    return ctx, users


def _reply(i: int) -> bytes:
    return mail(
        sender=f"Buyer {i} <{lead(i)}>",
        to=rep(i),
        subject="Pricing",
        body="Hello, what does the forecasting module cost for 40 seats?\n\nThanks",
        message_id=f"<ask{i}@customer{i}.test>",
        date=NOW - timedelta(minutes=5),
    )


def _logins(dovecot: Dovecot, user: MailboxUser) -> int:
    log = dovecot.log_path.read_text(errors="replace")
    return len(re.findall(rf"Login: user=<{re.escape(user.name)}>", log))


def _drafted(ctx: Context) -> set[str]:
    with Session(ctx.engine) as session:
        return set(
            session.exec(select(Lead.email).join(Draft, Draft.lead_id == Lead.id)).all()  # type: ignore[arg-type]
        )


def _planned(ctx: Context) -> dict[str, datetime | None]:
    with Session(ctx.engine) as session:
        rows = session.exec(
            select(Lead.email, PlannedStep.planned_at).join(
                PlannedStep,
                PlannedStep.lead_id == Lead.id,  # type: ignore[arg-type]
            )
        ).all()
        return {email: at for email, at in rows}


def _lead_id(ctx: Context, email: str) -> int:
    with Session(ctx.engine) as session:
        found = session.exec(select(Lead.id).where(Lead.email == email)).one()
        assert found is not None
        return found


def test_a_wake_syncs_its_own_mailbox_and_drafts_only_its_leads(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    smtp_server: SmtpServer,
) -> None:
    ctx, users = _world(monkeypatch, tmp_path, db_url, dovecot, smtp_server)
    try:
        dovecot.deliver(users[0].name, _reply(0))
        dovecot.deliver(users[1].name, _reply(1))
        before = [_logins(dovecot, user) for user in users]

        asyncio.run(tick(ctx, NOW, Scope.mailbox(rep(0))))

        assert _drafted(ctx) == {lead(0)}
        assert set(_planned(ctx)) == {lead(0)}  # the other leads were not planned at all
        with Session(ctx.engine) as session:
            synced = session.exec(select(FolderState.rep_id)).all()
            assert len(set(synced)) == 1
        # Dovecot writes its log from another process: wait for the one login expected.
        deadline = time.monotonic() + HANG_SECONDS
        while _logins(dovecot, users[0]) == before[0] and time.monotonic() < deadline:
            time.sleep(0.05)
        after = [_logins(dovecot, user) for user in users]
        assert [a - b for a, b in zip(after, before, strict=True)] == [1, 0, 0]

        asyncio.run(tick(ctx, NOW + timedelta(minutes=1), Scope.mailbox(rep(1))))
        assert _drafted(ctx) == {lead(0), lead(1)}
        assert set(_planned(ctx)) == {lead(0), lead(1)}
    finally:
        ctx.engine.dispose()


def test_a_timer_pass_plans_only_the_leads_whose_timers_fell_due(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    smtp_server: SmtpServer,
) -> None:
    ctx, users = _world(monkeypatch, tmp_path, db_url, dovecot, smtp_server)
    try:
        asyncio.run(tick(ctx, NOW))  # everything, as a daemon's start does
        assert _planned(ctx) == {lead(i): NOW for i in range(REPS)}
        with Session(ctx.engine) as session:
            mark = session.exec(select(func.max(AuditEntry.id))).one() or 0

        # A person pauses one lead: the audit log names it to the next timer pass.
        paused = _lead_id(ctx, lead(2))
        commands.pause(ctx.engine, paused, NOW + timedelta(days=2), "on leave", "rep", NOW)
        later = NOW + timedelta(hours=1)
        before = [_logins(dovecot, user) for user in users]
        scope = Scope(mailboxes=frozenset(), leads=set(), timers=True, audit_after=mark)
        asyncio.run(tick(ctx, later, scope))
        assert _planned(ctx) == {lead(0): NOW, lead(1): NOW, lead(2): later}
        assert scope.audit_after > mark
        assert [_logins(dovecot, user) for user in users] == before  # no mailbox opened

        # Nothing changed since: the next timer pass plans no lead.
        quiet = NOW + timedelta(hours=2)
        scope = Scope(
            mailboxes=frozenset(), leads=set(), timers=True, audit_after=scope.audit_after
        )
        asyncio.run(tick(ctx, quiet, scope))
        assert _planned(ctx) == {lead(0): NOW, lead(1): NOW, lead(2): later}

        # The pause ends: found by its end time, the lead is nurtured again.
        ended = NOW + timedelta(days=3)
        scope = Scope(
            mailboxes=frozenset(), leads=set(), timers=True, audit_after=scope.audit_after
        )
        asyncio.run(tick(ctx, ended, scope))
        assert _planned(ctx) == {lead(0): NOW, lead(1): NOW, lead(2): ended}
        with Session(ctx.engine) as session:
            resumed = session.get(Lead, paused)
            assert resumed is not None and resumed.status == LeadStatus.active
    finally:
        ctx.engine.dispose()


@dataclass
class StopAfterFirst:
    """The offline drafter, with SIGTERM arriving while it writes its first draft."""

    inner: OfflineDrafter
    stopping: threading.Event
    name: str = "offline"

    async def draft(self, request: DraftRequest) -> DraftResult:
        self.stopping.set()
        return await self.inner.draft(request)


def test_on_sigterm_the_item_in_hand_is_finished_and_the_rest_waits_in_the_database(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    smtp_server: SmtpServer,
) -> None:
    ctx, users = _world(monkeypatch, tmp_path, db_url, dovecot, smtp_server)
    try:
        for i in range(REPS):
            dovecot.deliver(users[i].name, _reply(i))
        # One draft at a time, so "the item in hand" is one lead.
        ctx.settings = ctx.settings.model_copy(
            update={"llm": ctx.settings.llm.model_copy(update={"max_concurrency": 1})}
        )
        ctx.drafter = StopAfterFirst(OfflineDrafter(), ctx.stopping)
        report = asyncio.run(tick(ctx, NOW))
        assert _drafted(ctx) == {lead(0)}  # the first draft was finished
        assert "send" not in report.reports  # no stage started after the stop
        assert set(_planned(ctx)) == {lead(i) for i in range(REPS)}

        ctx.stopping.clear()  # the next start takes up the rest from the database
        ctx.drafter = OfflineDrafter()
        asyncio.run(tick(ctx, NOW + timedelta(minutes=1)))
        assert _drafted(ctx) == {lead(i) for i in range(REPS)}
    finally:
        ctx.engine.dispose()
