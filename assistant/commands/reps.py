"""`nurture reps add|list|pause|resume|remove`: the floor's reps and mailboxes, while Nurture runs.

The OAuth verbs (connect, grants, token-key) live in assistant.commands.reps_oauth; this
group holds both. A running daemon sees every change within `[daemon] reconcile_seconds`.
"""

from __future__ import annotations

import json
from typing import Any

import click

from assistant import clock
from assistant.commands.app import App, pass_app
from assistant.commands.reps_oauth import connect, grants, token_key
from assistant.commands.reps_sync import sync
from assistant.errors import InputError

HELP = "Add, list, pause, resume and remove reps; connect their mailboxes with OAuth."


@click.group("reps", help=HELP)
def reps() -> None:
    pass


for _command in (connect, grants, token_key, sync):
    reps.add_command(_command)


def _option(field: str) -> str:
    """The command-line option of a field: imap_password_env -> --imap-password-env."""
    return "EMAIL" if field == "email" else "--" + field.replace("_", "-")


_SECURITY = click.Choice(["ssl", "starttls", "none"])
_AUTH = click.Choice(["password", "xoauth2", "oauthbearer"])


@reps.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The rep's name, as leads see it.")
@click.option("--title", default="", help="Job title.")
@click.option("--signature", default="", help=r"Signature under each draft (\n for new lines).")
@click.option("--team", default="default", show_default=True)
@click.option("--timezone", default="", help="IANA name, e.g. Europe/Madrid.")
@click.option("--imap-host", help="IMAP server; without it the mailbox is not synced.")
@click.option("--imap-port", type=int)
@click.option("--imap-security", type=_SECURITY)
@click.option("--imap-username", help="Login (default: EMAIL).")
@click.option("--imap-password-env", help="Environment variable holding the IMAP password.")
@click.option("--sent-folder", help=r'Sent folder, or "\Sent" to ask the server.')
@click.option("--append-to-sent/--no-append-to-sent", default=None)
@click.option("--smtp-host", help="SMTP server; without it nothing is sent from this mailbox.")
@click.option("--smtp-port", type=int)
@click.option("--smtp-security", type=_SECURITY)
@click.option("--smtp-username", help="Login (default: the IMAP login).")
@click.option("--smtp-password-env", help="Environment variable holding the SMTP password.")
@click.option("--auth", type=_AUTH, default="password", show_default=True)
@click.option(
    "--provider",
    type=click.Choice(["google", "microsoft", "custom"]),
    help="Whose OAuth client grants the token (with --auth xoauth2 or oauthbearer).",
)
@pass_app
def add(app: App, email: str, **options: Any) -> None:
    """Add a rep and their mailbox; a running daemon starts watching it within seconds."""
    from assistant.db import transaction
    from assistant.lifecycle import reps as lifecycle
    from assistant.roster import from_fields

    rep = from_fields(email, options, _option)
    with transaction(app.engine) as session:
        lifecycle.add(session, rep, app.actor(), clock.now())
    watched = "its mailbox is watched" if rep.imap else "no mailbox (no --imap-host)"
    click.echo(f"Added {rep.email} ({rep.name}): {watched}.")


@reps.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--all", "show_all", is_flag=True, help="Removed reps too.")
@pass_app
def list_reps(app: App, as_json: bool, show_all: bool) -> None:
    """Each rep with status, leads owned and the mailbox's state."""
    from assistant.roster import floor

    rows = floor(app.engine, app.settings, clock.now(), removed=show_all)
    if as_json:
        click.echo(json.dumps([row.as_dict() for row in rows], indent=2))
        return
    if not rows:
        click.echo("No reps yet: `nurture reps add EMAIL --name NAME ...`.")
    for row in rows:
        click.echo(
            f"{row.email:<32} {row.status:<8} {row.leads:>5} lead(s)  {row.mailbox}"
            + (f"  ({row.name})" if row.name else "")
        )


def _move(app: App, email: str, verb: str, reassign_to: str | None = None) -> None:
    from sqlmodel import select

    from assistant.db import transaction
    from assistant.lifecycle import leads as lead_moves
    from assistant.lifecycle import reps as lifecycle
    from assistant.models import Lead

    now = clock.now()
    with transaction(app.engine) as session:
        rep = lifecycle.get(session, email)
        target = lifecycle.get(session, reassign_to) if reassign_to else None
        if target is not None and target.id == rep.id:
            raise InputError("--reassign-to", "names the rep being removed")
        move = {"pause": lifecycle.pause, "resume": lifecycle.resume, "remove": lifecycle.remove}
        lifecycle.require(move[verb](session, rep, app.actor(), now), rep)
        owned = session.exec(select(Lead).where(Lead.owner_id == rep.id)).all() if target else []
        for lead in owned:
            assert target is not None
            lead_moves.reassign(session, lead, target, app.actor(), now)
    done = {
        "pause": "paused: its mailbox is not synced and nothing is sent from it",
        "resume": "active again: its mailbox is watched and its approved mail sent",
        "remove": "removed: its leads stay, to be reassigned",
    }
    if target is not None:
        done["remove"] = f"removed: its {len(owned)} lead(s) now belong to {target.email}"
    click.echo(f"{rep.email} {done[verb]}.")


@reps.command("pause")
@click.argument("email")
@pass_app
def pause(app: App, email: str) -> None:
    """Stop syncing a rep's mailbox and sending from it; approved mail waits."""
    _move(app, email, "pause")


@reps.command("resume")
@click.argument("email")
@pass_app
def resume(app: App, email: str) -> None:
    """Bring a paused or removed rep back: watched, synced, sending."""
    _move(app, email, "resume")


@reps.command("remove")
@click.argument("email")
@click.option("--reassign-to", metavar="EMAIL", help="Hand every lead of the rep to this rep.")
@pass_app
def remove(app: App, email: str, reassign_to: str | None) -> None:
    """Take a rep off the floor; their leads and history stay, to be reassigned."""
    _move(app, email, "remove", reassign_to)
