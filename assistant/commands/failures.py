"""`nurture failures`: the items a stage could not handle, and a person's retry or dismiss."""

from __future__ import annotations

import json

import click
from sqlmodel import Session

from assistant.commands.app import App, pass_app
from assistant.errors import NotFound


def _describe(failure: object) -> dict[str, object]:
    from assistant.models import Failure

    assert isinstance(failure, Failure)
    return {
        "id": failure.id,
        "stage": failure.stage,
        "item": f"{failure.kind} {failure.item_id}",
        "lead_id": failure.lead_id,
        "state": failure.state,
        "attempts": failure.attempts,
        "reason": failure.reason,
        "last_at": failure.last_at.isoformat() if failure.last_at else None,
        "next_attempt_at": failure.next_attempt_at.isoformat() if failure.next_attempt_at else None,
    }


@click.group("failures", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON array.")
@click.pass_context
def failures(ctx: click.Context, as_json: bool) -> None:
    """What a stage could not handle: retried with backoff, then left for a person."""
    if ctx.invoked_subcommand is not None:
        return
    from assistant.pipeline import shunt

    app = ctx.find_object(App)
    assert app is not None
    with Session(app.engine) as session:
        rows = [_describe(f) for f in shunt.open_failures(session)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("Nothing has failed.")
        return
    for row in rows:
        when = (
            f"next try {str(row['next_attempt_at'])[:16]}"
            if row["next_attempt_at"]
            else "waits for you (nurture failures retry ID)"
        )
        click.echo(
            f"#{row['id']:<4} {row['stage']:<10} {row['item']:<14} "
            f"{row['attempts']} attempt(s); {when}"
        )
        click.echo(f"      {row['reason']}")


@failures.command("retry")
@click.argument("failure_id", type=int)
@pass_app
def retry(app: App, failure_id: int) -> None:
    """Try the item again on the next pass."""
    from assistant.pipeline import shunt

    if shunt.retry_now(app.engine, failure_id) is None:
        raise NotFound(f"There is no failure {failure_id}.")
    click.echo(f"Failure {failure_id}: tried again on the next pass.")


@failures.command("dismiss")
@click.argument("failure_id", type=int)
@pass_app
def dismiss(app: App, failure_id: int) -> None:
    """Settle it by hand: the item is not tried again and no longer shown."""
    from assistant.pipeline import shunt

    if shunt.dismiss(app.engine, failure_id) is None:
        raise NotFound(f"There is no failure {failure_id}.")
    click.echo(f"Failure {failure_id}: dismissed; it will not be tried again.")
