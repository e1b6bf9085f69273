"""Where a lead is heading: the journey events in a reply and the stage its next item should have.

A lead stays at its stage until it has taken in some of it: engagement (a question, interest)
after two items of the stage moves it forward (awareness → consideration → decision), and makes
the next stage a close second before that. A budget freeze or "not now" moves it back to
lighter content; "let's talk" goes straight to decision content.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.content.library import STAGES
from assistant.content.vocabulary import compares, engaged, newcomer_personas
from assistant.reading import LATER_EVENTS

BACKWARD_EVENTS: frozenset[str] = LATER_EVENTS
BACKWARD_INTENTS = frozenset({"not_now", "not_interested"})
FORWARD_INTENTS = frozenset({"interested", "question"})
READY = frozenset({"ready", "ready_to_talk"})
# Items of its stage a lead has received before engagement moves it to the next stage.
STAGE_DEPTH = 2
# The understand stage's names for turns the ranker treats alike.
EVENT_ALIASES = {
    "leadership_change": "new_stakeholder",
    "referral": "new_stakeholder",
    "meeting_request": "ready_to_talk",
}


@dataclass(frozen=True)
class LeadContext:
    """What the ranker knows about one lead at one moment."""

    title: str = ""
    industry: str = ""
    stage: str = "awareness"
    topics: tuple[str, ...] = ()
    reply: str = ""
    events: tuple[str, ...] = ()
    intent: str | None = None


@lru_cache(maxsize=4096)
def journey_events(lead: LeadContext) -> frozenset[str]:
    """The lead's journey events in the ranker's terms, with the turns the reply itself shows."""
    events = {EVENT_ALIASES.get(e, e) for e in lead.events}
    if lead.intent == "not_now":
        events.add("not_now")
    if newcomer_personas(lead.reply):
        events.add("new_stakeholder")
    if compares(lead.reply):
        events.add("competitor")
    elif lead.intent == "question":
        # A product named in a question without any weighing of vendors ("does it write back
        # into Salesforce?") is a question about fit: its words, not a comparison, lead.
        events.discard("competitor")
    return frozenset(events)


def journey_intent(lead: LeadContext) -> str | None:
    """The lead's intent, read as interest when the reply shows it and nothing else was found."""
    if lead.intent in (None, "other") and engaged(lead.reply):
        return "interested"
    return lead.intent


@lru_cache(maxsize=4096)
def stage_weights(lead: LeadContext, consumed: int = 0) -> tuple[float, ...]:
    """Preference for each stage: the target 1.0, the stage beside it that fits next close behind.

    `consumed` is how many items of its current stage the lead already has.
    """
    current = STAGES.index(lead.stage) if lead.stage in STAGES else 0
    last = len(STAGES) - 1
    events = journey_events(lead)
    intent = journey_intent(lead)
    engaged = intent in FORWARD_INTENTS
    if events & BACKWARD_EVENTS or intent in BACKWARD_INTENTS:
        target = max(current - 1, 0)
    elif events & READY or intent in READY:
        target = last
    elif engaged and consumed >= STAGE_DEPTH:
        target = min(current + 1, last)
    elif "competitor" in events:
        target = max(current, 1)  # comparisons are consideration content
    else:
        target = current
    weights = []
    for stage in range(len(STAGES)):
        if stage == target:
            weights.append(1.0)
        elif target < current:
            # Paused: the lighter stage behind stays welcome, the one just left much less so.
            weights.append(0.3 if stage == current else 0.6 if stage < target else 0.0)
        elif stage == current:
            weights.append(0.8)
        elif stage == target + 1 and engaged:
            weights.append(0.8)  # an engaged lead may take a step ahead when the words lead there
        elif abs(stage - target) == 1:
            weights.append(0.4)
        else:
            weights.append(0.0)
    return tuple(weights)


def stage_reason(stage: str, lead: LeadContext, target: str) -> str:
    if stage != target:
        return f"{stage} stage"
    if STAGES.index(target) < STAGES.index(lead.stage if lead.stage in STAGES else STAGES[0]):
        return f"{stage} stage: lighter content while the lead is paused"
    if target != lead.stage:
        return f"{stage} stage: the lead is moving forward"
    return f"{stage} stage"


def target_stage(lead: LeadContext, consumed: int = 0) -> str:
    """The stage whose content the lead should get next."""
    weights = stage_weights(lead, consumed)
    return STAGES[max(range(len(STAGES)), key=weights.__getitem__)]
