"""When an approved email may go out: the lead's send window and the mailbox's limits.

`slot` is pure: approval calls it to fix `send_after`, and the send stage calls it again at
the last moment, because the rules, the clock or the mailbox's load may have moved since.
The mailbox's limits are the cadence caps and, above them, the provider's send budget.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from assistant.cadence import Calendar, calendar_for, room
from assistant.config import Settings
from assistant.models import Draft, DraftState, Lead, Rep
from assistant.oauth.store import MailboxGrant
from assistant.pipeline import budget, facts
from assistant.pipeline.budget import Budget, Send
from assistant.rules import Cadence

DAY = timedelta(hours=24)
MINUTE = timedelta(seconds=60)
WEEK = timedelta(days=7)
HORIZON = timedelta(days=10)  # how far a window can push a send: a long weekend and more
# States that used up a slot of the mailbox: on the wire, out, or possibly out.
_SPENT = (DraftState.sent.value, DraftState.sending.value, DraftState.unknown.value)


@dataclass(frozen=True)
class Slot:
    at: datetime
    note: str


def stagger(rules: Cadence, rng: random.Random) -> timedelta:
    """The gap after one send of a mailbox: the per-minute throttle, stretched by jitter."""
    return timedelta(seconds=60 / rules.per_minute_throttle * rng.uniform(1.0, 1.5))


def slot(
    cal: Calendar,
    rules: Cadence,
    earliest: datetime,
    mailbox: Sequence[datetime],
    company: Sequence[datetime] = (),
    *,
    rng: random.Random,
    limit: Budget | None = None,
    sends: Sequence[Send] = (),
    recipients: int = 1,
) -> Slot:
    """The first moment from `earliest` inside the lead's window and the mailbox's limits.

    `mailbox` holds the times of the mailbox's other sends (done or scheduled); `company`
    those to the lead's company, for unsolicited mail only (a reply is never held back by it).
    `limit` is the mailbox's send budget, counted over `sends` (the same sends with their
    recipients); no cadence cap can take a mailbox past it.
    """
    moment, notes = earliest, []
    busy = sorted(mailbox)
    gap = stagger(rules, rng)  # drawn once: the same draft keeps the same gap on every check
    for _ in range(len(busy) + len(company) + 8):
        opens = cal.next_open(moment)
        if opens > moment:
            notes.append(f"the lead's send window opens {cal.describe(opens)}")
            moment = opens
        near = [b for b in busy if abs(b - moment) < gap]
        if near:
            moment = max(near) + gap
            notes.append(
                f"spaced after the mailbox's other sends ({rules.per_minute_throttle}/min)"
            )
            continue
        later = room(busy, moment, rules.daily_cap_per_mailbox, DAY)
        if later > moment:
            moment = later
            notes.append(f"the mailbox's daily cap ({rules.daily_cap_per_mailbox}) is reached")
            continue
        later = room(company, moment, rules.company_weekly_cap, WEEK)
        if later > moment:
            moment = later
            notes.append(f"the company's weekly cap ({rules.company_weekly_cap}) is reached")
            continue
        if limit is not None:
            later, why = budget.earliest(limit, sends, moment, recipients)
            if later > moment:
                moment = later
                notes.append(why)
                continue
        break
    return Slot(moment, "; ".join(dict.fromkeys(notes)) or "as soon as approved")


def mailbox_sends(
    session: Session, rep_id: int, around: datetime, exclude: int | None, scheduled: bool
) -> list[Send]:
    """This mailbox's sends (and, if `scheduled`, those to come) from a day before `around`."""
    states = [*_SPENT, DraftState.approved.value] if scheduled else list(_SPENT)
    rows = session.exec(
        select(Draft).where(
            Draft.rep_id == rep_id,
            col(Draft.id) != (exclude or 0),
            col(Draft.state).in_(states),
            func.coalesce(Draft.sent_at, Draft.sending_since, Draft.send_after) > around - DAY,
        )
    ).all()
    out = []
    for d in rows:
        moment = d.send_after if d.state == DraftState.approved else (d.sent_at or d.sending_since)
        if moment is not None and moment < around + HORIZON:
            out.append(Send(moment, 1 + len(d.cc)))
    return out


def mailbox_budget(session: Session, settings: Settings, rep_id: int) -> Budget | None:
    """The send budget of this rep's mailbox; None for a rep without mailbox settings."""
    from assistant import roster

    rep = session.get(Rep, rep_id)
    # The file's own entry carries a per-rep [reps.send_budget]; a rep added at run time has
    # the provider's defaults.
    rep_settings = (settings.rep(rep.email) or roster.as_settings(rep)) if rep else None
    if rep is None or rep_settings is None:
        return None
    granted = session.exec(
        select(MailboxGrant.provider).where(MailboxGrant.email == rep.email)
    ).first()
    return budget.budget_for(settings, rep_settings, granted)


def recent_count(session: Session, rep_id: int, since: datetime) -> int:
    """Mails of this mailbox on the wire or out since `since` (for the last-moment check)."""
    return session.exec(
        select(func.count()).where(
            Draft.rep_id == rep_id,
            col(Draft.state).in_(_SPENT),
            func.coalesce(Draft.sent_at, Draft.sending_since) > since,
        )
    ).one()


def for_draft(
    session: Session,
    settings: Settings,
    draft: Draft,
    lead: Lead,
    earliest: datetime,
    *,
    at_send_time: bool = False,
) -> tuple[Slot, Calendar, Cadence]:
    """The slot for one draft under the rules in force for its lead's owner now.

    At approval the queue's other scheduled sends count, so approvals spread out; at send
    time only mail already on the wire does, so drafts due together never leapfrog.
    """
    rules = facts.rules_for(session, lead, settings)
    cal = calendar_for(rules, facts.local_time(session, lead, settings))
    company: Sequence[datetime] = ()
    if draft.situation != "reply":
        company = facts.company_sends(session, lead, earliest, exclude=draft.id)
    rng = random.Random(draft.id)  # the same draft gets the same jitter on every replica
    sends = mailbox_sends(session, draft.rep_id, earliest, draft.id, not at_send_time)
    limit = mailbox_budget(session, settings, draft.rep_id)
    found = slot(
        cal,
        rules,
        earliest,
        [s.at for s in sends],
        company,
        rng=rng,
        limit=limit,
        sends=sends,
        recipients=1 + len(draft.cc),
    )
    return found, cal, rules
