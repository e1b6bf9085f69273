"""Stage 3 (plan), its first half: what one new reading means for its lead, as typed decisions.

`react` is pure: the reading, the lead's status and `now` in, decisions out. The understand
stage applies them through `assistant.lifecycle` in the transaction that stores the reading,
so an opt-out is written together with its classification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from assistant.lifecycle.leads import morning
from assistant.models import LeadStatus
from assistant.reading import LATER_EVENTS, NEWCOMER_EVENTS, STOPPING_INTENTS, Intent, Kind


@dataclass(frozen=True)
class OptOut:
    evidence: str


@dataclass(frozen=True)
class HardBounce:
    status: str | None


@dataclass(frozen=True)
class SoftBounce:
    status: str | None


@dataclass(frozen=True)
class HandOver:
    evidence: str | None


@dataclass(frozen=True)
class Stop:
    intent: str
    evidence: str | None


@dataclass(frozen=True)
class Pause:
    until: datetime
    why: str
    asked: bool  # the lead asked for it ("try me in Q3"), rather than an out-of-office


@dataclass(frozen=True)
class ProposeLead:
    email: str
    name: str
    why: str


Decision = OptOut | HardBounce | SoftBounce | HandOver | Stop | Pause | ProposeLead


def on_bounce(bounce: Any) -> tuple[Decision, ...]:
    """A bounce matched to one of our leads: hard stops the address, soft is only noted."""
    return (HardBounce(bounce.status),) if bounce.hard else (SoftBounce(bounce.status),)


def react(
    reading: Any, status: str, now: datetime, undated_days: int | Callable[[], int] = 42
) -> tuple[Decision, ...]:
    """The decisions one reading of a lead's mail calls for, in the order they apply.

    "Not now" or a budget freeze with no date rests the lead `undated_days` (the cadence's
    pause_without_date_days) rather than following up as if nothing was said; given as a
    function, it is asked only then.
    """
    if reading.kind == Kind.auto_reply:
        back = reading.return_date
        if back and back > now.date() and status in (LeadStatus.active, LeadStatus.paused):
            return (Pause(morning(back), f"out of office until {back}", asked=False),)
        return ()
    if reading.kind != Kind.human:
        return ()
    if reading.opt_out:
        return (OptOut(reading.opt_out_evidence or "asked to stop"),)
    # People named or copied become leads to confirm, whatever else the reply says
    # ("I'm not the right person, talk to Jan" is a stop for this lead and a start for Jan).
    out: list[Decision] = [
        ProposeLead(e.email, e.name or "", e.type)
        for e in reading.events
        if e.type in NEWCOMER_EVENTS - {"leadership_change"} and e.email
    ]
    if reading.intent == Intent.ready_to_talk:
        return (*out, HandOver(reading.intent_evidence))
    if reading.intent in STOPPING_INTENTS:
        return (*out, Stop(reading.intent, reading.intent_evidence))
    for event in reading.events:
        if event.date and event.date > now.date() and event.type in LATER_EVENTS:
            why = f"asked to come back: {event.evidence}"
            out.append(Pause(morning(event.date), why, asked=True))
            break
    else:
        undated = next((e for e in reading.events if e.type in LATER_EVENTS and not e.date), None)
        if undated is not None and status == LeadStatus.active:
            days = undated_days() if callable(undated_days) else undated_days
            back = now.date() + timedelta(days=days)
            why = f"asked to hold off, no date given ({days} days): {undated.evidence}"
            out.append(Pause(morning(back), why, asked=True))
    return tuple(out)
