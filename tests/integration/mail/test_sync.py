"""Syncing under faults on a real Dovecot: restarts, a new UIDVALIDITY, IDLE on a dead link."""

from __future__ import annotations

import asyncio
import imaplib
import logging
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from assistant.config import RepSettings, parse
from assistant.errors import ImapError
from assistant.mail import imap
from assistant.mail.imap import Mailbox
from assistant.models import Draft, Message
from assistant.pipeline import ingest
from assistant.runtime import context
from assistant.watch import watch
from tests.bounds import HANG_SECONDS
from tests.faults.proxy import StallingProxy
from tests.mails import mail
from tests.nurture_cli import NURTURE, Nurture, write_config
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer
from tests.world import REP, World, settings_data

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
LEAD = "maria@northwind.test"
LEADS = (
    "email,name,company,title,owner,stage,topics,timezone\n"
    f"{LEAD},María López,Northwind,CFO,{REP},consideration,forecasting,Europe/Madrid\n"
)


def _reply(n: int) -> bytes:
    return mail(
        sender=f"María López <{LEAD}>",
        to=f"Ana Ruiz <{REP}>",
        subject="Re: Forecasting guide",
        body=f"Hi Ana,\n\nQuestion number {n}: how does the import work?\n\nMaría",
        message_id=f"<r{n}@northwind.test>",
        date=datetime(2026, 11, 20, 9, n, tzinfo=UTC),
    )


@pytest.fixture
def world(
    make_world: Callable[..., World],
    db_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> Iterator[World]:
    w = make_world(
        db_url, NOW, dovecot=dovecot, user=mailbox_user, smtp=smtp_server, leads_csv=LEADS
    )
    yield w


def _counts(w: World) -> tuple[int, int]:
    with Session(w.engine) as session:
        messages = len(session.exec(select(Message.id)).all())
        drafts = len(session.exec(select(Draft.id)).all())
    return messages, drafts


def test_dovecot_restarted_mid_sync_loses_nothing_and_drafts_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "SYNC_CHUNK", 3)  # three chunks for seven messages
    for n in range(1, 8):
        world.deliver(_reply(n))
    real_open = world.ctx.open_mailbox
    restarted: list[bool] = []
    chunks: list[int] = []

    class RestartAfterFirstChunk:
        def __init__(self, inner: Mailbox) -> None:
            self.inner = inner

        async def fetch_headers(self, first: int, last: int) -> list[tuple[int, bytes]]:
            found = await self.inner.fetch_headers(first, last)
            chunks.append(first)
            if len(chunks) == 2 and not restarted:  # chunk 1 is stored, chunk 2 is not yet
                restarted.append(True)
                world.dovecot.restart()  # the server goes down between two chunks
            return found

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    @asynccontextmanager
    async def open_mailbox(rep: RepSettings) -> AsyncIterator[Any]:
        async with real_open(rep) as mailbox:
            yield RestartAfterFirstChunk(mailbox)

    world.ctx.open_mailbox = open_mailbox
    first = world.tick(NOW)
    assert restarted and first.errors and "IMAP" in first.errors[0]
    assert _counts(world) == (3, 1)  # the first chunk was kept, and answered once

    world.ctx.open_mailbox = real_open
    world.tick(NOW)
    world.tick(NOW)
    assert _counts(world) == (7, 1)  # caught up: every message once, still one draft


def test_a_recreated_mailbox_is_rematched_by_message_id_without_redrafting(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.deliver(_reply(1))
    world.deliver(_reply(2))
    world.tick(NOW)
    assert _counts(world) == (2, 1)
    before = world.dovecot.uidvalidity(world.user.name)

    world.dovecot.recreate_folder(world.user.name, "INBOX")  # a server migration
    world.deliver(_reply(2))  # the same messages come back under new UIDs, in a new order
    world.deliver(_reply(1))
    assert world.dovecot.uidvalidity(world.user.name) != before
    with caplog.at_level(logging.WARNING, logger="nurture"):
        world.tick(NOW)
        world.tick(NOW)
    assert any("UIDVALIDITY changed" in r.getMessage() for r in caplog.records)
    assert _counts(world) == (2, 1)

    world.deliver(_reply(3))  # and the sync goes on from the new numbering
    world.tick(NOW)
    assert _counts(world) == (3, 1)


def test_reading_flagging_and_moving_mail_never_makes_a_new_draft(world: World) -> None:
    world.deliver(_reply(1))
    world.tick(NOW)
    [draft] = world.drafts(LEAD)
    world.approve(draft.id or 0, NOW)
    world.tick(NOW)  # the reply goes out: the conversation is answered
    assert len(world.smtp.messages) == 1
    world.tick(NOW)  # and its Sent copy is synced
    counted = _counts(world)
    assert counted == (2, 1)

    with imaplib.IMAP4(world.user.host, world.user.port, timeout=10) as client:
        client.login(world.user.name, world.user.password)
        client.create("Archive")
        client.select("INBOX")
        client.store("1", "+FLAGS", "(\\Seen \\Flagged)")  # read and flagged
        client.copy("1", "Archive")  # filed away ...
        client.store("1", "+FLAGS", "(\\Deleted)")
        client.expunge()
        client.select("Archive")
        client.copy("1", "INBOX")  # ... and dragged back: a new UID, the same message
    for _ in range(2):
        world.tick(NOW)
    assert _counts(world) == counted
    assert len(world.smtp.messages) == 1


def _idle_settings(dovecot: Dovecot, user: MailboxUser, proxy: StallingProxy) -> Any:
    data = settings_data("sqlite://", user, None)
    data["reps"][0]["imap"].update(port=proxy.port, timeout_seconds=2)
    return parse(data)


async def _until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def test_idle_wakes_on_new_mail_renews_and_survives_a_stall_and_a_restart(
    dovecot: Dovecot, mailbox_user: MailboxUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox_user.password)
    proxy = StallingProxy(dovecot.host, dovecot.port)
    ctx = context(_idle_settings(dovecot, mailbox_user, proxy))
    reasons: list[str] = []
    lost: list[str] = []
    log = logging.getLogger("nurture.test_idle")
    log.addHandler(_Collect(lost))
    task = asyncio.create_task(
        watch(
            ctx.settings.reps[0],
            ctx.open_mailbox,
            reasons.append,
            renew=1.0,
            reconnect_cap=0.5,
            log=log,
        )
    )
    try:
        await asyncio.sleep(2.6)  # two renewals on the same connection, nothing to report
        # One catch-up for the login itself, then nothing to report.
        assert reasons == [f"{REP}: watching"] and proxy.accepted == 1 and not task.done()

        await asyncio.to_thread(dovecot.deliver, mailbox_user.name, _reply(1))
        await _until(
            lambda: any("new mail" in r for r in reasons), HANG_SECONDS, "IDLE to announce mail"
        )

        proxy.stall()  # half-open: the socket stays up, nothing passes
        await asyncio.to_thread(dovecot.deliver, mailbox_user.name, _reply(2))
        await _until(lambda: any("reconnected" in r for r in reasons), HANG_SECONDS, "a reconnect")
        # Found by the renewal's unanswered DONE, not by waiting on the socket: a new login.
        assert proxy.accepted == 2
        assert len(lost) == 1 and "did not answer DONE: the link is half-open" in lost[0]

        await asyncio.to_thread(dovecot.restart)  # BYE, then a refused connection or two
        await _until(
            lambda: sum("reconnected" in r for r in reasons) >= 2, HANG_SECONDS, "a reconnect"
        )
        assert not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        log.handlers.clear()
        proxy.stop()
        ctx.engine.dispose()


class _Collect(logging.Handler):
    """Keeps the watcher's warnings (why it lost the link) for the test to read."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record.getMessage())


async def test_every_imap_command_on_a_stalled_link_ends_in_an_error_not_a_hang(
    dovecot: Dovecot, mailbox_user: MailboxUser
) -> None:
    proxy = StallingProxy(dovecot.host, dovecot.port)
    account = imap.ImapAccount(
        proxy.host, proxy.port, "none", mailbox_user.name, mailbox_user.password, 1.5
    )
    try:
        async with imap.connect(account) as mailbox:
            await mailbox.select("INBOX")
            proxy.stall()
            for call in (
                mailbox.select("Sent"),
                mailbox.fetch_headers(1, 10),
                mailbox.contains_message_id("Sent", "<x@y>"),
                mailbox.append("Sent", _reply(1)),
            ):
                with pytest.raises(ImapError, match=r"timed out|not ready"):
                    await asyncio.wait_for(call, HANG_SECONDS)  # a hang fails the test
    finally:
        proxy.stop()


def test_daemon_drafts_on_new_mail_through_idle_without_waiting_for_a_poll(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    # Passes a day apart: only IDLE can bring the new mail in before the bound below.
    daemon = {"sync_interval_seconds": 86400, "send_interval_seconds": 86400}
    config = write_config(
        tmp_path, sqlite_url, mailbox_user, smtp_server, rep_email=REP, sections={"daemon": daemon}
    )
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    app = Nurture(config, mailbox_user.password)
    app.run("leads", "import", "leads.csv")
    env = {**os.environ, "TEST_IMAP_PASSWORD": mailbox_user.password}
    env.pop("NURTURE_NOW", None)
    log = tmp_path / "daemon.log"
    with log.open("w") as out:
        daemon = subprocess.Popen(
            [*NURTURE, "--config", str(config), "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + HANG_SECONDS
        while "1 IMAP watcher" not in log.read_text():
            assert time.monotonic() < deadline and daemon.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(1.5)  # the first pass is over; polling would wait a day
        dovecot.deliver(mailbox_user.name, _reply(1))
        while not app.json("queue"):
            assert time.monotonic() < deadline and daemon.poll() is None, log.read_text()
            time.sleep(0.3)
        assert len(app.json("queue")) == 1, log.read_text()
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=HANG_SECONDS)
    assert "Traceback" not in log.read_text()


def test_a_sync_shows_how_far_it_read_only_when_asked(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    config = write_config(tmp_path, sqlite_url, mailbox_user, smtp_server, rep_email=REP)
    app = Nurture(config, mailbox_user.password)
    for n in range(3):
        dovecot.deliver(mailbox_user.name, _reply(n))
    quiet = app.run("tick")  # stderr is a pipe here, not a terminal
    assert "Synced" in quiet.stdout and "Syncing" not in quiet.stderr
    for n in range(3, 8):
        dovecot.deliver(mailbox_user.name, _reply(n))
    shown = app.run("tick", "--progress")
    assert f"Syncing {REP} INBOX: 100%" in shown.stderr and "5/5" in shown.stderr
    assert f"Syncing {REP} Sent" not in shown.stderr  # nothing new there: no bar
