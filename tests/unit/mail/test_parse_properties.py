"""Random and mutated bytes: parsing and classifying raise nothing but ParseError, quickly."""

from __future__ import annotations

import time
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import ParseError
from assistant.mail.classify import classify_bytes, understand
from assistant.mail.parse import parse_headers, parse_message
from tests.bounds import RUNAWAY_CPU_SECONDS
from tests.paths import TESTS

TODAY = date(2025, 3, 4)
SEEDS = [p.read_bytes() for p in sorted((TESTS / "corpus").glob("*.eml"))]
SEEDS = [s for s in SEEDS if 0 < len(s) < 100_000]
TOKENS = [
    b"\r\n",
    b"\n",
    b"\r",
    b"\r\n\r\n",
    b"\n--",
    b"--b1--",
    b'Content-Type: multipart/mixed; boundary="b1"\r\n',
    b"Content-Type: message/rfc822\r\n\r\n",
    b"Content-Type: message/delivery-status\r\n\r\n",
    b"Content-Type: text/html; charset=punycode\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"=?utf-8?q?a=0D=0AB:_c?=",
    b"=?utf-8?b?",
    b"?=",
    b"<",
    b">",
    b'"',
    b"(",
    b")",
    b"\\",
    b":",
    b";",
    b",",
    b"@",
    b"\x00",
    b"\xff\xfe",
    b"<blockquote>",
    b"<!--",
    b"On Mon, 3 Mar 2025 at 10:15, X <x@y.z> wrote:\n> ",
]


def _exercise(raw: bytes) -> None:
    started = time.process_time()
    parse_headers(raw)
    try:
        msg = parse_message(raw)
    except ParseError as exc:
        assert exc.reason
    else:
        understand(msg, today=TODAY, lead_addresses=frozenset({"jane.doe@acme-corp.com"}))
    result = classify_bytes(raw, today=TODAY)
    assert result["kind"] in ("human", "auto_reply", "bounce", "quarantined")
    assert time.process_time() - started < RUNAWAY_CPU_SECONDS


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat"]))
        if op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS)) * draw(st.integers(1, 50))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif op == "truncate":
            del data[at:]
        elif op == "repeat" and data:
            chunk = bytes(data[at : at + draw(st.integers(1, 300))])
            data[at:at] = chunk * draw(st.integers(1, 30))
    return bytes(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_random_bytes_only_raise_parse_error(raw: bytes) -> None:
    _exercise(raw)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_corpus_messages_only_raise_parse_error(raw: bytes) -> None:
    _exercise(raw)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["From", "To", "Cc", "Subject", "Date", "Message-ID", "References"]),
            st.text(max_size=200),
        ),
        max_size=8,
    ),
    st.text(max_size=500),
)
def test_random_header_values_only_raise_parse_error(
    headers: list[tuple[str, str]], body: str
) -> None:
    lines = [f"{name}: {value}" for name, value in headers]
    raw = ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8", "surrogatepass")
    _exercise(raw)
    summary = parse_headers(raw)
    for address in (summary.from_, *summary.to, *summary.cc):
        if address is not None:
            assert address.email and address.email == address.email.lower()
            assert not any(c in address.email for c in " \r\n,<>")
    assert "\r" not in summary.subject and "\n" not in summary.subject
