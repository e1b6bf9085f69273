"""The promises of one home for every state machine, end to end on Dovecot and aiosmtpd.

Each test states a promise that a scattered copy of a transition once broke: the ledger on
every way a draft becomes sent, one notice across replicas and crashes, one failing message
or lead never stopping the others, every bounce that ingest must fetch, and "come back later"
read the same way by every stage.
"""

from __future__ import annotations

import asyncio
import email
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from assistant.db import open_database, transaction
from assistant.lifecycle import drafts as lifecycle
from assistant.lifecycle import notices
from assistant.llm.base import DraftRequest, DraftResult
from assistant.mail.classify import Understanding
from assistant.models import (
    AuditEntry,
    ContentDelivery,
    Draft,
    DraftState,
    Failure,
    Lead,
    Message,
    Notification,
    Suppression,
    email_hash,
)
from assistant.pipeline import approve as approve_stage
from assistant.pipeline import notify, plan, shunt
from assistant.pipeline import understand as understand_stage
from assistant.pipeline.context import Context
from assistant.runtime import context
from tests.mails import mail
from tests.nurture_cli import Nurture, write_config
from tests.servers.dovecot import MailboxUser
from tests.servers.smtp import SmtpServer
from tests.world import REP, World

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)  # a Monday, 11:00 in Madrid
FIRST = "<first@acme.test>"
LEADS = (
    "email,name,company,title,owner,stage,topics,timezone\n"
    f"maria@northwind.test,María López,Northwind,CFO,{REP},consideration,forecasting,"
    "Europe/Madrid\n"
    f"jon@contoso.test,Jon Berg,Contoso,VP Sales,{REP},consideration,forecasting,"
    "Europe/Madrid\n"
)
MARIA, JON = "maria@northwind.test", "jon@contoso.test"


@pytest.fixture
def world(world_on_servers: Callable[..., World]) -> World:
    w = world_on_servers(NOW, leads_csv=LEADS)
    for n, (address, name) in enumerate(((MARIA, "María López"), (JON, "Jon Berg"))):
        at = datetime(2026, 11, 16, 9, tzinfo=UTC)
        w.first_touch(address, at, f"<first-{n}@acme.test>", name=name)
    return w


def _reply(address: str, name: str, body: str, n: int, **kw: Any) -> bytes:
    first = f"<first-{0 if address == MARIA else 1}@acme.test>"
    return mail(
        sender=f"{name} <{address}>",
        to=f"Ana Ruiz <{REP}>",
        subject="Re: Forecasting guide",
        body=body,
        message_id=f"<r{n}@{address.split('@')[1]}>",
        in_reply_to=first,
        references=(first,),
        date=datetime(2026, 11, 22, 18, tzinfo=UTC),
        **kw,
    )


def _ledger(world: World, address: str) -> list[ContentDelivery]:
    with Session(world.engine) as session:
        lead = session.exec(select(Lead).where(Lead.email == address)).one()
        return list(
            session.exec(select(ContentDelivery).where(ContentDelivery.lead_id == lead.id)).all()
        )


def _unknown_outcome(world: World, draft_id: int) -> None:
    """What send records when the link drops after the data: claimed, then unknown."""
    with transaction(world.engine) as session:
        draft = lifecycle.get(session, draft_id)
        assert lifecycle.claim(session, draft, "host:1", NOW)
        session.refresh(draft)
        assert lifecycle.mark_unknown(session, draft, "connection lost after DATA", NOW)


def test_resolving_an_unknown_send_as_delivered_records_what_it_carried(world: World) -> None:
    world.deliver(_reply(MARIA, "María López", "Could you send me the security overview?", 1))
    world.tick(NOW)
    [draft] = world.drafts(MARIA)
    assert draft.id is not None and draft.content_id is not None
    world.approve(draft.id, NOW)
    _unknown_outcome(world, draft.id)
    assert _ledger(world, MARIA) == []

    resolved = approve_stage.resolve_unknown(world.engine, draft.id, REP, delivered=True, now=NOW)

    assert resolved.state == DraftState.sent
    [delivery] = _ledger(world, MARIA)
    assert delivery.content_id == draft.content_id and delivery.draft_id == draft.id
    with Session(world.engine) as session:
        actions = session.exec(
            select(AuditEntry.action).where(AuditEntry.draft_id == draft.id)
        ).all()
    assert {"sent", "resolved_unknown"} <= set(actions)


def test_resolving_an_unknown_send_twice_is_refused(world: World) -> None:
    world.deliver(_reply(MARIA, "María López", "Could you send me the security overview?", 1))
    world.tick(NOW)
    [draft] = world.drafts(MARIA)
    assert draft.id is not None
    world.approve(draft.id, NOW)
    _unknown_outcome(world, draft.id)
    approve_stage.resolve_unknown(world.engine, draft.id, REP, delivered=True, now=NOW)
    with pytest.raises(Exception, match="not waiting for a decision"):
        approve_stage.resolve_unknown(world.engine, draft.id, REP, delivered=False, now=NOW)
    assert len(_ledger(world, MARIA)) == 1


def _replica(world: World) -> Context:
    """A second daemon on the same database: its own engine and its own SMTP connections."""
    return context(world.settings)


def test_two_replicas_send_one_ready_to_talk_notice(world: World) -> None:
    world.deliver(_reply(MARIA, "María López", "Can we talk on Thursday at 10?", 1))
    asyncio.run(_understand(world.ctx))
    ctx_a, ctx_b = _replica(world), _replica(world)
    try:

        async def both() -> list[int]:
            return list(await asyncio.gather(notify.run(ctx_a, NOW), notify.run(ctx_b, NOW)))

        sent = asyncio.run(both())
        sent += asyncio.run(both())  # and again: nothing is left to send
    finally:
        ctx_a.engine.dispose()
        ctx_b.engine.dispose()
    assert sorted(sent) == [0, 0, 0, 1]
    [notice] = world.smtp.wait_for_messages(1)
    assert notice.rcpt_tos == (REP,) and b"Ready to talk" in notice.data
    assert len(world.smtp.messages) == 1
    with Session(world.engine) as session:
        assert session.exec(select(Notification.state)).all() == ["sent"]


async def _understand(ctx: Context) -> None:
    from assistant.pipeline import ingest, understand

    await ingest.run(ctx, NOW)
    await understand.run(ctx, NOW)


def test_a_notice_claimed_by_a_process_that_died_is_never_sent_again(world: World) -> None:
    from assistant.pipeline import ingest, understand

    world.deliver(_reply(MARIA, "María López", "Can we talk on Thursday at 10?", 1))
    asyncio.run(ingest.run(world.ctx, NOW))
    asyncio.run(understand.run(world.ctx, NOW))
    with transaction(world.engine) as session:  # a replica claims it, then is killed
        claimed = notices.claim_next(session, "other-host:4242", NOW)
        assert claimed is not None
    assert asyncio.run(notify.run(world.ctx, NOW)) == 0  # the claim is someone else's
    later = NOW + notify.CLAIM_LEASE + timedelta(minutes=1)
    assert asyncio.run(notify.run(world.ctx, later)) == 0
    with Session(world.engine) as session:
        notice = session.exec(select(Notification)).one()
    assert notice.state == "unknown" and notice.attempts == 1
    assert [m for m in world.smtp.messages if m.rcpt_tos == (REP,)] == []


class _Drafter:
    """The offline drafter, except that writing for one lead raises (a bug, a bad input)."""

    name = "offline"

    def __init__(self, inner: Any, broken: str) -> None:
        self.inner, self.broken = inner, broken

    async def draft(self, request: DraftRequest) -> DraftResult:
        if request.lead.email == self.broken:
            raise RuntimeError("drafter broke on this lead")
        result: DraftResult = await self.inner.draft(request)
        return result


class _Classifier:
    """A model reader that raises on one lead's mail and reads the rest as the rules do."""

    name = "anthropic:test"

    def __init__(self, broken: str) -> None:
        self.broken = broken

    async def classify(self, offline: Understanding, **kw: Any) -> Any:
        if self.broken in offline.reply_text:
            raise KeyError("model answer without an intent")
        from assistant.llm.base import Usage

        return offline, Usage()


def test_a_message_that_makes_understanding_raise_is_shunted_and_the_others_go_on(
    world: World,
) -> None:
    world.ctx.classifier = _Classifier(broken="BREAKS-THE-READER")  # type: ignore[assignment]
    world.deliver(_reply(MARIA, "María López", "BREAKS-THE-READER: what does it cost?", 1))
    world.deliver(_reply(JON, "Jon Berg", "Could you send me the security overview?", 2))
    report = world.tick(NOW)

    assert report.understood == 3  # two Sent copies and Jon's reply
    assert [d.state for d in world.drafts(JON)] == ["pending"]  # the other lead goes on
    assert world.drafts(MARIA) == []
    with Session(world.engine) as session:
        [failure] = session.exec(select(Failure)).all()
        stuck = session.get(Message, failure.item_id)
    assert (failure.stage, failure.kind, failure.state) == ("understand", "message", "retrying")
    assert "KeyError" in failure.reason and failure.attempts == 1
    assert stuck is not None and stuck.state == "stored" and failure.lead_id is not None

    world.tick(NOW + timedelta(seconds=30))  # inside the backoff: not tried again
    with Session(world.engine) as session:
        assert session.exec(select(Failure)).one().attempts == 1

    world.ctx.classifier = None  # fixed: the next try after the backoff goes through
    _maria_goes_through_after_the_backoff(world)


def test_with_the_rules_alone_a_message_that_breaks_the_reader_is_shunted_from_its_batch(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a model the stored mail is read in batches of one transaction each: the batch
    # that meets a broken message is read again one by one, and only that message waits.
    real = understand_stage.understand
    batches: list[int] = []
    together = understand_stage._understand_together

    def breaking(parsed: Any, **kwargs: Any) -> Understanding:
        if "BREAKS-THE-READER" in parsed.text:
            raise KeyError("the reader broke on this message")
        return real(parsed, **kwargs)

    def counted(ctx: Any, ids: list[int], now: datetime) -> dict[int, int | None]:
        batches.append(len(ids))
        return together(ctx, ids, now)

    monkeypatch.setattr(understand_stage, "understand", breaking)
    monkeypatch.setattr(understand_stage, "_understand_together", counted)
    world.deliver(_reply(MARIA, "María López", "BREAKS-THE-READER: what does it cost?", 1))
    world.deliver(_reply(JON, "Jon Berg", "Could you send me the security overview?", 2))
    report = world.tick(NOW)

    assert batches and max(batches) >= 2  # read together first
    assert report.understood == 3  # two Sent copies and Jon's reply
    assert [d.state for d in world.drafts(JON)] == ["pending"]
    assert world.drafts(MARIA) == []
    with Session(world.engine) as session:
        [failure] = session.exec(select(Failure)).all()
        stuck = session.get(Message, failure.item_id)
    assert (failure.stage, failure.state, failure.attempts) == ("understand", "retrying", 1)
    assert "KeyError" in failure.reason
    assert stuck is not None and stuck.state == "stored"

    monkeypatch.setattr(understand_stage, "understand", real)  # fixed
    _maria_goes_through_after_the_backoff(world)


def _maria_goes_through_after_the_backoff(world: World) -> None:
    world.tick(NOW + shunt.backoff(1) + timedelta(seconds=1))
    with Session(world.engine) as session:
        assert session.exec(select(Failure)).one().state == "resolved"
    assert [d.state for d in world.drafts(MARIA)] == ["pending"]


def test_a_message_too_large_to_read_in_a_batch_is_read_on_its_own(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(understand_stage, "TOGETHER_BYTES", 0)  # every message is "large"
    world.deliver(_reply(JON, "Jon Berg", "Could you send me the security overview?", 2))
    assert world.tick(NOW).understood == 3  # two Sent copies and Jon's reply
    with Session(world.engine) as session:
        assert session.exec(select(Message).where(Message.state == "stored")).all() == []
    assert [d.state for d in world.drafts(JON)] == ["pending"]


def test_a_lead_whose_drafting_raises_is_shunted_and_shown(world: World, tmp_path: Path) -> None:
    world.ctx.drafter = _Drafter(world.ctx.drafter, broken=MARIA)  # type: ignore[assignment]
    world.deliver(_reply(MARIA, "María López", "What does it cost for 40 seats?", 1))
    world.deliver(_reply(JON, "Jon Berg", "Could you send me the security overview?", 2))
    world.tick(NOW)
    assert [d.state for d in world.drafts(JON)] == ["pending"]
    assert world.drafts(MARIA) == []
    with Session(world.engine) as session:
        [failure] = shunt.open_failures(session)
    assert (failure.stage, failure.kind) == ("draft", "lead")
    assert "RuntimeError: drafter broke on this lead" in failure.reason

    for attempt in range(2, shunt.MAX_ATTEMPTS + 1):  # every try fails: a person must look
        world.tick(NOW + timedelta(hours=7 * attempt))
    with Session(world.engine) as session:
        [failure] = shunt.open_failures(session)
    assert failure.state == "gave_up" and failure.attempts == shunt.MAX_ATTEMPTS
    assert failure.id is not None

    world.ctx.drafter = world.ctx.drafter.inner  # type: ignore[attr-defined]
    shunt.retry_now(world.engine, failure.id)
    world.tick(NOW + timedelta(days=3))
    assert [d.state for d in world.drafts(MARIA)] == ["pending"]
    with Session(world.engine) as session:
        assert shunt.open_failures(session) == []


def _exchange_ndr(subject: str, original_id: str | None) -> bytes:
    """An Exchange non-delivery report: no In-Reply-To, a localized subject, a DSN part."""
    return (
        "From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@acme.test>\r\n"
        f"To: {REP}\r\nSubject: {subject}\r\n"
        "Date: Mon, 23 Nov 2026 10:05:00 +0000\r\nMessage-ID: <ndr-1@acme.test>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Uw bericht kon niet worden bezorgd bij maria@northwind.test.\r\n\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns;mail.acme.test\r\n\r\nFinal-Recipient: rfc822;maria@northwind.test\r\n"
        "Action: failed\r\nStatus: 5.1.10\r\n"
        "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found\r\n\r\n"
        + (
            "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"From: Ana Ruiz <{REP}>\r\nTo: maria@northwind.test\r\n"
            f"Subject: Re: Forecasting guide\r\nMessage-ID: {original_id}\r\n\r\n"
            if original_id
            else ""
        )
        + "--B--\r\n"
    ).encode()


@pytest.mark.parametrize(
    "subject",
    [
        "Onbestelbaar: Re: Forecasting guide",
        "Kan inte levereras: Re: Forecasting guide",
        "Non recapitabile: Re: Forecasting guide",
        "Não é possível entregar: Re: Forecasting guide",
    ],
)
def test_an_exchange_ndr_in_any_language_is_fetched_and_stops_the_lead(
    world: World, subject: str
) -> None:
    world.deliver(_reply(MARIA, "María López", "How does pricing work for 40 seats?", 1))
    world.tick(NOW)
    [draft] = world.drafts(MARIA)
    assert draft.id is not None
    world.approve(draft.id, NOW)
    world.tick(NOW)
    raw = world.smtp.wait_for_messages(1)[0].data
    ours = email.message_from_bytes(raw, policy=policy.default)["Message-ID"]
    world.deliver(_exchange_ndr(subject, str(ours)))
    world.tick(NOW + timedelta(minutes=10))
    lead = world.lead(MARIA)
    assert lead.status == "stopped" and "hard bounce" in lead.status_reason
    with Session(world.engine) as session:
        assert session.exec(
            select(Suppression).where(Suppression.email_hash == email_hash(MARIA))
        ).first()


def test_a_dated_budget_freeze_re_engages_after_the_pause_instead_of_answering_late(
    world: World,
) -> None:
    """A freeze the model dated pauses the lead; afterwards plan re-engages, never replies."""
    world.deliver(_reply(MARIA, "María López", "Thanks for the guide, noted.", 1))
    world.tick(NOW)
    with transaction(world.engine) as session:
        # The model classifier's reading: a budget freeze with its end date.
        message = session.exec(select(Message).where(col(Message.message_id).contains("r1@"))).one()
        message.understanding = {
            **message.understanding,
            "events": [
                {"type": "budget_freeze", "evidence": "budget is frozen", "date": "2027-03-01"}
            ],
            "read_by": "anthropic:claude",
        }
        session.add(message)
        lead = session.exec(select(Lead).where(Lead.email == MARIA)).one()
        for d in session.exec(select(Draft).where(Draft.lead_id == lead.id)).all():
            assert d.id is not None
            lifecycle.cancel(session, d.id, "test: the model's reading replaces the rules'", NOW)
        from assistant.lifecycle import leads

        assert leads.pause(
            session, lead, datetime(2027, 3, 1, 8, tzinfo=UTC), "budget frozen", "daemon", NOW
        )
    after = datetime(2027, 3, 10, 10, tzinfo=UTC)
    asyncio.run(plan.run(world.ctx, after))
    with Session(world.engine) as session:
        [job] = plan.due_jobs(session, after)
    assert job.step.situation == "re_engage" and job.step.action == "follow_up"
    assert not (job.step.trigger or "").startswith("reply:")


def test_nurture_failures_lists_retries_and_dismisses(
    tmp_path: Path, db_url: str, mailbox_user: MailboxUser, smtp_server: SmtpServer
) -> None:
    config = write_config(tmp_path, db_url, mailbox_user, smtp_server)
    nurture = Nurture(config, mailbox_user.password)
    assert nurture.run("failures").stdout.strip() == "Nothing has failed."
    engine = open_database(db_url)
    try:
        failure = shunt.record(engine, "understand", "message", 41, KeyError("intent"), NOW)
    finally:
        engine.dispose()
    [row] = nurture.json("failures")
    assert (row["stage"], row["item"], row["attempts"]) == ("understand", "message 41", 1)
    assert row["reason"].startswith("KeyError: 'intent'")
    assert "tried again" in nurture.run("failures", "retry", str(failure.id)).stdout
    assert "dismissed" in nurture.run("failures", "dismiss", str(failure.id)).stdout
    assert nurture.json("failures") == []
    missing = nurture.run("failures", "retry", "999", check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines()[-1].endswith("There is no failure 999.")
    assert "Traceback" not in missing.stderr


def test_a_delivery_report_without_our_message_id_stops_the_lead_it_names(world: World) -> None:
    """Some servers return no headers: the report's Final-Recipient names the lead we mailed."""
    world.tick(NOW)  # the rep's earlier mail to María is known from the Sent folder
    world.deliver(_exchange_ndr("Undeliverable: Re: Forecasting guide", None))
    world.tick(NOW + timedelta(minutes=10))
    lead = world.lead(MARIA)
    assert lead.status == "stopped" and "hard bounce" in lead.status_reason
    assert world.lead(JON).status == "active"
