"""Operators' options and commands: the log format, and `nurture doctor`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from assistant import logs
from assistant.commands.app import App

log_format_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="text, or one JSON object per line (default: [logging] format, else text).",
)

progress_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: when stderr is a terminal).",
)


def show_progress(asked: bool | None) -> bool:
    return sys.stderr.isatty() if asked is None else asked


def use_log_format(app: App, fmt: str | None) -> None:
    """Log in the format asked for (the option, else the file's [logging] key), secrets masked."""
    verbose = bool(click.get_current_context().find_root().params.get("verbose"))
    logs.configure(verbose=verbose, fmt=fmt or app.settings.logging.format, settings=app.settings)


@click.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check the configuration, database, mailboxes, SMTP servers and model key."""
    import asyncio

    from assistant import config, doctor

    path = config.locate(ctx.find_root().params.get("config_path"))

    async def run() -> int:
        failed = 0
        async for check in doctor.checks(path):
            click.echo(("✓ " if check.ok else "✗ ") + check.what)
            if not check.ok:
                failed += 1
                if check.fix:
                    click.echo(f"  fix: {check.fix}")
        return failed

    failed = asyncio.run(run())
    click.echo(f"{failed} check(s) failed." if failed else "All checks passed.")
    if failed:
        sys.exit(1)
