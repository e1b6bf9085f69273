"""Prometheus metrics: timings the daemon records as it runs, and state read from the store."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant import clock, roster
from assistant.config import Settings
from assistant.models import Draft, DraftState, FolderState, ModelUsage, Notification, Rep

# What this process measures as it works; the daemon and the web app share one process
# under `nurture run --web`, so the web app's /metrics shows these too.
PROCESS = CollectorRegistry(auto_describe=True)
_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
PASS_SECONDS = Histogram(
    "nurture_pass_seconds", "How long one full pass took.", buckets=_BUCKETS, registry=PROCESS
)
STAGE_SECONDS = Histogram(
    "nurture_stage_seconds",
    "How long each stage of a pass took.",
    ["stage"],
    buckets=_BUCKETS,
    registry=PROCESS,
)
IDLE = Gauge(
    "nurture_mailbox_idle",
    "1 while the mailbox's IMAP IDLE watch is connected and waiting, else 0.",
    ["mailbox"],
    registry=PROCESS,
)

SEND_OUTCOMES = (DraftState.sent, DraftState.failed, DraftState.unknown)
TOKEN_KINDS = ("input", "output", "cache_write", "cache_read")


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """Record how long the block took as one observation of `stage`."""
    start = time.monotonic()
    try:
        yield
    finally:
        STAGE_SECONDS.labels(stage).observe(time.monotonic() - start)


def sync_lag(session: Session, settings: Settings, now: datetime) -> dict[str, float | None]:
    """Seconds since each IMAP mailbox's oldest folder last synced; None when never synced."""
    rows = session.exec(
        select(
            col(Rep.email), func.min(col(FolderState.synced_at)), func.count(col(FolderState.id))
        )
        .join(FolderState, col(FolderState.rep_id) == col(Rep.id))
        .group_by(col(Rep.email))
    ).all()
    oldest = {email: synced for email, synced, _ in rows}
    lags: dict[str, float | None] = {}
    for rep in roster.reps(session):
        if rep.imap is None:
            continue
        synced = oldest.get(rep.email)
        if synced is not None and synced.tzinfo is None:
            synced = synced.replace(tzinfo=now.tzinfo)
        lags[rep.email] = (now - synced).total_seconds() if synced else None
    return lags


class StoreCollector(Collector):
    """Gauges and totals read from the database at each scrape, so they hold across restarts."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    def describe(self) -> Iterable[Metric]:
        return []  # read at scrape time: nothing to check at registration

    def collect(self) -> Iterable[Metric]:
        with Session(self.engine) as session:
            yield self._lag(session)
            drafts: dict[str, int] = dict(
                session.exec(
                    select(col(Draft.state), func.count(col(Draft.id))).group_by(col(Draft.state))
                ).all()
            )
            by_state = GaugeMetricFamily(
                "nurture_drafts", "Drafts in each state.", labels=["state"]
            )
            for state in DraftState:
                by_state.add_metric([state.value], drafts.get(state.value, 0))
            yield by_state
            sends = GaugeMetricFamily(
                "nurture_sends",
                "Approved drafts whose send ended in each outcome.",
                labels=["outcome"],
            )
            for outcome in SEND_OUTCOMES:
                sends.add_metric([outcome.value], drafts.get(outcome.value, 0))
            yield sends
            yield self._failures(session, drafts.get(DraftState.failed.value, 0))
            yield from self._usage(session)

    def _lag(self, session: Session) -> Metric:
        lag = GaugeMetricFamily(
            "nurture_mailbox_sync_lag_seconds",
            "Seconds since the mailbox's least recently synced folder was synced "
            "(-1: never synced).",
            labels=["mailbox"],
        )
        for email, seconds in sync_lag(session, self.settings, clock.now()).items():
            lag.add_metric([email], -1 if seconds is None else seconds)
        return lag

    def _failures(self, session: Session, drafts: int) -> Metric:
        notices = session.exec(
            select(func.count(col(Notification.id))).where(col(Notification.state) == "failed")
        ).one()
        failed = GaugeMetricFamily(
            "nurture_failed", "Work shunted aside for good, by kind.", labels=["kind"]
        )
        failed.add_metric(["draft"], drafts)
        failed.add_metric(["notification"], notices)
        return failed

    def _usage(self, session: Session) -> Iterator[Metric]:
        # Six columns: more than sqlmodel's typed select takes, so SQLAlchemy's own.
        query = sa.select(
            col(ModelUsage.model),
            func.sum(col(ModelUsage.input_tokens)),
            func.sum(col(ModelUsage.output_tokens)),
            func.sum(col(ModelUsage.cache_write_tokens)),
            func.sum(col(ModelUsage.cache_read_tokens)),
            func.sum(col(ModelUsage.cost_usd)),
        ).group_by(col(ModelUsage.model))
        rows = session.connection().execute(query).all()
        tokens = CounterMetricFamily(
            "nurture_model_tokens", "Tokens used with the model.", labels=["model", "kind"]
        )
        dollars = CounterMetricFamily(
            "nurture_model_cost_dollars", "US dollars spent on the model.", labels=["model"]
        )
        for model, *counts, cost in rows:
            for kind, count in zip(TOKEN_KINDS, counts, strict=True):
                tokens.add_metric([model, kind], count or 0)
            dollars.add_metric([model], cost or 0.0)
        yield tokens
        yield dollars


class _Process(Collector):
    """Forwards this process's own metrics into a per-app registry."""

    def collect(self) -> Iterable[Metric]:
        return PROCESS.collect()


def registry(engine: Engine, settings: Settings) -> CollectorRegistry:
    """What one web app's /metrics shows: the store's state and this process's timings."""
    out = CollectorRegistry(auto_describe=False)
    out.register(StoreCollector(engine, settings))
    out.register(_Process())
    return out
