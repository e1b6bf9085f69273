"""`nurture drafts ...`: the approval queue; every action goes through the approve stage."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistant import clock
from assistant.commands.app import pass_app

if TYPE_CHECKING:
    from sqlmodel import Session

    from assistant.commands.app import App
    from assistant.models import Draft, Lead, Rep


@click.group()
def drafts() -> None:
    """List, show, approve, reject, resolve and regenerate drafts."""


def _draft_dict(session: Session, draft: Draft, lead: Lead, rep: Rep) -> dict[str, Any]:
    from assistant.models import ContentItem, Message

    item = session.get(ContentItem, draft.content_id) if draft.content_id else None
    last = session.get(Message, draft.reply_to_id) if draft.reply_to_id else None
    return {
        "id": draft.id,
        "state": draft.state,
        "situation": draft.situation,
        "cc": list(draft.cc),
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


@drafts.command("list")
@click.option("--rep", "rep_email", metavar="EMAIL", help="Only this rep's drafts.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def drafts_list(app: App, rep_email: str | None, as_json: bool) -> None:
    """Drafts waiting for approval: sales-ready leads first."""
    from sqlmodel import Session

    from assistant.pipeline import approve as approve_stage

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


@drafts.command()
@click.argument("draft_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def show(app: App, draft_id: int, as_json: bool) -> None:
    """Show one draft: the email, why it was written, and the lead's last message."""
    from sqlmodel import Session

    from assistant.models import Lead, Rep
    from assistant.pipeline import approve as approve_stage

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
    if d["cc"]:
        click.echo(f"Cc:      {', '.join(d['cc'])}  (approve --drop-cc EMAIL to leave one off)")
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


@drafts.command()
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
@click.option(
    "--drop-cc",
    "drop_cc",
    multiple=True,
    metavar="EMAIL",
    help="Leave this copied address off (repeatable); the rest of the draft's Cc is kept.",
)
@pass_app
def approve(
    app: App,
    draft_ids: tuple[int, ...],
    subject: str | None,
    body_file: Path | None,
    at: str | None,
    accept_flags: bool,
    drop_cc: tuple[str, ...],
) -> None:
    """Approve drafts (after editing, if asked): they go out at the next send."""
    if len(draft_ids) > 1 and (subject or body_file or drop_cc):
        raise click.UsageError("--subject, --body-file and --drop-cc edit one draft at a time.")
    from assistant.pipeline import approve as approve_stage

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
            cc=_kept_cc(app, draft_id, drop_cc) if drop_cc else None,
        )
        assert draft.send_after is not None
        copied = f" (Cc {', '.join(draft.cc)})" if draft.cc else ""
        click.echo(
            f"Approved draft #{draft_id} to {draft.recipient}{copied}; "
            f"it goes out at the next send after {draft.send_after:%Y-%m-%d %H:%M} UTC "
            f"({draft.schedule_note})."
        )


def _kept_cc(app: App, draft_id: int, dropped: tuple[str, ...]) -> list[str]:
    """The draft's Cc less the addresses named; naming one it does not copy is a mistake."""
    from sqlmodel import Session

    from assistant.errors import NurtureError
    from assistant.models import Draft

    with Session(app.engine) as session:
        found = session.get(Draft, draft_id)
        copied = list(found.cc) if found else []
    drop = {a.strip().lower() for a in dropped}
    if found is not None and (missing := sorted(drop - set(copied))):
        raise NurtureError(f"Draft {draft_id} does not copy {missing[0]}.")
    return [a for a in copied if a not in drop]


@drafts.command()
@click.argument("draft_id", type=int)
@click.option("--reason", required=True, help="Why (kept in the audit log).")
@pass_app
def reject(app: App, draft_id: int, reason: str) -> None:
    """Reject a draft; nothing is sent."""
    from assistant.pipeline import approve as approve_stage

    approve_stage.reject(app.engine, draft_id, app.actor(), reason, clock.now())
    click.echo(f"Rejected draft #{draft_id}.")


@drafts.command()
@click.argument("draft_id", type=int)
@click.option("--delivered", "outcome", flag_value="delivered", help="It did arrive.")
@click.option("--resend", "outcome", flag_value="resend", help="It did not arrive: send it again.")
@pass_app
def resolve(app: App, draft_id: int, outcome: str | None) -> None:
    """Settle a send whose outcome is unknown."""
    if outcome is None:
        raise click.UsageError("Say --delivered or --resend.")
    from assistant.pipeline import approve as approve_stage

    approve_stage.resolve_unknown(
        app.engine, draft_id, app.actor(), delivered=outcome == "delivered", now=clock.now()
    )
    click.echo(
        f"Draft #{draft_id}: "
        + ("marked sent." if outcome == "delivered" else "will be sent again.")
    )


MAX_INSTRUCTION = 500


@drafts.command("regenerate")
@click.argument("draft_id", type=int)
@click.option("--instruction", metavar="TEXT", help='What to change, e.g. "shorter, more formal".')
@click.option("--content", "slug", metavar="SLUG", help="Build the draft around this item instead.")
@pass_app
def regenerate(app: App, draft_id: int, instruction: str | None, slug: str | None) -> None:
    """Redraft a pending draft; the earlier text is kept as a version."""
    if not instruction and not slug:
        raise click.UsageError("Say what to change with --instruction, or --content SLUG.")
    if instruction and len(instruction) > MAX_INSTRUCTION:
        raise click.UsageError(f"Keep the instruction under {MAX_INSTRUCTION} characters.")
    from assistant.pipeline.draft import redraft
    from assistant.runtime import closing, context

    ctx = context(app.settings, app.engine)
    draft = asyncio.run(
        closing(
            ctx,
            redraft(
                ctx,
                draft_id,
                actor=app.actor(),
                now=clock.now(),
                instruction=instruction,
                content_slug=slug,
            ),
        )
    )
    click.echo(f"Draft #{draft_id} is now version {draft.version} ({draft.drafter}).\n")
    click.echo(draft.body.rstrip())
    for flag in draft.flags:
        click.echo(f"Flag: {flag}")


@click.command("draft")
@click.option("--lead", "email", required=True, metavar="EMAIL", help="The lead to write to.")
@click.option(
    "--instruction", metavar="TEXT", help='What the draft should do, e.g. "invite to the webinar".'
)
@pass_app
def draft_now(app: App, email: str, instruction: str | None) -> None:
    """Draft for one lead now (paused and sales-ready leads too): it waits in the queue."""
    if instruction and len(instruction) > MAX_INSTRUCTION:
        raise click.UsageError(f"Keep the instruction under {MAX_INSTRUCTION} characters.")
    from sqlmodel import Session, select

    from assistant.errors import NotFound
    from assistant.models import Draft, Lead
    from assistant.pipeline.draft import draft_now as write_now
    from assistant.runtime import closing, context

    with Session(app.engine) as session:
        lead = session.exec(select(Lead).where(Lead.email == email.strip().lower())).first()
    if lead is None or lead.id is None:
        raise NotFound(f"There is no lead {email}.")
    ctx = context(app.settings, app.engine)
    draft_id = asyncio.run(
        closing(
            ctx,
            write_now(ctx, lead.id, actor=app.actor(), now=clock.now(), instruction=instruction),
        )
    )
    with Session(app.engine) as session:
        made = session.get(Draft, draft_id)
    assert made is not None
    click.echo(f"Draft #{draft_id} to {lead.email} is in the queue ({made.drafter}).\n")
    click.echo(made.body.rstrip())
    for flag in made.flags:
        click.echo(f"Flag: {flag}")
