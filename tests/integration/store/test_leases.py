"""Mailbox leases on a shared PostgreSQL: one holder each, expiry hands over, load evens out."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant import leases
from assistant.config import load
from assistant.db import open_database, transaction
from assistant.errors import ConfigError
from assistant.models import Lead, Lease, Rep

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)
MAILBOXES = [f"rep{i}@acme.test" for i in range(10)]


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = open_database(postgres_url)
    yield engine
    engine.dispose()


def _acquire(engine: Engine, holder: str, key: str, at: datetime) -> bool:
    with transaction(engine) as session:
        return leases.acquire(session, leases.MAILBOX, key, at, TTL, holder)


def _round(engine: Engine, holder: str, at: datetime) -> leases.Round:
    """One heartbeat of a daemon that gives its surplus back at once."""
    held = leases.keep(engine, MAILBOXES, at, TTL, holder=holder, rng=random.Random(1))
    with transaction(engine) as session:
        leases.release(session, leases.MAILBOX, held.surplus, holder)
    return held


def _holders(engine: Engine, at: datetime) -> dict[str, str]:
    with Session(engine) as session:
        rows = session.exec(select(Lease).where(Lease.kind == leases.MAILBOX)).all()
        return {row.key: row.holder for row in rows if row.expires_at and row.expires_at > at}


def test_a_free_mailbox_goes_to_exactly_one_of_many_daemons_asking_at_once(
    engine: Engine,
) -> None:
    start = threading.Barrier(8)
    won: list[str] = []

    def ask(holder: str) -> None:
        start.wait()
        if _acquire(engine, holder, MAILBOXES[0], T0):
            won.append(holder)

    threads = [threading.Thread(target=ask, args=(f"d{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    assert _holders(engine, T0) == {MAILBOXES[0]: won[0]}


def test_a_held_lease_is_refused_to_others_until_it_expires(engine: Engine) -> None:
    assert _acquire(engine, "a", MAILBOXES[0], T0)
    assert not _acquire(engine, "b", MAILBOXES[0], T0 + timedelta(seconds=29))
    assert _acquire(engine, "a", MAILBOXES[0], T0 + timedelta(seconds=29))  # still ours
    assert _acquire(engine, "b", MAILBOXES[0], T0 + timedelta(seconds=60))
    with transaction(engine) as session:  # the old holder learns it on its next renewal
        assert leases.renew(session, leases.MAILBOX, T0 + timedelta(seconds=61), TTL, "a") == (
            frozenset()
        )
    assert _holders(engine, T0 + timedelta(seconds=61)) == {MAILBOXES[0]: "b"}


def test_renewing_keeps_the_lease_past_its_first_expiry(engine: Engine) -> None:
    assert _acquire(engine, "a", MAILBOXES[0], T0)
    with transaction(engine) as session:
        kept = leases.renew(session, leases.MAILBOX, T0 + timedelta(seconds=20), TTL, "a")
    assert kept == {MAILBOXES[0]}
    assert not _acquire(engine, "b", MAILBOXES[0], T0 + timedelta(seconds=45))


def test_a_clean_leave_frees_the_mailboxes_at_once(engine: Engine) -> None:
    assert _round(engine, "a", T0).held == set(MAILBOXES)
    with transaction(engine) as session:
        leases.leave(session, "a")
    assert _round(engine, "b", T0 + timedelta(seconds=1)).held == set(MAILBOXES)


def test_daemons_joining_share_the_mailboxes_and_the_dead_ones_pass_to_the_living(
    engine: Engine,
) -> None:
    at = T0
    assert _round(engine, "a", at).held == set(MAILBOXES)  # alone: everything
    for _ in range(3):  # b and c join; a few heartbeats let a give back its surplus
        at += timedelta(seconds=10)
        for daemon in ("a", "b", "c"):
            _round(engine, daemon, at)
    holders = _holders(engine, at)
    assert set(holders) == set(MAILBOXES)  # every mailbox held, each by one daemon
    counts = {d: sum(1 for h in holders.values() if h == d) for d in ("a", "b", "c")}
    assert max(counts.values()) <= leases.fair_share(10, 3) == 4
    assert min(counts.values()) >= 2

    # c is killed: it beats no more. After its TTL, a and b take its mailboxes between them.
    for _ in range(4):
        at += timedelta(seconds=10)
        for daemon in ("a", "b"):
            _round(engine, daemon, at)
    holders = _holders(engine, at)
    assert set(holders) == set(MAILBOXES)
    assert set(holders.values()) == {"a", "b"}
    assert sorted(sum(1 for h in holders.values() if h == d) for d in "ab") == [5, 5]


def test_a_mailbox_no_longer_a_candidate_is_given_back(engine: Engine) -> None:
    assert _acquire(engine, "a", "gone@acme.test", T0)
    held = leases.keep(engine, MAILBOXES[:2], T0, TTL, holder="a")
    assert held.held == set(MAILBOXES[:2]) and held.surplus == {"gone@acme.test"}


def test_planning_a_lead_holds_it_for_the_transaction(engine: Engine) -> None:
    probe = text("SELECT pg_try_advisory_xact_lock(:space, :id)")
    with Session(engine) as first, Session(engine) as second:
        leases.wait_for_lead(first, 42)
        args = {"space": leases.LEAD_LOCKS, "id": 42}
        assert second.execute(probe, args).scalar() is False
        assert second.execute(probe, {**args, "id": 43}).scalar() is True
        second.rollback()
        first.commit()
        assert second.execute(probe, args).scalar() is True
        second.rollback()


def test_on_sqlite_the_one_daemon_clears_what_a_dead_one_left(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path}/nurture.db")
    leases.keep(engine, MAILBOXES, T0, TTL, holder="killed")
    with transaction(engine) as session:
        leases.start(session, "next")
    held = leases.keep(engine, MAILBOXES, T0 + timedelta(seconds=1), TTL, holder="next")
    assert held.held == set(MAILBOXES)
    engine.dispose()


def test_a_heartbeat_slower_than_half_the_ttl_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nurture.toml"
    path.write_text("[daemon]\nlease_ttl_seconds = 30\nlease_heartbeat_seconds = 20\n")
    with pytest.raises(ConfigError, match="lease_heartbeat_seconds"):
        load(path)


def test_daemons_taking_many_mailboxes_at_once_never_deadlock(engine: Engine) -> None:
    floor = [f"rep{i:03d}@acme.test" for i in range(120)]
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def daemon(holder: str) -> None:
        start.wait()
        try:
            for _ in range(3):  # all three alone at first: each reaches for everything
                leases.keep(engine, floor, T0, TTL, holder=holder)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=daemon, args=(f"d{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(engine) as session:
        rows = session.exec(select(Lease)).all()
    assert sorted(row.key for row in rows) == floor  # each mailbox once, by one holder


def test_a_replica_sweeps_the_leads_of_its_mailboxes_and_those_of_reps_without_one(
    engine: Engine,
) -> None:
    with transaction(engine) as session:
        for name in ("ana", "ben", "cy"):
            rep = Rep(email=f"{name}@acme.test", name=name)
            session.add(rep)
            session.flush()
            session.add(Lead(email=f"lead.{name}@customer.test", owner_id=rep.id))
    share = leases.swept_here(
        frozenset({"ana@acme.test"}), frozenset({"ana@acme.test", "ben@acme.test"})
    )
    with Session(engine) as session:
        swept = set(session.exec(select(Lead.email).where(share)).all())
    # ben's mailbox is another replica's; cy has none to share out, so every replica takes cy's
    assert swept == {"lead.ana@customer.test", "lead.cy@customer.test"}
    assert leases.swept_here(None, frozenset()) is None  # one process: every lead
