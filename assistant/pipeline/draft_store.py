"""Queue a drafter's result for the rep: guardrails, the Draft row, what the model cost.

Whatever wrote the draft (the model, the offline templates, the fallback) passes the same
checks, and a flagged draft is stored with its flags, never fixed or dropped.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from assistant.db import transaction
from assistant.lifecycle import drafts as lifecycle
from assistant.llm import guardrails
from assistant.llm.base import DraftResult
from assistant.mail import scan as lead_scan
from assistant.models import Direction, Draft, Lead, Message
from assistant.pipeline import usage
from assistant.pipeline.context import Context
from assistant.pipeline.prepare import Prepared


def checked(ctx: Context, prepared: Prepared, result: DraftResult) -> DraftResult:
    """The result with the guardrails' flags: links, addresses, length, facts, injection."""
    request = prepared.request
    allowed = guardrails.allowlists(request, request.library)
    result = guardrails.apply_checks(
        result,
        request,
        allowed_urls=allowed.urls,
        allowed_addresses=allowed.addresses,
        library=request.library,
    )
    with transaction(ctx.engine) as session:
        sent = lead_scan.flag(sent_mail_findings(session, prepared), beside=result.flags)
    return replace(result, flags=list(dict.fromkeys([*result.flags, *sent])))


def sent_mail_findings(session: Session, prepared: Prepared) -> list[lead_scan.Finding]:
    """What the lead's mail as sent tried where a drafter never looks (hidden text, invites)."""
    query = select(Message.understanding).where(
        Message.lead_id == prepared.lead_id, Message.direction == Direction.inbound.value
    )
    if prepared.thread_id is not None:
        query = query.where(Message.thread_id == prepared.thread_id)
    return [
        finding
        for understanding in session.exec(query)
        for finding in lead_scan.from_json((understanding or {}).get("injection") or [])
    ]


def store(
    ctx: Context,
    prepared: Prepared,
    result: DraftResult,
    now: datetime,
    *,
    created_at: datetime | None = None,
) -> int | None:
    """Queue a checked draft for the rep; None when another tick or replica stored it first."""
    result = checked(ctx, prepared, result)
    with transaction(ctx.engine) as session:
        lead = session.get(Lead, prepared.lead_id)
        assert lead is not None
        draft = Draft(
            trigger=prepared.trigger,
            lead_id=prepared.lead_id,
            rep_id=prepared.rep_id,
            thread_id=prepared.thread_id,
            reply_to_id=prepared.reply_to_id,
            in_reply_to=prepared.in_reply_to,
            references=list(prepared.references),
            situation=prepared.request.situation,
            reason=prepared.reason,
            content_id=prepared.content_id,
            content_reason=prepared.content_reason,
            subject=prepared.subject,
            body=result.body,
            drafter=result.drafter,
            rationale=result.rationale,
            flags=list(result.flags),
            prompt_template=result.prompt_template,
            prompt_hash=result.prompt_hash,
            rules_version=prepared.request.tone.version,
            touch_number=prepared.request.touch_number,
            created_at=created_at or now,
            step=dict(prepared.step),
            cc=list(prepared.cc),
        )
        try:
            lifecycle.create(session, draft, now)
        except IntegrityError:
            session.rollback()  # another tick or replica wrote this very draft first
            return None
        usage.record(
            session,
            result.usage,
            purpose="draft",
            model=model_of(result),
            at=now,
            rep_id=prepared.rep_id,
            lead_id=prepared.lead_id,
            draft=draft,
        )
        if prepared.stage:
            lead.stage = prepared.stage
            session.add(lead)
        ctx.log.info(
            "drafted %s for %s (draft %s, %s) by %s%s",
            draft.situation.replace("_", "-"),
            lead.email,
            draft.id,
            prepared.request.content.slug if prepared.request.content else "no content",
            result.drafter,
            f" with {len(result.flags)} flag(s)" if result.flags else "",
        )
        return draft.id


def model_of(result: DraftResult) -> str:
    """The model's name as the usage ledger keeps it ("offline" for the templates)."""
    return result.drafter.removeprefix("anthropic:")
