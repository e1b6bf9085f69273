"""The daemon: APScheduler runs the pipeline on intervals; SIGTERM or Ctrl-C stop it cleanly.

Two jobs: `cycle` (sync, understand, plan, draft, send) and `send` (send only, more often, so
approved mail leaves soon). Each reads the clock once; neither overlaps itself. Beside them,
one IMAP IDLE watcher per rep wakes `cycle` as soon as mail arrives (see assistant.watch).

Under NURTURE_NOW (tests, demos) the daemon's time starts at that moment and then runs: a
daemon whose clock stood still would never reach a retry or a staggered send.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine

from assistant import clock
from assistant.config import Settings
from assistant.metrics import PASS_SECONDS
from assistant.pipeline import send, tick
from assistant.pipeline.context import Context
from assistant.runtime import context
from assistant.watch import watch

log = logging.getLogger("nurture")


class Daemon:
    """The scheduler's jobs and the watchers, with what they share."""

    def __init__(self, ctx: Context, settings: Settings) -> None:
        self.ctx = ctx
        self.settings = settings
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.running: set[asyncio.Task[Any]] = set()
        # Set by a watcher; a pass that is already running looks at it before it ends,
        # so mail announced mid-pass is fetched at once rather than at the next interval.
        self.again = asyncio.Event()
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

    async def cycle(self) -> None:
        self._track()
        while True:
            self.again.clear()
            now = self.now()
            try:
                with PASS_SECONDS.time():
                    report = await tick(self.ctx, now)
            except Exception:  # one bad pass must not end the daemon; the next one starts clean
                log.exception("pass failed; the next one will retry")
                return
            log.debug("pass done: %s", report)
            if not self.again.is_set():
                return

    async def send(self) -> None:
        self._track()
        try:
            await send.run(self.ctx, self.now(), linger=self.settings.daemon.send_interval_seconds)
        except Exception:
            log.exception("send pass failed; the next one will retry")

    def wake(self, reason: str) -> None:
        """Run a pass now (or right after the running one)."""
        log.debug("waking a pass: %s", reason)
        self.again.set()
        job = self.scheduler.get_job("cycle")
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC))

    def start(self) -> list[asyncio.Task[None]]:
        options = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        daemon = self.settings.daemon
        self.scheduler.add_job(
            self.cycle,
            "interval",
            seconds=daemon.sync_interval_seconds,
            next_run_time=datetime.now(UTC),
            id="cycle",
            **options,
        )
        self.scheduler.add_job(
            self.send, "interval", seconds=daemon.send_interval_seconds, id="send", **options
        )
        self.scheduler.start()
        if not daemon.idle:
            return []
        return [
            asyncio.create_task(
                watch(
                    rep,
                    self.ctx.open_mailbox,
                    self.wake,
                    renew=daemon.idle_renew_seconds,
                    reconnect_cap=daemon.reconnect_max_seconds,
                    log=log,
                ),
                name=f"watch:{rep.email}",
            )
            for rep in self.settings.reps
            if rep.imap is not None
        ]


async def _main(ctx: Context, settings: Settings, web: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    daemon = Daemon(ctx, settings)
    server = await _start_web(settings, ctx) if web else None
    watchers = daemon.start()
    log.info(
        "daemon started: %d rep(s); pass every %ss, sends every %ss, %d IMAP watcher(s)",
        len(settings.reps),
        settings.daemon.sync_interval_seconds,
        settings.daemon.send_interval_seconds,
        len(watchers),
    )
    await stop.wait()
    log.info("stopping: waiting for the running pass to finish")
    # Pausing starts nothing new; shutting the scheduler down would cancel the running pass
    # (its executor cancels the jobs it still holds), so that waits until the pass is done.
    daemon.scheduler.pause()
    for task in watchers:
        task.cancel()
    await asyncio.wait_for(asyncio.gather(*watchers, return_exceptions=True), 15)
    if daemon.running:
        await asyncio.wait(list(daemon.running), timeout=60)
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
