"""The pipeline, in order, as data. Each stage is idempotent; the database is the only hand-off.

Every stage has one shape, `run(ctx, now, scope) -> report`, and wraps its items in the shunt
(`shunt.each`): one failing message or lead is recorded and retried later, never blocking
the others. The scope (`context.Scope`) narrows a pass to one mailbox and the leads its new
mail belongs to, or to the timers fallen due; without one a pass takes everything.

ingest -> understand -> notify -> plan -> draft -> [rep approves] -> send
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.metrics import timed
from assistant.pipeline import draft, ingest, notify, plan, send, understand
from assistant.pipeline.context import Context, Scope

Run = Callable[[Context, datetime, Scope | None], Awaitable[Any]]
STAGES: tuple[tuple[str, Run], ...] = (
    ("ingest", ingest.run),
    ("understand", understand.run),
    ("notify", notify.run),
    ("plan", plan.run),
    ("draft", draft.run),
    ("send", send.run),
)


@dataclass
class TickReport:
    """What one pass did, stage by stage."""

    reports: dict[str, Any] = field(default_factory=dict)

    @property
    def synced(self) -> int:
        report: ingest.IngestReport | None = self.reports.get("ingest")
        return report.stored if report else 0

    @property
    def errors(self) -> list[str]:
        report: ingest.IngestReport | None = self.reports.get("ingest")
        return report.errors if report else []

    @property
    def understood(self) -> int:
        return int(self.reports.get("understand", 0))

    @property
    def notified(self) -> int:
        return int(self.reports.get("notify", 0))

    @property
    def planned(self) -> int:
        return int(self.reports.get("plan", 0))

    @property
    def drafted(self) -> list[int]:
        return list(self.reports.get("draft", []))

    @property
    def send(self) -> send.SendReport:
        return self.reports.get("send") or send.SendReport()


async def tick(ctx: Context, now: datetime, scope: Scope | None = None) -> TickReport:
    """One pass of every stage over the scope (everything by default), with the clock read
    once by the caller. Once the context is stopping, no further stage starts."""
    report = TickReport()
    for name, run in STAGES:
        if ctx.stopping.is_set():
            break
        with timed(name):
            report.reports[name] = await run(ctx, now, scope)
    if ctx.after_pass is not None and not ctx.stopping.is_set():
        try:
            await ctx.after_pass()
        except Exception:
            ctx.log.exception("the after-pass chores failed; the next pass retries")
    return report
