"""Stage 3, plan: decide each lead's next step from its conversation and the cadence rules.

`next_step` is a pure function of a lead's snapshot, `now` and the rules in force for the
lead's owner; `run` stores each lead's step (PlannedStep), from which the draft stage reads
what to write. Changes of status go through `assistant.lifecycle`. Nothing here sends or
drafts. (`react` is the plan's other half: what a new reading means for its lead.)
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlmodel import Session, col, or_, select

from assistant import leases
from assistant.cadence import Calendar, calendar_for, follow_up_wait, room
from assistant.db import transaction
from assistant.lifecycle import drafts, leads
from assistant.models import (
    AuditEntry,
    Direction,
    Draft,
    DraftState,
    Failure,
    FailureState,
    Lead,
    LeadStatus,
    Message,
    MessageState,
    PlannedStep,
    Rep,
    RepStatus,
)
from assistant.pipeline import facts, shunt
from assistant.pipeline.context import Context, Scope
from assistant.pipeline.facts import OpenDraft, Snapshot, Touch
from assistant.reading import Intent
from assistant.records import is_suppressed, jsonable
from assistant.rules import Cadence

__all__ = ["Job", "Snapshot", "Step", "Touch", "next_step", "run"]

Action = Literal["reply", "follow_up", "wait", "stop", "none"]
Situation = Literal["reply", "follow_up", "re_engage", "graceful_close", "referral_intro"]
WEEK = timedelta(days=7)
_ACTIVE = LeadStatus.active
NURTURING = (LeadStatus.active.value, LeadStatus.paused.value)
ANSWERED_ONCE = (LeadStatus.stopped.value, LeadStatus.sales_ready.value)


@dataclass(frozen=True)
class Step:
    action: Action
    why: str
    trigger: str | None = None
    reply_to: str | None = None  # the touch key being answered or followed up
    due: datetime | None = None
    touch_number: int = 0
    rule: str = ""  # the rule that decided: reply_within_hours, max_touches, ...
    situation: Situation = "follow_up"
    deadline: datetime | None = None  # replies: answer by then (reply_within_hours)
    notes: tuple[str, ...] = ()  # the reasoning, one sentence each, for `nurture plan`
    cancels: tuple[int, ...] = ()  # open drafts a newer reply has overtaken


def add_business_days(start: datetime, days: int) -> datetime:
    """Monday-to-Friday days after `start` (the demo's simple clock)."""
    current, added = start, 0
    while added < days:
        current += timedelta(days=1)
        added += current.weekday() < 5
    return current


def next_step(snap: Snapshot, now: datetime, rules: Cadence) -> Step:
    """What happens next for one lead, and why; pure: the clock comes in as `now`."""
    cal = calendar_for(rules, snap.local)
    zone = f"the lead's time zone is {snap.local.name} (from {snap.local.source})"
    if snap.status == LeadStatus.opted_out:
        return Step("stop", "the lead opted out: no more mail, ever", rule="stop: opt-out")
    human = [t for t in snap.touches if t.human]
    last_in = next((t for t in reversed(human) if t.direction == "inbound"), None)
    last_out = next((t for t in reversed(snap.touches) if t.direction == "outbound"), None)
    unanswered_reply = last_in is not None and (last_out is None or last_in.at > last_out.at)
    if snap.status in (LeadStatus.stopped, LeadStatus.sales_ready):
        # The message that ended nurturing still gets its one answer: thanks to a lead who
        # named a colleague, a yes with times to a lead who asked to talk. Then nothing.
        if unanswered_reply and last_in is not None and _answers_once(snap, last_in):
            return _reply(snap, now, rules, cal, last_in, zone)
        if snap.status == LeadStatus.sales_ready:
            return Step("stop", "the lead is sales-ready: the rep takes it from here", rule="stop")
        why = f"the lead is stopped ({snap.status_reason or 'by a rule'})"
        return Step("stop", why, rule="stop")
    if snap.status == LeadStatus.paused and snap.paused_until and snap.paused_until > now:
        # A lead who writes after their own out-of-office or "not now" is answered; a pause the
        # rep set (no message caused it) holds everything until the rep resumes.
        # The lead's own "try me in mid-September" is acknowledged once, then nothing until
        # the pause ends; an out-of-office is never answered (it is not a person's touch).
        hold = next((t for t in reversed(snap.touches) if t.pauses), None)
        wrote_since = (
            last_in is not None and unanswered_reply and hold is not None and last_in.at >= hold.at
        )
        if not wrote_since:
            back = cal.next_open(snap.paused_until + timedelta(days=rules.re_engage_after_days))
            return Step(
                "wait",
                f"paused until {cal.describe(snap.paused_until)} ({snap.status_reason}); "
                f"re-engage {rules.re_engage_after_days} day(s) after, from {cal.describe(back)}",
                due=back,
                rule="re_engage_after_days",
                notes=(zone,),
            )
    ended = snap.pause_ended_at
    if snap.status == LeadStatus.paused and snap.paused_until and snap.paused_until <= now:
        ended = snap.paused_until
    if last_in is not None and last_in.pauses and ended is not None and ended > last_in.at:
        # "Try me in Q3" is answered by re-engaging once Q3 comes, not by a late reply.
        unanswered_reply = False
    if unanswered_reply:
        assert last_in is not None
        return _reply(snap, now, rules, cal, last_in, zone)
    if snap.open_drafts:
        return _waiting_draft(snap.open_drafts)
    anchor = last_out or (last_in if ended is not None else None)
    if anchor is None and snap.introduced_by:
        return Step(
            "follow_up",
            "a colleague named this lead in a reply and the rep confirmed them: a first, "
            "introduced note",
            trigger=f"referral_intro:{snap.introduced_by}",
            due=now,
            touch_number=1,
            rule="referral",
            situation="referral_intro",
        )
    if anchor is None:
        return Step("none", "no conversation yet: nothing to answer or follow up")
    return _follow_up(snap, now, rules, cal, last_in, anchor, ended, zone)


def _answers_once(snap: Snapshot, last_in: Touch) -> bool:
    """The reply that stopped the lead or handed it over, when it calls for one answer."""
    if snap.status == LeadStatus.sales_ready:
        return snap.sales_ready_at is not None and last_in.at <= snap.sales_ready_at
    # "Not my area": thanks, and the colleague's address asked for when the lead gave none.
    return last_in.intent == Intent.wrong_person


def _reply(
    snap: Snapshot, now: datetime, rules: Cadence, cal: Calendar, last_in: Touch, zone: str
) -> Step:
    overtaken = tuple(
        d.id
        for d in snap.open_drafts
        if d.state in (DraftState.pending, DraftState.approved)
        and d.situation != "reply"
        and d.created_at < last_in.at
    )
    rest = [d for d in snap.open_drafts if d.id not in overtaken]
    if rest:
        return _waiting_draft(tuple(rest))
    deadline = last_in.at + timedelta(hours=rules.reply_within_hours)
    first = cal.next_open(now)
    notes = [zone, f"the reply can go out from {cal.describe(first)}, once the rep approves it"]
    if first > deadline:
        notes.append(
            f"that is after the {rules.reply_within_hours}-hour reply target "
            f"({cal.describe(deadline)}): the send window comes first"
        )
    if overtaken:
        notes.append(f"the lead's reply overtakes draft(s) {', '.join(map(str, overtaken))}")
    return Step(
        "reply",
        f"the lead replied on {cal.describe(last_in.at)} and has not had an answer "
        f"(rule: reply within {rules.reply_within_hours} hours)",
        trigger=f"reply:{last_in.key}",
        reply_to=last_in.key,
        due=now,
        rule="reply_within_hours",
        situation="reply",
        deadline=deadline,
        notes=tuple(notes),
        cancels=overtaken,
    )


def _waiting_draft(drafts: tuple[OpenDraft, ...]) -> Step:
    d = drafts[0]
    what = {
        DraftState.pending: "waits for the rep's approval",
        DraftState.approved: "is approved and waits for its send time",
        DraftState.sending: "is being sent",
        DraftState.unknown: "has an unknown send outcome: the rep must say whether it arrived",
    }.get(DraftState(d.state), d.state)
    return Step("none", f"draft #{d.id} ({d.situation.replace('_', '-')}) {what}", rule="draft")


def _follow_up(
    snap: Snapshot,
    now: datetime,
    rules: Cadence,
    cal: Calendar,
    last_in: Touch | None,
    last_out: Touch,
    ended: datetime | None,
    zone: str,
) -> Step:
    unanswered = sum(
        1
        for t in snap.touches
        if t.direction == "outbound" and (last_in is None or t.at > last_in.at)
    )
    if unanswered >= rules.max_touches:
        return Step(
            "stop",
            f"{unanswered} touches without a reply (rule: max_touches = {rules.max_touches})",
            rule="max_touches",
        )
    wait = follow_up_wait(rules, unanswered)
    due = cal.add_business_days(last_out.at, wait)
    rule = "follow_up_after_business_days"
    notes = [zone]
    grown = wait > rules.follow_up_after_business_days
    growth = f", grown ×{rules.spacing_growth} per unanswered touch" if grown else ""
    notes.append(
        f"the last email went out {cal.describe(last_out.at)}; {unanswered} unanswered "
        f"touch(es) so far; the next waits {wait} business day(s){growth} → {cal.describe(due)}"
    )
    situation: Situation = "follow_up"
    trigger = f"follow_up:{last_out.key}"
    if ended is not None and ended > last_out.at:
        due = ended + timedelta(days=rules.re_engage_after_days)
        rule, situation = "re_engage_after_days", "re_engage"
        trigger = f"re_engage@{ended:%Y%m%d}:{last_out.key}"  # the key stays after the colon
        notes.append(
            f"a pause ended {cal.describe(ended)}; re-engage {rules.re_engage_after_days} "
            f"day(s) later → {cal.describe(due)}"
        )
    gap = last_out.at + timedelta(days=rules.min_days_between_touches)
    if gap > due:
        due, rule = gap, "min_days_between_touches"
        notes.append(f"at least {rules.min_days_between_touches} day(s) between touches")
    capped = room(snap.company_sends, due, rules.company_weekly_cap, WEEK)
    if capped > due:
        due, rule = capped, "company_weekly_cap"
        notes.append(
            f"{snap.company} already has {rules.company_weekly_cap} email(s) within a week "
            f"(rule: company_weekly_cap); room again {cal.describe(due)}"
        )
    opens = cal.next_open(due)
    if opens > due:
        closed = cal.closed_because(due.astimezone(cal.local.tz).date())
        notes.append(
            f"{closed or 'that is outside the send window'}; the window "
            f"({rules.window_start}–{rules.window_end} on {', '.join(rules.working_days)}) "
            f"opens {cal.describe(opens)}"
        )
    touch = unanswered + 1
    if rules.graceful_close and touch == rules.max_touches:
        situation = "graceful_close"
        notes.append(f"touch {touch} is the last one allowed: a graceful close")
    when = f"touch {touch} of at most {rules.max_touches}"
    if now < opens:
        return Step(
            "wait",
            f"{situation.replace('_', '-')} ({when}) due {cal.describe(opens)} (rule: {rule})",
            due=opens,
            rule=rule,
            situation=situation,
            touch_number=touch,
            notes=tuple(notes),
        )
    silent = cal.business_days_between(last_out.at, now)
    return Step(
        "follow_up",
        f"no reply {silent} business day(s) after our last email ({when}; rule: {rule})",
        trigger=trigger,
        reply_to=last_out.key,
        due=opens,
        touch_number=touch,
        rule=rule,
        situation=situation,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class Job:
    lead_id: int
    step: Step


def step_to_row(lead_id: int, step: Step, now: datetime) -> PlannedStep:
    return PlannedStep(
        lead_id=lead_id,
        action=step.action,
        situation=step.situation,
        trigger=step.trigger,
        reply_to=step.reply_to,
        touch_number=step.touch_number,
        rule=step.rule,
        why=step.why,
        due=step.due,
        deadline=step.deadline,
        planned_at=now,
    )


def step_from_row(row: PlannedStep) -> Step:
    return Step(
        cast(Action, row.action),
        row.why,
        trigger=row.trigger,
        reply_to=row.reply_to,
        due=row.due,
        touch_number=row.touch_number,
        rule=row.rule,
        situation=cast(Situation, row.situation or "follow_up"),
        deadline=row.deadline,
    )


def step_json(step: Step) -> dict[str, Any]:
    """The step as a draft keeps it, so regenerating the draft reads it back as planned."""
    return jsonable({k: v for k, v in asdict(step).items() if k not in ("notes", "cancels")})


def step_from_json(data: dict[str, Any]) -> Step:
    values = dict(data)
    for key in ("due", "deadline"):
        values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
    return Step(**values)


async def run(ctx: Context, now: datetime, scope: Scope | None = None) -> int:
    """Plan the leads in scope (every lead being nurtured by default): store each one's next
    step, resume ended pauses, stop the exhausted. Each lead goes through the shunt, in the
    worker threads; returns how many were planned."""
    with transaction(ctx.engine) as session:
        query = select(Lead.id).where(
            or_(col(Lead.status).in_(NURTURING), col(Lead.id).in_(_wrote_since_planned())),
            col(Lead.owner_id).is_not(None),
            Lead.confirmed == True,  # noqa: E712
            col(Lead.id).not_in(shunt.held("plan", "lead", now)),
            col(Lead.id).not_in(_unread()),
        )
        share = leases.swept_here(ctx.held, ctx.shared_out)
        if scope is not None and scope.leads is not None:
            if scope.timers:
                scope.leads |= _fallen_due(session, scope, now, share)
            query = query.where(col(Lead.id).in_(sorted(scope.leads)))
        elif share is not None:
            query = query.where(share)
        lead_ids = [i for i in session.exec(query.order_by(col(Lead.id))).all() if i is not None]
    owners: dict[int | None, Cadence] = {}  # the rules in force per owner, read once a pass

    def plan_one(lead_id: int) -> None:
        with transaction(ctx.engine) as session:
            _plan_one(ctx, session, lead_id, now, owners)

    async def one(lead_id: int) -> None:
        await asyncio.to_thread(plan_one, lead_id)

    done = await shunt.each(ctx.engine, ctx.log, "plan", "lead", lead_ids, one, now, ctx.stopping)
    return len(done)


def _fallen_due(session: Session, scope: Scope, now: datetime, share: Any) -> set[int]:
    """Leads whose timers fell due, each found on an indexed column: a waiting step come due,
    a pause at its end, a failed attempt at its retry, a change recorded in the audit log
    (a person's action, a send) since the last timer pass; and leads with no step yet. Of
    these, the replica's share (`share`, a condition on Lead; None: all)."""
    found: set[int] = set()
    found.update(
        session.exec(
            select(PlannedStep.lead_id).where(
                col(PlannedStep.due) <= now, PlannedStep.action == "wait"
            )
        ).all()
    )
    found.update(
        i
        for i in session.exec(
            select(Lead.id).where(
                col(Lead.paused_until) <= now, Lead.status == LeadStatus.paused.value
            )
        ).all()
        if i is not None
    )
    found.update(
        session.exec(
            select(Failure.item_id).where(
                col(Failure.next_attempt_at) <= now,
                Failure.state == FailureState.retrying.value,
                col(Failure.stage).in_(["plan", "draft"]),
                Failure.kind == "lead",
            )
        ).all()
    )
    changed = session.exec(
        select(AuditEntry.id, AuditEntry.lead_id).where(col(AuditEntry.id) > scope.audit_after)
    ).all()
    for entry_id, lead_id in changed:
        scope.audit_after = max(scope.audit_after, entry_id or 0)
        if lead_id is not None:
            found.add(lead_id)
    found.update(
        i
        for i in session.exec(
            select(Lead.id).where(
                col(Lead.status).in_(NURTURING),
                Lead.confirmed == True,  # noqa: E712
                col(Lead.owner_id).is_not(None),
                col(Lead.id).not_in(select(PlannedStep.lead_id)),
            )
        ).all()
        if i is not None
    )
    if share is None or not found:
        return found
    mine = session.exec(select(Lead.id).where(col(Lead.id).in_(sorted(found)), share)).all()
    return {i for i in mine if i is not None}


def _plan_one(
    ctx: Context, session: Session, lead_id: int, now: datetime, owners: dict[int | None, Cadence]
) -> None:
    leases.wait_for_lead(session, lead_id)  # a replica planning it too waits its turn
    lead = session.get(Lead, lead_id)
    if lead is None or is_suppressed(session, lead.email):
        return
    if lead.owner_id not in owners:
        owners[lead.owner_id] = facts.rules_for(session, lead, ctx.settings)
    rules = owners[lead.owner_id]
    if leads.end_pause(session, lead, now):
        ctx.log.info("%s: pause ended, nurturing again", lead.email)
    step = next_step(facts.snapshot(session, lead, ctx.settings, now), now, rules)
    for draft_id in step.cancels:
        drafts.cancel(
            session, draft_id, "overtaken by a newer reply from the lead", now, actor="daemon"
        )
    assert lead.id is not None
    session.merge(step_to_row(lead.id, step, now))
    stopping = step.action == "stop"
    if stopping and leads.stop(session, lead, step.why, "daemon", now, allowed=(_ACTIVE,)):
        ctx.log.info("%s: stopped (%s)", lead.email, step.why)


def _wrote_since_planned() -> Any:
    """Leads with mail newer than their stored step: a stopped or sales-ready lead is planned
    again only then (its one answer), never on every pass."""
    return (
        select(Message.lead_id)
        .join(PlannedStep, col(PlannedStep.lead_id) == Message.lead_id, isouter=True)
        .where(
            Message.direction == Direction.inbound.value,
            col(Message.lead_id).is_not(None),
            or_(
                col(PlannedStep.planned_at).is_(None),
                col(Message.received_at) > PlannedStep.planned_at,
            ),
        )
    )


def _unread() -> Any:
    """Leads with mail not yet understood (new, or held by the shunt): they wait for it, so a
    reply that could not be read is never followed up as if it had not come."""
    return select(Message.lead_id).where(
        Message.state == MessageState.stored.value, col(Message.lead_id).is_not(None)
    )


def due_jobs(
    session: Session, now: datetime, leads: set[int] | None = None, share: Any = None
) -> list[Job]:
    """Stored steps that call for a draft not yet written, of leads still being nurtured by a
    rep on the floor: a removed rep's leads wait until someone hands them on (of the given
    leads only, when given; else of the replica's `share`, a condition on Lead)."""
    written = select(Draft.trigger)
    query = select(PlannedStep)
    if leads is not None:
        query = query.where(col(PlannedStep.lead_id).in_(sorted(leads)))
    elif share is not None:
        query = query.where(share)
    rows = session.exec(
        query.join(Lead, col(Lead.id) == PlannedStep.lead_id)
        .join(Rep, col(Rep.id) == Lead.owner_id)
        .where(
            Rep.status != RepStatus.removed.value,
            or_(
                col(Lead.status).in_(NURTURING),
                (col(Lead.status).in_(ANSWERED_ONCE)) & (col(PlannedStep.action) == "reply"),
            ),
            Lead.confirmed == True,  # noqa: E712
            col(PlannedStep.lead_id).not_in(shunt.held("plan", "lead", now)),
            col(PlannedStep.lead_id).not_in(_unread()),
            col(PlannedStep.action).in_(["reply", "follow_up"]),
            col(PlannedStep.trigger).is_not(None),
            col(PlannedStep.trigger).not_in(written),
            col(PlannedStep.lead_id).not_in(shunt.held("draft", "lead", now)),
        )
        .order_by(col(PlannedStep.lead_id))
    ).all()
    return [Job(row.lead_id, step_from_row(row)) for row in rows]
