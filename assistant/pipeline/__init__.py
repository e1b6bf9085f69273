"""The pipeline, in order. Each stage is idempotent; the database is the only hand-off.

ingest -> understand -> plan -> (select content + draft) -> [rep approves] -> send
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from assistant import logs
from assistant.errors import MailError
from assistant.metrics import timed
from assistant.pipeline import draft, ingest, notify, plan, send, understand
from assistant.pipeline.context import Context

STAGES = ("ingest", "understand", "notify", "plan", "draft", "send")


@dataclass
class TickReport:
    synced: int = 0
    understood: int = 0
    notified: int = 0
    drafted: list[int] = field(default_factory=list)
    send: send.SendReport = field(default_factory=send.SendReport)
    errors: list[str] = field(default_factory=list)


async def sync_all(ctx: Context, now: datetime, report: TickReport) -> None:
    """Ingest every rep's mailbox; one unreachable mailbox never stops the others."""
    for rep in ctx.settings.reps:
        if rep.imap is None:
            continue
        try:
            with logs.ids(mailbox=rep.email):
                for folder in await ingest.sync_rep(ctx, rep, now):
                    report.synced += folder.stored
        except MailError as exc:
            report.errors.append(str(exc))
            ctx.log.error("%s: mailbox not synced this time: %s", rep.email, exc)


async def tick(ctx: Context, now: datetime) -> TickReport:
    """One full pass of every stage, with the clock read once by the caller."""
    report = TickReport()
    with timed("ingest"):
        await sync_all(ctx, now, report)
    with timed("understand"):
        report.understood = await understand.run(ctx, now)
    with timed("notify"):
        report.notified = await notify.run(ctx, now)
    with timed("plan"):
        steps = plan.run(ctx, now)
    with timed("draft"):
        report.drafted = await draft.run(ctx, steps, now)
    with timed("send"):
        report.send = await send.run(ctx, now)
    return report
