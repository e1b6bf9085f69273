"""`nurture rules show|set|import|export`: the manager's tone and cadence rules from a shell."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlmodel import Session

from assistant import clock, roster, rules
from assistant.db import transaction
from assistant.errors import InputError
from assistant.models import RuleSet

if TYPE_CHECKING:
    from assistant.commands.app import App

KINDS = ("tone", "cadence")


def _scope(app: App, team: str | None, rep: str | None) -> tuple[str, str]:
    """(team, rep address): a rep's overrides live under the rep's own team."""
    if rep is None:
        return team or "default", ""
    settings = roster.find(app.engine, rep, roster.ANY)
    if settings is None:
        raise InputError("--rep", f"{rep} is not a rep (see `nurture reps list`)")
    if team is not None and team != settings.team:
        raise InputError("--team", f"{rep} belongs to team '{settings.team}', not '{team}'")
    return settings.team, settings.email


def _fields(kind: str) -> dict[str, Any]:
    model = rules.ToneInput if kind == "tone" else rules.CadenceInput
    return dict(model.model_fields)


def resolve_key(key: str) -> tuple[str, str]:
    """'cadence.max_touches' or plain 'max_touches' -> ('cadence', 'max_touches')."""
    kind, dot, name = key.partition(".")
    if dot:
        if kind not in KINDS:
            raise InputError("rules set", f"'{key}': the kind must be tone or cadence")
        return kind, name
    owners = [k for k in KINDS if key in _fields(k)]
    if not owners:
        raise InputError("rules set", f"'{key}' is not a known rule (see `nurture rules show`)")
    if len(owners) > 1:
        raise InputError("rules set", f"'{key}' is ambiguous: say tone.{key} or cadence.{key}")
    return owners[0], key


def parse_value(kind: str, name: str, text: str) -> Any:
    """A TOML value when it reads as one (5, true, ["mon"]); otherwise the text itself."""
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text
    field = _fields(kind).get(name)
    annotation = str(field.annotation) if field else ""
    if isinstance(value, str) and annotation.startswith("list[str]"):
        value = [part.strip() for part in value.split(",") if part.strip()]
    return value


def to_toml(tables: dict[str, dict[str, Any]]) -> str:
    """The rules as a TOML file that `nurture rules import` reads back."""
    out: list[str] = []
    for kind, values in tables.items():
        out.append(f"[{kind}]")
        nested = {k: v for k, v in values.items() if _is_tables(v)}
        for key, value in values.items():
            if key not in nested:
                out.append(f"{key} = {_toml_value(value)}")
        for key, rows in nested.items():
            for row in rows:
                out.append(f"\n[[{kind}.{key}]]")
                out.extend(f"{k} = {_toml_value(v)}" for k, v in row.items())
        out.append("")
    return "\n".join(out)


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict) or value is None:
        raise InputError("rules export", f"cannot write {value!r} as a TOML value")
    return json.dumps(str(value), ensure_ascii=False)  # JSON strings are TOML basic strings


def _origin(session: Session, team: str, rep: str, kind: str, key: str, from_file: set[str]) -> str:
    scopes = [(rep, "rep override"), ("", "team rules")] if rep else [("", "team rules")]
    for email, label in scopes:
        row = _newest(session, team, email, kind)
        if row is not None and key in row.data:
            return f"{label} v{row.version}"
    return "configuration file" if kind == "cadence" and key in from_file else "default"


def _newest(session: Session, team: str, rep: str, kind: str) -> RuleSet | None:
    found = rules.history(session, team, kind, rep)
    return found[0] if found else None


@click.group("rules")
def rules_group() -> None:
    """Show and change the team's tone and cadence rules (and one rep's overrides)."""


_team = click.option("--team", help="The team (default: 'default', or the rep's team).")
_rep = click.option("--rep", "rep", metavar="EMAIL", help="One rep's overrides.")


@rules_group.command("show")
@_team
@_rep
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(app: App, team: str | None, rep: str | None, as_json: bool) -> None:
    """The rules in force, and where each value comes from."""
    team_name, rep_email = _scope(app, team, rep)
    with Session(app.engine) as session:
        tables = rules.export(session, team_name, rep_email, app.settings.cadence)
        in_file = set(app.settings.cadence.model_fields_set)
        origins = {
            kind: {k: _origin(session, team_name, rep_email, kind, k, in_file) for k in values}
            for kind, values in tables.items()
        }
    if as_json:
        click.echo(json.dumps({"team": team_name, "rep": rep_email or None, **tables}, indent=2))
        return
    who = f"rep {rep_email} (team {team_name})" if rep_email else f"team {team_name}"
    click.echo(f"Rules in force for {who}:")
    for kind, values in tables.items():
        click.echo(f"\n[{kind}]")
        for key, value in values.items():
            shown = _toml_value(value) if not _is_tables(value) else json.dumps(value)
            click.echo(f"  {key:<32} {shown}   ({origins[kind][key]})")


@rules_group.command("set")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
@_team
@_rep
@click.pass_obj
def set_(app: App, assignments: tuple[str, ...], team: str | None, rep: str | None) -> None:
    """Change rules, e.g. `max_touches=4 window_start=08:30 working_days=mon,tue,wed`."""
    team_name, rep_email = _scope(app, team, rep)
    changes: dict[str, dict[str, Any]] = {}
    for assignment in assignments:
        key, eq, text = assignment.partition("=")
        if not eq or not key.strip():
            raise InputError("rules set", f"'{assignment}' is not KEY=VALUE")
        kind, name = resolve_key(key.strip())
        changes.setdefault(kind, {})[name] = parse_value(kind, name, text.strip())
    with transaction(app.engine) as session:
        for kind, values in changes.items():
            row = rules.set_rules(
                session,
                team=team_name,
                kind=kind,
                changes=values,
                actor=app.actor(),
                now=clock.now(),
                rep_email=rep_email,
                source="rules set",
            )
            click.echo(f"Saved {kind} rules as version {row.version}: {', '.join(values)}.")


@rules_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@_team
@_rep
@click.pass_obj
def import_(app: App, file: Path, team: str | None, rep: str | None) -> None:
    """Replace the rules with a TOML file's [tone] and/or [cadence] tables."""
    team_name, rep_email = _scope(app, team, rep)
    tables = rules.load_file(file)
    with transaction(app.engine) as session:
        for kind, values in tables.items():
            row = rules.set_rules(
                session,
                team=team_name,
                kind=kind,
                changes=values,
                actor=app.actor(),
                now=clock.now(),
                rep_email=rep_email,
                source=str(file),
                replace_all=True,
            )
            click.echo(f"Imported {kind} rules from {file} as version {row.version}.")


@rules_group.command("export")
@_team
@_rep
@click.pass_obj
def export(app: App, team: str | None, rep: str | None) -> None:
    """Print the rules in force as TOML (for `nurture rules import`)."""
    team_name, rep_email = _scope(app, team, rep)
    with Session(app.engine) as session:
        tables = rules.export(session, team_name, rep_email, app.settings.cadence)
    click.echo(to_toml(tables), nl=False)
