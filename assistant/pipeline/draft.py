"""Stage 5, draft: write the planned drafts around the chosen content and queue them.

Every drafter's output goes through the same guardrails before it is stored, flags and all;
each draft records its template, prompt hash, rules version, drafter and what the model
cost. Replies are drafted at once; with `[llm] batch = true` follow-ups wait in a Message
Batch (see `draft_batch`). The trigger is unique, so two ticks or two replicas planning the
same step make one draft; a lease on the trigger while it is written keeps a second replica
from paying the model for it too.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import cast

from sqlmodel import select

from assistant import clock, leases
from assistant.db import transaction
from assistant.errors import DraftError, NotFound, StateError
from assistant.models import Draft, DraftState, DraftVersion, Lead, LeadStatus
from assistant.pipeline import draft_batch, facts, shunt, usage
from assistant.pipeline.context import Context, Scope
from assistant.pipeline.draft_store import checked, model_of, store
from assistant.pipeline.plan import Job, Situation, Step, due_jobs, step_from_json
from assistant.pipeline.prepare import Prepared, prepare
from assistant.records import audit, is_suppressed

# Longer than any one drafting (the model's timeout and retries); a replica that died holding
# a claim leaves the step to the others after this.
DRAFT_CLAIM = timedelta(minutes=10)


async def run(ctx: Context, now: datetime, scope: Scope | None = None) -> list[int]:
    """Write a draft for each stored step that calls for one (of the leads in scope, when a
    wake names them; a timer pass takes every step due); returns the new draft ids (batched
    ones as they come back). Each lead goes through the shunt."""
    # Planned before the batch came back: a collected step is not drafted a second time.
    waiting = draft_batch.waiting_triggers(ctx)
    made = await draft_batch.collect(ctx, now)
    only = scope.leads if scope is not None and not scope.timers else None
    with transaction(ctx.engine) as session:
        share = leases.swept_here(ctx.held, ctx.shared_out)
        jobs = [
            job for job in due_jobs(session, now, only, share) if job.step.trigger not in waiting
        ]
    now_jobs = [job for job in jobs if not draft_batch.can_wait(ctx, job)]
    later = [job for job in jobs if draft_batch.can_wait(ctx, job)]
    if later:
        now_jobs += await draft_batch.submit(ctx, later, now)
    by_lead = {job.lead_id: job for job in now_jobs}

    async def one(lead_id: int) -> int | None:
        job = by_lead[lead_id]
        if not await asyncio.to_thread(_claim, ctx, job):
            return None  # another replica is writing this very step
        try:
            return await write(ctx, job, now)
        except DraftError as exc:  # the model is down or refused: the next pass tries again
            ctx.log.error("lead %s: no draft this time: %s", lead_id, exc)
            return None
        finally:
            await asyncio.to_thread(_unclaim, ctx, job)

    results = await shunt.each(
        ctx.engine,
        ctx.log,
        "draft",
        "lead",
        list(by_lead),
        one,
        now,
        ctx.stopping,
        concurrency=ctx.settings.llm.max_concurrency,
    )
    return made + [draft_id for draft_id in results if draft_id is not None]


def _claim(ctx: Context, job: Job) -> bool:
    """Lease the step's trigger while it is drafted: the unique trigger already keeps a second
    draft out, the lease also keeps a second replica from asking the model for it."""
    trigger = job.step.trigger
    assert trigger is not None
    with transaction(ctx.engine) as session:
        if not leases.acquire(session, leases.DRAFT, trigger, clock.wall(), DRAFT_CLAIM):
            return False
        if session.exec(select(Draft.id).where(Draft.trigger == trigger)).first() is None:
            return True
        leases.release(session, leases.DRAFT, [trigger])  # written while this pass looked
        return False


def _unclaim(ctx: Context, job: Job) -> None:
    assert job.step.trigger is not None
    with transaction(ctx.engine) as session:
        leases.release(session, leases.DRAFT, [job.step.trigger])


async def write(ctx: Context, job: Job, now: datetime) -> int | None:
    """Prepare, draft and queue one job; None when there was nothing to write. Choosing the
    content and storing run in the worker threads."""

    def prepared_job() -> Prepared | None:
        with transaction(ctx.engine) as session:
            return prepare(session, job, now)

    prepared = await asyncio.to_thread(prepared_job)
    if prepared is None:
        return None
    result = await ctx.drafter.draft(prepared.request)
    return await asyncio.to_thread(store, ctx, prepared, result, now)


async def redraft(
    ctx: Context,
    draft_id: int,
    *,
    actor: str,
    now: datetime,
    instruction: str | None = None,
    content_slug: str | None = None,
) -> Draft:
    """Regenerate a pending draft (with the rep's instruction, or around other content).

    The earlier text is kept as a DraftVersion; the draft keeps its id, trigger and thread.
    An instruction that names a kind of content ("mention the webinar") brings in an item
    of that kind when one is left for the lead.
    """
    instruction = " ".join(instruction.split()) if instruction else None
    with transaction(ctx.engine) as session:
        draft = session.get(Draft, draft_id)
        if draft is None:
            raise NotFound(f"There is no draft {draft_id}.")
        if draft.state != DraftState.pending:
            raise StateError(
                f"Draft {draft_id} is {draft.state}: only pending drafts can be redone."
            )
        step = step_from_json(draft.step) if draft.step else _step_of_older(draft)
        prepared = prepare(
            session,
            Job(draft.lead_id, step),
            now,
            instruction=instruction,
            content_slug=content_slug,
            keep_content_id=draft.content_id if content_slug is None else None,
        )
        assert prepared is not None
        version = draft.version
    result = checked(ctx, prepared, await ctx.drafter.draft(prepared.request))
    with transaction(ctx.engine) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        if draft.state != DraftState.pending or draft.version != version:
            raise StateError(f"Draft {draft_id} changed while it was being redone; try again.")
        session.add(
            DraftVersion(
                draft_id=draft_id,
                version=draft.version,
                subject=draft.subject,
                body=draft.body,
                content_id=draft.content_id,
                drafter=draft.drafter,
                flags=list(draft.flags),
                replaced_by=f"instruction: {instruction}" if instruction else "content swap",
                created_at=now,
            )
        )
        draft.version += 1
        draft.body, draft.drafter, draft.flags = result.body, result.drafter, list(result.flags)
        draft.rationale = result.rationale
        draft.prompt_template, draft.prompt_hash = result.prompt_template, result.prompt_hash
        draft.rules_version = prepared.request.tone.version
        draft.content_id = prepared.content_id
        draft.content_reason = prepared.content_reason
        session.add(draft)
        usage.record(
            session,
            result.usage,
            purpose="regenerate",
            model=model_of(result),
            at=now,
            rep_id=draft.rep_id,
            lead_id=draft.lead_id,
            draft=draft,
        )
        lead = session.get(Lead, draft.lead_id)
        audit(
            session,
            actor,
            "redrafted",
            lead,
            now,
            draft_id=draft_id,
            instruction=instruction,
            content=prepared.request.content.slug if prepared.request.content else None,
            version=draft.version,
        )
        return draft


def _step_of_older(draft: Draft) -> Step:
    """A draft stored before drafts kept their step: read back from its trigger."""
    kind, _, key = draft.trigger.partition(":")
    return Step(
        "reply" if kind == "reply" else "follow_up",
        draft.reason,
        draft.trigger,
        key,
        touch_number=draft.touch_number,
        situation=cast(Situation, draft.situation),
    )


async def draft_now(
    ctx: Context, lead_id: int, *, actor: str, now: datetime, instruction: str | None = None
) -> int:
    """A draft for this lead now, when a person asks: an answer to the lead's unanswered
    reply, else a follow-up. Any lead that may be written to (paused and sales-ready too);
    never an address that objected or bounced."""
    instruction = " ".join(instruction.split()) if instruction else None
    with transaction(ctx.engine) as session:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise NotFound("There is no such lead.")
        if lead.status == LeadStatus.opted_out or is_suppressed(session, lead.email):
            raise StateError(f"{lead.email} asked not to be contacted (or bounced): no draft.")
        if lead.owner_id is None:
            raise StateError(f"{lead.email} has no rep: assign one before drafting.")
        snap = facts.snapshot(session, lead, ctx.settings, now)
        inbound = [t for t in snap.touches if t.human and t.direction == "inbound"]
        outbound = [t for t in snap.touches if t.direction == "outbound"]
        answer = (
            inbound[-1] if inbound and (not outbound or inbound[-1].at > outbound[-1].at) else None
        )
        touch = 1 + sum(1 for t in outbound if not inbound or t.at > inbound[-1].at)
        step = Step(
            "reply" if answer else "follow_up",
            f"{actor} asked for a draft now" + (f": {instruction}" if instruction else ""),
            trigger=f"manual:{lead_id}:{now:%Y%m%dT%H%M%S%f}",
            reply_to=answer.key if answer else (outbound[-1].key if outbound else None),
            touch_number=touch,
            rule="asked by a person",
            situation="reply" if answer else "follow_up",
        )
        prepared = prepare(session, Job(lead_id, step), now, instruction=instruction)
        if prepared is None:
            raise StateError(f"{lead.email} cannot be drafted for now.")
    result = await ctx.drafter.draft(prepared.request)
    draft_id = store(ctx, prepared, result, now)
    if draft_id is None:
        raise StateError("A draft for this lead was made a moment ago; see the queue.")
    return draft_id
