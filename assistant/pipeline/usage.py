"""The model's bill: one ledger row per use (draft, regeneration, classification)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from assistant.llm.base import Usage
from assistant.models import Draft, ModelUsage


def record(
    session: Session,
    usage: Usage | None,
    *,
    purpose: str,
    model: str,
    at: datetime,
    rep_id: int | None,
    lead_id: int | None,
    draft: Draft | None = None,
) -> None:
    """Book a use of the model; adds its tokens and cost to the draft it was for, if any."""
    if usage is None or not _spent(usage):
        return
    session.add(
        ModelUsage(
            at=at,
            rep_id=rep_id,
            lead_id=lead_id,
            draft_id=draft.id if draft else None,
            purpose=purpose,
            model=model,
            batched=usage.batched,
            input_tokens=usage.input_tokens,
            cache_write_tokens=usage.cache_creation_input_tokens,
            cache_read_tokens=usage.cache_read_input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=usage.cost_usd,
        )
    )
    if draft is not None:
        draft.input_tokens += usage.input_tokens
        draft.cache_write_tokens += usage.cache_creation_input_tokens
        draft.cache_read_tokens += usage.cache_read_input_tokens
        draft.output_tokens += usage.output_tokens
        if usage.cost_usd is not None:
            draft.cost_usd = (draft.cost_usd or 0.0) + usage.cost_usd
        session.add(draft)


def _spent(usage: Usage) -> bool:
    return bool(
        usage.input_tokens
        or usage.cache_creation_input_tokens
        or usage.cache_read_input_tokens
        or usage.output_tokens
    )
