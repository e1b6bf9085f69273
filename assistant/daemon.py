"""The daemon: APScheduler runs the pipeline on intervals; SIGTERM or Ctrl-C stop it cleanly.

Two jobs: `cycle` (sync, understand, plan, draft, send) and `send` (send only, more often, so
approved mail leaves soon). Each reads the clock once; neither overlaps itself.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine

from assistant import clock
from assistant.config import Settings
from assistant.pipeline import send, tick
from assistant.pipeline.context import Context
from assistant.runtime import context

log = logging.getLogger("nurture")


_running: set[asyncio.Task[None]] = set()


def _track() -> None:
    task = asyncio.current_task()
    if task is not None:
        _running.add(task)
        task.add_done_callback(_running.discard)


async def _cycle(ctx: Context) -> None:
    _track()
    now = clock.now()
    try:
        report = await tick(ctx, now)
    except Exception:  # one bad pass must not end the daemon; the next one starts clean
        log.exception("pass failed; the next one will retry")
        return
    log.debug("pass done: %s", report)


async def _send(ctx: Context) -> None:
    _track()
    now: datetime = clock.now()
    try:
        await send.run(ctx, now)
    except Exception:
        log.exception("send pass failed; the next one will retry")


async def _main(ctx: Context, settings: Settings, web: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    scheduler = AsyncIOScheduler(timezone="UTC")
    options = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    scheduler.add_job(
        _cycle,
        "interval",
        args=[ctx],
        seconds=settings.daemon.sync_interval_seconds,
        next_run_time=clock.now(),
        id="cycle",
        **options,
    )
    scheduler.add_job(
        _send,
        "interval",
        args=[ctx],
        seconds=settings.daemon.send_interval_seconds,
        id="send",
        **options,
    )
    server = None
    if web:
        server = await _start_web(settings, ctx)
    scheduler.start()
    log.info(
        "daemon started: %d rep(s); pass every %ss, sends every %ss",
        len(settings.reps),
        settings.daemon.sync_interval_seconds,
        settings.daemon.send_interval_seconds,
    )
    await stop.wait()
    log.info("stopping: waiting for the running pass to finish")
    scheduler.pause()  # no new passes; the running one finishes its work
    if _running:
        await asyncio.wait(list(_running), timeout=60)
    scheduler.shutdown(wait=False)
    if server is not None:
        server.should_exit = True
    log.info("stopped")


async def _start_web(settings: Settings, ctx: Context) -> Any:
    from assistant.web.server import start

    return await start(settings, ctx.engine)


def serve(settings: Settings, engine: Engine, *, web: bool = False) -> None:
    ctx = context(settings, engine)
    asyncio.run(_main(ctx, settings, web))
