"""The vocabulary of one reading of a message, and its stored form (Message.understanding).

Understand writes a reading once; plan, select and draft read it back through `load`, so every
stage speaks of the same kinds, intents and events, and "come back later" is listed once.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date
from typing import Any


class Kind(enum.StrEnum):
    human = "human"
    auto_reply = "auto_reply"
    bounce = "bounce"


class Intent(enum.StrEnum):
    ready_to_talk = "ready_to_talk"
    question = "question"
    interested = "interested"
    not_now = "not_now"
    not_interested = "not_interested"
    wrong_person = "wrong_person"
    other = "other"


class EventType(enum.StrEnum):
    come_back_later = "come_back_later"
    meeting_request = "meeting_request"
    budget_freeze = "budget_freeze"
    referral = "referral"
    new_stakeholder = "new_stakeholder"
    competitor = "competitor"
    scope_change = "scope_change"
    leadership_change = "leadership_change"


# Turns that put the lead on hold until a date: paused, then re-engaged, never answered late.
LATER_EVENTS = frozenset({EventType.come_back_later, EventType.budget_freeze})
# Turns that bring a new person into the conversation.
NEWCOMER_EVENTS = frozenset(
    {EventType.referral, EventType.new_stakeholder, EventType.leadership_change}
)
READY_EVENTS = frozenset({EventType.meeting_request})
# Intents that end nurturing of this lead (the referral in "talk to Jan" still starts Jan's).
STOPPING_INTENTS = frozenset({Intent.not_interested, Intent.wrong_person})


@dataclass(frozen=True)
class StoredEvent:
    type: str
    evidence: str = ""
    date: date | None = None
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class StoredReading:
    """A reading as stored with its message: what plan and select need of it."""

    kind: str = ""
    intent: str | None = None
    intent_evidence: str | None = None
    events: tuple[StoredEvent, ...] = ()
    return_date: date | None = None
    opt_out: bool = False
    read_by: str = "offline"

    @property
    def pauses(self) -> bool:
        """This message put the lead on hold: an out-of-office, "try me in Q3", a freeze."""
        return self.kind == Kind.auto_reply or any(e.type in LATER_EVENTS for e in self.events)


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def dump(understanding: Any, read_by: str) -> dict[str, Any]:
    """The JSON stored with a message, from the understanding dataclass of mail.classify."""
    assert is_dataclass(understanding) and not isinstance(understanding, type)
    return {**_jsonable(asdict(understanding)), "read_by": read_by}


def load(data: dict[str, Any] | None) -> StoredReading:
    """The stored JSON back as a reading; tolerant of older rows and missing keys."""
    data = data or {}
    events = tuple(
        StoredEvent(
            str(e.get("type", "")),
            str(e.get("evidence") or ""),
            _day(e.get("date")),
            e.get("email"),
            e.get("name"),
        )
        for e in data.get("events") or ()
        if isinstance(e, dict)
    )
    return StoredReading(
        kind=str(data.get("kind") or ""),
        intent=data.get("intent"),
        intent_evidence=data.get("intent_evidence"),
        events=events,
        return_date=_day(data.get("return_date")),
        opt_out=bool(data.get("opt_out")),
        read_by=str(data.get("read_by") or "offline"),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
