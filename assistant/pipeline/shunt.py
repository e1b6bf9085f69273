"""Per-item failure handling for every stage (Mailman's shunt).

`each` runs a stage's work item by item. An item that raises is recorded as a Failure with its
reason, in its own transaction, and the stage goes on with the next one; the item is held back
from the stage until its backoff has passed, and after MAX_ATTEMPTS it waits for a person
(`nurture failures`, the web app's Failures page). An item that goes through later clears its
failure. Cancellation and interrupts are never swallowed.
"""

from __future__ import annotations

import asyncio
import threading
import traceback
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.db import transaction
from assistant.errors import NurtureError
from assistant.models import Failure, FailureState, Lead, Message, Notification

MAX_ATTEMPTS = 6
_F = FailureState


def backoff(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes ... capped at six hours."""
    return timedelta(minutes=min(360, 4 ** max(0, attempts - 1)))


def held(stage: str, kind: str, now: datetime) -> Any:
    """The ids of a stage's items that must wait: in backoff, or given up on (a subquery)."""
    return select(Failure.item_id).where(
        Failure.stage == stage,
        Failure.kind == kind,
        or_(
            col(Failure.state).in_([_F.gave_up.value, _F.dismissed.value]),
            and_(col(Failure.state) == _F.retrying.value, col(Failure.next_attempt_at) > now),
        ),
    )


def _owners(session: Session, kind: str, item_id: int) -> tuple[int | None, int | None]:
    """The lead and rep an item belongs to, so a person sees only their own failures."""
    if kind == "message" and (message := session.get(Message, item_id)):
        return message.lead_id, message.rep_id
    if kind == "lead" and (lead := session.get(Lead, item_id)):
        return lead.id, lead.owner_id
    if kind == "notice" and (notice := session.get(Notification, item_id)):
        return notice.lead_id, notice.rep_id
    return None, None


def reason_of(exc: BaseException) -> str:
    """Our own errors are already sentences; anything else keeps its type and where it arose."""
    if isinstance(exc, NurtureError):
        return str(exc)
    frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (at {frame[0].filename.rsplit('/', 1)[-1]}:{frame[0].lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"[:2000]


def record(
    engine: Engine, stage: str, kind: str, item_id: int, exc: BaseException, now: datetime
) -> Failure:
    """Note the failure of one item and when it may be tried again."""
    with transaction(engine) as session:
        failure = session.exec(
            select(Failure).where(
                Failure.stage == stage, Failure.kind == kind, Failure.item_id == item_id
            )
        ).first()
        if failure is None:
            lead_id, rep_id = _owners(session, kind, item_id)
            failure = Failure(
                stage=stage, kind=kind, item_id=item_id, lead_id=lead_id, rep_id=rep_id,
                first_at=now,
            )  # fmt: skip
        settled = failure.state in (_F.resolved, _F.dismissed)
        failure.attempts = 1 if settled else failure.attempts + 1
        failure.reason = reason_of(exc)
        failure.last_at = now
        gave_up = failure.attempts >= MAX_ATTEMPTS
        failure.state = (_F.gave_up if gave_up else _F.retrying).value
        failure.next_attempt_at = None if gave_up else now + backoff(failure.attempts)
        session.add(failure)
        return failure


def _retrying(engine: Engine, stage: str, kind: str) -> set[int]:
    with Session(engine) as session:
        return set(
            session.exec(
                select(Failure.item_id).where(
                    Failure.stage == stage,
                    Failure.kind == kind,
                    Failure.state == _F.retrying.value,
                )
            ).all()
        )


def clear(session: Session, stage: str, kind: str, item_id: int) -> None:
    """The item went through: its failure, if any, is resolved."""
    failure = session.exec(
        select(Failure).where(
            Failure.stage == stage, Failure.kind == kind, Failure.item_id == item_id
        )
    ).first()
    if failure is not None and failure.state != _F.resolved:
        failure.state, failure.next_attempt_at = _F.resolved.value, None
        session.add(failure)


async def each(
    engine: Engine,
    log: Any,
    stage: str,
    kind: str,
    ids: Iterable[int],
    work: Callable[[int], Awaitable[Any]],
    now: datetime,
    stop: threading.Event | None = None,
    *,
    concurrency: int = 1,
) -> list[Any]:
    """Run `work` on each item, at most `concurrency` at a time; a failure is recorded and
    never stops the others.

    Returns the results of the items that went through, in the order of `ids`. Once `stop` is
    set no further item is started: they stay in the database for the next pass.
    """
    retrying = _retrying(engine, stage, kind)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(item_id: int) -> tuple[bool, Any]:
        async with gate:
            if stop is not None and stop.is_set():
                return False, None
            try:
                result = await work(item_id)
            except Exception as exc:  # the shunt: every failure is recorded, none stops the stage
                failure = record(engine, stage, kind, item_id, exc, now)
                log.error(
                    "%s: %s %s failed (attempt %d%s): %s",
                    stage,
                    kind,
                    item_id,
                    failure.attempts,
                    ", waiting for a person" if failure.state == _F.gave_up else "",
                    failure.reason,
                )
                return False, None
            if item_id in retrying:
                with transaction(engine) as session:
                    clear(session, stage, kind, item_id)
            return True, result

    done = await asyncio.gather(*(one(item_id) for item_id in ids))
    return [result for went, result in done if went]


async def together(
    engine: Engine,
    log: Any,
    stage: str,
    kind: str,
    ids: Iterable[int],
    batch: Callable[[list[int]], Awaitable[dict[int, Any]]],
    work: Callable[[int], Awaitable[Any]],
    now: datetime,
    stop: threading.Event | None = None,
) -> list[Any]:
    """`batch` on the items at once (its own transaction), then `each` on what it left.

    `batch` returns the result of each item it went through. If it fails, nothing of it is
    kept and every item goes through `each`, so the one at fault is recorded and held back
    and the others go through. An item that failed before always goes through `each`.
    """
    ids = list(ids)
    retrying = _retrying(engine, stage, kind)
    fresh = [i for i in ids if i not in retrying]
    done: dict[int, Any] = {}
    if fresh and not (stop is not None and stop.is_set()):
        try:
            done = await batch(fresh)
        except Exception as exc:  # one of them is at fault: find it one by one
            log.warning("%s: %d %s(s) read one by one after: %s", stage, len(fresh), kind, exc)
            done = {}
    rest = [i for i in ids if i not in done]
    return [*done.values(), *await each(engine, log, stage, kind, rest, work, now, stop)]


def retry_now(engine: Engine, failure_id: int) -> Failure | None:
    """A person asks for another try: the item goes back to its stage on the next pass."""
    with transaction(engine) as session:
        failure = session.get(Failure, failure_id)
        if failure is None:
            return None
        failure.state, failure.next_attempt_at = _F.retrying.value, None
        failure.attempts = min(failure.attempts, MAX_ATTEMPTS - 1)
        session.add(failure)
        return failure


def dismiss(engine: Engine, failure_id: int) -> Failure | None:
    """A person settles it by hand: shown no more, and the item is not tried again."""
    with transaction(engine) as session:
        failure = session.get(Failure, failure_id)
        if failure is None:
            return None
        failure.state, failure.next_attempt_at = _F.dismissed.value, None
        session.add(failure)
        return failure


def open_failures(session: Session, rep_ids: Iterable[int] | None = None) -> list[Failure]:
    """Failures a person should see (retrying or given up), newest first; all reps by default."""
    query = select(Failure).where(col(Failure.state).in_([_F.retrying.value, _F.gave_up.value]))
    if rep_ids is not None:
        query = query.where(col(Failure.rep_id).in_(list(rep_ids)))
    return list(session.exec(query.order_by(col(Failure.last_at).desc())).all())
