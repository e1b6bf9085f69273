"""`nurture eval drafting`: scenarios through the real pipeline offline, every check printed."""

from __future__ import annotations

import json
import logging
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import click

from assistant.commands.draft_checks import Check, check, turn_kind
from assistant.commands.scenarios import Outcome, Runner, Scenario, load
from assistant.errors import InputError


@click.command("drafting")
@click.argument("scenarios", type=click.Path(path_type=Path))
@click.option(
    "--library", type=click.Path(path_type=Path), required=True, help="The library folder."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: scenarios and totals.")
def eval_drafting(scenarios: Path, library: Path, as_json: bool) -> None:
    """Run drafting scenarios (JSON lines) through the pipeline offline and check each draft.

    Each line: {"id", "rep", "lead", "thread", "tone_rules", "content_slug", "must",
    "must_not"}; must and must_not are printed beside each draft for a reader.
    """
    if not library.is_dir():
        raise InputError(str(library), "the library folder does not exist")
    cases = load(scenarios)
    logging.getLogger("nurture").setLevel(logging.WARNING)  # the checks are the report
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="nurture-eval-") as work:
        runner = Runner(library, Path(work))
        for scenario in cases:
            outcome = runner.run(scenario)
            results.append(_result(scenario, outcome, check(scenario, outcome)))
    totals = _totals(results)
    if as_json:
        click.echo(json.dumps({"scenarios": results, "totals": totals}, indent=2))
        return
    for result in results:
        click.echo(_text(result))
    click.echo(_totals_text(totals, len(results)))


def _result(scenario: Scenario, outcome: Outcome, checks: list[Check]) -> dict[str, Any]:
    draft = outcome.draft
    return {
        "id": scenario.id,
        "turn": turn_kind(scenario, outcome) or "reply",
        "content": outcome.content_slug,
        "expected_content": scenario.content_slug,
        "lead_status": str(outcome.lead.status),
        "paused_until": outcome.lead.paused_until.date().isoformat()
        if outcome.lead.paused_until
        else None,
        "draft": draft.body if draft else None,
        "flags": list(draft.flags) if draft else [],
        "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in checks],
        "passed": all(c.passed for c in checks),
        "must": list(scenario.must),
        "must_not": list(scenario.must_not),
    }


def _totals(results: list[dict[str, Any]]) -> dict[str, Any]:
    passed: Counter[str] = Counter()
    applied: Counter[str] = Counter()
    for result in results:
        for item in result["checks"]:
            applied[item["name"]] += 1
            passed[item["name"]] += item["passed"]
    return {
        "scenarios": len(results),
        "all_checks_passed": sum(r["passed"] for r in results),
        "checks": {name: {"passed": passed[name], "of": applied[name]} for name in applied},
    }


def _text(result: dict[str, Any]) -> str:
    until = f" until {result['paused_until']}" if result["paused_until"] else ""
    expected = result["expected_content"] or "none"
    lines = [
        f"== {result['id']} ({result['turn']}) {'PASS' if result['passed'] else 'FAIL'}",
        f"   content {result['content'] or 'none'} (expected {expected})"
        f", lead {result['lead_status']}{until}",
    ]
    lines += [
        f"   {'ok  ' if c['passed'] else 'FAIL'} {c['name']}: {c['detail']}"
        for c in result["checks"]
    ]
    lines.append("   --- draft ---")
    lines += [f"   | {line}" for line in (result["draft"] or "(no draft)").splitlines()]
    if result["flags"]:
        lines.append(f"   flags: {'; '.join(result['flags'])}")
    lines += [f"   must: {m}" for m in result["must"]]
    lines += [f"   must not: {m}" for m in result["must_not"]]
    return "\n".join(lines) + "\n"


def _totals_text(totals: dict[str, Any], count: int) -> str:
    lines = [f"Totals: {totals['all_checks_passed']} of {count} scenarios pass every check"]
    for name, score in totals["checks"].items():
        lines.append(f"  {name:<22} {score['passed']:>3} of {score['of']}")
    return "\n".join(lines)
