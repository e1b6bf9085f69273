"""How well Nurture reads mail: a folder of labelled .eml files scored on kind, bounce and new text.

Each `NAME.eml` has a `NAME.json` beside it with the expected reading:
`kind` ("human", "auto_reply" or "bounce"), `bounce` (null, or `recipients` and `hard`),
`new_text` (null when not scored) and optionally `today` (ISO date) and `source`.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from email import message_from_bytes
from email.policy import compat32
from pathlib import Path
from typing import Any

from assistant.errors import InputError
from assistant.mail.classify import classify_bytes

KINDS = ("human", "auto_reply", "bounce")
DEFAULT_TODAY = date(2025, 1, 1)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Case:
    """One labelled message."""

    name: str
    raw: bytes
    kind: str
    recipients: tuple[str, ...] | None
    hard: bool | None
    new_text: str | None
    today: date


def _field(path: Path, data: dict[str, Any], key: str, kinds: tuple[type, ...]) -> Any:
    value = data.get(key)
    if value is not None and not isinstance(value, kinds):
        raise InputError(str(path), f"'{key}' must be {' or '.join(k.__name__ for k in kinds)}")
    return value


def _case(eml: Path) -> Case:
    label = eml.with_suffix(".json")
    try:
        data = json.loads(label.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(eml), "has no .json of expected fields beside it") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(label), f"cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        raise InputError(str(label), f"'kind' must be one of {', '.join(KINDS)}")
    bounce = _field(label, data, "bounce", (dict,))
    recipients = hard = None
    if bounce is not None:
        listed = _field(label, bounce, "recipients", (list,))
        recipients = tuple(str(r).lower() for r in listed) if listed is not None else None
        hard = _field(label, bounce, "hard", (bool,))
    day = _field(label, data, "today", (str,))
    try:
        today = date.fromisoformat(day) if day else DEFAULT_TODAY
    except ValueError:
        raise InputError(str(label), f"'today' is not an ISO date: {day}") from None
    return Case(
        eml.stem,
        eml.read_bytes(),
        data["kind"],
        recipients,
        hard,
        _field(label, data, "new_text", (str,)),
        today,
    )


def load_cases(folder: Path) -> list[Case]:
    """Every labelled message of a folder, in name order."""
    if not folder.is_dir():
        raise InputError(str(folder), "is not a folder of .eml files")
    cases = [_case(path) for path in sorted(folder.glob("*.eml"))]
    if not cases:
        raise InputError(str(folder), "holds no .eml files")
    return cases


def normalised(text: str) -> str:
    """Text compared with every run of whitespace as one space."""
    return _SPACE.sub(" ", text).strip()


@dataclass
class Tally:
    """Right answers out of the cases that were scored."""

    right: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, name: str) -> None:
        self.total += 1
        self.right += ok
        if not ok:
            self.misses.append(name)

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.total if self.total else 100.0


@dataclass
class Report:
    """The figures of one scoring run."""

    messages: int = 0
    crashes: list[str] = field(default_factory=list)
    kind: Tally = field(default_factory=Tally)
    bounce_recognised: Tally = field(default_factory=Tally)
    recipients: Tally = field(default_factory=Tally)
    hard_soft: Tally = field(default_factory=Tally)
    auto_replies: Tally = field(default_factory=Tally)
    new_text: Tally = field(default_factory=Tally)
    stdlib_per_second: float = 0.0
    ours_per_second: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("kind", "bounce_recognised", "recipients", "hard_soft", "auto_replies"):
            out[name]["percent"] = round(getattr(self, name).percent, 1)
        out["new_text"]["percent"] = round(self.new_text.percent, 1)
        out["speed_ratio"] = round(self.speed_ratio, 2)
        return out

    @property
    def speed_ratio(self) -> float:
        return self.ours_per_second / self.stdlib_per_second if self.stdlib_per_second else 0.0

    def format_text(self) -> str:
        def line(label: str, tally: Tally) -> str:
            return f"{label:<28} {tally.percent:5.1f}%  ({tally.right} of {tally.total})"

        lines = [
            f"{'messages read without a crash':<28} {self.messages - len(self.crashes)} "
            f"of {self.messages}",
            line("kind right", self.kind),
            line("bounces recognised", self.bounce_recognised),
            line("bounce recipients right", self.recipients),
            line("hard/soft right", self.hard_soft),
            line("auto-replies recognised", self.auto_replies),
            line("new text right", self.new_text),
        ]
        if self.stdlib_per_second:
            lines.append(
                f"{'speed':<28} {self.ours_per_second:,.0f}/s vs stdlib "
                f"{self.stdlib_per_second:,.0f}/s (ratio {self.speed_ratio:.2f})"
            )
        return "\n".join(lines)


def score(cases: Iterable[Case]) -> Report:
    """Read every case with `classify_bytes` and compare with its labels."""
    report = Report()
    for case in cases:
        report.messages += 1
        try:
            got = classify_bytes(case.raw, today=case.today)
        # A crash is what this figure counts: any exception, whatever its type.
        except Exception:
            report.crashes.append(case.name)
            continue
        report.kind.add(got["kind"] == case.kind, case.name)
        if case.kind == "bounce":
            report.bounce_recognised.add(got["kind"] == "bounce", case.name)
            found = got["bounce"] or {}
            if case.recipients is not None:
                wanted = set(case.recipients)
                report.recipients.add(
                    {r.lower() for r in found.get("recipients", [])} == wanted, case.name
                )
            if case.hard is not None:
                report.hard_soft.add(found.get("hard") == case.hard, case.name)
        if case.kind == "auto_reply":
            report.auto_replies.add(got["kind"] == "auto_reply", case.name)
        if case.new_text is not None:
            text = got.get("reply_text") or ""
            report.new_text.add(normalised(text) == normalised(case.new_text), case.name)
    return report


def _stdlib(raw: bytes) -> None:
    for part in message_from_bytes(raw, policy=compat32).walk():
        if not part.is_multipart():
            part.get_payload(decode=True)


def _ours(raw: bytes) -> None:
    # A crash is counted by score(); here it only must not stop the clock.
    with contextlib.suppress(Exception):
        classify_bytes(raw, today=DEFAULT_TODAY)


def _rate(read: Callable[[bytes], None], messages: list[bytes], rounds: int) -> float:
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for raw in messages:
            read(raw)
        best = max(best, len(messages) / max(time.perf_counter() - started, 1e-9))
    return best


def measure_speed(report: Report, messages: list[bytes], rounds: int = 3) -> None:
    """Messages per second of the bare stdlib parser and of Nurture's reading, same bytes."""
    for raw in messages[:5]:
        _ours(raw)
    report.stdlib_per_second = _rate(_stdlib, messages, rounds)
    report.ours_per_second = _rate(_ours, messages, rounds)
