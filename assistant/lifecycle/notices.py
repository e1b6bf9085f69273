"""A notice to a rep: pending → sending → sent, failed, or unknown; claimed like a send.

A notice is claimed (pending → sending) with FOR UPDATE SKIP LOCKED and committed before SMTP
is spoken, so two replicas never send the same one. A claim whose process died is not retried
blindly: it becomes `unknown` and is shown with the other failures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from assistant.lifecycle import cas
from assistant.models import NoticeState, Notification

_N = NoticeState


def _move(session: Session, notice_id: int, source: NoticeState, **values: object) -> bool:
    return cas.move(session, Notification, notice_id, "state", (source,), **values)


def claim_next(session: Session, owner: str, now: datetime) -> Notification | None:
    """Claim one due notice for this process, or None."""
    due = session.exec(
        select(Notification)
        .where(
            Notification.state == _N.pending.value,
            or_(
                col(Notification.next_attempt_at).is_(None),
                col(Notification.next_attempt_at) <= now,
            ),
        )
        .order_by(col(Notification.id))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if due is None or due.id is None:
        return None
    claimed = _move(
        session,
        due.id,
        _N.pending,
        state=_N.sending.value,
        claimed_by=owner,
        sending_since=now,
        attempts=due.attempts + 1,
    )
    if not claimed:
        return None
    session.refresh(due)
    return due


def mark_sent(session: Session, notice: Notification, now: datetime) -> bool:
    assert notice.id is not None
    return _move(session, notice.id, _N.sending, state=_N.sent.value, sent_at=now, last_error=None)


def retry(session: Session, notice: Notification, at: datetime, error: str) -> bool:
    assert notice.id is not None
    return _move(
        session, notice.id, _N.sending, state=_N.pending.value, next_attempt_at=at, last_error=error
    )


def fail(session: Session, notice: Notification, error: str) -> bool:
    assert notice.id is not None
    return _move(session, notice.id, _N.sending, state=_N.failed.value, last_error=error)


def mark_unknown(session: Session, notice: Notification, error: str) -> bool:
    assert notice.id is not None
    return _move(session, notice.id, _N.sending, state=_N.unknown.value, last_error=error)


def abandoned(session: Session, now: datetime, lease: timedelta) -> list[Notification]:
    """Claims older than the lease: their process died between claim and record."""
    return list(
        session.exec(
            select(Notification).where(
                Notification.state == _N.sending.value,
                or_(
                    col(Notification.sending_since).is_(None),
                    col(Notification.sending_since) < now - lease,
                ),
            )
        ).all()
    )
