"""Stage 4, select content: the next item this lead has not received that fits them now.

Never offered: what the lead's ledger holds, what rides in one of its open drafts, retired or
expired items, and, when the team's rule is on, what a colleague at the same company got
within the rule's days.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from assistant.content import policy
from assistant.content.embed import load_encoder
from assistant.content.ledger import company_recent
from assistant.content.library import ContentSpec
from assistant.content.rank import LeadContext, Ranker, Recommendation
from assistant.models import (
    OPEN_DRAFT_STATES,
    ContentDelivery,
    ContentItem,
    Draft,
    DraftState,
    Lead,
)

_cache: dict[tuple[str, int, str, str, str], Ranker] = {}
# The daemon's passes run in threads: one builds the index while the others wait for it.
_cache_lock = threading.Lock()


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


def spec(item: ContentItem) -> ContentSpec:
    """A stored item in the shape the ranker reads."""
    return ContentSpec(
        slug=item.slug,
        title=item.title,
        type=item.type,
        url=item.url,
        stage=item.stage,
        topics=tuple(item.topics),
        personas=tuple(item.personas),
        industries=tuple(item.industries),
        summary=item.summary,
        body=item.body,
        file=Path(item.file_path) if item.file_path else None,
        file_sha256=item.file_sha256,
        event_date=item.event_date,
        expires=item.expires,
        retired=item.retired,
        source=Path(item.file_path or item.slug),
    )


def ranker(session: Session) -> tuple[Ranker, dict[str, ContentItem]]:
    """One ranker per version of the library and its tracks, built once per process."""
    items = {
        i.slug: i for i in session.exec(select(ContentItem).order_by(col(ContentItem.id))).all()
    }
    rules = policy.current(session)
    # What the ranker reads of each row, cheaply: an edit, a retirement or an expiry date
    # changed by anyone (even within the same second as the import) builds a new index.
    version = hash(
        tuple((i.id, i.updated_at, i.retired, i.expires, i.stage) for i in items.values())
    )
    database = str(session.get_bind().engine.url)  # tests and tools may open several stores
    key = (database, version, str(rules.updated_at), str(rules.tracks), rules.ranker)
    with _cache_lock:
        built = _cache.get(key)
        if built is None:
            # Tracks were checked at import; a slug gone since then is simply not on them.
            tracks = {
                s: [slug for slug in slugs if slug in items] for s, slugs in rules.tracks.items()
            }
            encoder = load_encoder() if rules.ranker == "hybrid" else None
            built = Ranker([spec(i) for i in items.values()], tracks=tracks, encoder=encoder)
            _cache.clear()
            _cache[key] = built
    return built, items


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
