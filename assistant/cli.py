"""The `nurture` command: noun groups with verbs; errors become one sentence and exit 1."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path

import click

from assistant import clock
from assistant.commands.app import App, pass_app
from assistant.commands.lazy import LazyGroup
from assistant.errors import NurtureError

# Each command's module loads only when the command runs; the line is what --help shows.
COMMANDS = {
    "backup": (
        "assistant.commands.backup:backup",
        "Copy the database to a file while Nurture runs.",
    ),
    "content": (
        "assistant.commands.content:content",
        "Manage the content library and see what it lacks.",
    ),
    "doctor": (
        "assistant.commands.ops:doctor",
        "Check the configuration, database, mailboxes, SMTP servers and model key.",
    ),
    "draft": (
        "assistant.commands.drafts:draft_now",
        "Draft for one lead now (paused and sales-ready leads too): it waits in the queue.",
    ),
    "drafts": (
        "assistant.commands.drafts:drafts",
        "List, show, approve, reject, resolve and regenerate drafts.",
    ),
    "eval": (
        "assistant.commands.content:evaluation",
        "Measure how well Nurture reads, chooses and drafts.",
    ),
    "failures": (
        "assistant.commands.failures:failures",
        "What a stage could not handle: retried with backoff, then left for a person.",
    ),
    "leads": (
        "assistant.commands.leads:leads",
        "Import, list, pause, resume, stop and confirm leads.",
    ),
    "plan": (
        "assistant.commands.plan:plan_command",
        "Explain what happens to a lead next, and why (rule, date, the lead's local time).",
    ),
    "reps": (
        "assistant.commands.reps:reps",
        "Add, list, pause, resume and remove reps; connect their mailboxes with OAuth.",
    ),
    "rules": (
        "assistant.commands.rules:rules_group",
        "Show and change the team's tone and cadence rules (and one rep's overrides).",
    ),
    "stats": ("assistant.commands.stats:stats", "Numbers about Nurture's own work."),
    "users": ("assistant.web.commands:users", "Manage who can sign in to the web app."),
    "web": ("assistant.web.commands:web", "Serve the approval app alone, until SIGTERM or Ctrl-C."),
}
log_format_option = click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default=None,
    help="text, or one JSON object per line (default: [logging] format, else text).",
)
progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar on stderr (default: when stderr is a terminal).",
)
# The verbs of earlier releases, kept so that scripts written for them still run.
ALIASES = {
    verb: ("drafts", "list" if verb == "queue" else verb)
    for verb in ("queue", "show", "approve", "reject", "resolve", "regenerate")
}


def _setup_logging(verbose: bool) -> None:
    """Plain text on stderr until a command asks for its format (assistant.logs replaces this
    handler, marked as ours, rather than adding a second one)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    handler.nurture = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
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


@click.group(cls=LazyGroup, lazy=COMMANDS, aliases=ALIASES)
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
    ctx.call_on_close(ctx.obj.close)


@cli.command()
@pass_app
def init(app: App) -> None:
    """Create the database or upgrade it to the newest schema."""
    from assistant.db import make_engine, upgrade
    from assistant.roster import sync_reps

    engine = make_engine(app.settings.database_url)
    try:
        upgrade(engine)
        sync_reps(engine, app.settings)
    finally:
        engine.dispose()
    click.echo(f"Database ready at {engine.url.render_as_string(hide_password=True)}.")


@cli.command()
@log_format_option
@progress_option
@pass_app
def tick(app: App, log_format: str | None, progress: bool | None) -> None:
    """Run one full pass: sync, understand, plan, draft, send approved mail."""
    import asyncio

    from assistant.commands.ops import show_progress, use_log_format
    from assistant.pipeline import tick as run_tick

    use_log_format(app, log_format)
    from assistant.runtime import closing, context

    ctx = context(app.settings, app.engine)
    ctx.progress = show_progress(progress)
    report = asyncio.run(closing(ctx, run_tick(ctx, clock.now())))
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
@log_format_option
@pass_app
def run(app: App, web: bool, log_format: str | None) -> None:
    """Run the daemon until SIGTERM or Ctrl-C."""
    from assistant.commands.ops import use_log_format

    use_log_format(app, log_format)
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
