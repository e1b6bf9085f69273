"""`nurture leads ...`: import, list, and a person's controls (pause, resume, stop, confirm)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistant import clock
from assistant.commands.app import pass_app

if TYPE_CHECKING:
    from sqlmodel import Session

    from assistant.commands.app import App
    from assistant.models import Lead


@click.group()
def leads() -> None:
    """Import, list, pause, resume, stop and confirm leads."""


@leads.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: when stderr is a terminal).",
)
@pass_app
def leads_import(app: App, file: Path, progress: bool | None) -> None:
    """Import leads from a CSV file (re-importing updates them)."""
    from assistant.commands.ops import show_progress
    from assistant.imports import import_leads

    owner = app.settings.leads.default_owner
    report = import_leads(
        app.engine, file, clock.now(), default_owner=owner, progress=show_progress(progress)
    )
    click.echo(f"Leads: {report.added} added, {report.updated} updated.")
    for problem in report.problems:
        click.echo(f"Skipped {problem}", err=True)
    if report.problems:
        sys.exit(1)


@leads.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def leads_list(app: App, as_json: bool) -> None:
    """List leads with their owner, stage and status."""
    from sqlmodel import Session, select

    from assistant.models import Lead, Rep

    with Session(app.engine) as session:
        rows = session.exec(select(Lead, Rep).join(Rep, isouter=True).order_by(Lead.email)).all()
        data: list[dict[str, Any]] = [
            {
                "email": lead.email,
                "name": lead.name,
                "company": lead.company,
                "owner": rep.email if rep else None,
                "stage": lead.stage,
                "status": lead.status,
                "paused_until": lead.paused_until.isoformat() if lead.paused_until else None,
            }
            for lead, rep in rows
        ]
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for d in data:
        status = d["status"] + (f" until {d['paused_until'][:10]}" if d["paused_until"] else "")
        click.echo(f"{d['email']:<36} {d['company'][:20]:<20} {d['stage']:<13} {status}")


@leads.command("pause")
@click.argument("email")
@click.option(
    "--until",
    "day",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day Nurture takes the lead up again (08:00 UTC).",
)
@click.option("--reason", default="", help="Why (kept in the audit log).")
@pass_app
def leads_pause(app: App, email: str, day: datetime, reason: str) -> None:
    """Pause a lead until a day; its open drafts are cancelled."""
    from assistant.lifecycle import commands as leadstate

    until = datetime.combine(day.date(), time(8, 0), tzinfo=UTC)
    leadstate.pause(app.engine, _lead_id(app, email), until, reason, app.actor(), clock.now())
    click.echo(f"Paused {email} until {until:%Y-%m-%d}.")


@leads.command("resume")
@click.argument("email")
@pass_app
def leads_resume(app: App, email: str) -> None:
    """Nurture a paused or stopped lead again."""
    from assistant.lifecycle import commands as leadstate

    leadstate.resume(app.engine, _lead_id(app, email), app.actor(), clock.now())
    click.echo(f"Resumed {email}.")


@leads.command("stop")
@click.argument("email")
@click.option("--reason", default="", help="Why (kept in the audit log).")
@pass_app
def leads_stop(app: App, email: str, reason: str) -> None:
    """Stop nurturing a lead; its open drafts are cancelled."""
    from assistant.lifecycle import commands as leadstate

    leadstate.stop(app.engine, _lead_id(app, email), reason, app.actor(), clock.now())
    click.echo(f"Stopped {email}.")


@leads.command("confirm")
@click.argument("email")
@pass_app
def leads_confirm(app: App, email: str) -> None:
    """Confirm a lead Nurture found in a reply (a referral or a new person on Cc)."""
    from assistant.lifecycle import commands as leadstate

    leadstate.confirm(app.engine, _lead_id(app, email), app.actor(), clock.now())
    click.echo(f"Confirmed {email}: Nurture will look after this lead from now on.")


def _lead(session: Session, email: str) -> Lead:
    from sqlmodel import select

    from assistant.errors import NotFound
    from assistant.models import Lead

    lead = session.exec(select(Lead).where(Lead.email == email.strip().lower())).first()
    if lead is None:
        raise NotFound(f"There is no lead {email}.")
    return lead


def _lead_id(app: App, email: str) -> int:
    from sqlmodel import Session

    with Session(app.engine) as session:
        lead_id = _lead(session, email).id
    assert lead_id is not None
    return lead_id
