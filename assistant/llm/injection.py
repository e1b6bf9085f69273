"""What the lead's own text in a draft request tried to do to the model (see mail.signs)."""

from __future__ import annotations

from assistant.llm.base import DraftRequest
from assistant.mail.signs import LEAD_INSTRUCTS, injection_signals

__all__ = ["LEAD_INSTRUCTS", "injection_signals", "lead_flags", "lead_texts"]


def lead_flags(request: DraftRequest) -> list[str]:
    """What the lead's own text tried to do to the model; a new draft cannot change these."""
    domain = request.lead.email.rpartition("@")[2]
    signals = list(
        dict.fromkeys(s for text in lead_texts(request) for s in injection_signals(text, domain))
    )
    return [f"{LEAD_INSTRUCTS}: {'; '.join(signals)}"] if signals else []


def lead_texts(request: DraftRequest) -> list[str]:
    """Everything in a request that the lead (or whoever wrote as them) put there."""
    lead = request.lead
    texts = [lead.name, lead.company, lead.title, request.subject]
    for turn in request.thread:
        if turn.direction == "inbound":
            texts += [turn.subject, turn.text]
    if request.latest_reply:
        texts.append(request.latest_reply)
    return [text for text in texts if text]
