"""`nurture regenerate ID`: a new draft from the rep's instruction, or around other content."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import click

from assistant import clock
from assistant.pipeline.draft import redraft

if TYPE_CHECKING:
    from assistant.commands.app import App

MAX_INSTRUCTION = 500


@click.command("regenerate")
@click.argument("draft_id", type=int)
@click.option("--instruction", metavar="TEXT", help='What to change, e.g. "shorter, more formal".')
@click.option("--content", "slug", metavar="SLUG", help="Build the draft around this item instead.")
@click.pass_obj
def regenerate(app: App, draft_id: int, instruction: str | None, slug: str | None) -> None:
    """Redraft a pending draft; the earlier text is kept as a version."""
    if not instruction and not slug:
        raise click.UsageError("Say what to change with --instruction, or --content SLUG.")
    if instruction and len(instruction) > MAX_INSTRUCTION:
        raise click.UsageError(f"Keep the instruction under {MAX_INSTRUCTION} characters.")
    from assistant.runtime import context

    ctx = context(app.settings, app.engine)
    draft = asyncio.run(
        redraft(
            ctx,
            draft_id,
            actor=app.actor(),
            now=clock.now(),
            instruction=instruction,
            content_slug=slug,
        )
    )
    click.echo(f"Draft #{draft_id} is now version {draft.version} ({draft.drafter}).\n")
    click.echo(draft.body.rstrip())
    for flag in draft.flags:
        click.echo(f"Flag: {flag}")
