"""The whole loop through the real `nurture` command, on Dovecot, aiosmtpd and both databases."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest

from assistant.content.library import load_library
from tests.mails import mail
from tests.nurture_cli import Nurture, write_config
from tests.paths import ROOT
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.slow

REP = "ana@acme.test"
LEAD = "maria.lopez@northwind.test"
FIRST_ID = "<first-touch-1@acme.test>"
REPLY_ID = "<CAF=reply-1@mail.northwind.test>"
MONDAY = "2026-11-23T10:00:00+00:00"


def _library_url(slug: str) -> str:
    return next(s.url for s in load_library(ROOT / "data" / "content") if s.slug == slug)


def _first_slug() -> str:
    specs = load_library(ROOT / "data" / "content")
    return next(
        s.slug
        for s in specs
        if s.stage == "awareness" and s.type == "white_paper" and not s.retired
    )


@pytest.fixture
def world(
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> tuple[Nurture, Dovecot, MailboxUser, SmtpServer]:
    config = write_config(tmp_path, db_url, mailbox_user, smtp_server, rep_email=REP)
    (tmp_path / "leads.csv").write_text(
        "email,name,company,title,owner,stage,topics,timezone,source\n"
        f"{LEAD},María López,Northwind,CFO,{REP},awareness,forecasting;crm,Europe/Madrid,webinar\n",
        encoding="utf-8",
    )
    app = Nurture(config, mailbox_user.password, now=MONDAY)
    app.run("init")
    app.run("content", "import")
    app.run("leads", "import", str(tmp_path / "leads.csv"))
    return app, dovecot, mailbox_user, smtp_server


def _seed_conversation(dovecot: Dovecot, user: MailboxUser, first_url: str) -> None:
    dovecot.deliver(
        user.name,
        mail(
            sender=f"Ana Ruiz <{REP}>",
            to=f"María López <{LEAD}>",
            subject="The forecasting white paper you asked for",
            body=f"Hi María,\n\nHere is the paper: {first_url}\n\nAna",
            message_id=FIRST_ID,
            date=datetime(2026, 11, 16, 9, 0, tzinfo=UTC),
        ),
        folder="Sent",
    )
    dovecot.deliver(
        user.name,
        mail(
            sender=f"María López <{LEAD}>",
            to=f"Ana Ruiz <{REP}>",
            subject="RE: The forecasting white paper you asked for",
            body="Hi Ana,\n\nThanks, useful read. How long does the CRM integration usually take "
            "for a team of 40 reps?\n\nMaría\n\n> Hi María,\n> Here is the paper.",
            message_id=REPLY_ID,
            in_reply_to=FIRST_ID,
            references=(FIRST_ID,),
            date=datetime(2026, 11, 20, 15, 30, tzinfo=UTC),
        ),
    )


def test_reply_becomes_one_draft_sent_once_threaded_and_filed(
    world: tuple[Nurture, Dovecot, MailboxUser, SmtpServer],
) -> None:
    app, dovecot, user, smtp = world
    first = _first_slug()
    _seed_conversation(dovecot, user, _library_url(first))

    app.run("tick")
    queue = app.json("queue")
    assert len(queue) == 1
    draft = queue[0]
    assert draft["situation"] == "reply" and draft["lead"]["email"] == LEAD
    assert draft["content"] and draft["content"] != first  # never what the rep already sent
    url = _library_url(draft["content"])
    # The item is linked, or attached when the library holds it as a file.
    assert url in draft["body"] or "attached" in draft["body"].lower()
    assert "connect the CRM" in draft["body"]  # answers what the lead asked, from the library
    assert draft["body"].rstrip().endswith("Account Executive, Acme")

    app.run("tick")  # nothing new to draft
    assert len(app.json("queue")) == 1
    assert smtp.messages == []

    app.run("approve", str(draft["id"]))
    app.run("tick")
    sent = smtp.wait_for_messages(1)
    assert len(sent) == 1
    assert sent[0].rcpt_tos == (LEAD,)
    out = email.message_from_bytes(sent[0].data, policy=policy.default)
    assert out["In-Reply-To"] == REPLY_ID
    assert out["References"].split() == [FIRST_ID, REPLY_ID]
    assert out["Subject"] == "Re: The forecasting white paper you asked for"
    assert out["From"].addresses[0].addr_spec == REP
    assert {p.get_content_type() for p in out.walk()} >= {"text/plain", "text/html"}
    copies = [m for m in dovecot.messages(user.name, "Sent") if out["Message-ID"].encode() in m]
    assert len(copies) == 1

    for _ in range(2):
        app.run("tick")
    assert len(smtp.messages) == 1
    assert (
        len([m for m in dovecot.messages(user.name, "Sent") if out["Message-ID"].encode() in m])
        == 1
    )
    assert app.json("queue") == []
    shown = app.json("show", str(draft["id"]))
    assert shown["state"] == "sent"


def test_silence_brings_follow_ups_that_never_repeat_content(
    world: tuple[Nurture, Dovecot, MailboxUser, SmtpServer],
) -> None:
    app, dovecot, user, smtp = world
    first = _first_slug()
    _seed_conversation(dovecot, user, _library_url(first))
    app.run("tick")
    reply = app.json("queue")[0]
    app.run("approve", str(reply["id"]))
    app.run("tick")  # sent Monday 2026-11-23
    assert len(smtp.wait_for_messages(1)) == 1

    app.now = "2026-11-25T10:00:00+00:00"  # two business days later: too early
    app.run("tick")
    assert app.json("queue") == []

    app.now = "2026-11-26T10:05:00+00:00"  # three business days: follow up
    app.run("tick")
    queue = app.json("queue")
    assert len(queue) == 1 and queue[0]["situation"] == "follow_up"
    seen = {first, reply["content"]}
    assert queue[0]["content"] not in seen
    seen.add(queue[0]["content"])
    app.run("approve", str(queue[0]["id"]))
    app.run("tick")
    assert len(smtp.wait_for_messages(2)) == 2

    app.now = "2026-12-01T10:10:00+00:00"  # three more business days (weekend skipped)
    app.run("tick")
    second = app.json("queue")
    assert len(second) == 1 and second[0]["situation"] == "follow_up"
    assert second[0]["content"] not in seen
    follow = email.message_from_bytes(smtp.messages[1].data, policy=policy.default)
    assert (
        follow["In-Reply-To"]
        == email.message_from_bytes(smtp.messages[0].data, policy=policy.default)["Message-ID"]
    )
