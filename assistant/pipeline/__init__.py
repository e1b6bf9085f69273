"""The pipeline, in order, as data. Each stage is idempotent; the database is the only hand-off.

Every stage has one shape, `run(ctx, now) -> report`, and wraps its items in the shunt
(`shunt.each`): one failing message or lead is recorded and retried later, never blocking
the others.

ingest -> understand -> notify -> plan -> draft -> [rep approves] -> send
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.metrics import timed
from assistant.pipeline import draft, ingest, notify, plan, send, understand
from assistant.pipeline.context import Context

Run = Callable[[Context, datetime], Awaitable[Any]]
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


async def tick(ctx: Context, now: datetime) -> TickReport:
    """One full pass of every stage, with the clock read once by the caller."""
    report = TickReport()
    for name, run in STAGES:
        with timed(name):
            report.reports[name] = await run(ctx, now)
    return report
