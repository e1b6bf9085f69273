"""Bytes in, parsed message out: header triage, MIME walk, hard limits; pure and bounded."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from email.policy import compat32
from typing import Any

from assistant.errors import ParseError
from assistant.mail.headers import (
    Address,
    decode_bytes,
    header_text,
    message_ids,
    parse_addresses,
    parse_date,
    unfold,
)
from assistant.mail.htmltext import html_to_text

__all__ = [
    "Address",
    "Attachment",
    "HeaderSummary",
    "ParsedMessage",
    "Part",
    "header_fields",
    "parse_headers",
    "parse_message",
]

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
MAX_HEADER_BYTES = 256 * 1024
MAX_HEADER_FIELDS = 1_000
MAX_PARTS = 500
MAX_DEPTH = 24

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_LINE_BREAK = re.compile(rb"\r?\n")
_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]{1,100})[ \t]*:")
_BOUNDARY_PARAM = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.I)
_DASH_LINE = re.compile(rb"^--([^\r\n]{1,204})", re.M)
_MESSAGE_TYPE = re.compile(rb"content-type:\s*message/", re.I)
_BARE_CR = re.compile(rb"\r(?!\n)")


@dataclass(frozen=True)
class HeaderSummary:
    """What threading and triage need, read from the header bytes alone."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    from_: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    date: datetime | None


@dataclass(frozen=True)
class Attachment:
    """A non-body part, described but not kept."""

    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Part:
    """A report part: a delivery-status block list, or the headers of a returned message."""

    content_type: str
    fields: tuple[tuple[tuple[str, str], ...], ...] = ()
    returned: HeaderSummary | None = None


@dataclass(frozen=True)
class ParsedMessage:
    """A whole message: headers, readable text, raw HTML, attachments and report parts."""

    headers: HeaderSummary
    raw_headers: Mapping[str, str]
    text: str
    html: str | None
    attachments: tuple[Attachment, ...]
    parts: tuple[Part, ...]
    # The stdlib tree, kept for readers that walk it themselves (the bounce detectors).
    source: Message | None = field(default=None, compare=False, repr=False)


def _header_block(raw: bytes) -> bytes:
    if raw.startswith(b"From "):
        newline = raw.find(b"\n")
        raw = raw[newline + 1 :] if newline >= 0 else b""
    end = _header_end(raw, MAX_HEADER_BYTES + 4)
    return raw[:end] if end >= 0 else raw[:MAX_HEADER_BYTES]


def _header_end(raw: bytes, limit: int) -> int:
    """Where the first empty line (`\r?\n\r?\n`) starts within raw[:limit], or -1."""
    ends = [i for i in (raw.find(b"\n\n", 0, limit), raw.find(b"\n\r\n", 0, limit)) if i >= 0]
    if not ends:
        return -1
    end = min(ends)
    return end - 1 if end > 0 and raw[end - 1] == 13 else end


def _fields(block: bytes) -> list[tuple[str, str]]:
    """Split a header block into (name, raw value) pairs, stopping at the first non-header."""
    fields: list[tuple[str, str]] = []
    for line in _LINE_BREAK.split(block):
        if line[:1] in (b" ", b"\t"):
            if fields:
                name, value = fields[-1]
                fields[-1] = (name, value + "\n" + line.decode("ascii", "surrogateescape"))
            continue
        match = _FIELD.match(line)
        if match is None:
            if line.strip():
                break
            continue
        value = line[match.end() :].lstrip(b" \t").decode("ascii", "surrogateescape")
        fields.append((match.group(1).decode("ascii"), value))
        if len(fields) >= MAX_HEADER_FIELDS:
            break
    return fields


def _first(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    first: dict[str, str] = {}
    for name, value in items:
        first.setdefault(name.strip().lower(), value)
    return first


def _summary(first: Mapping[str, str]) -> HeaderSummary:
    sender = parse_addresses(first.get("from"))
    in_reply_to = message_ids(first.get("in-reply-to"))
    own_id = message_ids(first.get("message-id"))
    return HeaderSummary(
        message_id=own_id[0] if own_id else None,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=message_ids(first.get("references")),
        from_=sender[0] if sender else None,
        to=parse_addresses(first.get("to")),
        cc=parse_addresses(first.get("cc")),
        subject=header_text(first.get("subject", "")),
        date=parse_date(unfold(first.get("date", ""))),
    )


def parse_headers(raw: bytes) -> HeaderSummary:
    """Triage fields from a header block or a whole message; never raises."""
    return _summary(_first(_fields(_header_block(raw))))


@dataclass(frozen=True, slots=True)
class Triage:
    """What a first look at a header block needs to decide whether to fetch the message.

    Built for speed over years of mail: the addresses are every address-like token of From,
    To and Cc (a display name that holds an address adds it), so a triage may fetch a message
    it did not need, never miss one that `parse_headers` would match.
    """

    senders: frozenset[str]
    recipients: frozenset[str]
    referenced: tuple[str, ...]  # In-Reply-To, then References
    fields: Mapping[str, str]  # the triage fields by lower-case name, decoded on access


_TRIAGE_FIELD = re.compile(
    rb"^(from|to|cc|in-reply-to|references|subject|content-type|return-path"
    rb"|x-failed-recipients|x-ms-exchange-message-is-ndr)[ \t]*:[ \t]*(.*(?:\r?\n[ \t].*)*)",
    re.I | re.M,
)
_ADDRESS_TOKEN = re.compile(r"[^\s<>()\[\],;:\"@]+@[^\s<>()\[\],;:\"@]+")


def triage_headers(raw: bytes) -> Triage:
    """The triage reading of a header block or a whole message, in one scan of its fields."""
    first: dict[str, str] = {}
    for match in _TRIAGE_FIELD.finditer(_header_block(raw)):
        name = match.group(1).decode("ascii").lower()
        if name not in first:
            value = match.group(2).replace(b"\r\n", b"\n").rstrip(b"\r")
            first[name] = value.decode("ascii", "surrogateescape")
    return Triage(
        senders=_address_tokens(first.get("from")),
        recipients=_address_tokens(first.get("to")) | _address_tokens(first.get("cc")),
        referenced=(
            *message_ids(first.get("in-reply-to"))[:1],
            *message_ids(first.get("references")),
        ),
        fields=_DecodedHeaders(first),
    )


def _address_tokens(value: str | None) -> frozenset[str]:
    if not value:
        return frozenset()
    return frozenset(t.rstrip(".").lower() for t in _ADDRESS_TOKEN.findall(value))


def header_fields(raw: bytes) -> Mapping[str, str]:
    """Lower-cased name to first decoded value, from a header block or a whole message."""
    return _DecodedHeaders(_first(_fields(_header_block(raw))))


def _check_limits(raw: bytes) -> None:
    if not raw or raw.isspace():
        raise ParseError("the message is empty")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ParseError(f"the message is larger than {MAX_MESSAGE_BYTES // 2**20} MiB")
    body = raw[raw.find(b"\n") + 1 :] if raw.startswith(b"From ") else raw
    end = _header_end(body, MAX_HEADER_BYTES + 4)
    if (end if end >= 0 else len(body)) > MAX_HEADER_BYTES:
        raise ParseError(f"the header block is larger than {MAX_HEADER_BYTES // 1024} KiB")
    block = body[:end] if end >= 0 else body
    if block.count(b"\n") - block.count(b"\n ") - block.count(b"\n\t") >= MAX_HEADER_FIELDS:
        raise ParseError(f"the message has more than {MAX_HEADER_FIELDS} header fields")
    # Deep nesting needs delimiter lines or message/* parts: without many of either the
    # stdlib parser is linear and the walk below enforces the exact limits.
    nested_messages = raw.count(b"essage/") + raw.count(b"ESSAGE/")
    if raw.count(b"\n--") <= MAX_PARTS and nested_messages <= MAX_PARTS:
        return
    boundaries: set[bytes] = set()
    for match in _BOUNDARY_PARAM.finditer(raw):
        boundaries.add((match.group(1) or match.group(2)).rstrip())
        if len(boundaries) > MAX_PARTS:
            raise ParseError(f"the message has more than {MAX_PARTS} MIME parts")
    if sum(1 for _ in _MESSAGE_TYPE.finditer(raw)) > MAX_PARTS:
        raise ParseError(f"the message has more than {MAX_PARTS} MIME parts")
    if not boundaries:
        return
    delimiters = 0
    for match in _DASH_LINE.finditer(raw):
        line = match.group(1).rstrip(b" \t")
        if line in boundaries or (line.endswith(b"--") and line[:-2] in boundaries):
            delimiters += 1
            if delimiters > MAX_PARTS + len(boundaries):
                raise ParseError(f"the message has more than {MAX_PARTS} MIME parts")


class _DecodedHeaders(Mapping[str, str]):
    """Lower-cased header name to its first value, decoded on first access."""

    def __init__(self, raw: dict[str, str]) -> None:
        self._raw = raw
        self._decoded: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        if name not in self._decoded:
            self._decoded[name] = header_text(self._raw[name])
        return self._decoded[name]

    def get(self, name: str, default: Any = None) -> Any:  # no KeyError raised on a miss
        return self[name] if name in self._raw else default

    def __contains__(self, name: object) -> bool:
        return name in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return f"{{{', '.join(f'{k!r}: {self[k]!r}' for k in self)}}}"


def _without_bare_cr(raw: bytes) -> bytes:
    """Turn a lone CR in the top header block into a space: it must not start a header."""
    end = _header_end(raw, MAX_HEADER_BYTES + 4)
    cut = end if end >= 0 else len(raw)
    block = raw[:cut]
    if block.count(b"\r") == block.count(b"\r\n"):
        return raw
    return _BARE_CR.sub(b" ", block) + raw[cut:]


class _Walk:
    """Collects body text, HTML, attachments and report parts in one bounded pass."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.parts: list[Part] = []
        self.count = 0

    def visit(self, part: Message, depth: int, *, body: bool) -> None:
        """Visit one part; `body` is False inside attached messages, which are only counted."""
        self.count += 1
        if self.count > MAX_PARTS:
            raise ParseError(f"the message has more than {MAX_PARTS} MIME parts")
        if depth > MAX_DEPTH:
            raise ParseError(f"MIME parts are nested more than {MAX_DEPTH} deep")
        ctype = part.get_content_type()
        maintype = ctype.split("/", 1)[0]
        # get_payload() without decode=True decodes 8-bit text with the declared charset
        # (any codec, punycode included), so leaves are only ever read as bytes.
        payload = part.get_payload() if part.is_multipart() else None
        if ctype == "message/delivery-status":
            if body:
                blocks = payload if payload is not None else _payload_bytes(part)
                self.parts.append(Part(ctype, fields=_status_blocks(blocks)))
            return
        if isinstance(payload, list):
            is_message = maintype == "message"
            if is_message and body:
                for sub in payload:
                    if isinstance(sub, Message):
                        self.parts.append(Part(ctype, returned=_summary(_first(sub.raw_items()))))
                self._attach(part, ctype, _serialised(part))
            for sub in payload:
                if isinstance(sub, Message):
                    self.visit(sub, depth + 1, body=body and not is_message)
            return
        if not body:
            return
        data = _payload_bytes(part)
        if ctype == "text/rfc822-headers":
            self.parts.append(Part(ctype, returned=parse_headers(data)))
            return
        raw_disposition = part.get("content-disposition")
        disposition = str(raw_disposition or "").split(";", 1)[0].strip().lower()
        if maintype == "multipart":
            ctype = "text/plain"
        is_text = ctype in ("text/plain", "text/html")
        named = raw_disposition is not None and disposition != "inline" and part.get_filename()
        if is_text and disposition != "attachment" and not named:
            text = decode_bytes(data, part.get_content_charset())
            (self.plain if ctype == "text/plain" else self.html).append(text)
        else:
            self._attach(part, ctype, data)

    def _attach(self, part: Message, ctype: str, data: bytes) -> None:
        filename = header_text(str(part.get_filename() or ""))
        digest = hashlib.sha256(data).hexdigest()
        self.attachments.append(Attachment(filename, ctype, len(data), digest))


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, AssertionError):
        data = None
    return data if isinstance(data, bytes) else b""


def _serialised(part: Message) -> bytes:
    try:
        return part.as_bytes(policy=compat32)
    except (ValueError, TypeError, LookupError, UnicodeError):
        return b""


def _status_blocks(payload: object) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The field groups of a message/delivery-status part, names lower-cased."""
    if isinstance(payload, bytes):
        blocks = [_fields(chunk) for chunk in _HEADER_END.split(payload)]
    elif isinstance(payload, list):
        blocks = [list(b.raw_items()) for b in payload if isinstance(b, Message)]
    else:
        blocks = []
    return tuple(
        tuple((name.strip().lower(), header_text(value)) for name, value in block)
        for block in blocks
        if block
    )


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse a whole message; raises ParseError(reason) when it must be quarantined."""
    _check_limits(raw)
    raw = _without_bare_cr(raw)
    try:
        msg = message_from_bytes(raw, policy=compat32)
    except RecursionError as exc:
        raise ParseError(f"MIME parts are nested more than {MAX_DEPTH} deep") from exc
    except (ValueError, TypeError, LookupError, IndexError) as exc:
        raise ParseError(f"the MIME structure cannot be read ({type(exc).__name__})") from exc
    walk = _Walk()
    walk.visit(msg, 0, body=True)
    first = _first(msg.raw_items())
    plain = "\n".join(walk.plain).replace("\r\n", "\n").replace("\r", "\n")
    html = "\n".join(walk.html) if walk.html else None
    text = plain if plain.strip() or html is None else html_to_text(html)
    return ParsedMessage(
        headers=_summary(first),
        raw_headers=_DecodedHeaders(first),
        text=text,
        html=html,
        attachments=tuple(walk.attachments),
        parts=tuple(walk.parts),
        source=msg,
    )
