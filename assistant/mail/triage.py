"""A first look at many header blocks: who wrote to whom, which thread, whether a bounce.

Pure; ingest reads each chunk of a folder's headers with it to choose what to fetch whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.mail.dsn import is_probable_bounce
from assistant.mail.parse import triage_headers


@dataclass(frozen=True, slots=True)
class Seen:
    """One message as its header block shows it (see `triage_headers`)."""

    uid: int
    senders: frozenset[str]
    recipients: frozenset[str]
    referenced: tuple[str, ...]
    bounce: bool


def look(headers: list[tuple[int, bytes]]) -> list[Seen]:
    """The first look at each (UID, header block)."""
    out = []
    for uid, raw in headers:
        t = triage_headers(raw)
        out.append(Seen(uid, t.senders, t.recipients, t.referenced, is_probable_bounce(t.fields)))
    return out
