"""The daemon: per-mailbox wakes, timer passes and an hourly full pass; SIGTERM stops it cleanly.

Daemons sharing one PostgreSQL share the mailboxes out by lease (assistant.leases): a round
every heartbeat renews this daemon's, takes free ones up to its fair share and gives back the
surplus, and the watchers follow; passes sync only held mailboxes. An IMAP IDLE watcher per
held mailbox (see assistant.watch) asks for a pass over its own mailbox:
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

from assistant import clock, leases, roster
from assistant.config import RepSettings, Settings
from assistant.db import transaction
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
        self.watching: dict[str, RepSettings] = {}  # the settings each watcher was started with
        self._first = True
        self.passes = asyncio.Lock()  # one pass at a time: two would plan the same lead
        self.waiting: set[str] = set()  # mailboxes a watcher asked to sync
        self.woken = asyncio.Event()
        self.audit_mark = 0  # the newest audit entry the timer passes have seen
        self._started = time.monotonic()
        self.ctx.held = frozenset()  # until the first lease round says otherwise
        self.ctx.shared_out = frozenset()  # the first lease round reads the reps table
        self.giving_back: frozenset[str] = frozenset()  # surplus leases on their way back
        self.side_tasks: set[asyncio.Task[None]] = set()
        self.renewed = time.monotonic()  # the last lease round that reached the database

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
        """Held mailboxes without a running watcher, and the leads whose timers fell due."""
        self._track()
        unwatched = frozenset(
            mailbox
            for mailbox in self.ctx.held or ()
            if mailbox not in self.watchers or self.watchers[mailbox].done()
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

    def candidates(self) -> dict[str, RepSettings]:
        """The mailboxes the daemons share out: every active rep's with IMAP settings, read from
        the reps table each round, so that a rep added, paused, resumed or removed while the
        daemons run is picked up or let go at the next round."""
        return {rep.email: rep for rep in roster.reps(self.ctx.engine) if rep.imap is not None}

    def hold(self, at: datetime) -> tuple[leases.Round, dict[str, RepSettings]]:
        """The one decision of which mailboxes this process watches: those it holds a lease on,
        out of the candidates, about its fair share of them (see assistant.leases)."""
        wanted = self.candidates()
        held = leases.keep(
            self.ctx.engine,
            list(wanted),
            at,
            timedelta(seconds=self.settings.daemon.lease_ttl_seconds),
            giving_back=frozenset(self.giving_back),
        )
        return held, wanted

    def announce(self) -> bool:
        """Tell the other daemons this one is here, before it takes anything, so that a round
        later it takes its fair share rather than every mailbox; False on SQLite, where it is
        alone and takes them all at once."""
        ttl = timedelta(seconds=self.settings.daemon.lease_ttl_seconds)
        with transaction(self.ctx.engine) as session:
            leases.start(session)
            leases.beat(session, clock.wall(), ttl)
            return leases.is_shared(session)

    async def lease_round(self) -> None:
        """Renew, take and give back mailbox leases; start and stop watchers to match."""
        try:
            held, wanted = await asyncio.to_thread(self.hold, clock.wall())
        except Exception as exc:  # the database is away: past the TTL, the others take over
            ttl = self.settings.daemon.lease_ttl_seconds
            if time.monotonic() - self.renewed > ttl:
                self._watch(leases.Round(frozenset(), frozenset()), {})
            log.warning("mailbox leases not renewed (%s); trying again", exc)
            return
        self.renewed = time.monotonic()
        self._watch(held, wanted)

    async def keep_leases(self) -> None:
        """A lease round every heartbeat (or every `reconcile_seconds`, when shorter) until the
        daemon stops: the reps table and the other daemons are read again each time."""
        daemon = self.settings.daemon
        every = min(daemon.lease_heartbeat_seconds, daemon.reconcile_seconds)
        while not self.ctx.stopping.is_set():
            await asyncio.sleep(every)
            await self.lease_round()

    def _watch(self, held: leases.Round, wanted: dict[str, RepSettings]) -> None:
        """Watchers for the mailboxes newly held; none for those lost, given back, paused or
        removed; a new watcher where a rep's mailbox settings changed."""
        before = self.ctx.held or frozenset()
        self.ctx.held = held.held
        self.ctx.shared_out = frozenset(wanted)
        changed = {m for m, rep in self.watching.items() if m in wanted and wanted[m] != rep}
        gone = (before | frozenset(self.watchers)) - held.held
        for mailbox in gone | changed:
            self._unwatch(mailbox)
        surplus = held.surplus - self.giving_back
        if surplus:
            self.giving_back |= surplus
            task = asyncio.create_task(self._give_back(surplus), name="give-back")
            self.side_tasks.add(task)
            task.add_done_callback(self.side_tasks.discard)
        new = sorted((held.held - before) | (changed & held.held))
        if gone or new:
            log.info(
                "holding %d mailbox(es)%s%s",
                len(held.held),
                f"; took {', '.join(new)}" if new else "",
                f"; left {', '.join(sorted(gone))}" if gone else "",
            )
        daemon = self.settings.daemon
        if not daemon.idle or not new or self.ctx.stopping.is_set():
            return
        # The first round spreads its logins over the start-up stagger; later ones start the
        # few mailboxes that changed a moment apart.
        stagger = daemon.startup_stagger_seconds if self._first else 0.2 * len(new)
        self._first = False
        spread = stagger / len(new)
        for index, mailbox in enumerate(new):
            rep = wanted.get(mailbox)
            if rep is None or mailbox in self.watchers:
                continue
            self.watching[mailbox] = rep
            self.watchers[mailbox] = asyncio.create_task(
                watch(
                    rep,
                    self.ctx.open_mailbox,
                    partial(self.wake, mailbox),
                    renew=daemon.idle_renew_seconds,
                    reconnect_cap=daemon.reconnect_max_seconds,
                    log=log,
                    delay=index * spread + random.uniform(0, spread),
                    resting=self.ctx.manners.resting,
                ),
                name=f"watch:{mailbox}",
            )
            log.info(
                "started watching the mailbox of %s: %d IMAP watcher(s)",
                mailbox,
                len(self.watchers),
            )

    def _unwatch(self, mailbox: str) -> None:
        """Close this mailbox's IDLE connection; a pass already asked for still runs."""
        self.watching.pop(mailbox, None)
        watcher = self.watchers.pop(mailbox, None)
        if watcher is not None:
            watcher.cancel()
            log.info(
                "stopped watching the mailbox of %s: %d IMAP watcher(s)",
                mailbox,
                len(self.watchers),
            )

    async def _give_back(self, mailboxes: frozenset[str]) -> None:
        """Release surplus leases once the pass under way (which may be syncing one of them)
        is over; no later pass touches them, they are no longer held."""
        async with self.passes:
            await asyncio.to_thread(self._release, mailboxes)
        self.giving_back -= mailboxes

    def _release(self, mailboxes: frozenset[str]) -> None:
        with transaction(self.ctx.engine) as session:
            leases.release(session, leases.MAILBOX, mailboxes)

    def leave(self) -> None:
        """On a clean stop the leases go back at once: the others need not wait out the TTL."""
        with transaction(self.ctx.engine) as session:
            leases.leave(session)

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
        return [
            asyncio.create_task(self.wakes(), name="wakes"),
            asyncio.create_task(self.keep_leases(), name="leases"),
        ]

    def tasks(self) -> list[asyncio.Task[Any]]:
        """Everything to cancel on the way out: the loops, the watchers, the give-backs."""
        return [*self.watchers.values(), *self.side_tasks]


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
    if await asyncio.to_thread(daemon.announce):
        await asyncio.sleep(settings.daemon.lease_heartbeat_seconds)
    await daemon.lease_round()
    tasks = daemon.start()
    log.info(
        "daemon started as %s: %d active rep(s); timers every %ss, sends every %ss, %d IMAP "
        "watcher(s)",
        leases.ME,
        len(roster.reps(ctx.engine)),
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
    tasks += daemon.tasks()
    for task in tasks:
        task.cancel()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    daemon.scheduler.shutdown(wait=False)
    try:
        await asyncio.to_thread(daemon.leave)
    except Exception as exc:  # the leases then simply expire
        log.warning("mailbox leases not given back (%s); they expire on their own", exc)
    if server is not None:
        server.should_exit = True
    await ctx.aclose()
    log.info("stopped")


async def _start_web(settings: Settings, ctx: Context) -> Any:
    from assistant.web.server import start

    return await start(settings, ctx.engine)


def serve(settings: Settings, engine: Engine, *, web: bool = False) -> None:
    ctx = context(settings, engine)
    asyncio.run(_main(ctx, settings, web))
