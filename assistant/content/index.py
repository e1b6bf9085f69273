"""The ranker's index over the stored library: built once per version of the library and tracks."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlmodel import Session, col, select

from assistant.content import policy
from assistant.content.embed import load_encoder
from assistant.content.library import ContentSpec
from assistant.content.rank import Ranker
from assistant.models import ContentItem

_cache: dict[tuple[str, int, str, str, str], Ranker] = {}
# The daemon's passes run in threads: one builds the index while the others wait for it.
_cache_lock = threading.Lock()


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
