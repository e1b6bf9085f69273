"""Content gaps: what leads ask about that no library item covers, counted for marketing.

Each lead reply is read once, after the understand stage has taken out its new text; the
questions the library has nothing on are stored one row per topic word with the sentence
(ContentGap), and the reply is marked read (GapScan). So `gaps()` costs the new replies since
the last call plus one grouping query, and it never reports a topic an item now covers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from assistant import clock
from assistant.content.coverage import uncovered
from assistant.content.index import ranker
from assistant.content.vocabulary import plain, stem, word_stems
from assistant.models import ContentGap, Direction, GapScan, Message, MessageState

BATCH = 500
EXAMPLES = 3


@dataclass(frozen=True)
class Gap:
    """One uncovered topic: its words, how many leads and questions asked it, and examples."""

    topic: str
    words: tuple[str, ...]
    leads: int
    questions: int
    last_asked: datetime | None
    examples: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON output."""
        return {
            "topic": self.topic,
            "words": list(self.words),
            "leads": self.leads,
            "questions": self.questions,
            "last_asked": self.last_asked.isoformat() if self.last_asked else None,
            "examples": list(self.examples),
        }


def scan(session: Session, now: datetime) -> int:
    """Read the lead replies not read yet and store their uncovered questions; how many read."""
    rank, _ = ranker(session)
    read = 0
    while True:
        rows = session.exec(
            select(Message.id, Message.lead_id, Message.reply_text, Message.sent_at)
            .where(
                Message.direction == Direction.inbound.value,
                Message.kind == "human",
                Message.state == MessageState.understood.value,
                col(Message.lead_id).is_not(None),
                col(Message.id).not_in(select(GapScan.message_id)),
            )
            .order_by(col(Message.id))
            .limit(BATCH)
        ).all()
        if not rows:
            return read
        gaps: list[dict[str, Any]] = []
        for message_id, lead_id, text, sent_at in rows:
            for question in uncovered(rank, text or "", now.date()):
                gaps += [
                    {
                        "message_id": message_id,
                        "lead_id": lead_id,
                        "topic": stem(word),
                        "word": word,
                        "sentence": question.sentence[:500],
                        "asked_at": sent_at or now,
                    }
                    for word in question.topic
                ]
        _insert_new(session, _table(ContentGap), gaps)
        _insert_new(
            session,
            _table(GapScan),
            [{"message_id": message_id, "scanned_at": now} for message_id, *_ in rows],
        )
        session.flush()
        read += len(rows)


def gaps(
    session: Session, limit: int = 20, *, now: datetime | None = None, days: int | None = None
) -> list[Gap]:
    """The uncovered topics, most asked first (by leads, then questions); scans new replies.

    The scan writes to the session: commit it to keep the work, or it is simply done again.
    `now` is the caller's reading of the clock (the web app's request time), else the clock's.
    """
    now = now or clock.now()
    scan(session, now)
    query = select(ContentGap)
    if days is not None:
        query = query.where(col(ContentGap.asked_at) >= now - timedelta(days=days))
    rows = session.exec(query.order_by(col(ContentGap.asked_at).desc(), col(ContentGap.id))).all()
    rank, _ = ranker(session)
    by_topic: dict[str, list[ContentGap]] = defaultdict(list)
    for gap in rows:
        by_topic[gap.topic].append(gap)
    # An item added since the question was asked covers it now: the topic is done.
    today = now.date()
    still = {
        topic: found
        for topic, found in by_topic.items()
        if rank.coverage(word_stems(found[0].word), today).unknown
    }
    merged = _merge(still)
    merged.sort(key=lambda g: (-g.leads, -g.questions, g.topic))
    return merged[:limit]


def _merge(by_topic: dict[str, list[ContentGap]]) -> list[Gap]:
    """Words always asked together ("microsoft dynamics") make one topic."""
    groups: dict[frozenset[int], list[list[ContentGap]]] = defaultdict(list)
    for found in by_topic.values():
        groups[frozenset(g.message_id for g in found)].append(found)
    merged = []
    for parts in groups.values():
        first = parts[0]
        example = plain(first[0].sentence)
        words = sorted((p[0].word for p in parts), key=lambda w: (example.find(w), w))
        sentences = list(dict.fromkeys(g.sentence for g in first))
        merged.append(
            Gap(
                topic=" ".join(words),
                words=tuple(words),
                leads=len({g.lead_id for g in first}),
                questions=len({g.message_id for g in first}),
                last_asked=max((g.asked_at for g in first if g.asked_at), default=None),
                examples=tuple(sentences[:EXAMPLES]),
            )
        )
    return merged


def _table(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def _insert_new(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert, leaving alone rows another process stored first (the unique keys decide)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).values(rows).on_conflict_do_nothing())
