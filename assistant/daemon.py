"""The daemon: per-mailbox wakes, timer passes and an hourly full pass; SIGTERM stops it cleanly.

An IMAP IDLE watcher per mailbox (see assistant.watch) asks for a pass over its own mailbox:
that mailbox is synced, its new messages understood, and only their leads planned and drafted.
APScheduler runs three jobs beside: `timers` (the mailboxes without a watcher, and the leads
whose follow-up, pause or retry fell due), `send` (approved mail, often) and `full` (every
mailbox and lead, at start and then rarely). Passes run one at a time; their parsing and
drafting run in a bounded pool of worker threads, so the web app, the watchers and the stop
signal are never kept waiting. On SIGTERM each stage finishes the item in hand and stops.

Under NURTURE_NOW (tests, demos) the daemon's time starts at that moment and then runs: a
daemon whose clock stood still would never reach a retry or a staggered send.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant import clock
from assistant.config import Settings
from assistant.metrics import PASS_SECONDS
from assistant.models import AuditEntry
from assistant.pipeline import send, tick
from assistant.pipeline.context import Context, Scope
from assistant.runtime import context
from assistant.watch import watch

log = logging.getLogger("nurture")
STOP_WITHIN = 8.0  # seconds a running pass gets to finish its item after SIGTERM


class Daemon:
    """The scheduler's jobs and the watchers, with what they share."""

    def __init__(self, ctx: Context, settings: Settings) -> None:
        self.ctx = ctx
        self.settings = settings
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.running: set[asyncio.Task[Any]] = set()
        self.watchers: dict[str, asyncio.Task[None]] = {}
        self.passes = asyncio.Lock()  # one pass at a time: two would plan the same lead
        self.waiting: set[str] = set()  # mailboxes a watcher asked to sync
        self.woken = asyncio.Event()
        self.audit_mark = 0  # the newest audit entry the timer passes have seen
        self._started = time.monotonic()

    def now(self) -> datetime:
        if os.environ.get("NURTURE_NOW"):
            return clock.now() + timedelta(seconds=time.monotonic() - self._started)
        return clock.now()

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.running.add(task)
            task.add_done_callback(self.running.discard)

    async def _pass(self, what: str, scope: Scope | None) -> None:
        async with self.passes:
            if self.ctx.stopping.is_set():
                return
            try:
                with PASS_SECONDS.time():
                    report = await tick(self.ctx, self.now(), scope)
            except Exception:  # one bad pass must not end the daemon; the next one starts clean
                log.exception("%s pass failed; the next one will retry", what)
                return
            log.debug("%s pass done: %s", what, report)

    async def full(self) -> None:
        """Every mailbox and every lead; the timer passes go on from the audit log's end."""
        self._track()
        with Session(self.ctx.engine) as session:
            mark = session.exec(select(func.max(AuditEntry.id))).one() or 0
        await self._pass("full", None)
        self.audit_mark = max(self.audit_mark, mark)

    async def timers(self) -> None:
        """Mailboxes no watcher holds, and the leads whose timers fell due."""
        self._track()
        unwatched = frozenset(
            rep.email
            for rep in self.settings.reps
            if rep.imap is not None
            and (rep.email not in self.watchers or self.watchers[rep.email].done())
        )
        scope = Scope(mailboxes=unwatched, leads=set(), timers=True, audit_after=self.audit_mark)
        await self._pass("timer", scope)
        self.audit_mark = max(self.audit_mark, scope.audit_after)

    async def wakes(self) -> None:
        """Sync the mailboxes the watchers name, each pass taking all that asked meanwhile."""
        while not self.ctx.stopping.is_set():
            await self.woken.wait()
            self.woken.clear()
            mailboxes, self.waiting = frozenset(self.waiting), set()
            if mailboxes:
                running = asyncio.current_task()
                assert running is not None
                self.running.add(running)
                try:
                    await self._pass("mailbox", Scope(mailboxes=mailboxes, leads=set()))
                finally:
                    self.running.discard(running)

    async def send(self) -> None:
        self._track()
        try:
            await send.run(self.ctx, self.now(), linger=self.settings.daemon.send_interval_seconds)
        except Exception:
            log.exception("send pass failed; the next one will retry")

    def wake(self, mailbox: str, reason: str) -> None:
        """Sync this mailbox now (or right after the running pass)."""
        log.debug("waking a pass: %s", reason)
        self.waiting.add(mailbox)
        self.woken.set()

    def start(self) -> list[asyncio.Task[None]]:
        options = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        daemon = self.settings.daemon
        self.scheduler.add_job(
            self.full,
            "interval",
            minutes=daemon.full_pass_minutes,
            next_run_time=datetime.now(UTC),
            id="full",
            **options,
        )
        self.scheduler.add_job(
            self.timers, "interval", seconds=daemon.sync_interval_seconds, id="timers", **options
        )
        self.scheduler.add_job(
            self.send, "interval", seconds=daemon.send_interval_seconds, id="send", **options
        )
        self.scheduler.start()
        tasks = [asyncio.create_task(self.wakes(), name="wakes")]
        if not daemon.idle:
            return tasks
        reps = [rep for rep in self.settings.reps if rep.imap is not None]
        spread = daemon.startup_stagger_seconds / max(1, len(reps))
        for index, rep in enumerate(reps):
            self.watchers[rep.email] = asyncio.create_task(
                watch(
                    rep,
                    self.ctx.open_mailbox,
                    partial(self.wake, rep.email),
                    renew=daemon.idle_renew_seconds,
                    reconnect_cap=daemon.reconnect_max_seconds,
                    log=log,
                    delay=index * spread + random.uniform(0, spread),
                    resting=self.ctx.manners.resting,
                ),
                name=f"watch:{rep.email}",
            )
        return [*tasks, *self.watchers.values()]


async def _main(ctx: Context, settings: Settings, web: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.set_default_executor(
        ThreadPoolExecutor(settings.daemon.workers, thread_name_prefix="nurture-work")
    )
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    daemon = Daemon(ctx, settings)
    server = await _start_web(settings, ctx) if web else None
    tasks = daemon.start()
    log.info(
        "daemon started: %d rep(s); timers every %ss, sends every %ss, %d IMAP watcher(s)",
        len(settings.reps),
        settings.daemon.sync_interval_seconds,
        settings.daemon.send_interval_seconds,
        len(daemon.watchers),
    )
    await stop.wait()
    log.info("stopping: the running pass finishes the item in hand")
    # Pausing starts nothing new; shutting the scheduler down would cancel the running pass
    # (its executor cancels the jobs it still holds), so that waits until the pass is done.
    ctx.stopping.set()
    daemon.scheduler.pause()
    if daemon.running:
        await asyncio.wait(list(daemon.running), timeout=STOP_WITHIN)
    for task in tasks:
        task.cancel()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    daemon.scheduler.shutdown(wait=False)
    if server is not None:
        server.should_exit = True
    log.info("stopped")


async def _start_web(settings: Settings, ctx: Context) -> Any:
    from assistant.web.server import start

    return await start(settings, ctx.engine)


def serve(settings: Settings, engine: Engine, *, web: bool = False) -> None:
    ctx = context(settings, engine)
    asyncio.run(_main(ctx, settings, web))
