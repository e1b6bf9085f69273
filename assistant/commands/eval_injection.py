"""`nurture eval injection DIR`: how many hidden-instruction mails are flagged, and how many
innocent ones are not.

DIR holds .eml files and a manifest.json that says which carry an attack. Two shapes are read:
`{"files": [{"file": NAME, "malicious": BOOL, "kind": ...}]}` and `{NAME: {"injection": BOOL,
"kind": ...}}`. Each message goes through the same reading as the daemon's (`classify_bytes`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from assistant.errors import InputError


@dataclass(frozen=True)
class Case:
    name: str
    attack: bool
    kind: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    signals: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.signals)

    @property
    def right(self) -> bool:
        return self.flagged == self.case.attack


def read_manifest(folder: Path) -> list[Case]:
    """The cases the folder's manifest.json names, in its order."""
    path = folder / "manifest.json"
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not valid JSON ({exc.msg})", exc.lineno) from None
    if isinstance(data, dict) and isinstance(data.get("files"), list):
        rows = [
            (row.get("file"), row.get("malicious"), row.get("kind", "")) for row in data["files"]
        ]
    elif isinstance(data, dict):
        rows = [
            (name, spec.get("injection"), spec.get("kind", ""))
            for name, spec in data.items()
            if isinstance(spec, dict)
        ]
    else:
        raise InputError(str(path), "expected an object naming each file")
    cases = []
    for name, attack, kind in rows:
        if not isinstance(name, str) or not isinstance(attack, bool):
            raise InputError(str(path), "every entry needs a file name and true or false")
        if not (folder / name).is_file():
            raise InputError(str(path), f"names {name}, which is not in {folder}")
        cases.append(Case(name, attack, str(kind)))
    return cases


def run(folder: Path) -> list[Outcome]:
    from assistant import clock
    from assistant.mail.classify import classify_bytes

    today = clock.now().date()
    outcomes = []
    for case in read_manifest(folder):
        reading = classify_bytes((folder / case.name).read_bytes(), today=today)
        signals = tuple(f"{s['kind']} in {s['where']}" for s in reading.get("injection") or [])
        outcomes.append(Outcome(case, signals))
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, Any]:
    attacks = [o for o in outcomes if o.case.attack]
    innocent = [o for o in outcomes if not o.case.attack]
    return {
        "attacks_flagged": sum(o.flagged for o in attacks),
        "attacks": len(attacks),
        "innocent_flagged": sum(o.flagged for o in innocent),
        "innocent": len(innocent),
        "misses": [o.case.name for o in attacks if not o.flagged],
        "false_alarms": [o.case.name for o in innocent if o.flagged],
    }


@click.command("injection")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object with the totals and lists.")
def eval_injection(folder: Path, as_json: bool) -> None:
    """Hidden-instruction mails flagged, and innocent ones left alone, in a labelled folder."""
    if not folder.is_dir():
        raise InputError(str(folder), "no such folder")
    outcomes = run(folder)
    totals = summary(outcomes)
    if as_json:
        click.echo(json.dumps(totals, ensure_ascii=False))
        return
    for outcome in outcomes:
        mark = "ok  " if outcome.right else "MISS" if outcome.case.attack else "FALSE"
        said = ", ".join(outcome.signals) or "nothing"
        click.echo(f"{mark} {outcome.case.name} ({outcome.case.kind or 'innocent'}): {said}")
    click.echo(
        f"\nAttacks flagged: {totals['attacks_flagged']} of {totals['attacks']}; "
        f"innocent mails flagged: {totals['innocent_flagged']} of {totals['innocent']}"
    )
