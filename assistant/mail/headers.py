"""Header values: charset-safe decoding, encoded words, strict addresses, message ids, dates."""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_tz

MAX_REFERENCES = 200

# Codecs that are not mail charsets, or that decode in more than linear time.
_REFUSED_CODECS = frozenset(
    {"punycode", "idna", "unicode_escape", "raw_unicode_escape", "palmos", "mbcs", "oem"}
)
_CHARSET_ALIASES = {"unknown-8bit": "utf-8", "x-unknown": "utf-8", "ansi_x3.4-1968": "ascii"}
_UTF8_FIRST = frozenset({None, "ascii", "latin-1", "cp1252", "utf-8"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_SPACES = re.compile(r"\s+")
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t\r\n]*")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_MSGID = re.compile(r"<([^<>\s\"]{1,900})>")
_BARE_MSGID = re.compile(r"[^<>\s\"@]+@[^<>\s\"@]+")
_ATEXT = r"[^\s\"(),.:;<>@\[\\\]]+"
_ADDR_SPEC = re.compile(
    rf'(?:{_ATEXT}(?:\.{_ATEXT})*|"(?:[^"\\\r\n]|\\[^\r\n])*")@{_ATEXT}(?:\.{_ATEXT})*'
)


@dataclass(frozen=True)
class Address:
    """One mailbox: display name and lower-cased address."""

    name: str
    email: str


def codec_for(charset: str | None) -> str | None:
    """The Python codec name for a MIME charset, or None when unknown or refused."""
    if not charset:
        return None
    name = charset.strip().strip('"').lower().split("*", 1)[0]
    name = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if info.name in _REFUSED_CODECS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode text bytes: declared charset if it fits, else UTF-8, else Windows-1252."""
    codec = codec_for(charset)
    if codec in _UTF8_FIRST:
        # Mail labelled ASCII or Latin-1 (or not labelled) is often UTF-8 in fact.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            codec = "cp1252"
    for name in (codec, "cp1252"):
        if name is None:
            continue
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    return data.decode("latin-1")


def eight_bit(value: str) -> str:
    """Turn surrogate-escaped raw header bytes into characters (UTF-8, else Windows-1252)."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return decode_bytes(value.encode("utf-8", "surrogateescape"), None)


def unfold(value: str) -> str:
    """Join folded header lines and turn any stray control character into a space."""
    if value.isascii() and value.isprintable():
        return value
    return _CONTROL.sub(" ", _FOLD.sub("", eight_bit(value)))


def clean(text: str) -> str:
    """Replace control characters (CR and LF included) by spaces and collapse whitespace."""
    if text.isascii() and text.isprintable() and "  " not in text:
        return text.strip()
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def _decode_word(charset: str, encoding: str, payload: str) -> str | None:
    raw = payload.encode("ascii", "replace")
    if encoding in "bB":
        raw = raw + b"=" * (-len(raw) % 4)
        try:
            data = base64.b64decode(raw)
        except (binascii.Error, ValueError):
            return None
    else:
        data = _Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw.replace(b"_", b" "))
    return decode_bytes(data, charset)


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words; whitespace between adjacent encoded words is dropped."""
    if "=?" not in value:
        return value
    out: list[str] = []
    pos = 0
    last_was_word = False
    for match in _ENCODED_WORD.finditer(value):
        gap = value[pos : match.start()]
        decoded = _decode_word(match.group(1), match.group(2), match.group(3))
        if decoded is None:
            out.append(gap + match.group(0))
            last_was_word = False
        else:
            if not (last_was_word and _BETWEEN_WORDS.fullmatch(gap)):
                out.append(gap)
            out.append(decoded)
            last_was_word = True
        pos = match.end()
    out.append(value[pos:])
    return "".join(out)


def header_text(value: str) -> str:
    """A header value as one clean line of text: unfolded, decoded, no control characters."""
    return clean(decode_words(unfold(value)))


def message_ids(value: str | None) -> tuple[str, ...]:
    """The `<id>` tokens of a Message-ID, In-Reply-To or References value, in order."""
    if not value:
        return ()
    found = [f"<{m}>" for m in _MSGID.findall(value)]
    if not found:
        bare = value.strip()
        if _BARE_MSGID.fullmatch(bare) and len(bare) <= 900:
            found = [f"<{bare}>"]
    if len(found) > MAX_REFERENCES:
        found = found[:1] + found[-(MAX_REFERENCES - 1) :]
    return tuple(found)


def parse_date(value: str | None) -> datetime | None:
    """An RFC 5322 date as an aware UTC datetime, or None when unreadable."""
    if not value:
        return None
    try:
        parts = parsedate_tz(value)
        if parts is None:
            return None
        offset = parts[9] or 0
        stamp = datetime(*parts[:6], tzinfo=timezone(timedelta(seconds=offset)))
        return stamp.astimezone(UTC)
    except (ValueError, OverflowError, TypeError, IndexError):
        return None


_SIMPLE_ATOM = r'[^\s"(),.:;<>@\[\\\]=]+'
_SIMPLE_SPEC = rf"{_SIMPLE_ATOM}(?:\.{_SIMPLE_ATOM})*@{_SIMPLE_ATOM}(?:\.{_SIMPLE_ATOM})+"
_SIMPLE_ADDRESS = re.compile(
    rf'\s*(?:"([^"\\\r\n]*)"|([^"(),.:;<>@\[\\\]=\r\n]*?))\s*<({_SIMPLE_SPEC})>\s*'
    rf"|\s*({_SIMPLE_SPEC})\s*"
)


def _simple_addresses(value: str) -> tuple[Address, ...] | None:
    """The common forms (`Name <a@b.c>`, `"Last, First" <a@b.c>`, `a@b.c`), else None."""
    if "(" in value or ":" in value or "=?" in value or "\\" in value:
        return None
    pieces = value.split(",") if '"' not in value else [value]
    found: list[Address] = []
    for piece in pieces:
        match = _SIMPLE_ADDRESS.fullmatch(piece)
        if match is None:
            return None
        quoted, phrase, spec, bare = match.groups()
        name = quoted if quoted is not None else (phrase or "")
        found.append(Address(name=clean(name), email=(spec or bare).lower()))
    return tuple(found)


@dataclass
class _Element:
    phrase: list[str]
    comments: list[str]
    bare_at: bool = False
    angle: str | None = None
    after_angle: bool = False
    bad: bool = False


def _split_addresses(value: str) -> list[_Element]:
    """Split an address list at top-level commas, honouring quotes, comments and groups."""
    elements: list[_Element] = []
    cur = _Element([], [])
    i, n = 0, len(value)
    while i < n:
        ch = value[i]
        word = _ENCODED_WORD.match(value, i) if ch == "=" else None
        if word is not None:
            cur.phrase.append(word.group(0))
            i = word.end()
            continue
        reader = _READERS.get(ch)
        if reader is not None:
            i = reader(value, i, cur)
            continue
        if ch in ",;":
            elements.append(cur)
            cur = _Element([], [])
        elif ch == ":" and cur.angle is None:
            cur = _Element([], [])
        elif ch in ">)[]\\" or (cur.after_angle and not ch.isspace()):
            cur.bad = True
        else:
            cur.bare_at = cur.bare_at or ch == "@"
            cur.phrase.append(ch)
        i += 1
    elements.append(cur)
    return elements


def _read_quoted(value: str, i: int, cur: _Element) -> int:
    """A quoted string from value[i] == '"'; returns where reading goes on."""
    n, end = len(value), i + 1
    chars: list[str] = []
    while end < n and value[end] != '"':
        if value[end] == "\\" and end + 1 < n:
            end += 1
        chars.append(value[end])
        end += 1
    if end >= n or (cur.angle is not None and cur.after_angle):
        cur.bad = True
    cur.phrase.append('"' + "".join(chars) + '"')
    return end + 1


def _read_comment(value: str, i: int, cur: _Element) -> int:
    """A (possibly nested) comment from value[i] == "("; returns where reading goes on."""
    n, depth, end = len(value), 1, i + 1
    chars: list[str] = []
    while end < n and depth:
        c = value[end]
        if c == "\\" and end + 1 < n:
            end += 1
            c = value[end]
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if depth:
            chars.append(c)
        end += 1
    if depth:
        cur.bad = True
    cur.comments.append("".join(chars))
    return end


def _read_angle(value: str, i: int, cur: _Element) -> int:
    """An <addr-spec> from value[i] == "<"; returns where reading goes on."""
    n, end = len(value), value.find(">", i + 1)
    if end < 0 or cur.angle is not None:
        cur.bad = True
        end = n if end < 0 else end
    inner = value[i + 1 : end]
    if any(c in inner for c in '<"(),;'):
        cur.bad = True
    cur.angle = inner
    cur.after_angle = True
    return end + 1


_READERS = {'"': _read_quoted, "(": _read_comment, "<": _read_angle}


def _display_name(pieces: list[str]) -> str:
    text = "".join(p[1:-1] if p.startswith('"') and len(p) > 1 else p for p in pieces)
    return clean(decode_words(text))


def parse_addresses(value: str | None) -> tuple[Address, ...]:
    """Parse an address header strictly; a malformed entry is dropped, never half-read."""
    if not value:
        return ()
    value = unfold(value)
    simple = _simple_addresses(value)
    if simple is not None:
        return simple
    found: list[Address] = []
    for el in _split_addresses(value):
        if el.bad:
            continue
        if el.angle is not None:
            if el.bare_at:
                continue
            spec = el.angle.strip()
            name = _display_name(el.phrase)
        else:
            spec = "".join(el.phrase).strip()
            name = clean(decode_words(el.comments[0])) if el.comments else ""
        if not spec:
            continue
        if not _ADDR_SPEC.fullmatch(spec):
            continue
        found.append(Address(name=name, email=spec.lower()))
    return tuple(found)
