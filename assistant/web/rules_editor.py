"""The manager's tone and cadence editors: validated by assistant.rules, every version kept."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote

from sqlmodel import Session
from starlette.responses import Response

from assistant import rules
from assistant.config import WEEKDAYS
from assistant.db import transaction
from assistant.errors import InputError, NotFound
from assistant.models import RuleSet
from assistant.web import scope
from assistant.web.http import MANAGERS, Pages, Req

pages = Pages()
KINDS = ("tone", "cadence")
LINE_LISTS = {"banned_phrases", "required_lines"}
FLAGS = {"reply_in_lead_language", "graceful_close"}
_RULE_KEY = re.compile(r"rule '([a-z_]+)")


@dataclass(frozen=True)
class Change:
    """One version in the history, with what it changed from the version before it."""

    row: RuleSet
    changed: list[tuple[str, str | None, str | None]]


def _shown(value: Any) -> str | None:
    """A rule value as one line of the history."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return (
            ", ".join(
                f"{v['start']}–{v['end']} {v.get('reason', '')}".strip()
                if isinstance(v, dict)
                else str(v)
                for v in value
            )
            or "none"
        )
    return str(value)


def _kind(req: Req) -> str:
    kind = str(req.request.path_params["kind"])
    if kind not in KINDS:
        raise NotFound("There is no such page.")
    return kind


def _team(req: Req, db: Session) -> str:
    allowed = scope.teams(db, req.user)
    team = req.field("team") or req.param("team") or req.user.team
    if team not in allowed:
        raise NotFound("There is no such team.")
    return team


def current(db: Session, req: Req, team: str, kind: str) -> dict[str, Any]:
    """The rules in force for the team, as the form shows them."""
    if kind == "tone":
        values = asdict(rules.tone_for(db, team, ""))
    else:
        values = asdict(rules.cadence_for(db, team, "", req.settings.cadence))
        values["quiet_periods"] = "\n".join(" ".join(p).strip() for p in values["quiet_periods"])
    values.pop("version", None)
    for key in LINE_LISTS:
        if key in values:
            values[key] = "\n".join(values[key])
    if "working_days" in values:
        values["working_days"] = list(values["working_days"])
    return values


def from_form(req: Req, kind: str) -> dict[str, Any]:
    """The posted form as rule values; assistant.rules does the validating."""
    model = rules.ToneInput if kind == "tone" else rules.CadenceInput
    data: dict[str, Any] = {}
    for name in model.model_fields:
        if name not in req.form and name not in FLAGS and name != "working_days":
            # A rule the page did not send (a page from before the rule existed): its default.
            default = model.model_fields[name].default
            data[name] = default if isinstance(default, str | int | float) else None
            if data[name] is None:
                del data[name]
            continue
        if name in FLAGS:
            data[name] = req.field(name) == "on"
        elif name == "working_days":
            data[name] = req.fields(name)
        elif name == "quiet_periods":
            data[name] = [_period(line) for line in req.field(name).splitlines() if line.strip()]
        elif name in LINE_LISTS:
            data[name] = [line.strip() for line in req.field(name).splitlines() if line.strip()]
        else:
            data[name] = req.field(name).strip()
    return data


def _period(line: str) -> dict[str, str]:
    start, _, rest = line.strip().partition(" ")
    end, _, reason = rest.strip().partition(" ")
    return {"start": start, "end": end or start, "reason": reason.strip()}


def changes(history: list[RuleSet]) -> list[Change]:
    out = []
    for i, row in enumerate(history):
        before = history[i + 1].data if i + 1 < len(history) else {}
        keys = sorted(set(row.data) | set(before))
        diff = [
            (k, before.get(k), row.data.get(k)) for k in keys if before.get(k) != row.data.get(k)
        ]
        out.append(Change(row, diff))
    return out


def _show(
    req: Req,
    db: Session,
    team: str,
    kind: str,
    values: dict[str, Any],
    error: str = "",
    status: int = 200,
) -> Response:
    wrong = _RULE_KEY.search(error)
    return req.render(
        "manage/rules.html",
        kind=kind,
        team=team,
        teams=scope.teams(db, req.user),
        values=values,
        error=error,
        error_key=wrong.group(1) if wrong else "",
        history=changes(rules.history(db, team, kind)),
        weekdays=WEEKDAYS,
        http_status=status,
    )


@pages.get("/manage/rules/{kind}", roles=MANAGERS)
def rules_page(req: Req) -> Response:
    kind = _kind(req)
    with Session(req.engine) as db:
        team = _team(req, db)
        return _show(req, db, team, kind, current(db, req, team, kind))


@pages.post("/manage/rules/{kind}", roles=MANAGERS)
def save_rules(req: Req) -> Response:
    kind = _kind(req)
    data = from_form(req, kind)
    try:
        with transaction(req.engine) as db:
            team = _team(req, db)
            row = rules.set_rules(
                db,
                team=team,
                kind=kind,
                changes=data,
                actor=req.actor,
                now=req.now,
                source="the form",
                replace_all=True,
            )
            version = row.version
    except InputError as exc:
        with Session(req.engine) as db:
            team = _team(req, db)
            shown = {**data, **{k: "\n".join(data[k]) for k in LINE_LISTS if k in data}}
            if "quiet_periods" in data:
                shown["quiet_periods"] = req.field("quiet_periods")
            problem = exc.problem[:1].upper() + exc.problem[1:] + "."
            return _show(req, db, team, kind, shown, error=problem, status=400)
    return req.redirect(
        f"/manage/rules/{kind}?team={quote(team)}",
        flash=("ok", f"Saved as version {version}: the next drafts follow the new {kind} rules."),
    )
