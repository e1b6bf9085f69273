"""Stage 5, draft: write the planned drafts around the chosen content and queue them.

The drafter sees only this lead's thread. Recipients and threading come from our records.
The trigger is unique, so two ticks or two replicas planning the same step make one draft.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from assistant import rules
from assistant.content.rank import Recommendation
from assistant.db import transaction
from assistant.errors import DraftError, NotFound, StateError
from assistant.llm.base import (
    ContentBrief,
    DraftRequest,
    LeadProfile,
    RepProfile,
    Turn,
)
from assistant.mail.compose import base_subject, reply_subject
from assistant.models import (
    ContentItem,
    Draft,
    DraftState,
    DraftVersion,
    Lead,
    Message,
    MessageState,
    Rep,
    Thread,
)
from assistant.pipeline.context import Context
from assistant.pipeline.plan import Job, Step
from assistant.pipeline.select import Choice, choose, excluded, ranker
from assistant.records import audit

MAX_TURNS = 8


@dataclass(frozen=True)
class Prepared:
    job: Job
    request: DraftRequest
    choice: Choice | None
    rep_id: int
    thread_id: int | None
    reply_to_id: int | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str


async def run(ctx: Context, jobs: list[Job], now: datetime) -> list[int]:
    """Write a draft for each job; returns the new draft ids."""
    made: list[int] = []
    for job in jobs:
        try:
            draft_id = await write(ctx, job, now)
        except DraftError as exc:
            ctx.log.error("lead %s: no draft this time: %s", job.lead_id, exc)
            continue
        if draft_id is not None:
            made.append(draft_id)
    return made


async def write(ctx: Context, job: Job, now: datetime) -> int | None:
    with transaction(ctx.engine) as session:
        prepared = prepare(session, job, now)
    if prepared is None:
        return None
    result = await ctx.drafter.draft(prepared.request)
    step = job.step
    reason = step.why
    with transaction(ctx.engine) as session:
        lead = session.get(Lead, job.lead_id)
        assert lead is not None
        draft = Draft(
            trigger=step.trigger or "",
            lead_id=job.lead_id,
            rep_id=prepared.rep_id,
            thread_id=prepared.thread_id,
            reply_to_id=prepared.reply_to_id,
            in_reply_to=prepared.in_reply_to,
            references=list(prepared.references),
            situation=prepared.request.situation,
            reason=reason,
            content_id=prepared.choice.item.id if prepared.choice else None,
            content_reason=prepared.choice.reason if prepared.choice else "no new content fits",
            subject=prepared.subject,
            body=result.body,
            drafter=result.drafter,
            rationale=result.rationale,
            flags=list(result.flags),
            prompt_template=result.prompt_template,
            prompt_hash=result.prompt_hash,
            rules_version=prepared.request.tone.version,
            touch_number=prepared.request.touch_number,
            created_at=now,
        )
        session.add(draft)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()  # another tick or replica wrote this very draft first
            return None
        if prepared.choice is not None and prepared.choice.stage:
            lead.stage = prepared.choice.stage
            session.add(lead)
        audit(session, "daemon", "drafted", lead, now, draft_id=draft.id, trigger=draft.trigger)
        item = prepared.choice.item.slug if prepared.choice else "no content"
        ctx.log.info(
            "drafted %s for %s (draft %s, %s) by %s",
            draft.situation.replace("_", "-"),
            lead.email,
            draft.id,
            item,
            result.drafter,
        )
        return draft.id


def prepare(
    session: Session,
    job: Job,
    now: datetime,
    *,
    instruction: str | None = None,
    content_slug: str | None = None,
    keep_content_id: int | None = None,
) -> Prepared | None:
    lead = session.get(Lead, job.lead_id)
    if lead is None or lead.owner_id is None:
        return None
    rep = session.get(Rep, lead.owner_id)
    assert rep is not None and rep.id is not None
    tone = rules.tone_for(session, rep.team, rep.email)
    step = job.step
    target = _target(session, step.reply_to or "")
    thread_id = target.thread_id if target else None
    turns = _turns(session, lead, thread_id)
    latest = target if target and target.direction == "inbound" else None
    understanding = latest.understanding if latest else {}
    events = tuple(e.get("type", "") for e in understanding.get("events", []))
    reply = latest.reply_text if latest else ""
    choice = _pick(
        session,
        lead,
        reply=reply or " ".join(lead.topics),
        intent=understanding.get("intent"),
        events=events,
        now=now,
        content_slug=content_slug,
        keep_content_id=keep_content_id,
    )
    thread = session.get(Thread, thread_id) if thread_id else None
    subject = base_subject(thread.subject if thread else (target.subject if target else ""))
    request = DraftRequest(
        situation="reply" if step.action == "reply" else step.situation,
        rep=RepProfile(rep.name, rep.email, rep.signature),
        lead=LeadProfile(
            lead.name,
            lead.email,
            lead.company,
            lead.title,
            lead.stage,
            topics=tuple(lead.topics),
        ),
        subject=subject,
        thread=turns,
        latest_reply=reply or None,
        content=_brief(choice, now),
        tone=tone,
        touch_number=step.touch_number or 1,
        instruction=instruction,
        seed=zlib.crc32(f"{step.trigger}:{instruction}:{content_slug}".encode()),
    )
    parent_id = target.message_id if target else None
    references = tuple(target.references) if target else ()
    return Prepared(
        job,
        request,
        choice,
        rep.id,
        thread_id,
        target.id if target and target.id else None,
        parent_id,
        references,
        reply_subject(subject) if subject else "Following up",
    )


def _target(session: Session, key: str) -> Message | None:
    """The message a step answers or follows up: ours by draft, or any by message id."""
    if key.startswith("m"):
        return session.get(Message, int(key[1:]))
    if key.startswith("d"):
        draft_id = int(key[1:])
        copy = session.exec(select(Message).where(Message.draft_id == draft_id)).first()
        if copy is not None:
            return copy
        draft = session.get(Draft, draft_id)
        if draft is not None and draft.message_id:
            return Message(
                rep_id=draft.rep_id,
                folder="",
                uidvalidity=0,
                uid=0,
                message_id=draft.message_id,
                references=draft.references,
                thread_id=draft.thread_id,
                lead_id=draft.lead_id,
                direction="outbound",
                subject=draft.subject,
                sent_at=draft.sent_at,
                text=draft.body,
            )
    return None


def _turns(session: Session, lead: Lead, thread_id: int | None) -> tuple[Turn, ...]:
    query = select(Message).where(
        Message.lead_id == lead.id, Message.state == MessageState.understood.value
    )
    if thread_id is not None:
        query = query.where(Message.thread_id == thread_id)
    rows = session.exec(query.order_by(col(Message.sent_at).desc()).limit(MAX_TURNS)).all()
    return tuple(
        Turn(
            "inbound" if m.direction == "inbound" else "outbound",
            m.sent_at,
            m.subject,
            m.reply_text or m.text,
        )
        for m in reversed(rows)
        if m.kind in (None, "human")
    )


def _brief(choice: Choice | None, now: datetime) -> ContentBrief | None:
    if choice is None:
        return None
    item = choice.item
    attachment = item.file_path.rsplit("/", 1)[-1] if item.file_path else None
    return ContentBrief(
        topics=tuple(item.topics),
        upcoming=item.type == "webinar" and item.event_date is not None and item.event_date > now,
        slug=item.slug,
        title=item.title,
        type=item.type,
        url=item.url,
        summary=item.summary,
        key_points=item.body,
        reason=choice.reason,
        attachment=attachment,
    )


def _pick(
    session: Session,
    lead: Lead,
    *,
    reply: str,
    intent: str | None,
    events: tuple[str, ...],
    now: datetime,
    content_slug: str | None,
    keep_content_id: int | None,
) -> Choice | None:
    """The ranker's choice, or the rep's: a swap names a slug, a regeneration keeps its item."""
    if content_slug is None and keep_content_id is None:
        return choose(session, lead, reply=reply, intent=intent, events=events, now=now)
    _, items = ranker(session)
    if content_slug is not None:
        if content_slug not in items:
            raise NotFound(f"There is no content item '{content_slug}'.")
        if content_slug in excluded(session, lead) - _riding(session, keep_content_id):
            raise StateError(f"{lead.email} has already received '{content_slug}'.")
        item = items[content_slug]
    else:
        item = next(i for i in items.values() if i.id == keep_content_id)
    return Choice(item, Recommendation(item.slug, 0.0, item.stage, ("chosen by the rep",)))


def _riding(session: Session, content_id: int | None) -> set[str]:
    if content_id is None:
        return set()
    item = session.get(ContentItem, content_id)
    return {item.slug} if item else set()


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
    """
    with transaction(ctx.engine) as session:
        draft = session.get(Draft, draft_id)
        if draft is None:
            raise NotFound(f"There is no draft {draft_id}.")
        if draft.state != DraftState.pending:
            raise StateError(
                f"Draft {draft_id} is {draft.state}: only pending drafts can be redone."
            )
        kind, _, key = draft.trigger.partition(":")
        step = Step(
            "reply" if kind == "reply" else "follow_up",
            draft.reason,
            draft.trigger,
            key,
            touch_number=draft.touch_number,
        )
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
    result = await ctx.drafter.draft(prepared.request)
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
        if prepared.choice is not None:
            draft.content_id = prepared.choice.item.id
            draft.content_reason = prepared.choice.reason
        session.add(draft)
        lead = session.get(Lead, draft.lead_id)
        audit(
            session,
            actor,
            "redrafted",
            lead,
            now,
            draft_id=draft_id,
            instruction=instruction,
            content=content_slug,
            version=draft.version,
        )
        return draft
