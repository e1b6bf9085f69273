"""`nurture reps sync EMAIL`: one sync of one mailbox now, with a progress bar per folder."""

from __future__ import annotations

import asyncio

import click
from tqdm import tqdm

from assistant import clock
from assistant.commands.app import App, pass_app
from assistant.errors import MailError, NotFound, StateError


@click.command("sync")
@click.argument("email")
@click.option("--progress/--no-progress", default=True, help="Show a bar per folder.")
@pass_app
def sync(app: App, email: str, progress: bool) -> None:
    """Sync EMAIL's mailbox now (a first sync of years of mail shows its progress)."""
    from assistant import roster
    from assistant.pipeline import ingest
    from assistant.runtime import context

    settings = app.settings
    rep = roster.find(app.engine, email, roster.ACTIVE)
    if rep is None:
        raise NotFound(f"{email} is not an active rep (see nurture reps list).")
    if rep.imap is None:
        raise StateError(f"{rep.email} has no [reps.imap] settings: there is no mailbox to sync.")
    ctx = context(settings, app.engine)
    bars: dict[str, tqdm[None]] = {}

    def advance(folder: str, done: int, total: int) -> None:
        bar = bars.get(folder)
        if bar is None:
            bar = bars[folder] = tqdm(
                total=total, desc=folder, unit=" msg", disable=not progress, leave=True
            )
        bar.update(done - bar.n)

    try:
        reports = asyncio.run(ingest.sync_rep(ctx, rep, clock.now(), advance))
    except MailError as exc:
        ingest.note_error(ctx, rep.email, str(exc))
        raise
    finally:
        for bar in bars.values():
            bar.close()
    for report in reports:
        click.echo(
            f"{report.folder}: {report.seen:,} message(s) looked at, "
            f"{report.stored:,} about leads stored"
        )
