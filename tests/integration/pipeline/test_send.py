"""Sending on real aiosmtpd and Dovecot, both databases: windows, retries, finality, blocks."""

from __future__ import annotations

import asyncio
import email
import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from assistant.config import parse
from assistant.db import transaction
from assistant.models import AuditEntry, Lead, LeadStatus
from assistant.pipeline import approve as approve_stage
from assistant.pipeline import send
from assistant.pipeline.context import Context
from assistant.records import suppress
from assistant.runtime import context
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer
from tests.world import World, settings_data

pytestmark = pytest.mark.slow

LEAD = "maria@northwind.test"
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 11:00 in Madrid


@pytest.fixture
def world(
    make_world: Callable[..., World],
    db_url: str,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> World:
    w = _send_world(make_world, db_url, mailbox_user, smtp_server)
    w.add_lead(LEAD, company="Northwind")
    return w


def _send_world(
    make_world: Callable[..., World],
    db_url: str,
    user: MailboxUser,
    smtp: SmtpServer,
    cadence: dict[str, Any] | None = None,
) -> World:
    """Ana alone on the test servers: tests seed leads and pending drafts themselves."""
    return make_world(
        db_url,
        MONDAY,
        user=user,
        smtp=smtp,
        cadence=cadence,
        leads_csv=None,
        timeout=5,
        timezone="Europe/Madrid",
    )


def _message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw, policy=policy.default)["Message-ID"])


def test_approval_freezes_the_bytes_and_waits_for_the_leads_window(world: World) -> None:
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    draft = world.approve(world.pending(LEAD, saturday), saturday)
    assert draft.send_after == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 Madrid
    assert "window opens Mon 23 Nov 2026 09:00 Europe/Madrid" in draft.schedule_note
    assert draft.mime and draft.message_id and draft.message_id.encode() in draft.mime

    world.send(saturday)
    world.send(datetime(2026, 11, 23, 7, 59, tzinfo=UTC))
    assert world.smtp.messages == []
    world.send(datetime(2026, 11, 23, 8, 0, 5, tzinfo=UTC))
    world.send(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    [received] = world.smtp.messages
    assert received.data == draft.mime  # the very bytes the rep approved
    assert world.draft(draft.id or 0).state == "sent"


def test_a_send_due_after_the_window_closed_waits_for_the_next_one(world: World) -> None:
    draft = world.approve(world.pending(LEAD, MONDAY), MONDAY)
    evening = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)  # the daemon was down all afternoon
    report = world.send(evening)
    assert report.rescheduled == [draft.id] and world.smtp.messages == []
    assert world.draft(draft.id or 0).send_after == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("code", [421, 451])
def test_4xx_is_retried_with_backoff_and_the_same_bytes(world: World, code: int) -> None:
    world.smtp.fail_next(code, times=2)
    draft = world.approve(world.pending(LEAD, MONDAY), MONDAY)
    assert world.send(MONDAY).deferred == [draft.id]
    first = world.draft(draft.id or 0)
    assert first.state == "approved" and first.attempts == 1 and str(code) in first.last_error
    assert first.next_attempt_at is not None
    assert 24 <= (first.next_attempt_at - MONDAY).total_seconds() <= 36

    assert world.send(MONDAY + timedelta(seconds=20)).deferred == []  # not due yet
    world.send(first.next_attempt_at)
    second = world.draft(draft.id or 0)
    assert second.attempts == 2 and second.next_attempt_at is not None
    assert 48 <= (second.next_attempt_at - first.next_attempt_at).total_seconds() <= 72

    world.send(second.next_attempt_at)
    world.send(second.next_attempt_at + timedelta(hours=1))
    [received] = world.smtp.messages
    assert received.data == draft.mime and _message_id(received.data) == draft.message_id
    assert world.draft(draft.id or 0).state == "sent"


def test_5xx_is_final_and_shown_to_the_rep(world: World) -> None:
    world.smtp.fail_next(550)
    draft = world.approve(world.pending(LEAD, MONDAY), MONDAY)
    assert world.send(MONDAY).failed == [draft.id]
    world.send(MONDAY + timedelta(hours=2))
    failed = world.draft(draft.id or 0)
    assert failed.state == "failed" and "550" in (failed.last_error or "")
    assert world.smtp.messages == [] and failed.attempts == 1


def test_a_link_lost_after_data_is_unknown_and_never_resent_blindly(world: World) -> None:
    world.smtp.drop_after_data_next()
    draft = world.approve(world.pending(LEAD, MONDAY), MONDAY)
    assert world.send(MONDAY).unknown == [draft.id]
    for hours in (1, 5, 30):
        world.send(MONDAY + timedelta(hours=hours))
    assert len(world.smtp.dropped) == 1 and world.smtp.messages == []
    unknown = world.draft(draft.id or 0)
    assert unknown.state == "unknown" and "may have been delivered" in (unknown.last_error or "")

    later = MONDAY + timedelta(days=1)
    approve_stage.resolve_unknown(world.engine, draft.id or 0, "ana", delivered=False, now=later)
    world.send(later)
    [received] = world.smtp.messages
    assert received.data == draft.mime


def test_opt_out_or_hard_bounce_after_approval_blocks_the_send(world: World) -> None:
    draft = world.approve(world.pending(LEAD, MONDAY), MONDAY)
    with transaction(world.engine) as session:
        suppress(session, LEAD, "opt-out by reply", MONDAY)
    assert world.send(MONDAY + timedelta(minutes=1)).failed == [draft.id]
    blocked = world.draft(draft.id or 0)
    assert blocked.state == "failed" and "suppressed" in (blocked.last_error or "")
    assert world.smtp.messages == []


def test_sales_ready_since_approval_blocks_but_approved_for_a_hot_lead_goes(
    world: World,
) -> None:
    hot = "li@contoso.test"
    world.add_lead(hot)
    early = world.approve(world.pending(LEAD, MONDAY), MONDAY)
    with transaction(world.engine) as session:
        for address in (LEAD, hot):
            lead = session.exec(select(Lead).where(Lead.email == address)).one()
            lead.status = LeadStatus.sales_ready.value
            lead.sales_ready_at = MONDAY + timedelta(minutes=1)
            session.add(lead)
    # The rep approves a reply to a lead that is already hot: the rep's own decision.
    late = world.approve(world.pending(hot, MONDAY), MONDAY + timedelta(minutes=5))
    world.send(MONDAY + timedelta(minutes=10))
    world.send(MONDAY + timedelta(minutes=20))
    assert world.draft(early.id or 0).state == "failed"
    assert "sales-ready" in (world.draft(early.id or 0).last_error or "")
    assert [m.rcpt_tos for m in world.smtp.messages] == [(hot,)]
    assert world.draft(late.id or 0).state == "sent"


def test_approvals_respect_the_mailbox_daily_cap_and_stagger(
    make_world: Callable[..., World],
    db_url: str,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    cadence = {"daily_cap_per_mailbox": 3, "per_minute_throttle": 4}
    world = _send_world(make_world, db_url, mailbox_user, smtp_server, cadence)
    try:
        drafts = []
        for n in range(4):
            world.add_lead(f"lead{n}@client{n}.test")
            drafts.append(world.approve(world.pending(f"lead{n}@client{n}.test", MONDAY), MONDAY))
        times = [d.send_after for d in drafts]
        assert times[0] == MONDAY
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times[:3]) if a and b]
        assert all(15 <= g <= 22.5 for g in gaps)  # 60 s / 4 per minute, plus jitter
        assert times[3] == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # the cap: tomorrow
        assert "daily cap (3)" in drafts[3].schedule_note
    finally:
        world.close()


def test_company_weekly_cap_spreads_follow_ups_to_colleagues(world: World) -> None:
    colleague = "jon@northwind.test"
    world.add_lead(colleague, company="northwind ")  # the same company, however it is typed
    ids = [world.pending(LEAD, MONDAY, situation="follow_up") for _ in range(5)]
    ids.append(world.pending(colleague, MONDAY, situation="follow_up"))
    approved = [world.approve(i, MONDAY) for i in ids]
    times = [d.send_after or MONDAY for d in approved]
    assert times[4] < MONDAY + timedelta(minutes=2)  # five fit into the week, staggered
    assert times[5] >= times[0] + timedelta(days=7)
    assert "weekly cap (5)" in approved[5].schedule_note
    reply = world.approve(world.pending(colleague, MONDAY), MONDAY)  # replies are never capped
    assert reply.send_after is not None and reply.send_after < MONDAY + timedelta(hours=1)


def test_two_replicas_send_each_approved_message_exactly_once(
    make_world: Callable[..., World],
    db_url: str,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    cadence = {"per_minute_throttle": 600, "company_weekly_cap": 100}
    world = _send_world(make_world, db_url, mailbox_user, smtp_server, cadence)
    replicas: list[Context] = []
    try:
        drafts = []
        for n in range(16):
            world.add_lead(f"lead{n}@client.test")
            drafts.append(world.approve(world.pending(f"lead{n}@client.test", MONDAY), MONDAY))
        replicas += [context(world.ctx.settings) for _ in range(2)]  # separate engines and pools
        reports: list[send.SendReport] = []

        def replica(index: int) -> None:
            reports.append(asyncio.run(send.run(replicas[index], MONDAY, linger=20)))

        threads = [threading.Thread(target=replica, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        ids = sorted(_message_id(m.data) for m in smtp_server.messages)
        assert ids == sorted(d.message_id or "" for d in drafts)
        assert sum(len(r.sent) for r in reports) == 16
        with Session(world.engine) as session:
            sent = session.exec(select(AuditEntry).where(AuditEntry.action == "sent")).all()
        assert len(sent) == 16
    finally:
        for each in replicas:
            each.engine.dispose()
        world.close()


def test_sent_copy_is_filed_once(world: World, dovecot: Dovecot) -> None:
    draft = world.approve(world.pending(LEAD, MONDAY), MONDAY)
    world.send(MONDAY)
    world.send(MONDAY + timedelta(minutes=1))
    marker = (draft.message_id or "").encode()
    copies = [m for m in dovecot.messages(world.user.name, "Sent") if marker in m]
    assert len(copies) == 1 and world.draft(draft.id or 0).filed_in_sent


def test_where_the_provider_files_sent_mail_its_copy_settles_an_unknown_send(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox_user.password)
    data = settings_data(db_url, mailbox_user, smtp_server, timezone="Europe/Madrid")
    data["reps"][0]["imap"]["append_to_sent"] = False  # as Gmail and Microsoft 365 do
    world = World(context(parse(data, tmp_path / "nurture.toml")), mailbox_user, smtp_server)
    try:
        world.add_lead(LEAD)
        smtp_server.drop_after_data_next()
        draft = world.approve(world.pending(LEAD, MONDAY), MONDAY)
        assert world.send(MONDAY).unknown == [draft.id]
        # Nothing in Sent: still unknown.
        assert world.send(MONDAY + timedelta(minutes=11)).sent == []
        [dropped] = smtp_server.dropped
        dovecot.deliver(mailbox_user.name, dropped.data, folder="Sent")  # the provider's own copy
        # Looked again only after 10 minutes.
        assert world.send(MONDAY + timedelta(minutes=12)).sent == []
        assert world.send(MONDAY + timedelta(minutes=22)).sent == [draft.id]
        settled = world.draft(draft.id or 0)
        assert settled.state == "sent" and settled.filed_in_sent
        assert smtp_server.messages == []  # settled by looking, never by sending again
    finally:
        world.close()


def test_a_paused_reps_approved_mail_waits_and_goes_on_resume(world: World) -> None:
    from assistant.lifecycle import reps as rep_moves

    draft = world.approve(world.pending(LEAD, MONDAY), MONDAY)
    with transaction(world.engine) as session:
        rep_moves.pause(session, rep_moves.get(session, "ana@acme.test"), "admin", MONDAY)
    report = world.send(MONDAY + timedelta(minutes=5))
    assert (report.sent, report.deferred, world.smtp.messages) == ([], [], [])
    assert world.draft(draft.id or 0).state == "approved"  # waiting, not failed or retried

    with transaction(world.engine) as session:
        rep_moves.resume(session, rep_moves.get(session, "ana@acme.test"), "admin", MONDAY)
    assert world.send(MONDAY + timedelta(minutes=10)).sent == [draft.id]
    assert [m.data for m in world.smtp.messages] == [draft.mime]
