"""`nurture users ...` (who may sign in) and `nurture web` (the approval app alone)."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import click
from sqlalchemy import delete
from sqlmodel import Session, col, select

from assistant import clock
from assistant.db import transaction
from assistant.errors import NotFound, NurtureError
from assistant.models import Rep, User, UserRole, WebSession
from assistant.web.security import MIN_PASSWORD, hash_password

if TYPE_CHECKING:
    from assistant.commands.app import App


@click.group()
def users() -> None:
    """Manage who can sign in to the web app."""


def _password(env_name: str | None) -> str:
    if env_name:
        value = os.environ.get(env_name)
        if value is None:
            raise NurtureError(f"Environment variable {env_name} is not set.")
    else:
        value = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(value) < MIN_PASSWORD:
        raise NurtureError(f"The password must be at least {MIN_PASSWORD} characters long.")
    return value


@users.command("add")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in UserRole]),
    required=True,
    help="rep: their own leads; manager: their team; admin: everything.",
)
@click.option("--team", help="A manager's team (a rep's team comes from the configuration).")
@click.option("--password-env", metavar="VAR", help="Read the password from this variable.")
@click.pass_obj
def users_add(app: App, email: str, role: str, team: str | None, password_env: str | None) -> None:
    """Add a user, or reset an existing user's role and password."""
    email = email.strip().lower()
    engine = app.engine
    with Session(engine) as db:
        rep = db.exec(select(Rep).where(Rep.email == email)).first()
    if role == UserRole.rep and rep is None:
        raise NotFound(f"{email} is not a rep in the configuration: add it under [[reps]] first.")
    password = _password(password_env)
    with transaction(engine) as db:
        user = db.exec(select(User).where(User.email == email)).first()
        verb = "Updated" if user else "Added"
        user = user or User(email=email, password_hash="", created_at=clock.now())
        user.password_hash, user.role = hash_password(password), role
        user.rep_id = rep.id if rep else None
        user.team = team or (rep.team if rep else "default")
        db.add(user)
        db.flush()
        # A new password signs the user out everywhere.
        db.execute(delete(WebSession).where(col(WebSession.user_id) == user.id))
    click.echo(f"{verb} {email} ({role}, team {user.team}).")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def users_list(app: App, as_json: bool) -> None:
    """List users with their role and team."""
    with Session(app.engine) as db:
        rows = db.exec(select(User).order_by(User.email)).all()
        data = [{"email": u.email, "role": u.role, "team": u.team} for u in rows]
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    if not data:
        click.echo("No users yet: add one with `nurture users add EMAIL --role rep`.")
    for d in data:
        click.echo(f"{d['email']:<40} {d['role']:<8} {d['team']}")


@users.command("remove")
@click.argument("email")
@click.pass_obj
def users_remove(app: App, email: str) -> None:
    """Remove a user; their sessions end at once."""
    email = email.strip().lower()
    with transaction(app.engine) as db:
        user = db.exec(select(User).where(User.email == email)).first()
        if user is None:
            raise NotFound(f"There is no user {email}.")
        db.execute(delete(WebSession).where(col(WebSession.user_id) == user.id))
        db.delete(user)
    click.echo(f"Removed {email}.")


@click.command()
@click.option("--host", help="Address to listen on (default: [web] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: [web] port, 8080).")
@click.pass_obj
def web(app: App, host: str | None, port: int | None) -> None:
    """Serve the approval app alone, until SIGTERM or Ctrl-C."""
    from assistant.web.server import serve

    serve(app.settings, app.engine, host, port)
