"""`nurture plan --lead EMAIL`: what happens to a lead next and why, in words."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click
from sqlmodel import Session, col, select

from assistant import clock
from assistant.cadence import Calendar, calendar_for
from assistant.config import Settings
from assistant.errors import NotFound
from assistant.models import Draft, DraftState, Lead, Rep
from assistant.pipeline import facts
from assistant.pipeline.plan import Step, next_step

if TYPE_CHECKING:
    from assistant.commands.app import App

_ACTIONS = {
    "reply": "draft a reply now",
    "follow_up": "draft a follow-up now",
    "wait": "wait",
    "stop": "stop nurturing",
    "none": "nothing for now",
}


def explain(session: Session, settings: Settings, email: str, now: datetime) -> dict[str, Any]:
    """The next step for one lead, with the rule, the dates in the lead's time and why."""
    lead = session.exec(select(Lead).where(Lead.email == email.strip().lower())).first()
    if lead is None:
        raise NotFound(f"There is no lead {email}.")
    rep = session.get(Rep, lead.owner_id) if lead.owner_id else None
    rules = facts.rules_for(session, lead, settings)
    snap = facts.snapshot(session, lead, settings, now)
    cal = calendar_for(rules, snap.local)
    step = next_step(snap, now, rules)
    return {
        "lead": lead.email,
        "name": lead.name,
        "company": lead.company,
        "status": lead.status,
        "owner": rep.email if rep else None,
        "rules_version": rules.version,
        "time_zone": snap.local.name,
        "time_zone_from": snap.local.source,
        "holidays": cal.holidays_country or None,
        "now_local": cal.describe(now),
        "step": _step_dict(step, cal),
        "drafts": _open_drafts(session, lead, cal),
    }


def _step_dict(step: Step, cal: Calendar) -> dict[str, Any]:
    out = asdict(step)
    for key in ("due", "deadline"):
        moment = getattr(step, key)
        out[key] = moment.isoformat() if moment else None
        out[f"{key}_local"] = cal.describe(moment) if moment else None
    return out


def _open_drafts(session: Session, lead: Lead, cal: Calendar) -> list[dict[str, Any]]:
    drafts = session.exec(
        select(Draft)
        .where(
            Draft.lead_id == lead.id,
            col(Draft.state).in_(
                [
                    DraftState.pending.value,
                    DraftState.approved.value,
                    DraftState.sending.value,
                    DraftState.unknown.value,
                ]
            ),
        )
        .order_by(col(Draft.id))
    ).all()
    return [
        {
            "id": d.id,
            "state": d.state,
            "situation": d.situation,
            "send_after": d.send_after.isoformat() if d.send_after else None,
            "send_after_local": cal.describe(d.send_after) if d.send_after else None,
            "schedule_note": d.schedule_note,
            "last_error": d.last_error,
        }
        for d in drafts
    ]


def render(plan: dict[str, Any]) -> str:
    step = plan["step"]
    lines = [
        f"{plan['name'] or plan['lead']} <{plan['lead']}> · {plan['company'] or '—'} · "
        f"{plan['status'].replace('_', ' ')} · owner {plan['owner'] or 'none'}",
        f"Local time: {plan['now_local']} (time zone from {plan['time_zone_from']})"
        + (f"; holidays of {plan['holidays']}" if plan["holidays"] else ""),
        f"Cadence rules: version {plan['rules_version']}",
        "",
        f"Next: {_ACTIONS[step['action']]}"
        + (f" until {step['due_local']}" if step["action"] == "wait" and step["due"] else ""),
        f"Why: {step['why']}",
    ]
    if step["rule"]:
        lines.append(f"Rule: {step['rule']}")
    if step["deadline_local"]:
        lines.append(f"Reply target: by {step['deadline_local']}")
    lines += [f"  - {note}" for note in step["notes"]]
    for d in plan["drafts"]:
        line = f"Draft #{d['id']} ({d['situation'].replace('_', '-')}) is {d['state']}"
        if d["state"] == DraftState.approved and d["send_after_local"]:
            line += f": goes out {d['send_after_local']} ({d['schedule_note']})"
        if d["last_error"]:
            line += f" — {d['last_error']}"
        lines.append(line)
    return "\n".join(lines)


@click.command("plan")
@click.option("--lead", "email", required=True, metavar="EMAIL", help="The lead's address.")
@click.option("--at", "at", metavar="ISO-TIME", help="Plan as if it were this moment.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def plan_command(app: App, email: str, at: str | None, as_json: bool) -> None:
    """Explain what happens to a lead next, and why (rule, date, the lead's local time)."""
    now = clock.now()
    if at:
        try:
            now = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter(f"'{at}' is not an ISO date and time") from None
        if now.tzinfo is None:
            raise click.BadParameter(f"'{at}' needs a time zone offset, e.g. +01:00")
    with Session(app.engine) as session:
        plan = explain(session, app.settings, email, now)
    click.echo(json.dumps(plan, indent=2) if as_json else render(plan))
