"""A first sync of years of mail on a real Dovecot: triaged on headers, the history recorded but
never answered, the new mail drafted; progress through the real CLI and the status people see."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from assistant.config import load
from assistant.db import open_database
from assistant.models import Draft, Lead, Message
from assistant.pipeline import ingest
from assistant.runtime import context
from assistant.web.sync_status import statuses
from tests.mails import mail
from tests.nurture_cli import Nurture, write_config
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer
from tests.world import REP, World

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
LEADS = ("maria@northwind.test", "li@contoso.test", "jon@fabrikam.test", "eva@tailspin.test")
CSV = "email,name,company,owner,timezone\n" + "".join(
    f"{e},{e.split('@')[0].title()},{e.split('@')[1].split('.')[0].title()},{REP},Europe/Madrid\n"
    for e in LEADS
)


def _old_mail(count: int, rng: random.Random) -> Iterator[bytes]:
    """Years of a rep's ordinary mail: newsletters, colleagues, vendors; none from leads."""
    for n in range(count):
        yield mail(
            sender=f"Someone {n} <person{n % 400}@elsewhere{n % 37}.test>",
            to=f"Ana Ruiz <{REP}>",
            subject=f"Notes {n}",
            body=f"Ordinary mail number {n}.\n" * rng.randint(1, 20),
            message_id=f"<old-{n}@elsewhere.test>",
            date=NOW - timedelta(days=120 + n % 900, minutes=n),
        )


def _lead_mail(lead: str, key: str, date: datetime, body: str) -> bytes:
    return mail(
        sender=lead,
        to=f"Ana Ruiz <{REP}>",
        subject="Re: Forecasting guide",
        body=f"Hi Ana,\n\n{body}\n\nBest",
        message_id=f"<{key}@lead.test>",
        date=date,
    )


@pytest.fixture
def world(
    make_world: Callable[..., World],
    db_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> Iterator[World]:
    w = make_world(db_url, NOW, dovecot=dovecot, user=mailbox_user, smtp=smtp_server, leads_csv=CSV)
    yield w


def test_years_of_mail_are_recorded_but_only_new_lead_mail_is_drafted(world: World) -> None:
    rng = random.Random(7)
    old_lead_mail = [
        _lead_mail(
            "maria@northwind.test",
            "old-maria",
            NOW - timedelta(days=400),
            "Could you send the pricing sheet? Ready to talk next week.",
        ),
        _lead_mail(
            "li@contoso.test", "old-li", NOW - timedelta(days=200), "What about the API limits?"
        ),
        _lead_mail(
            "eva@tailspin.test",
            "old-eva",
            NOW - timedelta(days=300),
            "Please unsubscribe me from these emails.",
        ),
    ]
    world.dovecot.fill(world.user.name, [*_old_mail(3000, rng), *old_lead_mail])
    fresh = {
        "jon@fabrikam.test": world.deliver(
            _lead_mail(
                "jon@fabrikam.test",
                "new-jon",
                NOW - timedelta(days=1),
                "How does the import work with our ERP?",
            )
        ),
        "li@contoso.test": world.deliver(
            _lead_mail(
                "li@contoso.test", "new-li", NOW - timedelta(hours=3), "Is there a trial account?"
            )
        ),
    }
    report = world.tick(NOW)
    assert report.errors == []

    with Session(world.engine) as session:
        stored = session.exec(select(Message).where(Message.folder == "INBOX")).all()
        by_id = {m.message_id: m for m in stored}
        drafts = session.exec(select(Draft)).all()
        eva = session.exec(select(Lead).where(Lead.email == "eva@tailspin.test")).one()
    # Headers first: of 3,005 messages only the five about leads were fetched whole and kept.
    assert sorted(by_id) == sorted(
        f"<{k}@lead.test>" for k in ("old-maria", "old-li", "old-eva", "new-jon", "new-li")
    )
    for key in ("old-maria", "old-li", "old-eva"):
        old = by_id[f"<{key}@lead.test>"]
        assert old.state == "history" and old.thread_id is not None  # kept for threading
    assert {by_id["<new-jon@lead.test>"].state, by_id["<new-li@lead.test>"].state} == {"understood"}
    answered = {d.reply_to_id for d in drafts if d.reply_to_id is not None}
    assert answered == {by_id["<new-jon@lead.test>"].id, by_id["<new-li@lead.test>"].id}
    assert len(fresh) == 2
    maria = world.lead("maria@northwind.test")
    assert maria.status != "sales_ready"  # a year-old "ready to talk" is past news
    assert eva.status == "opted_out"  # an objection, however old, holds for good
    assert not [d for d in drafts if d.lead_id == eva.id]


def test_reps_sync_shows_progress_and_the_status_follows(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    config = write_config(tmp_path, db_url, mailbox_user, smtp_server)
    cli = Nurture(config, mailbox_user.password, now=NOW.isoformat())
    cli.run("init")
    leads = tmp_path / "leads.csv"
    leads.write_text(CSV, encoding="utf-8")
    cli.run("leads", "import", str(leads))
    rng = random.Random(3)
    dovecot.fill(
        mailbox_user.name,
        [
            *_old_mail(1000, rng),
            _lead_mail("jon@fabrikam.test", "new-jon", NOW - timedelta(days=1), "A question."),
        ],
    )

    result = cli.run("reps", "sync", REP)
    assert "INBOX: 1,001 message(s) looked at, 1 about leads stored" in result.stdout
    bar = [line for line in re.split(r"[\r\n]", result.stderr) if line.startswith("INBOX")]
    assert bar and "1001/1001" in bar[-1] and "100%" in bar[-1]

    settings = load(config)
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        [status] = statuses(session, settings, NOW)
    assert (status.state, status.text) == ("synced", "synced")

    dovecot.fill(mailbox_user.name, _old_mail(600, rng))
    cli.run("reps", "sync", REP, "--no-progress")  # nothing is left behind: all synced again

    more = dovecot.fill(mailbox_user.name, _old_mail(500, rng))
    ctx_settings = settings
    monkeypatch.setenv("TEST_IMAP_PASSWORD", mailbox_user.password)
    ctx = context(ctx_settings, engine)

    monkeypatch.setattr(ingest, "SYNC_CHUNK", 200)  # several chunks for 500 new messages

    def stop_after_first_chunk(folder: str, done: int, total: int) -> None:
        if done:
            ctx.stopping.set()  # as SIGTERM would, between two chunks

    asyncio.run(ingest.sync_rep(ctx, ctx_settings.reps[0], NOW, stop_after_first_chunk))
    with Session(engine) as session:
        [status] = statuses(session, settings, NOW)
        synced = session.exec(select(col(Message.id))).all()
        marks = session.exec(select(ingest.FolderState.last_uid)).all()
    # Stopped between chunks: what was stored is marked, the rest waits for the next sync.
    assert status.state == "syncing" and 1601 < status.done < 1601 + more
    assert status.text == f"syncing {sum(marks):,} of {1601 + more:,}"
    assert len(synced) == 1

    with Session(engine) as session:
        for folder in session.exec(select(ingest.FolderState)):
            folder.last_error = "IMAP login as ana on 127.0.0.1 was refused"
            session.add(folder)
        session.commit()
        [status] = statuses(session, settings, NOW)
    assert status.state == "needs attention" and "was refused" in status.text
    engine.dispose()
