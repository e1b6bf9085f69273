"""triage_headers: the first look at years of mail decides what is fetched whole, so it may
take more than it needs, never less than the full header reading would."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from assistant.mail.dsn import is_probable_bounce
from assistant.mail.parse import _header_end, parse_headers, triage_headers

CORPORA = [Path(__file__).parents[2] / "corpus", Path(__file__).parents[2] / "corpus_real"]


def test_the_addresses_threads_and_bounce_fields_are_read_from_a_header_block() -> None:
    block = (
        b"From: =?utf-8?q?J=C3=B6rg_Wittenberg?= <Joerg@Kunde.example>\r\n"
        b"To: Ana Ruiz <ana@acme.test>,\r\n"
        b' "Ops, Team" <ops@kunde.example>\r\n'
        b"CC: undisclosed-recipients:;\r\n"
        b"In-Reply-To: <a1@acme.test>\r\n"
        b"References: <a0@acme.test>\r\n"
        b"\t<a1@acme.test>\r\n"
        b"Subject: Re: pricing\r\n"
        b"From: second@ignored.example\r\n"
        b"\r\n"
    )
    t = triage_headers(block)
    assert t.senders == {"joerg@kunde.example"}  # the first From, lower-cased
    assert t.recipients == {"ana@acme.test", "ops@kunde.example"}
    assert t.referenced == ("<a1@acme.test>", "<a0@acme.test>", "<a1@acme.test>")
    assert t.fields["subject"] == "Re: pricing"
    assert not is_probable_bounce(t.fields)


def test_an_address_written_in_a_display_name_is_taken_too() -> None:
    t = triage_headers(b'From: "lead@customer.example via Forms" <forms@relay.example>\n\n')
    assert t.senders == {"lead@customer.example", "forms@relay.example"}


def test_a_delivery_report_shows_in_the_triage_fields() -> None:
    t = triage_headers(
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example>\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n"
    )
    assert is_probable_bounce(t.fields)


def test_a_body_line_is_never_read_as_a_header() -> None:
    t = triage_headers(b"Subject: hi\n\nFrom: lead@customer.example\nTo: x@y.example\n")
    assert t.senders == frozenset() and t.recipients == frozenset()


def _messages() -> list[Path]:
    return sorted(p for corpus in CORPORA for p in corpus.glob("*.eml"))


@pytest.mark.parametrize("path", _messages(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_triage_takes_every_address_and_reference_the_full_header_reading_finds(
    path: Path,
) -> None:
    raw = path.read_bytes()
    full = parse_headers(raw)
    t = triage_headers(raw)
    if full.from_ is not None:
        assert full.from_.email in t.senders
    assert {a.email for a in (*full.to, *full.cc)} <= t.recipients
    assert {*full.references, *([full.in_reply_to] if full.in_reply_to else [])} <= set(
        t.referenced
    )
    # The bounce check on the triage's sender tokens says yes wherever the full one does.
    if is_probable_bounce(t.fields):
        assert is_probable_bounce(t.fields, t.senders)


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mx.example.com",
        "Mail Delivery System <MAILER-DAEMON@mx.example.com>",
        '"postmaster" <postmaster@kunde.example>',
        "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@acme.test",
    ],
)
def test_a_mail_system_sender_is_a_probable_bounce_from_the_triage_alone(sender: str) -> None:
    t = triage_headers(f"From: {sender}\nSubject: hello\n\n".encode())
    assert is_probable_bounce(t.fields, t.senders) and is_probable_bounce(t.fields)


def test_the_header_block_ends_where_the_first_empty_line_starts() -> None:
    # The same answer as the pattern r"\r?\n\r?\n" on every short mix of line ends.
    pattern = re.compile(rb"\r?\n\r?\n")
    rng = random.Random(7)
    for _ in range(20_000):
        raw = b"".join(rng.choice([b"\r", b"\n", b"a", b":"]) for _ in range(rng.randint(0, 12)))
        limit = rng.randint(0, 14)
        found = pattern.search(raw, 0, limit)
        assert _header_end(raw, limit) == (found.start() if found else -1), (raw, limit)
