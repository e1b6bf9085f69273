"""Stage 4, select content: the next item this lead has not received that fits them now.

Never offered: what the lead's ledger holds, what rides in one of its open drafts, retired or
expired items, and, when the team's rule is on, what a colleague at the same company got
within the rule's days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from assistant.content import policy
from assistant.content.index import ranker
from assistant.content.ledger import company_recent
from assistant.content.rank import LeadContext, Recommendation
from assistant.models import (
    OPEN_DRAFT_STATES,
    ContentDelivery,
    ContentItem,
    Draft,
    DraftState,
    Lead,
)


@dataclass(frozen=True)
class Choice:
    """The item chosen for a lead, the ranker's reasons, and where the lead now stands."""

    item: ContentItem
    recommendation: Recommendation
    stage: str = ""  # where the lead now stands in the journey, as the ranker reads it

    @property
    def reason(self) -> str:
        """The reasons in one line, as the draft and the queue show them."""
        return "; ".join(self.recommendation.reasons)


def excluded(session: Session, lead: Lead) -> set[str]:
    """Slugs the lead has received or that already ride in one of its open drafts."""
    delivered = session.exec(
        select(ContentItem.slug)
        .join(ContentDelivery, col(ContentDelivery.content_id) == ContentItem.id)
        .where(ContentDelivery.lead_id == lead.id)
    ).all()
    riding = session.exec(
        select(ContentItem.slug)
        .join(Draft, col(Draft.content_id) == ContentItem.id)
        .where(
            Draft.lead_id == lead.id,
            col(Draft.state).in_([*(s.value for s in OPEN_DRAFT_STATES), DraftState.sending.value]),
        )
    ).all()
    return set(delivered) | set(riding)


def choose(
    session: Session,
    lead: Lead,
    *,
    reply: str,
    intent: str | None,
    events: tuple[str, ...],
    now: datetime,
    exclude: set[str] | None = None,
) -> Choice | None:
    """The best item for the lead now, or None: no new content fits (and no filler is sent)."""
    rank, items = ranker(session)
    context = LeadContext(
        title=lead.title,
        industry=lead.extra.get("industry", ""),
        stage=lead.stage,
        topics=tuple(lead.topics),
        reply=reply,
        events=events,
        intent=intent,
    )
    days = policy.current(session).same_company_days
    skip = excluded(session, lead) | company_recent(session, lead, days, now) | (exclude or set())
    for rec in rank.rank(context, exclude=skip, today=now.date(), limit=1):
        return Choice(items[rec.slug], rec, rank.target_stage(context, exclude=skip))
    return None
