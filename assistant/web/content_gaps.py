"""The content gaps list: what leads ask about that no library item covers."""

from __future__ import annotations

from sqlmodel import Session, col, select
from starlette.responses import Response

from assistant.content.gaps import Gap, gaps
from assistant.db import transaction
from assistant.models import ContentGap, Lead
from assistant.web import scope
from assistant.web.http import MANAGERS, Pages, Req

pages = Pages()
SHOWN = 50
EXAMPLES = 3


def _examples(db: Session, found: list[Gap], allowed: set[int] | None) -> dict[str, list[str]]:
    """Example questions per topic, taken only from leads the user may read."""
    if allowed is None:
        return {g.topic: list(g.examples) for g in found}
    words = {w for g in found for w in g.words}
    rows = (
        db.exec(
            select(ContentGap.word, ContentGap.sentence)
            .join(Lead, col(Lead.id) == ContentGap.lead_id)
            .where(col(ContentGap.word).in_(words), scope.leads_filter(allowed))
            .order_by(col(ContentGap.asked_at).desc())
        ).all()
        if words
        else []
    )
    by_word: dict[str, list[str]] = {}
    for word, sentence in rows:
        by_word.setdefault(word, []).append(sentence)
    return {
        g.topic: list(dict.fromkeys(s for w in g.words for s in by_word.get(w, [])))[:EXAMPLES]
        for g in found
    }


@pages.get("/manage/content/gaps", roles=MANAGERS)
def gaps_page(req: Req) -> Response:
    days = int(req.param("days")) if req.param("days").isdigit() else None
    # Reading the gaps also files the replies that arrived since the last reading.
    with transaction(req.engine) as db:
        found = gaps(db, SHOWN, now=req.now, days=days)
        examples = _examples(db, found, scope.rep_ids(db, req.user))
    return req.render("manage/gaps.html", gaps=found, examples=examples, days=days)
