"""The manager's tone and cadence rules: validated, versioned, per team with per-rep overrides.

A rep's rules are the team's newest version with the rep's newest overrides laid on top.
Each draft records the version it obeyed.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from assistant.config import CadenceSettings
from assistant.config import QuietPeriod as QuietPeriod  # the web form builds these
from assistant.errors import InputError
from assistant.llm.base import ToneRules
from assistant.models import RuleSet

Kind = Literal["tone", "cadence"]


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")


_FORMALITY_WORDS = {
    "informal": "casual",
    "relaxed": "casual",
    "friendly": "casual",
    "semi-formal": "neutral",
    "semiformal": "neutral",
    "standard": "neutral",
    "professional": "neutral",
    "very formal": "formal",
}


class ToneInput(_Rules):
    voice: str = ToneRules.voice
    formality: Literal["casual", "neutral", "formal"] = "neutral"
    max_words: int = Field(default=ToneRules.max_words, ge=30, le=600)
    reading_level: str = ToneRules.reading_level
    banned_phrases: list[str] = Field(default_factory=lambda: list(ToneRules.banned_phrases))
    required_lines: list[str] = Field(default_factory=list)
    sign_off: str = ToneRules.sign_off
    reply_in_lead_language: bool = True
    booking_link: str = ""

    @field_validator("formality", mode="before")
    @classmethod
    def _formality_words(cls, value: object) -> object:
        """The words managers use for the same three registers."""
        if isinstance(value, str):
            word = value.strip().lower().replace("_", "-")
            return _FORMALITY_WORDS.get(word, word)
        return value


class CadenceInput(CadenceSettings):
    """The cadence rules as a manager gives them; the fields and checks are the file's."""

    model_config = ConfigDict(extra="forbid", frozen=False)


_MODELS: dict[str, type[BaseModel]] = {"tone": ToneInput, "cadence": CadenceInput}


_FILE = CadenceSettings()  # the defaults live in one place: the configuration's [cadence]


@dataclass(frozen=True)
class Cadence:
    """The cadence rules in force for one rep, as plain values (defaults: config's [cadence])."""

    reply_within_hours: int = _FILE.reply_within_hours
    follow_up_after_business_days: int = _FILE.follow_up_after_business_days
    spacing_growth: float = _FILE.spacing_growth
    re_engage_after_days: int = _FILE.re_engage_after_days
    pause_without_date_days: int = _FILE.pause_without_date_days
    max_touches: int = _FILE.max_touches
    min_days_between_touches: int = _FILE.min_days_between_touches
    daily_cap_per_mailbox: int = _FILE.daily_cap_per_mailbox
    per_minute_throttle: int = _FILE.per_minute_throttle
    company_weekly_cap: int = _FILE.company_weekly_cap
    window_start: str = _FILE.window_start
    window_end: str = _FILE.window_end
    working_days: tuple[str, ...] = tuple(_FILE.working_days)
    holidays_country: str = _FILE.holidays_country
    quiet_periods: tuple[tuple[str, str, str], ...] = ()
    graceful_close: bool = _FILE.graceful_close
    version: int = 0


def validate(kind: str, data: dict[str, Any], source: str) -> dict[str, Any]:
    """Rules as given by a manager, checked; one sentence naming the key when wrong."""
    model = _MODELS.get(kind)
    if model is None:
        raise InputError(source, f"unknown rules kind '{kind}' (tone or cadence)")
    try:
        return model.model_validate(data).model_dump(exclude_unset=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        if first["type"] == "extra_forbidden":
            problem = "is not a known rule"
        else:
            problem = first["msg"].removeprefix("Value error, ")
        if not key:  # a check across several rules, such as the window's start and end
            raise InputError(source, f"{kind} rules: {problem}") from None
        raise InputError(source, f"{kind} rule '{key}' {problem}") from None


def _latest(session: Session, team: str, rep_email: str, kind: str) -> RuleSet | None:
    return session.exec(
        select(RuleSet)
        .where(RuleSet.team == team, RuleSet.rep_email == rep_email, RuleSet.kind == kind)
        .order_by(col(RuleSet.version).desc())
    ).first()


def history(session: Session, team: str, kind: str, rep_email: str = "") -> list[RuleSet]:
    return list(
        session.exec(
            select(RuleSet)
            .where(RuleSet.team == team, RuleSet.rep_email == rep_email, RuleSet.kind == kind)
            .order_by(col(RuleSet.version).desc())
        ).all()
    )


def set_rules(
    session: Session,
    *,
    team: str,
    kind: str,
    changes: dict[str, Any],
    actor: str,
    now: datetime,
    rep_email: str = "",
    source: str = "rules",
    replace_all: bool = False,
) -> RuleSet:
    """A new version: the newest rules with `changes` applied (or replaced whole)."""
    current = _latest(session, team, rep_email, kind)
    base = {} if replace_all or current is None else dict(current.data)
    data = validate(kind, {**base, **changes}, source)
    version = (
        session.exec(
            select(func.max(RuleSet.version)).where(RuleSet.team == team, RuleSet.kind == kind)
        ).one()
        or 0
    ) + 1
    row = RuleSet(
        team=team,
        rep_email=rep_email,
        kind=kind,
        version=version,
        data=data,
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def tone_for(session: Session, team: str, rep_email: str) -> ToneRules:
    data, version = _merged(session, team, rep_email, "tone")
    known = {f.name for f in fields(ToneRules)}
    values: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known
    }
    return replace(ToneRules(), **values, version=version)


def cadence_for(
    session: Session, team: str, rep_email: str, defaults: CadenceSettings | None = None
) -> Cadence:
    data, version = _merged(session, team, rep_email, "cadence")
    base: dict[str, Any] = {}
    if defaults is not None:  # the configuration file's [cadence] is the team's starting point
        base = defaults.model_dump()
    values = {**base, **data}
    known = {f.name for f in fields(Cadence)}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            continue
        if key == "quiet_periods":
            value = tuple((p["start"], p["end"], p.get("reason", "")) for p in value)
        elif isinstance(value, list):
            value = tuple(value)
        clean[key] = value
    return replace(Cadence(), **clean, version=version)


def _merged(session: Session, team: str, rep_email: str, kind: str) -> tuple[dict[str, Any], int]:
    team_rules = _latest(session, team, "", kind)
    rep_rules = _latest(session, team, rep_email, kind) if rep_email else None
    data = {**(team_rules.data if team_rules else {}), **(rep_rules.data if rep_rules else {})}
    version = (
        max(r.version for r in (team_rules, rep_rules) if r) if (team_rules or rep_rules) else 0
    )
    return data, version


def load_file(path: Path) -> dict[str, dict[str, Any]]:
    """A rules file: `[tone]` and/or `[cadence]` tables, each validated."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), f"not valid TOML ({exc})") from None
    unknown = [k for k in data if k not in _MODELS]
    if unknown:
        raise InputError(str(path), f"unknown table [{unknown[0]}] (expected [tone] or [cadence])")
    return {kind: validate(kind, table, str(path)) for kind, table in data.items()}


def export(
    session: Session, team: str, rep_email: str = "", defaults: CadenceSettings | None = None
) -> dict[str, dict[str, Any]]:
    tone = asdict(tone_for(session, team, rep_email))
    cadence = asdict(cadence_for(session, team, rep_email, defaults))
    for table in (tone, cadence):
        table.pop("version", None)
    cadence["quiet_periods"] = [
        {"start": s, "end": e, "reason": r} for s, e, r in cadence["quiet_periods"]
    ]
    return {"tone": tone, "cadence": cadence}
