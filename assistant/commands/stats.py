"""`nurture stats cost`: what the model cost, by day and rep, from the usage ledger."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import click
from sqlmodel import Session, col, select

from assistant import clock
from assistant.models import ModelUsage, Rep

if TYPE_CHECKING:
    from assistant.commands.app import App


@click.group()
def stats() -> None:
    """Numbers about Nurture's own work."""


@stats.command("cost")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def cost(app: App, days: int, as_json: bool) -> None:
    """Tokens and dollars spent on the model, by day and rep (prices from [llm] prices)."""
    with Session(app.engine) as session:
        report = cost_report(session, clock.now(), days)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    rows = report["rows"]
    if not rows:
        click.echo(f"No model use in the last {days} day(s).")
        return
    click.echo(
        f"{'day':<10}  {'rep':<28} {'uses':>5} {'input':>9} {'cache w':>9} {'cache r':>9}"
        f" {'output':>8} {'USD':>9}"
    )
    for row in [*rows, {**report["total"], "day": "total", "rep": ""}]:
        usd = "?" if row["cost_usd"] is None else f"{row['cost_usd']:.4f}"
        click.echo(
            f"{row['day']:<10}  {row['rep'][:28]:<28} {row['uses']:>5} {row['input_tokens']:>9}"
            f" {row['cache_write_tokens']:>9} {row['cache_read_tokens']:>9}"
            f" {row['output_tokens']:>8} {usd:>9}"
        )
    if report["unpriced_uses"]:
        click.echo(
            f"{report['unpriced_uses']} use(s) have no price: set [llm] prices for their model."
        )


def cost_report(session: Session, now: datetime, days: int) -> dict[str, Any]:
    """Model use of the last `days` days (today included), summed by UTC day and rep."""
    start = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    query = (
        select(ModelUsage, Rep.email)
        .join(Rep, col(Rep.id) == ModelUsage.rep_id, isouter=True)
        .where(col(ModelUsage.at) >= start)
        .order_by(col(ModelUsage.at))
    )
    sums: dict[tuple[str, str], dict[str, Any]] = defaultdict(_empty)
    total = _empty()
    unpriced = 0
    for use, email in session.exec(query).all():
        key = (f"{use.at:%Y-%m-%d}" if use.at else "?", email or "(no rep)")
        for bucket in (sums[key], total):
            bucket["uses"] += 1
            bucket["input_tokens"] += use.input_tokens
            bucket["cache_write_tokens"] += use.cache_write_tokens
            bucket["cache_read_tokens"] += use.cache_read_tokens
            bucket["output_tokens"] += use.output_tokens
            bucket["by_purpose"][use.purpose] = bucket["by_purpose"].get(use.purpose, 0) + 1
            if use.cost_usd is not None:
                bucket["cost_usd"] = round((bucket["cost_usd"] or 0.0) + use.cost_usd, 6)
        unpriced += use.cost_usd is None
    rows = [{"day": day, "rep": rep, **values} for (day, rep), values in sorted(sums.items())]
    return {
        "since": start.isoformat(),
        "days": days,
        "rows": rows,
        "total": total,
        "unpriced_uses": unpriced,
    }


def _empty() -> dict[str, Any]:
    return {
        "uses": 0,
        "input_tokens": 0,
        "cache_write_tokens": 0,
        "cache_read_tokens": 0,
        "output_tokens": 0,
        "cost_usd": None,
        "by_purpose": {},
    }
