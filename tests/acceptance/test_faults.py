"""SIGKILL at the named failpoints and at random moments: each approved message arrives once.

The real `nurture` command runs as a subprocess with NURTURE_FAILPOINT set; after each kill
it is started again, and the SMTP server's log is counted against the approved drafts.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.config import load
from assistant.runtime import context
from tests.bounds import HANG_SECONDS
from tests.faults.killrun import count, environment, kill_run, message_id
from tests.nurture_cli import Nurture, write_config
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer
from tests.world import REP, World

pytestmark = pytest.mark.slow

LEAD = "maria@northwind.test"
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 11:00 in Madrid, 19:00 in Tokyo


@pytest.fixture
def setup(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    sqlite_url: str,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> tuple[Nurture, World]:
    config = write_config(
        tmp_path,
        sqlite_url,
        mailbox_user,
        smtp_server,
        rep_email=REP,
        cadence={"per_minute_throttle": 600},
        sections={"daemon": {"sync_interval_seconds": 5, "send_interval_seconds": 0.5}},
    )
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox_user.password)
    world = World(context(load(config)), mailbox_user, smtp_server)
    world.add_lead(LEAD)
    return Nurture(config, mailbox_user.password, now=MONDAY.isoformat()), world


def _killed(app: Nurture, point: str, *args: str) -> None:
    app.env["NURTURE_FAILPOINT"] = point
    try:
        result = app.run(*args, check=False)
    finally:
        app.env.pop("NURTURE_FAILPOINT")
    assert result.returncode == -9, f"{point} was not reached:\n{result.stdout}{result.stderr}"


def test_killed_after_approval_sends_once_after_restart(
    setup: tuple[Nurture, World],
) -> None:
    app, world = setup
    draft_id = world.pending(LEAD, MONDAY)
    _killed(app, "after_approval", "approve", str(draft_id))
    frozen = world.draft(draft_id)
    assert frozen.state == "approved" and frozen.mime and frozen.message_id  # one transaction
    app.run("tick")
    app.run("tick")
    [received] = world.smtp.messages
    assert received.data == frozen.mime


def test_killed_after_smtp_250_before_commit_leaves_unknown_and_no_resend(
    setup: tuple[Nurture, World], dovecot: Dovecot
) -> None:
    app, world = setup
    draft = world.approve(world.pending(LEAD, MONDAY), MONDAY)
    _killed(app, "after_smtp", "tick")
    assert len(world.smtp.messages) == 1 and world.draft(draft.id or 0).state == "sending"
    app.run("tick")  # reconciles: not in Sent (we file copies only after commit) -> unknown
    app.run("tick")
    shown = app.json("show", str(draft.id))
    assert shown["state"] == "unknown" and "outcome is unknown" in shown["last_error"]
    assert len(world.smtp.messages) == 1

    app.run("resolve", str(draft.id), "--delivered")  # the rep saw it in the lead's thread
    app.run("tick")
    assert len(world.smtp.messages) == 1
    copies = [
        m for m in dovecot.messages(world.user.name, "Sent") if draft.message_id.encode() in m
    ]  # type: ignore[union-attr]
    assert len(copies) == 1


@pytest.mark.parametrize("point", ["before_sent_append", "after_sent_append"])
def test_killed_during_the_sent_append_files_one_copy(
    setup: tuple[Nurture, World], dovecot: Dovecot, point: str
) -> None:
    app, world = setup
    draft = world.approve(world.pending(LEAD, MONDAY), MONDAY)
    _killed(app, point, "tick")
    app.run("tick")
    app.run("tick")
    assert [message_id(m.data) for m in world.smtp.messages] == [draft.message_id]
    sent = [message_id(m) for m in dovecot.messages(world.user.name, "Sent")]
    assert sent.count(draft.message_id or "") == 1
    assert app.json("show", str(draft.id))["state"] == "sent"


def test_daemon_killed_at_random_during_a_send_heavy_run_sends_each_approved_once(
    setup: tuple[Nurture, World], dovecot: Dovecot
) -> None:
    app, world = setup
    tokyo = "kenji@firm.test"
    world.add_lead(tokyo, timezone="Asia/Tokyo")  # 19:00 there: the window is shut
    for n in range(14):
        address = f"lead{n}@client{n % 4}.test"
        world.add_lead(address)
        world.approve(world.pending(address, MONDAY), MONDAY)
    for _ in range(2):
        world.approve(world.pending(tokyo, MONDAY), MONDAY)
    report = kill_run(
        app.config,
        environment(world.user.password, MONDAY),
        kills=5,
        rng=random.Random(7),
        min_alive=1.2,
        max_alive=2.5,
        settle_seconds=HANG_SECONDS,  # ends as soon as the drafts are settled
        due_drafts=2,
    )
    count(report, app.config, world.smtp, dovecot, world.user, closed={tokyo})
    assert report.problems == [], report
    assert report.held == 2 and report.kills == 5
    assert sum(report.arrived.values()) + report.states["unknown"] >= 14
    assert report.states["sent"] + report.states["unknown"] == 14
