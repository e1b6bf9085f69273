"""Ingest puts each lead's messages in the right thread, whatever order the folders and the
chunks bring them in (Dovecot, SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from assistant.mail.imap import HEADER_CHUNK
from assistant.models import Message
from assistant.pipeline import ingest
from assistant.pipeline.context import Scope
from tests.mails import mail
from tests.world import REP, World

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
MARIA, JON = "maria@northwind.test", "jon@contoso.test"
LEADS = (
    "email,name,company,title,owner,stage,topics,timezone\n"
    f"{MARIA},María López,Northwind,CFO,{REP},consideration,forecasting,Europe/Madrid\n"
    f"{JON},Jon Berg,Contoso,VP Sales,{REP},consideration,forecasting,Europe/Madrid\n"
)
DAY = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture
def world(world_on_servers: Callable[..., World]) -> World:
    return world_on_servers(NOW, leads_csv=LEADS)


def _mail(
    sender: str, to: str, n: int, *, parent: str | None = None, refs: tuple[str, ...] = ()
) -> bytes:
    return mail(
        sender=sender,
        to=to,
        subject="Re: Forecasting guide" if parent else "Forecasting guide",
        body=f"Message {n}.",
        message_id=f"<m{n}@test>",
        in_reply_to=parent,
        references=refs or ((parent,) if parent else ()),
        date=DAY + timedelta(hours=n),
    )


def _ingest(world: World) -> dict[str, tuple[str, int | None]]:
    world.run(ingest.run(world.ctx, NOW, Scope()))
    with Session(world.engine) as session:
        rows = session.exec(select(Message.message_id, Message.from_addr, Message.thread_id))
        return {mid or "": (sender, thread) for mid, sender, thread in rows}


def test_a_conversation_across_inbox_and_sent_is_one_thread_per_lead(world: World) -> None:
    # Our first mail to each lead in Sent; their replies, and replies to replies, in INBOX.
    world.deliver(_mail(REP, MARIA, 1), folder="Sent")
    world.deliver(_mail(REP, JON, 2), folder="Sent")
    world.deliver(_mail(MARIA, REP, 3, parent="<m1@test>"))
    world.deliver(_mail(JON, REP, 4, parent="<m2@test>"))
    # Our answer to María (Sent) and her answer to it (INBOX, synced first), with the whole
    # chain in References as clients write it.
    chain = ("<m1@test>", "<m3@test>")
    world.deliver(_mail(REP, MARIA, 5, parent="<m3@test>", refs=chain), "Sent")
    world.deliver(_mail(MARIA, REP, 6, parent="<m5@test>", refs=(*chain, "<m5@test>")))
    # A new conversation María starts herself.
    world.deliver(_mail(MARIA, REP, 7))

    threads = _ingest(world)

    maria = {threads[f"<m{n}@test>"][1] for n in (1, 3, 5, 6)}
    jon = {threads[f"<m{n}@test>"][1] for n in (2, 4)}
    assert len(maria) == 1 and len(jon) == 1 and None not in maria | jon
    assert maria != jon
    assert threads["<m7@test>"][1] not in maria | jon | {None}


def test_messages_of_one_chunk_thread_by_each_other(world: World) -> None:
    # One fetch chunk (HEADER_CHUNK is far above four) holds María's mail and two replies in
    # the chain: each finds the thread of a message stored moments before in the same chunk.
    assert HEADER_CHUNK > 4
    world.deliver(_mail(MARIA, REP, 1))
    world.deliver(_mail(MARIA, REP, 2, parent="<m1@test>"))
    world.deliver(_mail(MARIA, REP, 3, parent="<m2@test>", refs=("<m1@test>", "<m2@test>")))
    world.deliver(_mail(JON, REP, 4, parent="<m1@test>"))  # another lead quoting her id

    threads = _ingest(world)

    assert threads["<m1@test>"][1] == threads["<m2@test>"][1] == threads["<m3@test>"][1]
    assert threads["<m4@test>"][1] not in (None, threads["<m1@test>"][1])


def test_a_reply_synced_before_the_mail_it_answers_shares_its_thread(world: World) -> None:
    world.deliver(_mail(MARIA, REP, 2, parent="<m1@test>"))
    first = _ingest(world)
    # Our mail arrives in Sent only later (moved there by hand, or a client that files late).
    world.deliver(_mail(REP, MARIA, 1), folder="Sent")

    threads = _ingest(world)

    assert threads["<m1@test>"][1] == first["<m2@test>"][1] is not None
