"""Understanding one inbound message: machine mail, bounce, opt-out, intent and journey events."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, Literal

from assistant.errors import ParseError
from assistant.mail.autoreply import (
    absence_notice,
    automated_reason,
    challenge_reason,
    out_of_office_return,
)
from assistant.mail.dsn import Bounce, find_bounce, looks_like_bounce
from assistant.mail.intent import DEFAULT_COMPETITORS, Event, classify_intent, colleague_lines
from assistant.mail.optout import find_opt_out
from assistant.mail.parse import ParsedMessage, parse_message
from assistant.mail.reply import new_text
from assistant.mail.scan import Finding, scan

__all__ = ["Bounce", "Event", "Understanding", "classify_bytes", "understand"]

_CC_MENTION = re.compile(
    r"\bcc|\bcopied\b|\bcopying\b|\blooped\b|\bkopie\b|\bcopie\b|\bcopia\b|\bkopia\b|\bcópia\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Understanding:
    """What a message says, for the planner: its kind, new text, intent and events."""

    kind: Literal["human", "auto_reply", "bounce"]
    reply_text: str
    intent: str | None
    intent_evidence: str | None
    events: tuple[Event, ...]
    return_date: date | None
    opt_out: bool
    opt_out_evidence: str | None
    bounce: Bounce | None
    injection: tuple[Finding, ...] = ()  # filled from the raw bytes: see lead_scan.scan


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1]


def _new_stakeholders(msg: ParsedMessage, text: str, known: frozenset[str]) -> list[Event]:
    """Cc'd people on the buyer's side that we do not know yet."""
    sender = msg.headers.from_
    to = {a.email for a in msg.headers.to}
    sender_domain = _domain(sender.email) if sender else ""
    ours = {_domain(a) for a in to} - {sender_domain}
    skip = known | to | ({sender.email} if sender else set())
    mention = next((line.strip() for line in text.split("\n") if _CC_MENTION.search(line)), None)
    events: list[Event] = []
    for person in msg.headers.cc:
        if person.email in skip or _domain(person.email) in ours:
            continue
        label = f"{person.name} <{person.email}>" if person.name else person.email
        found = mention or f"Cc: {label}"
        events.append(Event("new_stakeholder", found, email=person.email, name=person.name or None))
    return events


def _referred_instead(
    msg: ParsedMessage, events: list[Event], ignore: frozenset[str]
) -> list[Event]:
    """ "Not my area, talk to my colleague": the colleague is the one copied on the reply, or
    the one the signature names with an address."""
    copied = [e for e in events if e.type == "new_stakeholder" and e.email]
    if copied:
        return [
            Event("referral", e.evidence, email=e.email, name=e.name) if e in copied else e
            for e in events
        ]
    sender = msg.headers.from_
    domain = _domain(sender.email) if sender else ""
    return events + colleague_lines(msg.text, ignore, domain)[:1] if domain else events


def understand(
    msg: ParsedMessage,
    *,
    today: date,
    lead_addresses: frozenset[str] = frozenset(),
    competitors: Iterable[str] = DEFAULT_COMPETITORS,
) -> Understanding:
    """Classify a parsed message; reads only the message and `today`."""
    text = new_text(msg.text)
    machine = automated_reason(msg.raw_headers, msg.headers.from_, msg.headers.subject)
    reported = "x-failed-recipients" in msg.raw_headers or any(
        p.content_type == "message/delivery-status" for p in msg.parts
    )
    # A verification request often quotes our message and says it "could not be delivered" yet.
    challenge = (
        None
        if reported
        else challenge_reason(msg.raw_headers.get("from", ""), msg.headers.subject, msg.text)
    )
    if (
        (machine or reported)
        and not challenge
        and looks_like_bounce(msg)
        and (bounce := find_bounce(msg))
    ):
        return Understanding("bounce", text, None, None, (), None, False, None, bounce)
    # Headers first; an absence notice's own words only when no header told.
    if machine is not None or challenge or absence_notice(text, today):
        back = out_of_office_return(text, today)
        return Understanding("auto_reply", text, None, None, (), back, False, None, None)
    known = frozenset(a.lower() for a in lead_addresses)
    sender = msg.headers.from_
    ignore = frozenset(
        known | {a.email for a in msg.headers.to} | ({sender.email} if sender else set())
    )
    intent, why, events = classify_intent(
        text, today, ignore_addresses=ignore, competitors=competitors
    )
    events.extend(_new_stakeholders(msg, text, known))
    if intent == "wrong_person" and not any(e.type == "referral" and e.email for e in events):
        events = _referred_instead(msg, events, ignore)
    opt_out = find_opt_out(text, msg.headers.subject)
    if opt_out is not None and intent not in ("not_interested", "wrong_person"):
        intent, why = "not_interested", opt_out
    return Understanding(
        "human", text, intent, why, tuple(events), None, opt_out is not None, opt_out, None
    )


def _event_json(event: Event) -> dict[str, Any]:
    out: dict[str, Any] = {"type": event.type, "evidence": event.evidence}
    if event.date is not None:
        out["date"] = event.date.isoformat()
    if event.email is not None:
        out["email"] = event.email
    if event.name is not None:
        out["name"] = event.name
    return out


def classify_bytes(raw: bytes, *, today: date) -> dict[str, Any]:
    """The `nurture classify --json` object for raw message bytes; never raises."""
    try:
        parsed = parse_message(raw)
        found = understand(parsed, today=today)
        found = replace(found, injection=tuple(scan(raw, parsed=parsed)))
    except ParseError as exc:
        return {
            "kind": "quarantined",
            "reason": exc.reason,
            "reply_text": None,
            "intent": None,
            "events": [],
            "return_date": None,
            "opt_out": False,
            "bounce": None,
            "injection": [],
        }
    bounce = found.bounce
    return {
        "kind": found.kind,
        "reply_text": found.reply_text,
        "intent": found.intent,
        "intent_evidence": found.intent_evidence,
        "events": [_event_json(e) for e in found.events],
        "return_date": found.return_date.isoformat() if found.return_date else None,
        "opt_out": found.opt_out,
        "opt_out_evidence": found.opt_out_evidence,
        "bounce": None
        if bounce is None
        else {
            "recipients": list(bounce.recipients),
            "hard": bounce.hard,
            "status": bounce.status,
            "original_message_id": bounce.original_message_id,
        },
        "injection": [asdict(finding) for finding in found.injection],
    }
