"""The team dashboard: what each rep's drafts became, how fast, and what the leads did."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.responses import Response

from assistant.errors import NotFound
from assistant.models import AuditEntry, Direction, Draft, DraftState, Lead, Message, Rep
from assistant.web import charts, scope
from assistant.web.http import MANAGERS, Pages, Req

pages = Pages()
PERIODS = {7: "7 days", 30: "30 days", 90: "90 days"}
WEEKS = 12
APPROVED = {DraftState.approved, DraftState.sending, DraftState.sent, DraftState.failed,
            DraftState.unknown}  # fmt: skip


@dataclass
class Numbers:
    """One rep's (or the team's) figures over a period."""

    created: int = 0
    as_is: int = 0
    edited: int = 0
    rejected: int = 0
    sent: int = 0
    replied: int = 0
    sales_ready: int = 0
    waits: list[float] = field(default_factory=list)  # seconds from draft to approval

    @property
    def median_wait(self) -> float | None:
        return statistics.median(self.waits) if self.waits else None

    @property
    def reply_rate(self) -> float | None:
        return self.replied / self.sent if self.sent else None


@dataclass(frozen=True)
class Facts:
    drafts: list[Draft]
    edited: set[int]
    last_reply: dict[int, datetime]
    ready: list[Lead]


def facts(db: Session, rep_ids: Iterable[int], since: datetime) -> Facts:
    ids = list(rep_ids)
    drafts = list(
        db.exec(
            select(Draft).where(col(Draft.rep_id).in_(ids), col(Draft.created_at) >= since)
        ).all()
    )
    edited = {
        entry.draft_id
        for entry in db.exec(
            select(AuditEntry).where(AuditEntry.action == "approved", col(AuditEntry.at) >= since)
        ).all()
        if entry.draft_id is not None and entry.detail.get("edited")
    }
    lead_ids = {d.lead_id for d in drafts}
    last_reply = (
        dict(
            db.exec(
                select(Message.lead_id, func.max(Message.sent_at))
                .where(
                    col(Message.lead_id).in_(lead_ids),
                    Message.direction == Direction.inbound.value,
                    Message.kind == "human",
                )
                .group_by(col(Message.lead_id))
            ).all()
        )
        if lead_ids
        else {}
    )
    ready = list(
        db.exec(
            select(Lead).where(col(Lead.owner_id).in_(ids), col(Lead.sales_ready_at) >= since)
        ).all()
    )
    return Facts(drafts, edited, {k: v for k, v in last_reply.items() if k and v}, ready)


def tally(f: Facts, since: datetime, until: datetime, keep: set[int] | None = None) -> Numbers:
    """Figures for drafts made (and leads turned sales-ready) in [since, until)."""
    n = Numbers()
    for d in f.drafts:
        if (keep is not None and d.rep_id not in keep) or not d.created_at:
            continue
        if since <= d.created_at < until:
            n.created += 1
            if d.state in APPROVED:
                n.edited += d.id in f.edited
                n.as_is += d.id not in f.edited
                if d.approved_at:
                    n.waits.append((d.approved_at - d.created_at).total_seconds())
            elif d.state == DraftState.rejected:
                n.rejected += 1
            if d.state == DraftState.sent and d.sent_at:
                n.sent += 1
                reply = f.last_reply.get(d.lead_id)
                n.replied += reply is not None and reply > d.sent_at
    n.sales_ready = sum(
        1
        for lead in f.ready
        if lead.sales_ready_at
        and since <= lead.sales_ready_at < until
        and (keep is None or lead.owner_id in keep)
    )
    return n


def _monday(moment: datetime) -> datetime:
    start = moment - timedelta(days=moment.weekday())
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


@pages.get("/manage", roles=MANAGERS)
def dashboard(req: Req) -> Response:
    days = int(req.param("days", "30")) if req.param("days", "30").isdigit() else 30
    days = days if days in PERIODS else 30
    with Session(req.engine) as db:
        teams = scope.teams(db, req.user)
        team = req.param("team") or req.user.team
        if team not in teams:
            raise NotFound("There is no such team.")
        reps = list(db.exec(select(Rep).where(Rep.team == team).order_by(Rep.name)).all())
        first_week = _monday(req.now) - timedelta(weeks=WEEKS - 1)
        since = req.now - timedelta(days=days)
        f = facts(db, [r.id for r in reps if r.id], min(since, first_week))
    end = req.now + timedelta(seconds=1)
    team_numbers = tally(f, since, end)
    per_rep = [(r, tally(f, since, end, {r.id} if r.id else set())) for r in reps]
    weeks = [first_week + timedelta(weeks=i) for i in range(WEEKS)]
    weekly = [tally(f, w, w + timedelta(weeks=1)) for w in weeks]
    labels = [f"{w:%d %b}" for w in weeks]
    decisions = charts.stacked_bars(
        "Decisions per week",
        labels,
        [
            charts.Series("Approved as written", "s1", [float(n.as_is) for n in weekly]),
            charts.Series("Edited, then approved", "s2", [float(n.edited) for n in weekly]),
            charts.Series("Rejected", "s3", [float(n.rejected) for n in weekly]),
        ],
    )
    outcomes = charts.lines(
        "Drafts, replies and sales-ready leads per week",
        labels,
        [
            charts.Series("Drafts created", "s1", [float(n.created) for n in weekly]),
            charts.Series("Replies to our emails", "s2", [float(n.replied) for n in weekly]),
            charts.Series("Sales-ready leads", "s4", [float(n.sales_ready) for n in weekly]),
        ],
    )
    return req.render(
        "manage/dashboard.html",
        team=team,
        teams=teams,
        days=days,
        periods=PERIODS,
        total=team_numbers,
        per_rep=per_rep,
        decisions=decisions,
        outcomes=outcomes,
    )
