"""Follow-ups through the Message Batches API: submitted in one tick, collected in a later one.

Only follow-ups wait (half price, answers within hours); replies to a lead are drafted at once.
Each batched step is a BatchedDraft row, claimed through its unique trigger before the batch
is submitted and given the batch id after, so a restart collects what the API holds rather
than submitting again. A row the API never acknowledged (a crash mid-submission) or a batch
that never came back is released after a while, and the step is drafted again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from assistant.db import transaction
from assistant.errors import DraftError, ModelUnavailable
from assistant.llm.base import DraftResult
from assistant.llm.fallback import BatchDrafter
from assistant.models import BatchedDraft, Lead, LeadStatus
from assistant.pipeline.context import Context
from assistant.pipeline.draft_store import store
from assistant.pipeline.plan import Job
from assistant.pipeline.prepare import Prepared, library, prepare
from assistant.records import is_suppressed

UNACKNOWLEDGED = timedelta(minutes=15)  # claimed, but the API never gave us a batch id
ABANDONED = timedelta(hours=48)  # batches end within 24 hours; this one is lost to us


def can_wait(ctx: Context, job: Job) -> bool:
    """A follow-up, with batching on and a drafter that can batch."""
    return (
        ctx.settings.llm.batch
        and job.step.action == "follow_up"
        and isinstance(ctx.drafter, BatchDrafter)
    )


def waiting_triggers(ctx: Context) -> set[str]:
    with transaction(ctx.engine) as session:
        return set(session.exec(select(BatchedDraft.trigger)).all())


async def submit(ctx: Context, jobs: Sequence[Job], now: datetime) -> list[Job]:
    """Submit the jobs as one batch; returns those to draft in real time instead."""
    assert isinstance(ctx.drafter, BatchDrafter)
    claimed: list[tuple[int, Job, Prepared]] = []
    for job in jobs:
        with transaction(ctx.engine) as session:
            prepared = prepare(session, job, now)
        if prepared is None:
            continue
        row_id = _claim(ctx, prepared, now)
        if row_id is not None:
            claimed.append((row_id, job, prepared))
    if not claimed:
        return []
    items = [(_custom_id(row_id), prepared.request) for row_id, _, prepared in claimed]
    ids = [row_id for row_id, _, _ in claimed]
    try:
        batch_id = await ctx.drafter.submit_batch(items)
    except DraftError as exc:
        ctx.log.warning("batch not submitted (%s); drafting %d now", exc, len(claimed))
        _release(ctx, ids)
        return [job for _, job, _ in claimed]
    with transaction(ctx.engine) as session:
        for row in session.exec(select(BatchedDraft).where(col(BatchedDraft.id).in_(ids))):
            row.batch_id = batch_id
            session.add(row)
    ctx.log.info("%d follow-up(s) wait in batch %s", len(claimed), batch_id)
    return []


async def collect(ctx: Context, now: datetime) -> list[int]:
    """Store the drafts of every batch that has ended; returns the new draft ids."""
    if not isinstance(ctx.drafter, BatchDrafter):
        return []
    with transaction(ctx.engine) as session:
        rows = list(session.exec(select(BatchedDraft).order_by(col(BatchedDraft.id))).all())
        shelf = library(session, now)
    stale = [r.id for r in rows if r.id is not None and _stale(r, now)]
    if stale:
        ctx.log.warning("%d batched follow-up(s) never came back; drafting them again", len(stale))
        _release(ctx, stale)
    made: list[int] = []
    for batch_id in dict.fromkeys(r.batch_id for r in rows if r.batch_id and r.id not in stale):
        mine = [r for r in rows if r.batch_id == batch_id]
        prepared = [Prepared.from_json(r.prepared, shelf) for r in mine]
        items = [(_custom_id(r.id or 0), p.request) for r, p in zip(mine, prepared, strict=True)]
        try:
            outcomes = await ctx.drafter.collect_batch(batch_id, items)
        except ModelUnavailable as exc:
            ctx.log.warning("batch %s not collected this time: %s", batch_id, exc)
            continue
        if outcomes is None:
            continue
        for row, ready, outcome in zip(mine, prepared, outcomes, strict=True):
            draft_id = _store(ctx, row, ready, outcome, now)
            if draft_id is not None:
                made.append(draft_id)
            _release(ctx, [row.id or 0])
    return made


def _store(
    ctx: Context,
    row: BatchedDraft,
    prepared: Prepared,
    outcome: DraftResult | DraftError,
    now: datetime,
) -> int | None:
    if isinstance(outcome, DraftError):
        ctx.log.error("lead %s: batched draft failed: %s", row.lead_id, outcome)
        return None
    with transaction(ctx.engine) as session:
        lead = session.get(Lead, row.lead_id)
        wanted = (
            lead is not None
            and lead.status == LeadStatus.active
            and not is_suppressed(session, lead.email)
        )
    if not wanted:
        ctx.log.info("lead %s moved on while its follow-up was batched; dropped", row.lead_id)
        return None
    # Dated when it was planned, so a reply that came in meanwhile overtakes it.
    return store(ctx, prepared, outcome, now, created_at=row.submitted_at)


def _claim(ctx: Context, prepared: Prepared, now: datetime) -> int | None:
    try:
        with transaction(ctx.engine) as session:
            row = BatchedDraft(
                trigger=prepared.trigger,
                lead_id=prepared.lead_id,
                prepared=prepared.to_json(),
                submitted_at=now,
            )
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        return None  # another replica batched this step a moment ago


def _release(ctx: Context, ids: Sequence[int]) -> None:
    with transaction(ctx.engine) as session:
        session.execute(delete(BatchedDraft).where(col(BatchedDraft.id).in_(list(ids))))


def _stale(row: BatchedDraft, now: datetime) -> bool:
    age = now - row.submitted_at if row.submitted_at else ABANDONED
    return age >= (ABANDONED if row.batch_id else UNACKNOWLEDGED)


def _custom_id(row_id: int) -> str:
    return f"item-{row_id}"
