"""The `nurture` command: noun groups with verbs; errors become one sentence and exit 1."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from sqlmodel import Session, select

from assistant import clock
from assistant.commands.app import App, pass_app
from assistant.commands.content import content as content_group
from assistant.commands.content import evaluation as eval_group
from assistant.commands.drafts import regenerate as regenerate_command
from assistant.commands.failures import failures as failures_group
from assistant.commands.plan import plan_command
from assistant.commands.reps_oauth import reps as reps_group
from assistant.commands.rules import rules_group
from assistant.commands.stats import stats as stats_group
from assistant.db import make_engine, transaction, upgrade
from assistant.errors import NotFound, NurtureError
from assistant.imports import import_leads
from assistant.models import ContentItem, Draft, Lead, Message, Rep
from assistant.pipeline import approve as approve_stage
from assistant.web.commands import users as users_group
from assistant.web.commands import web as web_command


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
        stream=sys.stderr,
    )
    for noisy in (
        "aioimaplib",
        "apscheduler",
        "httpx",
        "anthropic",
        "mail.log",
        "alembic",
        "bm25s",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@click.group()
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="Configuration file (else $NURTURE_CONFIG, else ./nurture.toml).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """Nurture: keeps every lead's conversation going, one approved email at a time."""
    _setup_logging(verbose)
    ctx.obj = App(config_path)


@cli.command()
@pass_app
def init(app: App) -> None:
    """Create the database or upgrade it to the newest schema."""
    engine = make_engine(app.settings.database_url)
    upgrade(engine)
    from assistant.runtime import sync_reps

    sync_reps(engine, app.settings)
    click.echo(f"Database ready at {engine.url.render_as_string(hide_password=True)}.")


@cli.command()
@pass_app
def tick(app: App) -> None:
    """Run one full pass: sync, understand, plan, draft, send approved mail."""
    from assistant.pipeline import tick as run_tick
    from assistant.runtime import context

    ctx = context(app.settings, app.engine)
    report = asyncio.run(run_tick(ctx, clock.now()))
    click.echo(
        f"Synced {report.synced} message(s), understood {report.understood}, "
        f"drafted {len(report.drafted)}, sent {len(report.send.sent)}"
        + (f", {len(report.send.unknown)} with unknown outcome" if report.send.unknown else "")
        + (f", {len(report.send.failed)} failed" if report.send.failed else "")
        + "."
    )
    if report.errors:
        raise NurtureError(report.errors[0])


@cli.command()
@click.option("--web", is_flag=True, help="Serve the approval app beside the daemon.")
@pass_app
def run(app: App, web: bool) -> None:
    """Run the daemon until SIGTERM or Ctrl-C."""
    from assistant.daemon import serve

    serve(app.settings, app.engine, web=web)


@cli.command()
@click.option("--fast", is_flag=True, help="No pauses between the steps.")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo's files in this folder.",
)
def demo(fast: bool, keep: Path | None) -> None:
    """Show the whole loop on sample data: no mail server, no API key needed."""
    from assistant.demo import run_demo

    run_demo(pause=0 if fast else 1.2, folder=keep)


# --- leads -------------------------------------------------------------------------------


@cli.group()
def leads() -> None:
    """Import and list leads."""


@leads.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@pass_app
def leads_import(app: App, file: Path) -> None:
    """Import leads from a CSV file (re-importing updates them)."""
    report = import_leads(app.engine, file, clock.now())
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


@leads.command("confirm")
@click.argument("email")
@pass_app
def leads_confirm(app: App, email: str) -> None:
    """Confirm a lead Nurture found in a reply (a referral or a new person on Cc)."""
    from assistant.lifecycle import commands as lead_actions

    with transaction(app.engine) as session:
        lead = session.exec(select(Lead).where(Lead.email == email.strip().lower())).first()
        if lead is None or lead.id is None:
            raise NotFound(f"There is no lead {email}.")
    lead_actions.confirm(app.engine, lead.id, app.actor(), clock.now())
    click.echo(f"Confirmed {email}: Nurture will look after this lead from now on.")


# --- the queue ---------------------------------------------------------------------------


def _draft_dict(session: Session, draft: Draft, lead: Lead, rep: Rep) -> dict[str, Any]:
    item = session.get(ContentItem, draft.content_id) if draft.content_id else None
    last = session.get(Message, draft.reply_to_id) if draft.reply_to_id else None
    return {
        "id": draft.id,
        "state": draft.state,
        "situation": draft.situation,
        "lead": {
            "email": lead.email,
            "name": lead.name,
            "company": lead.company,
            "stage": lead.stage,
            "status": lead.status,
        },
        "rep": rep.email,
        "subject": draft.subject,
        "body": draft.body,
        "why": draft.reason,
        "content": item.slug if item else None,
        "content_reason": draft.content_reason,
        "drafter": draft.drafter,
        "flags": draft.flags,
        "created_at": draft.created_at.isoformat() if draft.created_at else None,
        "last_message": (last.reply_text or last.text)
        if last and last.direction == "inbound"
        else None,
        "message_id": draft.message_id,
        "last_error": draft.last_error,
    }


@cli.command()
@click.option("--rep", "rep_email", metavar="EMAIL", help="Only this rep's drafts.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def queue(app: App, rep_email: str | None, as_json: bool) -> None:
    """Drafts waiting for approval: sales-ready leads first."""
    with Session(app.engine) as session:
        rows = approve_stage.queue(session, rep_email)
        data = [_draft_dict(session, d, lead, rep) for d, lead, rep in rows]
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    if not data:
        click.echo("No drafts waiting.")
        return
    for d in data:
        hot = "HOT " if d["lead"]["status"] == "sales_ready" else ""
        flags = f"  [{len(d['flags'])} flag(s)]" if d["flags"] else ""
        click.echo(
            f"#{d['id']:<5} {hot}{d['situation']:<10} {d['lead']['email']:<34} "
            f"{(d['content'] or 'no new content fits'):<38}{flags}"
        )


@cli.command()
@click.argument("draft_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def show(app: App, draft_id: int, as_json: bool) -> None:
    """Show one draft: the email, why it was written, and the lead's last message."""
    with Session(app.engine) as session:
        draft = approve_stage.get(session, draft_id)
        lead = session.get(Lead, draft.lead_id)
        rep = session.get(Rep, draft.rep_id)
        assert lead is not None and rep is not None
        d = _draft_dict(session, draft, lead, rep)
    if as_json:
        click.echo(json.dumps(d, indent=2))
        return
    click.echo(f"Draft #{d['id']} ({d['state']}) — {d['situation'].replace('_', '-')}")
    click.echo(
        f"From:    {d['rep']}\nTo:      {d['lead']['name']} <{d['lead']['email']}>"
        f" · {d['lead']['company']} · {d['lead']['stage']}"
    )
    click.echo(f"Subject: {d['subject']}\n")
    click.echo(d["body"].rstrip())
    click.echo(f"\nWhy now:  {d['why']}")
    click.echo(f"Content:  {d['content'] or '—'} ({d['content_reason']})")
    click.echo(f"Drafter:  {d['drafter']}")
    for flag in d["flags"]:
        click.echo(f"Flag:     {flag}")
    if d["last_error"]:
        click.echo(f"Problem:  {d['last_error']}")
    if d["last_message"]:
        click.echo("\nThe lead wrote:\n  " + d["last_message"].strip().replace("\n", "\n  "))


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not an ISO date and time") from None
    if moment.tzinfo is None:
        raise click.BadParameter(f"'{value}' needs a time zone offset, e.g. +01:00")
    return moment


@cli.command()
@click.argument("draft_ids", type=int, nargs=-1, required=True)
@click.option("--subject", help="Replace the subject before approving.")
@click.option(
    "--body-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Replace the body with this file's text before approving.",
)
@click.option("--at", "at", metavar="ISO-TIME", help="Send no earlier than this time.")
@click.option(
    "--accept-flags",
    is_flag=True,
    help="Approve even with flags that need a second look (injection, foreign links).",
)
@pass_app
def approve(
    app: App,
    draft_ids: tuple[int, ...],
    subject: str | None,
    body_file: Path | None,
    at: str | None,
    accept_flags: bool,
) -> None:
    """Approve drafts (after editing, if asked): they go out at the next send."""
    if len(draft_ids) > 1 and (subject or body_file):
        raise click.UsageError("--subject and --body-file edit one draft at a time.")
    body = body_file.read_text(encoding="utf-8") if body_file else None
    for draft_id in draft_ids:
        draft = approve_stage.approve(
            app.engine,
            app.settings,
            draft_id,
            app.actor(),
            clock.now(),
            subject=subject,
            body=body,
            send_after=_when(at),
            accept_flags=accept_flags,
        )
        assert draft.send_after is not None
        click.echo(
            f"Approved draft #{draft_id} to {draft.recipient}; "
            f"it goes out at the next send after {draft.send_after:%Y-%m-%d %H:%M} UTC "
            f"({draft.schedule_note})."
        )


@cli.command()
@click.argument("draft_id", type=int)
@click.option("--reason", required=True, help="Why (kept in the audit log).")
@pass_app
def reject(app: App, draft_id: int, reason: str) -> None:
    """Reject a draft; nothing is sent."""
    approve_stage.reject(app.engine, draft_id, app.actor(), reason, clock.now())
    click.echo(f"Rejected draft #{draft_id}.")


@cli.command()
@click.argument("draft_id", type=int)
@click.option("--delivered", "outcome", flag_value="delivered", help="It did arrive.")
@click.option("--resend", "outcome", flag_value="resend", help="It did not arrive: send it again.")
@pass_app
def resolve(app: App, draft_id: int, outcome: str | None) -> None:
    """Settle a send whose outcome is unknown."""
    if outcome is None:
        raise click.UsageError("Say --delivered or --resend.")
    approve_stage.resolve_unknown(
        app.engine, draft_id, app.actor(), delivered=outcome == "delivered", now=clock.now()
    )
    click.echo(
        f"Draft #{draft_id}: "
        + ("marked sent." if outcome == "delivered" else "will be sent again.")
    )


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Resolve dates against this day."
)
def classify(file: Path, as_json: bool, today: datetime | None) -> None:
    """Print what Nurture understands of one message (.eml)."""
    from assistant.mail.classify import classify_bytes

    try:
        raw = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as exc:
        raise NurtureError(f"{file}: cannot be read ({exc.strerror})") from None
    day: date = today.date() if today else clock.now().date()
    result = classify_bytes(raw, today=day)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for key, value in result.items():
        click.echo(f"{key}: {json.dumps(value, ensure_ascii=False)}")


cli.add_command(users_group)
cli.add_command(web_command)
cli.add_command(plan_command)
cli.add_command(rules_group)
cli.add_command(content_group)
cli.add_command(eval_group)
cli.add_command(regenerate_command)
cli.add_command(stats_group)
cli.add_command(failures_group)
cli.add_command(reps_group)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except NurtureError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
