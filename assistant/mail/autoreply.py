"""Automated mail (RFC 3834 headers, bulk mail, out-of-office subjects) and return dates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from assistant.language import alternatives
from assistant.mail.dates import explicit_dates, return_date
from assistant.mail.dsn import is_bounce_sender, names_mail_system
from assistant.mail.headers import Address
from assistant.mail.text import sentences

_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})
_OOO_SUBJECT = re.compile(
    rf"^\s*(?:\[[^\]]{{0,40}}\]\s*)?(?:re:\s*)?(?:{alternatives('autoreply.subject')})",
    re.IGNORECASE,
)
_RETURN_WORDS = re.compile(rf"\b(?:{alternatives('autoreply.return_words')})")
# What an absence notice says in its first lines, for servers that send no RFC 3834 header.
_ABSENT_TEXT = re.compile(alternatives("autoreply.absent_text"), re.IGNORECASE)
_ABSENT_TEXT_CHARS = 400
_ABSENT_FROM = re.compile(rf"\b(?:{alternatives('autoreply.absent_from')})\s+(?:the\s+)?$")
# A notice also says when the person is back or who to ask meanwhile; a person's reply that
# mentions a trip ("I'm travelling this week but …") rarely does both.
_ABSENT_DETAIL = re.compile(rf"\b(?:{alternatives('autoreply.absent_detail')})\b", re.IGNORECASE)
# Challenge-response and sender-verification systems hold the mail until the sender proves
# to be a person: machine mail, neither a reply nor a failed delivery.
_CHALLENGE_DOMAINS = re.compile(
    r"@(?:[\w-]+\.)*(?:boxbe|bluebottle|spamarrest|mailblocks|sendio|choicemail|"
    r"qurb|spamcease|mailinblack|antispameurope)\.(?:com|net|org|fr|de)\b",
    re.IGNORECASE,
)
# Searched in lower-cased text: much faster than with IGNORECASE over 2,000 characters.
# Every phrase starts a word: with \b in front the engine only tries them where a word starts.
_CHALLENGE_TEXT = re.compile(rf"\b(?:{alternatives('autoreply.challenge')})")
_CHALLENGE_TEXT_CHARS = 2000
_ENGLISH = re.compile(r"\b(?:the|and|will|back|office|until|return)\b", re.IGNORECASE)


def automated_reason(
    headers: Mapping[str, str], sender: Address | None, subject: str
) -> str | None:
    """Why the message is automated (a header or the subject), or None for a person's mail."""
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        if name in headers and headers[name].strip().lower() not in ("no", "false", "0"):
            return f"{name}: {headers[name]}"
    mailer = headers.get("x-mailer", "").lower()
    if "autorespond" in mailer or "vacation" in mailer:
        return f"X-Mailer: {headers['x-mailer']}"
    ctype = headers.get("content-type", "").lower()
    if "multipart/report" in ctype and "disposition-notification" in ctype:
        return "read receipt (RFC 8098 disposition notification)"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in _PRECEDENCE:
        return f"Precedence: {precedence}"
    if headers.get("return-path", "").strip() == "<>":
        return "Return-Path: <>"
    if is_bounce_sender(sender) or names_mail_system(headers.get("from", "")):
        return f"From: {sender.email if sender else headers.get('from', '')}"
    if _OOO_SUBJECT.match(subject):
        return f"Subject: {subject}"
    return None


def challenge_reason(from_field: str, subject: str, text: str) -> str | None:
    """Why the message is a challenge-response system's verification request, or None."""
    if _CHALLENGE_DOMAINS.search(from_field):
        return f"From: {from_field.strip()}"
    low_subject, low_text = subject.lower(), text[:_CHALLENGE_TEXT_CHARS].lower()
    found = _CHALLENGE_TEXT.search(low_subject) or _CHALLENGE_TEXT.search(low_text)
    return f"sender verification: {found.group(0)}" if found else None


def absence_notice(text: str, today: date) -> str | None:
    """The opening words of an out-of-office notice, when the text starts like one.

    A person who writes that their leave starts after `today` ("I'm on annual leave from the
    14th of December …" in November) is not away yet: no notice.
    """
    found = _ABSENT_TEXT.search(text[:_ABSENT_TEXT_CHARS])
    if found is None or not _ABSENT_DETAIL.search(text):
        return None
    if _starts_later(text, today):
        return None
    return found.group(0)


def _starts_later(text: str, today: date) -> bool:
    """Whether the sentence that says the writer is away says it starts after `today`."""
    for sentence in sentences(text[: _ABSENT_TEXT_CHARS * 2]):
        low = sentence.lower()
        if not _ABSENT_TEXT.search(low):
            continue
        month_first = bool(_ENGLISH.search(low))
        for pos, day in explicit_dates(low, today, month_first=month_first):
            if _ABSENT_FROM.search(low[max(0, pos - 24) : pos]):
                return day > today
        return False
    return False


def out_of_office_return(text: str, today: date) -> date | None:
    """The date an absent person is back: the latest date the auto-reply gives for it."""
    month_first = bool(_ENGLISH.search(text))
    found = [
        return_date(sentence, today, month_first=month_first)
        for sentence in sentences(text)[:30]
        if _RETURN_WORDS.search(sentence.lower())
    ]
    future = [d for d in found if d is not None and d >= today]
    return max(future) if future else None
