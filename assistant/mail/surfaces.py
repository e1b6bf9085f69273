"""Everything a lead sent, as text with where it was found: parts, hidden HTML, names, invites.

The checks for injection read this, not the reply text a drafter sees: a browser hides
some of what a model would read, and an attachment's name or a calendar invite's
description reaches nobody's eyes but can still reach a model's.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import compat32
from urllib.parse import urlsplit

from assistant.mail.headers import decode_bytes, header_text, parse_addresses
from assistant.mail.htmlhidden import read_html
from assistant.mail.parse import MAX_PARTS
from assistant.mail.reply import new_text

MAX_TEXT_ATTACHMENT = 200_000
_TEXT_ATTACHMENTS = frozenset({"text/plain", "text/markdown", "text/csv"})
_VCARD = frozenset({"text/vcard", "text/x-vcard", "text/directory"})
_CALENDAR_FIELDS = ("SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "X-ALT-DESC")
_BASE64_RUN = re.compile(r"(?<![\w+/=])[A-Za-z0-9+/]{24,}={0,2}(?![\w+/=])")
_ADDRESS = re.compile(r"[\w.+'-]+@((?:[\w-]+\.)+[\w-]{2,})")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`\])]+", re.IGNORECASE)
_NAME_SEPARATORS = re.compile(r"[_+.\-]+")


@dataclass(frozen=True)
class Surface:
    """One piece of what the lead sent: its text and where it was found."""

    where: str  # part, quoted, html-hidden, attachment, calendar, encoded or header
    text: str


@dataclass
class Sent:
    """All the surfaces of one message, and every domain named in it with where."""

    surfaces: list[Surface] = field(default_factory=list)
    domains: dict[str, str] = field(default_factory=dict)
    parts: int = 0

    def add(self, where: str, text: str) -> None:
        if text.strip():
            self.surfaces.append(Surface(where, text))

    def name_domain(self, domain: str, where: str) -> None:
        self.domains.setdefault(domain.lower().strip(".").rstrip(".,;:"), where)


def read_everything(raw: bytes, tree: Message | None = None) -> Sent:
    """Every surface of a message that parse_message accepted (its limits bound this walk).

    `tree`: the stdlib message parse_message already built from `raw`, read instead of
    parsing the bytes again."""
    message = tree if tree is not None else message_from_bytes(raw, policy=compat32)
    sent = Sent()
    for name in ("from", "reply-to", "sender", "return-path"):
        for address in parse_addresses(_field(message, name)):
            sent.name_domain(address.email.rpartition("@")[2], "header")
    sender = parse_addresses(_field(message, "from"))
    sent.add("header", header_text(_field(message, "subject")))
    sent.add("header", sender[0].name if sender else "")
    _walk(sent, message, forwarded=False)
    for surface in list(sent.surfaces):
        for decoded in _decoded_runs(surface.text):
            sent.add("encoded", decoded)
    for surface in sent.surfaces:
        _name_domains(sent, surface)
    return sent


def _field(message: Message, name: str) -> str:
    """A header's first raw value (8-bit bytes stay readable; the stdlib would wrap them)."""
    return next((str(v) for k, v in message.raw_items() if k.lower() == name), "")


def _walk(sent: Sent, part: Message, *, forwarded: bool) -> None:
    sent.parts += 1
    if sent.parts > MAX_PARTS:
        return
    if not part.is_multipart():
        # A part the stdlib cannot read holds no text for anyone, a model included.
        with suppress(ValueError, LookupError, TypeError, AssertionError):
            _read_part(sent, part, forwarded)
        return
    # Only a multipart's payload is asked for: a leaf's would be decoded by its declared
    # charset, any codec at all; leaves are read as bytes.
    payload = part.get_payload()
    attached = part.get_content_maintype() == "message"
    for sub in payload:
        if not isinstance(sub, Message):
            continue
        if attached:  # a forwarded message: its senders are named by whoever forwarded it
            for name in ("from", "reply-to", "sender"):
                for address in parse_addresses(_field(sub, name)):
                    sent.name_domain(address.email.rpartition("@")[2], "quoted")
            sent.add("quoted", header_text(_field(sub, "subject")))
        _walk(sent, sub, forwarded=forwarded or attached)


def _read_part(sent: Sent, part: Message, forwarded: bool) -> None:
    ctype = part.get_content_type()
    filename = header_text(str(part.get_filename() or ""))
    if filename:
        sent.add("attachment", f"{filename}\n{_NAME_SEPARATORS.sub(' ', filename)}")
    # A part's description: no mail client shows it, a model reading the source would.
    described = header_text(_field(part, "content-description"))
    if described and described != filename:
        sent.add("attachment", described)
    disposition = str(part.get("content-disposition") or "").split(";", 1)[0].strip().lower()
    attached = disposition == "attachment" or bool(filename)
    data = _payload(part)
    if ctype in ("text/calendar", "application/ics"):
        sent.add("calendar", _calendar_text(decode_bytes(data, part.get_content_charset())))
        return
    if ctype in _VCARD:
        sent.add("attachment", _vcard_text(decode_bytes(data, part.get_content_charset())))
        return
    if attached and ctype in _TEXT_ATTACHMENTS:
        text = decode_bytes(data[:MAX_TEXT_ATTACHMENT], part.get_content_charset())
        sent.add("attachment", text)
        return
    if attached or ctype not in ("text/plain", "text/html"):
        return
    text = decode_bytes(data, part.get_content_charset())
    if ctype == "text/html":
        reading = read_html(text)
        for hidden in reading.hidden:
            sent.add("html-hidden", hidden)
        for href in reading.hrefs:
            _name_url(sent, href, "part")
        text = reading.visible
    _add_body(sent, text, forwarded)


def _add_body(sent: Sent, text: str, forwarded: bool) -> None:
    """The new words as a part; quoted history, forwarded blocks and signature as quoted."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if forwarded:
        sent.add("quoted", text)
        return
    new = new_text(text)
    sent.add("part", new)
    kept = {line.strip() for line in new.split("\n")}
    sent.add("quoted", "\n".join(line for line in text.split("\n") if line.strip() not in kept))


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, AssertionError):
        return b""
    return data if isinstance(data, bytes) else b""


def _properties(text: str) -> Iterator[tuple[str, str]]:
    """The (NAME, value) content lines of an iCalendar object or a vCard (RFC 5545, RFC 6350),
    unfolded; the name without its parameters."""
    for line in re.sub(r"\r?\n[ \t]", "", text).splitlines():
        name, _, value = line.partition(":")
        yield name.split(";", 1)[0].upper(), value


def _unescaped(value: str) -> str:
    value = value.replace("\\n", "\n").replace("\\N", "\n")
    return re.sub(r"\\([,;\\])", r"\1", value)


def _calendar_text(ics: str) -> str:
    """The free-text fields of an iCalendar object, unfolded and unescaped."""
    texts = []
    for name, value in _properties(ics):
        if name in _CALENDAR_FIELDS:
            texts.append(_unescaped(value))
        elif name in ("ORGANIZER", "ATTENDEE"):
            texts.append(value.removeprefix("mailto:").removeprefix("MAILTO:"))
    return "\n".join(texts)


def _vcard_text(card: str) -> str:
    """A contact card's values, one per line, unfolded and unescaped: the note, the names and
    the addresses, without the property names in front of them."""
    skipped = ("BEGIN", "END", "VERSION", "PRODID")
    return "\n".join(_unescaped(v) for name, v in _properties(card) if v and name not in skipped)


def _decoded_runs(text: str) -> Iterator[str]:
    """Readable text hidden in base64 runs (a link's long token decodes to noise and is dropped)."""
    for match in _BASE64_RUN.finditer(text):
        run = match.group(0)
        try:
            decoded = base64.b64decode(run + "=" * (-len(run) % 4)).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        printable = sum(char.isprintable() or char in "\n\t" for char in decoded)
        if decoded.strip() and printable / len(decoded) > 0.95 and " " in decoded:
            yield decoded


def _name_domains(sent: Sent, surface: Surface) -> None:
    for match in _ADDRESS.finditer(surface.text):
        sent.name_domain(match.group(1), surface.where)
    for match in _URL.finditer(surface.text):
        _name_url(sent, match.group(0), surface.where)


def _name_url(sent: Sent, url: str, where: str) -> None:
    if url.lower().startswith("mailto:"):
        sent.name_domain(url.rpartition("@")[2].split("?")[0], where)
        return
    try:
        host = urlsplit(url if "://" in url else f"http://{url}").hostname
    except ValueError:
        return
    if host and "." in host:
        sent.name_domain(host, where)
