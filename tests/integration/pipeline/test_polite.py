"""Polite to providers, on aiosmtpd, Dovecot and both databases: send budgets that hold
across restarts, a rest for the one mailbox a provider throttles, two connections a mailbox."""

from __future__ import annotations

import asyncio
import email
import logging
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from assistant.config import parse
from assistant.db import transaction
from assistant.models import Draft, Lead, Rep
from assistant.pipeline import budget, ingest
from assistant.pipeline.budget import Send
from assistant.runtime import context
from tests.servers.dovecot import MailboxUser
from tests.servers.smtp import SmtpServer
from tests.world import REP, World, settings_data

pytestmark = pytest.mark.slow

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 11:00 in Madrid
FAST = {"daily_cap_per_mailbox": 5000, "per_minute_throttle": 600, "company_weekly_cap": 500}


def _message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=policy.default)["Message-ID"])


def _world(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    user: MailboxUser,
    smtp: SmtpServer,
    send_budget: dict[str, Any],
) -> World:
    data = settings_data(db_url, user, smtp, FAST, timezone="Europe/Madrid")
    data["reps"][0]["send_budget"] = send_budget
    monkeypatch.setenv("TEST_IMAP_PASSWORD", user.password)
    world = World(context(parse(data, tmp_path / "nurture.toml")), user, smtp)
    return world


def _sent_before(world: World, count: int, first: datetime, every: timedelta) -> None:
    """`count` mails this mailbox sent already, one each `every` from `first`, as records."""
    lead_id = world.add_lead("history@old.test")
    with transaction(world.engine) as session:
        rep = session.exec(select(Rep).where(Rep.email == REP)).one()
        assert rep.id is not None
        for n in range(count):
            session.add(
                Draft(
                    trigger=f"history:{n}",
                    situation="follow_up",
                    filed_in_sent=True,
                    lead_id=lead_id,
                    rep_id=rep.id,
                    subject="Earlier",
                    body="Earlier mail.",
                    state="sent",
                    recipient="history@old.test",
                    message_id=f"<history-{n}@acme.test>",
                    sent_at=first + n * every,
                )
            )


def test_provider_defaults_come_from_hosts_grants_and_the_file() -> None:
    def rep(**fields: Any) -> Any:
        data = {"email": "ana@acme.test", "name": "Ana", **fields}
        return parse({"reps": [data]}).reps[0]

    gmail = rep(smtp={"host": "smtp.gmail.com"})
    office = rep(imap={"host": "outlook.office365.com", "username": "a", "password_env": "X"})
    own = rep(smtp={"host": "mail.acme.test"})
    assert budget.budget_for(parse({}), gmail) == budget.Budget("google", messages_per_day=2000)
    assert budget.budget_for(parse({}), office) == budget.Budget(
        "microsoft", recipients_per_day=10000, messages_per_minute=30
    )
    assert budget.provider_of(own, granted="microsoft") == "microsoft"
    settings = parse({"sending": {"other_messages_per_day": 300}})
    assert budget.budget_for(settings, own).messages_per_day == 300
    capped = rep(smtp={"host": "smtp.gmail.com"}, send_budget={"messages_per_day": 500})
    assert budget.budget_for(parse({}), capped).messages_per_day == 500


def test_recipients_count_against_a_recipient_budget() -> None:
    limit = budget.Budget("microsoft", recipients_per_day=10)
    sends = [Send(MONDAY - timedelta(hours=5), 6), Send(MONDAY - timedelta(hours=1), 3)]
    assert budget.earliest(limit, sends, MONDAY, 1) == (MONDAY, "")
    later, why = budget.earliest(limit, sends, MONDAY, 2)
    assert later == MONDAY + timedelta(hours=19)  # when the six-recipient mail is a day old
    assert "Microsoft 365 send budget (10 recipients a day)" in why


def test_google_budget_holds_mail_past_2000_a_day_until_the_day_allows_it(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    world = _world(monkeypatch, tmp_path, db_url, mailbox_user, smtp_server, {"provider": "google"})
    try:
        drafts = []
        for n in range(2):
            world.add_lead(f"lead{n}@client{n}.test")
            drafts.append(world.approve(world.pending(f"lead{n}@client{n}.test", MONDAY), MONDAY))
        assert all(d.send_after and d.send_after < MONDAY + timedelta(minutes=1) for d in drafts)
        # Then the records show 1,999 sends in the last day (another replica, before a restart).
        _sent_before(world, 1999, MONDAY - timedelta(hours=23), timedelta(seconds=20))

        report = world.send(MONDAY + timedelta(minutes=1))
        assert report.sent == [drafts[0].id] and report.rescheduled == [drafts[1].id]
        held = world.draft(drafts[1].id or 0)
        assert held.state == "approved"  # it waits; nothing is dropped
        assert held.send_after == MONDAY + timedelta(hours=1)  # the oldest send is then a day old
        assert (
            "Google Workspace send budget (2,000 messages a day) is reached" in held.schedule_note
        )

        world.send(MONDAY + timedelta(minutes=30))
        assert len(smtp_server.messages) == 1
        world.send(MONDAY + timedelta(hours=1, seconds=1))
        world.send(MONDAY + timedelta(hours=2))
        ids = [_message_id(m.data) for m in smtp_server.messages]
        assert ids == [drafts[0].message_id, drafts[1].message_id]  # each once
        assert world.draft(drafts[1].id or 0).state == "sent"
    finally:
        world.close()


def test_microsoft_budget_spreads_more_than_30_a_minute_whatever_the_cadence_allows(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    world = _world(
        monkeypatch, tmp_path, db_url, mailbox_user, smtp_server, {"provider": "microsoft"}
    )
    try:
        approved = []
        for n in range(31):
            world.add_lead(f"lead{n}@client{n}.test")
            approved.append(world.approve(world.pending(f"lead{n}@client{n}.test", MONDAY), MONDAY))
        times = sorted(d.send_after or MONDAY for d in approved)
        assert times[29] < MONDAY + timedelta(seconds=60)  # the cadence's 600 a minute: close
        assert times[30] >= times[0] + timedelta(seconds=60)
        last = max(approved, key=lambda d: d.send_after or MONDAY)
        assert "Microsoft 365 send budget (30 messages a minute)" in last.schedule_note
    finally:
        world.close()


def _two_reps(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    user: MailboxUser,
    throttling: SmtpServer,
    fine: SmtpServer,
) -> World:
    data = settings_data(db_url, user, throttling, FAST, timezone="Europe/Madrid")
    other = {**data["reps"][0], "email": "ben@acme.test", "name": "Ben Ortiz"}
    other["smtp"] = {**other["smtp"], "port": fine.port}
    data["reps"].append(other)
    monkeypatch.setenv("TEST_IMAP_PASSWORD", user.password)
    return World(context(parse(data, tmp_path / "nurture.toml")), user, throttling)


def _lead_of(world: World, email_address: str, rep_email: str) -> None:
    world.add_lead(email_address)
    with transaction(world.engine) as session:
        rep = session.exec(select(Rep).where(Rep.email == rep_email)).one()
        lead = session.exec(select(Lead).where(Lead.email == email_address)).one()
        lead.owner_id = rep.id
        session.add(lead)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (421, "4.7.0 Try again later, closing connection. (throttled)"),
        (451, "4.7.0 Temporary System Problem. Try again later"),
    ],
)
def test_a_throttled_mailbox_rests_and_sends_later_while_the_others_go_on(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    mailbox_user: MailboxUser,
    make_smtp_server: Any,
    caplog: pytest.LogCaptureFixture,
    code: int,
    text: str,
) -> None:
    throttling, fine = make_smtp_server(), make_smtp_server()
    world = _two_reps(monkeypatch, tmp_path, db_url, mailbox_user, throttling, fine)
    try:
        for n in range(3):
            _lead_of(world, f"a{n}@client{n}.test", REP)
        _lead_of(world, "b@other.test", "ben@acme.test")
        ana = [
            world.approve(world.pending(f"a{n}@client{n}.test", MONDAY), MONDAY) for n in range(3)
        ]
        ben = world.approve(world.pending("b@other.test", MONDAY), MONDAY)
        throttling.fail_next(code, text=text)
        caplog.set_level(logging.WARNING, logger="nurture")

        first = max(d.send_after or MONDAY for d in (*ana, ben)) + timedelta(seconds=1)
        report = world.send(first)
        assert report.sent == [ben.id]  # the other mailbox is not held back
        assert len(fine.messages) == 1 and len(throttling.refused) == 1
        waiting = [world.draft(d.id or 0) for d in ana]
        assert all(d.state == "approved" for d in waiting)
        resume = max(d.send_after or MONDAY for d in waiting)
        assert all(d.send_after == resume for d in waiting)
        assert timedelta(seconds=45) <= resume - first <= timedelta(seconds=75)
        assert all("asked this mailbox to slow down" in d.schedule_note for d in waiting)
        assert all(d.attempts == 0 for d in waiting)  # a throttle is not the message's failure

        world.send(first + timedelta(seconds=30))  # still resting: nothing offered again
        assert len(throttling.refused) == 1 and throttling.messages == []
        world.send(resume)
        for minutes in (5, 10):  # each send spaces the next a little after it
            world.send(resume + timedelta(minutes=minutes))
        ids = sorted(_message_id(m.data) for m in throttling.messages)
        assert ids == sorted(d.message_id or "" for d in ana)  # all sent, each once
        told = [r for r in caplog.records if "throttling this mailbox" in r.getMessage()]
        assert len(told) == 1 and REP in told[0].getMessage()
    finally:
        world.close()


async def _throttling_imap(connections: list[int]) -> asyncio.Server:
    """An IMAP server that answers every login the way Gmail does when it throttles."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            writer.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Gimap ready\r\n")
            await writer.drain()
            while line := await reader.readline():
                tag = line.split(b" ", 1)[0]
                if b" CAPABILITY" in line.upper():
                    writer.write(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
                elif b" LOGOUT" in line.upper():
                    writer.write(b"* BYE\r\n" + tag + b" OK bye\r\n")
                else:
                    writer.write(tag + b" NO [THROTTLED] Too many simultaneous connections\r\n")
                await writer.drain()
        finally:  # the client hung up, or the test is over
            writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


def test_an_imap_throttle_rests_that_mailbox_only_and_is_logged_once(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    mailbox_user: MailboxUser,
    dovecot: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from tests.mails import mail

    caplog.set_level(logging.WARNING, logger="nurture")
    connections: list[int] = []

    async def scenario() -> tuple[list[str], list[str], float, int]:
        async with await _throttling_imap(connections) as server:  # closed on the way out
            port = server.sockets[0].getsockname()[1]
            data = settings_data(db_url, mailbox_user, None, timezone="Europe/Madrid")
            gmail = {**data["reps"][0], "email": "ben@acme.test", "name": "Ben"}
            gmail["imap"] = {**gmail["imap"], "port": port}
            data["reps"].append(gmail)
            monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox_user.password)
            ctx = context(parse(data, tmp_path / "nurture.toml"))
            try:
                with transaction(ctx.engine) as session:
                    rep = session.exec(select(Rep).where(Rep.email == REP)).one()
                    session.add(Lead(email="maria@northwind.test", name="Maria", owner_id=rep.id))
                dovecot.deliver(
                    mailbox_user.name,
                    mail(
                        sender="maria@northwind.test",
                        to=REP,
                        subject="Hello",
                        body="Hi",
                        message_id="<m1@northwind.test>",
                        date=MONDAY,
                    ),
                )
                first = await ingest.run(ctx, MONDAY)
                second = await ingest.run(ctx, MONDAY)
            finally:
                ctx.engine.dispose()
        return first.errors, second.errors, ctx.manners.resting("ben@acme.test"), first.stored

    first, second, resting, stored = asyncio.run(scenario())
    assert stored == 1  # the other mailbox synced
    assert len(first) == 1 and "THROTTLED" in first[0]
    assert second == [] and len(connections) == 1  # resting: not even a connection
    assert resting > 30
    told = [r for r in caplog.records if "throttling this mailbox" in r.getMessage()]
    assert len(told) == 1 and "ben@acme.test" in told[0].getMessage()


def test_a_mailbox_never_has_more_than_two_connections(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str, mailbox_user: MailboxUser
) -> None:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox_user.password)
    ctx = context(
        parse(
            settings_data(sqlite_url, mailbox_user, None, timezone="Europe/Madrid"),
            tmp_path / "n.toml",
        )
    )
    rep = ctx.settings.reps[0]

    async def scenario() -> tuple[bool, int]:
        held = asyncio.Event()
        release = asyncio.Event()
        third_in = asyncio.Event()

        async def hold() -> None:
            async with ctx.open_mailbox(rep) as box:
                await box.select("INBOX")
                if ctx.manners.open[rep.email] == 2:
                    held.set()
                await release.wait()

        async def third() -> None:
            async with ctx.open_mailbox(rep) as box:
                third_in.set()
                await box.select("INBOX")

        holders = [asyncio.create_task(hold()) for _ in range(2)]
        await held.wait()
        waiting = asyncio.create_task(third())
        for _ in range(20):
            await asyncio.sleep(0.01)
        entered_early = third_in.is_set()
        release.set()
        await asyncio.gather(*holders, waiting)
        return entered_early, ctx.manners.most[rep.email]

    entered_early, most = asyncio.run(scenario())
    assert not entered_early and most == 2
