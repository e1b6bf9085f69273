"""Stage 6, approve: the rep's decisions on drafts. Approval freezes the bytes that go out.

Every state change goes through `assistant.lifecycle.drafts`, a compare-and-set on the draft's
state, so two clicks, two tabs or two replicas deciding the same draft leave one decision.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.config import Settings
from assistant.db import transaction
from assistant.errors import StateError
from assistant.failpoints import hit
from assistant.lifecycle import drafts
from assistant.lifecycle.drafts import get
from assistant.llm.guardrails import needs_acknowledgement
from assistant.mail.compose import Outgoing, compose, new_message_id, one_line
from assistant.models import ContentItem, Draft, DraftState, Lead, LeadStatus, Rep
from assistant.pipeline import schedule
from assistant.records import is_suppressed


def approve(
    engine: Engine,
    settings: Settings,
    draft_id: int,
    actor: str,
    now: datetime,
    *,
    subject: str | None = None,
    body: str | None = None,
    send_after: datetime | None = None,
    accept_flags: bool = False,
    cc: list[str] | None = None,
) -> Draft:
    """Freeze the draft's final bytes. `cc`: the copied addresses the rep keeps (None keeps
    the draft's own; an address the draft did not have is refused)."""
    with transaction(engine) as session:
        draft = get(session, draft_id)
        if draft.state != DraftState.pending:
            raise StateError(
                f"Draft {draft_id} is {draft.state}, not pending: it cannot be approved."
            )
        flagged = needs_acknowledgement(draft.flags)
        if flagged and not accept_flags:
            raise StateError(
                f"Draft {draft_id} needs a second look ({'; '.join(flagged)}): "
                "approve it with its flags acknowledged (--accept-flags) once you have read it."
            )
        lead = session.get(Lead, draft.lead_id)
        rep = session.get(Rep, draft.rep_id)
        assert lead is not None and rep is not None
        if is_suppressed(session, lead.email) or lead.status in (
            LeadStatus.opted_out,
            LeadStatus.stopped,
        ):
            raise StateError(
                f"{lead.email} is {lead.status.replace('_', ' ')}: nothing can be sent."
            )
        kept = _kept_cc(session, draft, cc)
        final_subject = one_line(subject) if subject is not None else draft.subject
        final_body = body.strip() + "\n" if body is not None else draft.body
        edited = final_subject != draft.subject or final_body != draft.body
        before = {"subject": draft.subject, "body": draft.body}  # the update below rewrites `draft`
        attachment = None
        if draft.content_id is not None:
            item = session.get(ContentItem, draft.content_id)
            if item is not None and item.file_path:
                attachment = Path(item.file_path)
        when, _, _ = schedule.for_draft(session, settings, draft, lead, max(now, send_after or now))
        message_id = new_message_id(rep.email)
        mime = compose(
            Outgoing(
                from_name=rep.name,
                from_email=rep.email,
                to_name=lead.name,
                to_email=lead.email,
                subject=final_subject,
                body=final_body,
                date=now,
                in_reply_to=draft.in_reply_to,
                references=tuple(draft.references),
                attachment=attachment,
                cc=tuple(kept),
            ),
            message_id,
        )
        detail: dict[str, Any] = {"edited": edited}
        if flagged:
            detail["accepted_flags"] = flagged
        if edited:
            detail["before"] = before
            detail["after"] = {"subject": final_subject, "body": final_body}
        detail["send_after"] = when.at
        if kept != draft.cc:
            detail["cc"] = {"before": draft.cc, "after": kept}
        drafts.approve(
            session,
            draft,
            actor,
            now,
            detail,
            subject=final_subject,
            body=final_body,
            message_id=message_id,
            mime=mime,
            recipient=lead.email,
            cc=kept,
            approved_at=now,
            approved_by=actor,
            send_after=when.at,
            schedule_note=when.note,
        )
    hit("after_approval")
    with transaction(engine) as session:
        return get(session, draft_id)


def _kept_cc(session: Session, draft: Draft, cc: list[str] | None) -> list[str]:
    """The copied addresses that go out: the draft's, less those the rep dropped; never one
    the draft did not hold, and never one that asked not to be contacted."""
    if cc is None:
        wanted = list(draft.cc)
    else:
        wanted = list(dict.fromkeys(a.strip().lower() for a in cc if a.strip()))
        foreign = [a for a in wanted if a not in draft.cc]
        if foreign:
            raise StateError(
                f"{foreign[0]} was not copied on this draft: only its own Cc can be kept."
            )
    return [a for a in wanted if not is_suppressed(session, a)]


def reject(engine: Engine, draft_id: int, actor: str, reason: str, now: datetime) -> Draft:
    reason = reason.strip()
    if not reason:
        raise StateError("A rejection needs a reason.")
    with transaction(engine) as session:
        drafts.reject(session, get(session, draft_id), actor, reason, now)
    with transaction(engine) as session:
        return get(session, draft_id)


def resolve_unknown(
    engine: Engine, draft_id: int, actor: str, *, delivered: bool, now: datetime
) -> Draft:
    """The rep's answer for a send whose outcome is unknown: it arrived, or send it again."""
    with transaction(engine) as session:
        drafts.resolve(session, get(session, draft_id), actor, delivered=delivered, now=now)
    with transaction(engine) as session:
        return get(session, draft_id)


def queue(session: Session, rep_email: str | None = None) -> list[tuple[Draft, Lead, Rep]]:
    """Pending drafts: sales-ready leads first, then oldest first."""
    query = (
        select(Draft, Lead, Rep)
        .join(Lead, col(Lead.id) == Draft.lead_id)
        .join(Rep, col(Rep.id) == Draft.rep_id)
        .where(Draft.state == DraftState.pending.value)
    )
    if rep_email:
        query = query.where(Rep.email == rep_email.strip().lower())
    rows: list[tuple[Draft, Lead, Rep]] = [(d, lead, rep) for d, lead, rep in session.exec(query)]
    rows.sort(key=lambda r: (r[1].status != LeadStatus.sales_ready, r[0].created_at, r[0].id))
    return rows
