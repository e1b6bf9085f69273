"""Leases on the shared database: which daemon watches which mailbox, who writes which draft.

Several daemons may share one PostgreSQL. Each writes a heartbeat row (Replica) every
`lease_heartbeat_seconds` and holds its mailboxes through Lease rows that it renews with each
beat; a lease not renewed for `lease_ttl_seconds` is free, so the mailboxes of a daemon killed
with -9 pass to the living within a TTL and a beat. Each daemon aims at
ceil(mailboxes / live daemons) and gives back what is over, so the load evens out as daemons
come and go. Every change is one atomic statement (INSERT ... ON CONFLICT ... WHERE expired,
UPDATE ... WHERE holder = me): two daemons never both hold the same thing.

SQLite is the one-process mode: what an earlier process left is cleared at start, and the same
rounds then give the only daemon every mailbox.

Times are wall-clock, read once per round by the caller (`clock.wall`): the hosts' clocks must
agree within a few seconds, as NTP keeps them.
"""

from __future__ import annotations

import math
import os
import random
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select, text

from assistant.db import transaction
from assistant.models import Lead, Lease, Rep, Replica

# This process, as every lease and heartbeat names it: host, pid, and a random part, since a
# pid comes round again after a restart.
ME = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
MAILBOX = "mailbox"
DRAFT = "draft"
LEAD_LOCKS = 1  # the advisory-lock space of leads being planned
FORGET_AFTER = timedelta(hours=1)  # rows of the long dead are deleted, not just ignored
_LEASE = Lease.__table__  # type: ignore[attr-defined]
_REPLICA = Replica.__table__  # type: ignore[attr-defined]
_rng = random.SystemRandom()


def _insert(session: Session, table: Any) -> Any:
    """INSERT with ON CONFLICT in the session's own dialect (both speak it)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def is_shared(session: Session) -> bool:
    """Whether other processes may share this database (PostgreSQL), or it is ours alone."""
    return session.get_bind().dialect.name == "postgresql"


def start(session: Session, holder: str = ME) -> None:
    """On SQLite every row left is a process's that is gone: clear them for the only one."""
    if not is_shared(session):
        session.execute(delete(_LEASE).where(_LEASE.c.holder != holder))
        session.execute(delete(_REPLICA).where(_REPLICA.c.id != holder))


def beat(session: Session, at: datetime, ttl: timedelta, holder: str = ME) -> None:
    """This daemon is alive until `at + ttl`; the long dead are forgotten."""
    stmt = _insert(session, _REPLICA).values(id=holder, started_at=at, expires_at=at + ttl)
    session.execute(
        stmt.on_conflict_do_update(index_elements=["id"], set_={"expires_at": at + ttl})
    )
    session.execute(delete(_REPLICA).where(_REPLICA.c.expires_at < at - FORGET_AFTER))
    session.execute(delete(_LEASE).where(_LEASE.c.expires_at < at - FORGET_AFTER))


def live(session: Session, at: datetime) -> int:
    """How many daemons beat within their TTL."""
    query = select(func.count()).select_from(Replica).where(col(Replica.expires_at) > at)
    return int(session.exec(query).one())


def acquire(
    session: Session, kind: str, key: str, at: datetime, ttl: timedelta, holder: str = ME
) -> bool:
    """Take the lease if it is free, expired or already ours; one statement, so of two daemons
    asking at once exactly one gets it."""
    stmt = _insert(session, _LEASE).values(
        kind=kind, key=key, holder=holder, acquired_at=at, expires_at=at + ttl
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "key"],
        set_={
            "holder": stmt.excluded.holder,
            "acquired_at": stmt.excluded.acquired_at,
            "expires_at": stmt.excluded.expires_at,
        },
        where=or_(_LEASE.c.expires_at <= at, _LEASE.c.holder == holder),
    ).returning(_LEASE.c.holder)
    return session.execute(stmt).first() is not None


def renew(
    session: Session, kind: str, at: datetime, ttl: timedelta, holder: str = ME
) -> frozenset[str]:
    """Extend every lease of this kind still ours; returns their keys. One that another daemon
    took after it expired is ours no more and is not among them."""
    rows = session.execute(
        update(_LEASE)
        .where(_LEASE.c.kind == kind, _LEASE.c.holder == holder)
        .values(expires_at=at + ttl)
        .returning(_LEASE.c.key)
    ).all()
    return frozenset(row[0] for row in rows)


def release(session: Session, kind: str, keys: Iterable[str], holder: str = ME) -> None:
    """Give the leases back at once (only those still ours)."""
    keys = sorted(keys)
    if keys:
        session.execute(
            delete(_LEASE).where(
                _LEASE.c.kind == kind, _LEASE.c.holder == holder, _LEASE.c.key.in_(keys)
            )
        )


def leave(session: Session, holder: str = ME) -> None:
    """A clean stop: this daemon's heartbeat and leases go, so the others take over at once."""
    session.execute(delete(_LEASE).where(_LEASE.c.holder == holder))
    session.execute(delete(_REPLICA).where(_REPLICA.c.id == holder))


def taken(session: Session, kind: str, at: datetime, holder: str = ME) -> frozenset[str]:
    """Keys other daemons hold and have renewed in time."""
    rows = session.execute(
        select(_LEASE.c.key).where(
            _LEASE.c.kind == kind, _LEASE.c.holder != holder, _LEASE.c.expires_at > at
        )
    ).all()
    return frozenset(row[0] for row in rows)


def fair_share(mailboxes: int, daemons: int) -> int:
    """Each daemon's aim: ceil(mailboxes / daemons), so that together they hold them all."""
    return math.ceil(mailboxes / max(1, daemons))


@dataclass(frozen=True)
class Moves:
    """What one round decides: mailboxes to try for, mailboxes to give back."""

    wanted: tuple[str, ...]
    surplus: frozenset[str]


def balance(
    candidates: Sequence[str],
    mine: frozenset[str],
    others: frozenset[str],
    daemons: int,
    rng: random.Random = _rng,
) -> Moves:
    """Pure: up to the fair share, the free mailboxes in random order (daemons asking at once
    then rarely reach for the same one); past it, the surplus (and anything no longer a
    candidate) to give back."""
    pool = set(candidates)
    share = fair_share(len(pool), daemons)
    kept = sorted(mine & pool)
    surplus = (mine - pool) | frozenset(kept[share:])
    free = [m for m in candidates if m not in mine and m not in others]
    rng.shuffle(free)
    room = max(0, share - len(kept))
    return Moves(tuple(free[:room] if room else ()), surplus)


@dataclass(frozen=True)
class Round:
    """The mailboxes this daemon holds after a round, and those it should give back."""

    held: frozenset[str]
    surplus: frozenset[str]


def keep(
    engine: Engine,
    candidates: Sequence[str],
    at: datetime,
    ttl: timedelta,
    *,
    giving_back: frozenset[str] = frozenset(),
    holder: str = ME,
    rng: random.Random = _rng,
) -> Round:
    """One heartbeat: beat, renew what is ours, take free mailboxes up to the fair share, and
    name the surplus. `giving_back` are leases already on their way back (renewed meanwhile,
    so that no other daemon starts on a mailbox this one may still be syncing). Each take is a
    transaction of its own: daemons taking many at once never wait on each other's."""
    with transaction(engine) as session:
        beat(session, at, ttl, holder)
        mine = renew(session, MAILBOX, at, ttl, holder) - giving_back
        others = taken(session, MAILBOX, at, holder)
        moves = balance(candidates, mine, others, live(session, at), rng)
    got = set()
    for mailbox in moves.wanted:
        with transaction(engine) as session:
            if acquire(session, MAILBOX, mailbox, at, ttl, holder):
                got.add(mailbox)
    return Round(frozenset((mine - moves.surplus) | got), moves.surplus)


def swept_here(held: frozenset[str] | None, shared_out: frozenset[str]) -> Any:
    """The leads this replica's sweeps (full and timer passes) take, as a condition on Lead:
    those whose owner's mailbox it holds, and those whose owner has none to share out. None:
    every lead (one process). A wake plans the leads of its own mail whoever owns them."""
    if held is None:
        return None
    reps = select(Rep.id)
    return or_(
        col(Lead.owner_id).in_(reps.where(col(Rep.email).in_(sorted(held)))),
        col(Lead.owner_id).not_in(reps.where(col(Rep.email).in_(sorted(shared_out)))),
    )


def wait_for_lead(session: Session, lead_id: int) -> None:
    """Hold this lead for the rest of the transaction (PostgreSQL): two replicas planning it
    at once take turns, and the second reads what the first wrote. SQLite writes one at a
    time anyway."""
    if is_shared(session):
        lock = text("SELECT pg_advisory_xact_lock(:space, :id)")
        session.execute(lock, {"space": LEAD_LOCKS, "id": lead_id})
