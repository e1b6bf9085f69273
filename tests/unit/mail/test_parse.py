"""parse_headers / parse_message: limits, header injection, strict addresses, MIME walk."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

import pytest

from assistant.errors import ParseError
from assistant.mail import parse
from assistant.mail.headers import Address, parse_addresses
from assistant.mail.parse import parse_headers, parse_message
from tests.bounds import RUNAWAY_CPU_SECONDS

SIMPLE = (
    b"From: Jane Doe <Jane.Doe@Acme-Corp.com>\r\n"
    b"To: Mark Keller <mark.keller@lumenrise.io>\r\n"
    b"Subject: Re: pricing\r\n"
    b"Date: Tue, 4 Mar 2025 09:42:00 +0100\r\n"
    b"Message-ID: <abc@acme-corp.com>\r\n"
    b"In-Reply-To: <orig@lumenrise.io>\r\n"
    b"References: <first@lumenrise.io>\r\n <orig@lumenrise.io>\r\n"
    b"\r\n"
    b"How much is it?\r\n"
)


def _multipart(parts: int, boundary: str = "b") -> bytes:
    body = "".join(f"--{boundary}\nContent-Type: text/plain\n\npart {i}\n" for i in range(parts))
    head = f'From: a@b.com\nContent-Type: multipart/mixed; boundary="{boundary}"\n\n'
    return (head + body + f"--{boundary}--\n").encode()


def _nested(depth: int) -> bytes:
    entity = "Content-Type: text/plain\n\nhello\n"
    for level in range(depth):
        entity = (
            f'Content-Type: multipart/mixed; boundary="n{level}"\n\n'
            f"--n{level}\n{entity}\n--n{level}--\n"
        )
    return ("From: a@b.com\n" + entity).encode()


def test_headers_are_summarised_from_the_header_block() -> None:
    h = parse_headers(SIMPLE)
    assert h.from_ == Address("Jane Doe", "jane.doe@acme-corp.com")
    assert h.to == (Address("Mark Keller", "mark.keller@lumenrise.io"),)
    assert h.message_id == "<abc@acme-corp.com>"
    assert h.in_reply_to == "<orig@lumenrise.io>"
    assert h.references == ("<first@lumenrise.io>", "<orig@lumenrise.io>")
    assert h.date == datetime(2025, 3, 4, 8, 42, tzinfo=UTC)
    assert parse_headers(SIMPLE.split(b"\r\n\r\n")[0]) == h


def test_missing_fields_are_none_and_garbage_never_raises() -> None:
    h = parse_headers(b"Subject: hi\r\n\r\nbody")
    assert (h.message_id, h.from_, h.date, h.references) == (None, None, None, ())
    assert parse_headers(b"\x00\xff\r\n\r\n:::").subject == ""
    assert parse_headers(b"").from_ is None


def test_bare_message_id_is_wrapped_and_references_are_bounded() -> None:
    refs = " ".join(f"<r{i}@x>" for i in range(500)).encode()
    h = parse_headers(b"Message-ID: abc@x\r\nReferences: " + refs + b"\r\n\r\n")
    assert h.message_id == "<abc@x>"
    assert len(h.references) == 200
    assert h.references[0] == "<r0@x>" and h.references[-1] == "<r499@x>"


@pytest.mark.parametrize(
    "subject",
    [
        b"=?utf-8?q?Hello=0D=0ABcc:_victim@example.com?=",
        b"=?utf-8?b?SGVsbG8NCkJjYzogdmljdGltQGV4YW1wbGUuY29t?=",
        b"Hello\rBcc: victim@example.com",
        b"=?utf-8?q?Hello=0ABcc:_victim@example.com=0A=0Ainjected_body?=",
    ],
)
def test_encoded_line_breaks_never_create_a_header(subject: bytes) -> None:
    raw = b"From: a@b.com\r\nSubject: " + subject + b"\r\n\r\nbody\r\n"
    msg = parse_message(raw)
    assert "\r" not in msg.headers.subject and "\n" not in msg.headers.subject
    assert "bcc" not in msg.raw_headers
    assert all("\r" not in v and "\n" not in v for v in msg.raw_headers.values())
    assert parse_headers(raw).subject == msg.headers.subject


def test_encoded_line_breaks_in_a_display_name_stay_in_the_name() -> None:
    raw = b"From: =?utf-8?q?Eve=0D=0ABcc:_x@evil.example?= <eve@example.com>\r\n\r\nhi"
    sender = parse_headers(raw).from_
    assert sender == Address("Eve Bcc: x@evil.example", "eve@example.com")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("alice@example.org)<bob@example.com>", ()),
        ("alice@example.org<bob@example.com>", ()),
        ('"alice@example.org" <bob@example.com>', (("alice@example.org", "bob@example.com"),)),
        ('"Doe, Jane" <jane@x.com>, bob@y.com', (("Doe, Jane", "jane@x.com"), ("", "bob@y.com"))),
        ("=?utf-8?q?Evil=2C_<x@y.com>?= <real@z.com>", (("Evil, <x@y.com>", "real@z.com"),)),
        ("bob@y.com (Bob Smith)", (("Bob Smith", "bob@y.com"),)),
        ("undisclosed-recipients:;", ()),
        ("Team: a@x.com, b@x.com;", (("", "a@x.com"), ("", "b@x.com"))),
        ('"unterminated <a@x.com>', ()),
        ("Name <a@x.com> trailing", ()),
        ("<a@x.com> <b@x.com>", ()),
        ("a@@x.com", ()),
        ("a@x..com", ()),
        ("<>", ()),
        ("<a@[127.0.0.1]>", ()),
        ("Jürgen <J.Mueller@Example.DE>", (("Jürgen", "j.mueller@example.de"),)),
    ],
)
def test_addresses_are_parsed_strictly(value: str, expected: tuple[tuple[str, str], ...]) -> None:
    assert tuple((a.name, a.email) for a in parse_addresses(value)) == expected


def test_one_bad_entry_does_not_hide_the_good_ones() -> None:
    found = parse_addresses("alice@example.org)<bob@example.com>, Carol <carol@example.com>")
    assert [a.email for a in found] == ["carol@example.com"]


def test_plain_text_is_preferred_and_html_kept_raw() -> None:
    raw = (
        b'Content-Type: multipart/alternative; boundary="x"\r\n\r\n'
        b"--x\r\nContent-Type: text/html\r\n\r\n<p>html <b>version</b></p>\r\n"
        b"--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain version\r\n--x--\r\n"
    )
    msg = parse_message(raw)
    assert msg.text == "plain version"
    assert msg.html == "<p>html <b>version</b></p>"


def test_html_only_body_becomes_text_with_quotes_marked() -> None:
    raw = (
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<div>Yes &amp; thanks<br>Jane</div><script>alert(1)</script>"
        b"<blockquote>old text</blockquote>"
    )
    assert parse_message(raw).text == "Yes & thanks\nJane\n> old text"


def test_attachments_are_described_not_kept() -> None:
    data = b"%PDF-1.4 example"
    raw = (
        b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n'
        b"--m\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--m\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="a.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQgZXhhbXBsZQ==\r\n--m--\r\n"
    )
    (attachment,) = parse_message(raw).attachments
    assert attachment.filename == "a.pdf"
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()


def test_delivery_status_blocks_and_returned_headers_are_exposed() -> None:
    raw = (
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; a@x.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--r\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"Message-ID: <ours@lumenrise.io>\r\n--r--\r\n"
    )
    parts = parse_message(raw).parts
    status = next(p for p in parts if p.content_type == "message/delivery-status")
    assert ("action", "failed") in status.fields[1]
    returned = next(p for p in parts if p.content_type == "text/rfc822-headers")
    assert returned.returned is not None
    assert returned.returned.message_id == "<ours@lumenrise.io>"


def test_empty_message_is_quarantined() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_message(b"  \r\n")


def test_oversized_message_is_quarantined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "MAX_MESSAGE_BYTES", 1_000)
    with pytest.raises(ParseError, match="larger than"):
        parse_message(SIMPLE + b"x" * 1_000)


def test_huge_header_block_is_quarantined() -> None:
    raw = b"Subject: " + b"a" * (parse.MAX_HEADER_BYTES + 10) + b"\r\n\r\nbody"
    with pytest.raises(ParseError, match="header block"):
        parse_message(raw)
    assert parse_headers(raw).subject.startswith("aaa")


def test_header_flood_is_quarantined() -> None:
    raw = b"".join(b"X-H%d: v\r\n" % i for i in range(parse.MAX_HEADER_FIELDS + 1)) + b"\r\nbody"
    with pytest.raises(ParseError, match="header fields"):
        parse_message(raw)


def test_message_at_the_part_limit_is_read() -> None:
    msg = parse_message(_multipart(parse.MAX_PARTS - 1))
    assert msg.text.startswith("part 0")


def test_tens_of_thousands_of_parts_are_cut_off_in_bounded_time() -> None:
    raw = _multipart(50_000)
    started = time.process_time()
    with pytest.raises(ParseError, match="MIME parts"):
        parse_message(raw)
    assert time.process_time() - started < RUNAWAY_CPU_SECONDS


def test_parts_beyond_the_limit_without_a_declared_boundary_count() -> None:
    raw = _multipart(parse.MAX_PARTS + 5).replace(b'boundary="b"', b"boundary=b")
    with pytest.raises(ParseError, match="MIME parts"):
        parse_message(raw)


def test_deep_nesting_is_quarantined() -> None:
    assert parse_message(_nested(parse.MAX_DEPTH - 1)).text.strip() == "hello"
    with pytest.raises(ParseError, match="nested"):
        parse_message(_nested(parse.MAX_DEPTH + 2))


def test_thousands_of_nested_messages_are_cut_off_in_bounded_time() -> None:
    raw = b"From: a@b.com\r\n" + b"Content-Type: message/rfc822\r\n\r\n" * 5_000 + b"hi"
    started = time.process_time()
    with pytest.raises(ParseError):
        parse_message(raw)
    assert time.process_time() - started < RUNAWAY_CPU_SECONDS


def test_unknown_and_refused_charsets_fall_back_to_readable_text() -> None:
    for charset in (b"x-unknown-thing", b"punycode", b"rot13", b"zlib"):
        raw = b"Content-Type: text/plain; charset=" + charset + b"\r\n\r\nGr\xc3\xbc\xc3\x9fe"
        assert parse_message(raw).text == "Grüße"


def test_latin1_bytes_labelled_utf8_are_recovered() -> None:
    raw = b"Content-Type: text/plain; charset=utf-8\r\n\r\nGr\xfc\xdfe"
    assert parse_message(raw).text == "Grüße"
