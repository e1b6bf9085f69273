"""`nurture eval understanding DIR`: how well Nurture reads a folder of labelled messages."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.mail.scoring import load_cases, measure_speed, score


@click.command("understanding")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.option("--misses", is_flag=True, help="Also list the messages read wrongly, by figure.")
@click.option("--rounds", default=3, show_default=True, help="Timing passes for the speed figure.")
def eval_understanding(folder: Path, as_json: bool, misses: bool, rounds: int) -> None:
    """Kind, bounce recipients, hard/soft and new text against NAME.json beside each NAME.eml."""
    cases = load_cases(folder)
    report = score(cases)
    if rounds > 0:
        measure_speed(report, [case.raw for case in cases], rounds=rounds)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    click.echo(report.format_text())
    if misses:
        for name in ("kind", "bounce_recognised", "recipients", "hard_soft", "new_text"):
            wrong = getattr(report, name).misses
            if wrong:
                click.echo(f"{name}: {', '.join(wrong)}")
        if report.crashes:
            click.echo(f"crashes: {', '.join(report.crashes)}")
