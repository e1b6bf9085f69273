"""The UID FETCH reader on a real Dovecot and on answers cut at every possible byte."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from assistant.mail import imap
from tests.mails import mail
from tests.servers.dovecot import Dovecot, MailboxUser

ANSWER = (
    b"* 1 FETCH (UID 7 BODY[HEADER.FIELDS (FROM)] {18}\r\nFrom: a@b.test\r\n\r\n)\r\n"
    b"* 3 EXISTS\r\n"
    b"* 2 FETCH (BODY[] {5}\r\n{1}\r\n UID 9)\r\n"  # the UID after the literal; braces inside
    b"* 3 FETCH (UID 12 BODY[] {0}\r\n)\r\n"
    b"A0001 OK Fetch completed.\r\n* 4 EXISTS\r\n"
)


def _read(pieces: list[bytes]) -> tuple[tuple[bytes, bytes, list[tuple[int, bytes]]], bytes]:
    loop = asyncio.new_event_loop()
    try:
        reader = imap._FetchReader(b"A0001", loop)
        for piece in pieces:
            reader.feed(piece)
        assert reader.done.done()
        return reader.done.result(), bytes(reader.rest)
    finally:
        loop.close()


@given(st.lists(st.integers(min_value=0, max_value=len(ANSWER)), max_size=12))
def test_an_answer_cut_anywhere_reads_the_same(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    pieces = [ANSWER[a:b] for a, b in zip([0, *points], [*points, len(ANSWER)], strict=True)]
    (result, text, fetched), rest = _read(pieces)
    assert result == b"OK" and text == b"Fetch completed."
    assert fetched == [(7, b"From: a@b.test\r\n\r\n"), (9, b"{1}\r\n"), (12, b"")]
    assert rest == b"* 4 EXISTS\r\n"  # handed back to aioimaplib


def test_headers_and_bodies_come_back_whole_from_dovecot(
    dovecot: Dovecot, mailbox_user: MailboxUser
) -> None:
    rng = random.Random(5)
    raws = [
        mail(
            sender=f"s{n}@x.test",
            to="ana@acme.test",
            subject=f"Subject {n} {{3}}",
            body="line\r\n" * rng.randint(1, 4000),
            message_id=f"<m{n}@x.test>",
            date=datetime(2026, 1, 1, tzinfo=UTC),
        ).replace(b"\n", b"\r\n")
        for n in range(450)
    ]
    uids = [dovecot.deliver(mailbox_user.name, raw) for raw in raws]
    account = imap.ImapAccount(
        mailbox_user.host, mailbox_user.port, "none", mailbox_user.name, mailbox_user.password
    )

    async def fetch() -> tuple[list[tuple[int, bytes]], list[tuple[int, bytes]], int]:
        async with imap.connect(account) as box:
            info = await box.select("INBOX")
            headers = await box.fetch_headers(1, info.uidnext - 1)
            bodies = await box.fetch_messages(uids[::7])
            after = await box.select("INBOX")  # aioimaplib carries on after the reader
            return headers, bodies, after.exists

    headers, bodies, exists = asyncio.run(fetch())
    assert [uid for uid, _ in headers] == uids and exists == 450
    assert all(f"Subject {n} {{3}}".encode() in h for n, (_, h) in enumerate(headers))
    assert bodies == [(uid, raws[uids.index(uid)]) for uid in uids[::7]]
