"""An approved draft to the exact MIME bytes that go out (text plus an HTML alternative)."""

from __future__ import annotations

import html
import mimetypes
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

_URL = re.compile(r"https?://[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|aw|sv|antw|vs|wg|fwd?|tr|r)\s*:\s*|\[ext\]\s*)+", re.I)


@dataclass(frozen=True)
class Outgoing:
    from_name: str
    from_email: str
    to_name: str
    to_email: str
    subject: str
    body: str
    date: datetime
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    attachment: Path | None = None
    cc: tuple[str, ...] = ()


def base_subject(subject: str) -> str:
    """A subject with its reply and forward prefixes folded away."""
    return _SUBJECT_PREFIX.sub("", one_line(subject)).strip()


def reply_subject(subject: str) -> str:
    base = base_subject(subject)
    return f"Re: {base}" if base else "Re:"


def one_line(value: str) -> str:
    """No CR, LF or other control character survives into a header."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", value).strip()


def new_message_id(from_email: str) -> str:
    return make_msgid(domain=from_email.rpartition("@")[2] or "localhost")


def to_html(body: str) -> str:
    """The plain body as simple HTML: paragraphs, line breaks and live links, nothing else."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", body.strip()):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return (
        '<!DOCTYPE html>\n<html><body style="font-family: sans-serif; font-size: 14px;">\n'
        + "\n".join(paragraphs)
        + "\n</body></html>\n"
    )


def compose(out: Outgoing, message_id: str) -> bytes:
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = Address(one_line(out.from_name), addr_spec=out.from_email)
    msg["To"] = Address(one_line(out.to_name), addr_spec=out.to_email)
    if out.cc:
        msg["Cc"] = [Address(addr_spec=one_line(a)) for a in out.cc]
    msg["Subject"] = one_line(out.subject)
    msg["Date"] = format_datetime(out.date)
    msg["Message-ID"] = message_id
    if out.in_reply_to:
        msg["In-Reply-To"] = one_line(out.in_reply_to)
    refs = [one_line(r) for r in out.references if r]
    if out.in_reply_to and out.in_reply_to not in refs:
        refs.append(one_line(out.in_reply_to))
    if refs:
        msg["References"] = " ".join(refs[-20:])  # RFC 5322 allows trimming the middle
    msg.set_content(out.body.strip() + "\n")
    msg.add_alternative(to_html(out.body), subtype="html")
    if out.attachment is not None:
        ctype = mimetypes.guess_type(out.attachment.name)[0] or "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(
            out.attachment.read_bytes(),
            maintype=maintype,
            subtype=subtype,
            filename=out.attachment.name,
        )
    return msg.as_bytes()
