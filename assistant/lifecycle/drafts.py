"""A draft's state: pending → approved → sending → sent, and the ways out of each.

```
pending ──approve──> approved ──claim──> sending ──mark_sent──> sent (+ the ledger)
   │  └─reject/cancel   │ └─cancel/block      ├──retry──> approved
   └─snooze (stays)     └─hold (stays)        ├──fail───> failed
                                              └─mark_unknown─> unknown ─resolve─> sent | approved
```

Every function runs in the caller's transaction and is a compare-and-set on the draft's state,
so two clicks, two tabs or two replicas leave exactly one decision. `mark_sent` always writes
the content ledger, whoever learned that the mail arrived (SMTP, the Sent folder, the rep).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from assistant.errors import NotFound, StateError
from assistant.lifecycle import cas
from assistant.models import OPEN_DRAFT_STATES, ContentItem, Draft, DraftState, Lead
from assistant.records import audit, record_delivery

_D = DraftState


def move(
    session: Session, draft_id: int, source: DraftState | tuple[DraftState, ...], **values: Any
) -> bool:
    """Move a draft on only if it is still in `source`; False when someone else moved it."""
    sources = source if isinstance(source, tuple) else (source,)
    return cas.move(session, Draft, draft_id, "state", sources, **values)


def get(session: Session, draft_id: int) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"There is no draft {draft_id}.")
    return draft


def _lead(session: Session, draft: Draft) -> Lead | None:
    return session.get(Lead, draft.lead_id)


def create(session: Session, draft: Draft, now: datetime) -> Draft:
    """Queue a new draft for the rep (pending); its trigger is unique per planned step."""
    draft.state = _D.pending.value
    session.add(draft)
    session.flush()
    audit(
        session,
        "daemon",
        "drafted",
        _lead(session, draft),
        now,
        draft_id=draft.id,
        trigger=draft.trigger,
    )
    return draft


def approve(
    session: Session, draft: Draft, actor: str, now: datetime, detail: dict[str, Any], **frozen: Any
) -> None:
    """pending → approved, with the exact bytes and Message-ID that will go out."""
    assert draft.id is not None
    if not move(session, draft.id, _D.pending, state=_D.approved.value, **frozen):
        raise StateError(f"Draft {draft.id} was decided by someone else a moment ago.")
    audit(session, actor, "approved", _lead(session, draft), now, draft_id=draft.id, **detail)


def reject(session: Session, draft: Draft, actor: str, reason: str, now: datetime) -> None:
    assert draft.id is not None
    if not move(session, draft.id, _D.pending, state=_D.rejected.value, decision_note=reason):
        raise StateError(f"Draft {draft.id} is {draft.state}, not pending: it cannot be rejected.")
    audit(session, actor, "rejected", _lead(session, draft), now, draft_id=draft.id, reason=reason)


def snooze(
    session: Session, draft: Draft, until: datetime | None, actor: str, now: datetime
) -> None:
    """Hide a pending draft from the queue until `until` (None: back now); it stays pending."""
    assert draft.id is not None
    if not move(session, draft.id, _D.pending, snoozed_until=until):
        raise StateError(f"Draft {draft.id} is {draft.state}, not pending: it cannot be snoozed.")
    audit(session, actor, "snoozed", _lead(session, draft), now, draft_id=draft.id, until=until)


def cancel(
    session: Session, draft_id: int, why: str, now: datetime, *, actor: str | None = None
) -> bool:
    """An open draft is overtaken; it gives up its trigger so the same step can be drafted
    again if it still stands (after a reassignment, say). A claimed send is left to send.
    With an `actor` the cancel is audited here; without, the caller audits its cause."""
    moved = move(
        session,
        draft_id,
        OPEN_DRAFT_STATES,
        state=_D.cancelled.value,
        decision_note=why,
        trigger=col(Draft.trigger) + f"~cancelled-{draft_id}",
    )
    if moved and actor is not None:
        draft = session.get(Draft, draft_id)
        lead = _lead(session, draft) if draft else None
        audit(session, actor, "cancelled", lead, now, draft_id=draft_id, why=why)
    return moved


def cancel_open(session: Session, lead: Lead, why: str, now: datetime) -> list[int]:
    """Cancel the lead's pending and approved drafts (the caller audits the cause once)."""
    ids = session.exec(
        select(Draft.id).where(
            Draft.lead_id == lead.id, col(Draft.state).in_([s.value for s in OPEN_DRAFT_STATES])
        )
    ).all()
    return [i for i in ids if i is not None and cancel(session, i, why, now)]


def hold(session: Session, draft_id: int, until: datetime, note: str) -> bool:
    """An approved draft waits longer (window, cap, throttle); it stays approved."""
    return move(session, draft_id, _D.approved, send_after=until, schedule_note=note)


def block(session: Session, draft: Draft, why: str, now: datetime) -> bool:
    """approved → failed: something learned since approval forbids the send."""
    assert draft.id is not None
    moved = move(
        session, draft.id, _D.approved, state=_D.failed.value, last_error=f"not sent: {why}"
    )
    if moved:
        audit(
            session,
            "daemon",
            "send_blocked",
            _lead(session, draft),
            now,
            draft_id=draft.id,
            why=why,
        )
    return moved


def claim(session: Session, draft: Draft, owner: str, now: datetime) -> bool:
    """approved → sending, committed before SMTP is spoken."""
    assert draft.id is not None
    return move(
        session,
        draft.id,
        _D.approved,
        state=_D.sending.value,
        sending_since=now,
        claimed_by=owner,
        attempts=draft.attempts + 1,
    )


def mark_sent(
    session: Session,
    draft: Draft,
    actor: str,
    now: datetime,
    *,
    source: tuple[DraftState, ...] = (_D.sending,),
    sent_at: datetime | None = None,
    **values: Any,
) -> bool:
    """The mail is out: sent, and the lead's content ledger learns what it carried."""
    assert draft.id is not None
    moved = move(session, draft.id, source, state=_D.sent.value, sent_at=sent_at or now, **values)
    if moved:
        if draft.content_id is not None and (item := session.get(ContentItem, draft.content_id)):
            record_delivery(session, draft.lead_id, item, "nurture", now, draft_id=draft.id)
        detail = {k: v for k, v in values.items() if k in ("smtp_response", "filed_in_sent")}
        audit(session, actor, "sent", _lead(session, draft), now, draft_id=draft.id, **detail)
    return moved


def retry(session: Session, draft: Draft, at: datetime, error: str) -> bool:
    """sending → approved: a temporary refusal; the same bytes go again at `at`."""
    assert draft.id is not None
    return move(
        session,
        draft.id,
        _D.sending,
        state=_D.approved.value,
        next_attempt_at=at,
        last_error=error,
    )


def throttled(session: Session, draft: Draft, at: datetime, error: str) -> bool:
    """sending → approved: the provider asked the mailbox to slow down. The same bytes go
    again at `at`, and the try does not count towards giving up: it was not the message's."""
    assert draft.id is not None
    return move(
        session,
        draft.id,
        _D.sending,
        state=_D.approved.value,
        attempts=max(0, draft.attempts - 1),
        next_attempt_at=at,
        send_after=max(at, draft.send_after) if draft.send_after else at,
        schedule_note=error,
        last_error=error,
    )


def fail(session: Session, draft: Draft, error: str, now: datetime) -> bool:
    """sending → failed: refused for good; shown to the rep."""
    assert draft.id is not None
    moved = move(session, draft.id, _D.sending, state=_D.failed.value, last_error=error)
    if moved:
        audit(
            session,
            "daemon",
            "send_failed",
            _lead(session, draft),
            now,
            draft_id=draft.id,
            smtp=error,
        )
    return moved


def mark_unknown(
    session: Session, draft: Draft, error: str, now: datetime, recheck_at: datetime | None = None
) -> bool:
    """sending → unknown: the mail may have gone; the rep (or the Sent folder) decides."""
    assert draft.id is not None
    moved = move(
        session,
        draft.id,
        _D.sending,
        state=_D.unknown.value,
        last_error=error,
        next_attempt_at=recheck_at,
    )
    if moved:
        audit(session, "daemon", "outcome_unknown", _lead(session, draft), now, draft_id=draft.id)
    return moved


def recheck_later(session: Session, draft_id: int, at: datetime) -> bool:
    return move(session, draft_id, _D.unknown, next_attempt_at=at)


def resolve(session: Session, draft: Draft, actor: str, *, delivered: bool, now: datetime) -> None:
    """The rep's answer for an unknown outcome: it arrived (sent, ledger), or send it again."""
    assert draft.id is not None
    if delivered:
        moved = mark_sent(
            session, draft, actor, now, source=(_D.unknown,), sent_at=draft.sending_since or now
        )
    else:
        moved = move(
            session,
            draft.id,
            _D.unknown,
            state=_D.approved.value,
            send_after=now,
            next_attempt_at=None,
        )
    if not moved:
        raise StateError(f"Draft {draft.id} is {draft.state}, not waiting for a decision.")
    audit(
        session,
        actor,
        "resolved_unknown",
        _lead(session, draft),
        now,
        draft_id=draft.id,
        delivered=delivered,
    )


def mark_filed(session: Session, draft_id: int) -> bool:
    """A sent draft's copy is in the rep's Sent folder."""
    return move(session, draft_id, _D.sent, filed_in_sent=True)
