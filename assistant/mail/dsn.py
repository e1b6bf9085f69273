"""Bounces: RFC 3464 delivery reports and the common non-DSN forms (Exim, qmail, Exchange)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.mail.headers import Address, message_ids, parse_addresses
from assistant.mail.parse import ParsedMessage

_BOUNCE_LOCALPARTS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliver(?:able|ed)|undelivered mail|delivery status notification|"
    r"delivery (?:has )?fail|delivery failure|delivery notification|failure notice|"
    r"mail delivery (?:failed|failure|system)|returned mail|non[- ]?delivery|"
    r"warning: could not send|delayed mail|message not delivered|"
    r"unzustellbar|nicht zustellbar|non remis|non distribuable|échec de (?:la )?remise|"
    r"no se puede entregar|no entregado|onbestelbaar|niet bezorgd|kan inte levereras|"
    r"olevererbart|non recapitabile|impossibile recapitare|não é possível entregar|"
    r"não entregue)",
    re.IGNORECASE,
)
_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)")
_SMTP_CODE = re.compile(
    r"(?:said|returned|error|response|reply|rejected|failed)\W{0,20}'?([45]\d\d)[\s-]",
    re.IGNORECASE,
)
_COPY_MARKER = re.compile(
    r"^.*(?:this is a copy of the message|below this line is a copy of the message|"
    r"original message headers|original message follows|message headers follow|"
    r"the original message was received|------ original message|unsent message below|"
    r"the headers of the original message|text of the original message).*$",
    re.IGNORECASE | re.MULTILINE,
)
_MESSAGE_ID_LINE = re.compile(r"^\s*message-id:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_RECIPIENT_LINES = (
    re.compile(r"^\s*<([^<>\s]+@[^<>\s]+)>\s*:", re.MULTILINE),
    re.compile(r"^\s*([^<>\s@]+@[^<>\s@]+)\s*$", re.MULTILINE),
    re.compile(r"^\s*([^<>\s@]+@[^<>\s@]+)\s+\(\1\)\s*$", re.IGNORECASE | re.MULTILINE),
    re.compile(r"RCPT TO:\s*<([^<>\s]+@[^<>\s]+)>", re.IGNORECASE),
    re.compile(r"^\s*(?:final|original)-recipient:\s*rfc822;\s*<?([^<>\s]+)", re.I | re.M),
)
_SOFT_WORDS = re.compile(
    r"\b(?:delayed|deferred|will (?:keep|continue) trying|temporar(?:y|ily)|not yet been delivered|"
    r"will retry|retrying)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Bounce:
    """A failed or delayed delivery of one of our messages."""

    recipients: tuple[str, ...]
    hard: bool
    status: str | None
    original_message_id: str | None


def is_bounce_sender(sender: Address | None) -> bool:
    """Whether the From address is a mail system's (MAILER-DAEMON, postmaster, Exchange)."""
    if sender is None:
        return False
    local = sender.email.split("@", 1)[0]
    return local in _BOUNCE_LOCALPARTS or local.startswith("microsoftexchange")


def headers_say_bounce(sender: Address | None, subject: str) -> bool:
    """Whether From or Subject present the message as a delivery report: the header-only
    part of `looks_like_bounce`, which ingest uses to decide what to fetch whole."""
    return is_bounce_sender(sender) or bool(_BOUNCE_SUBJECT.match(subject))


def looks_like_bounce(msg: ParsedMessage) -> bool:
    """Whether the message presents itself as a delivery report."""
    ctype = msg.raw_headers.get("content-type", "").lower()
    if "multipart/report" in ctype and "delivery-status" in ctype:
        return True
    if any(p.content_type == "message/delivery-status" for p in msg.parts):
        return True
    return headers_say_bounce(msg.headers.from_, msg.headers.subject)


def _recipient(value: str) -> str | None:
    found = parse_addresses(value.split(";", 1)[-1].strip())
    return found[0].email if found else None


def _from_dsn(msg: ParsedMessage) -> tuple[list[str], bool, str | None, bool] | None:
    """Failed and delayed recipients of the delivery-status parts, hard flag, first status."""
    failed: list[str] = []
    hard = False
    status: str | None = None
    seen_status_part = False
    for part in msg.parts:
        if part.content_type != "message/delivery-status":
            continue
        seen_status_part = True
        for block in part.fields:
            fields = dict(block)
            action = fields.get("action", "").split(";", 1)[0].strip().lower()
            code_match = _STATUS.search(fields.get("status", ""))
            code = ".".join(code_match.groups()) if code_match else None
            if action not in ("failed", "delayed") and not (not action and code):
                continue
            if action != "failed" and code and code[0] == "2":
                continue
            who = fields.get("final-recipient") or fields.get("original-recipient") or ""
            address = _recipient(who)
            if address is None:
                continue
            failed.append(address)
            status = status or code
            hard = hard or (action in ("failed", "") and (code or "5").startswith("5"))
    if not seen_status_part:
        return None
    return failed, hard, status, bool(failed)


def _diagnostic_text(text: str) -> tuple[str, str]:
    """The bounce's own text and the returned copy below its marker."""
    marker = _COPY_MARKER.search(text)
    return (text[: marker.start()], text[marker.start() :]) if marker else (text, "")


def _from_text(own: str) -> tuple[list[str], bool, str | None]:
    recipients: list[str] = []
    for pattern in _RECIPIENT_LINES:
        for match in pattern.finditer(own):
            address = _recipient(match.group(1))
            if address and address not in recipients:
                recipients.append(address)
    status_match = _STATUS.search(own)
    status = ".".join(status_match.groups()) if status_match else None
    if status is None and (code := _SMTP_CODE.search(own)):
        status = f"{code.group(1)[0]}.0.0"
    if status is not None:
        return recipients, status.startswith("5"), status
    return recipients, not _SOFT_WORDS.search(own), None


def _original_id(msg: ParsedMessage, returned_text: str) -> str | None:
    for part in msg.parts:
        if part.returned is not None and part.returned.message_id:
            return part.returned.message_id
    found = _MESSAGE_ID_LINE.search(returned_text)
    if found:
        ids = message_ids(found.group(1))
        return ids[0] if ids else None
    return None


def find_bounce(msg: ParsedMessage) -> Bounce | None:
    """The bounce this message reports, or None when it reports no failed delivery."""
    own, returned = _diagnostic_text(msg.text)
    dsn = _from_dsn(msg)
    if dsn is not None:
        recipients, hard, status, failed = dsn
        if not failed:
            return None
        if not any(p.returned is not None for p in msg.parts) and not returned:
            returned = msg.text
        return Bounce(tuple(recipients), hard, status, _original_id(msg, returned))

    text_recipients, hard, status = _from_text(own)
    if not returned and _MESSAGE_ID_LINE.search(msg.text):
        returned = msg.text
    senders = {a.email for a in (msg.headers.from_, *msg.headers.to) if a is not None}
    others = tuple(r for r in text_recipients if r not in senders)
    return Bounce(others, hard, status, _original_id(msg, returned))
