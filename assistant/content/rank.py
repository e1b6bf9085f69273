"""Ranks the content library for one lead: topic, stage, persona, industry, track and events.

The score of an item is a weighted sum of fits, each in [0, 1]:

    topic     BM25 (bm25s) of the item's text against the reply, the lead's topics and the
              words its journey events imply, scaled to the best match of this query
    stage     how close the item's stage is to where the lead is heading
    persona   whether the item is written for the people the lead's title names
    industry  the lead's industry, a horizontal item, or another industry's item
    track     the manager's ordered preferences for the target stage
    event     item types that suit the turn the journey took (competitor, budget freeze...)

The hybrid ranker (an Encoder given) mixes into the topic fit how close the item's meaning is
to the lead's words by sentence embeddings, which catch paraphrase that shares no word.

Everything that depends only on the library is computed once in the constructor, so a query
is a handful of numpy operations over arrays the size of the library.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import bm25s
import numpy as np

from assistant.content.embed import Encoder
from assistant.content.journey import (
    BACKWARD_EVENTS,
    BACKWARD_INTENTS,
    LeadContext,
    journey_events,
    stage_reason,
    stage_weights,
    target_stage,
)
from assistant.content.library import STAGES, ContentSpec
from assistant.content.vocabulary import (
    PERSONA_WORDS,
    TYPE_WORDS,
    analyse,
    canonical_industry,
    content_words,
    label_keys,
    newcomer_roles,
    personas_for,
    reply_words,
    role_keys,
    stem,
    tokens,
)
from assistant.errors import InputError

RANKERS = ("bm25", "hybrid")
# In the hybrid ranker, BM25's share of the topic fit; embeddings have the rest.
HYBRID_BM25 = 0.8
WEIGHTS = {"topic": 0.50, "stage": 0.20, "persona": 0.10, "industry": 0.10, "track": 0.10}
EVENT_BONUS = 0.08
# A query whose best BM25 match is below this counts as weakly topical (see _topic_fit).
TOPIC_FLOOR = 6.0
# Below this total an item is filler: right for nobody in particular.
MIN_SCORE = 0.27
# Items two stages away or for another industry need at least this much topical pull.
STRONG_TOPIC = 0.5

# Item types that suit a turn of the journey, read off how marketers labelled seven libraries
# written by other teams: practical light formats keep a paused lead warm; a newcomer gets a
# summary or the numbers; a lead weighing vendors a comparison; one ready to talk what the
# project takes.
LIGHT_TYPES = frozenset(
    {"blog_post", "infographic", "checklist", "podcast", "template", "newsletter", "article"}
)
EVENT_TYPES: dict[str, frozenset[str]] = {
    "budget_freeze": LIGHT_TYPES,
    "come_back_later": LIGHT_TYPES,
    "not_now": LIGHT_TYPES,
    "competitor": frozenset(
        {"comparison_guide", "comparison", "battlecard", "customer_references"}
    ),
    "new_stakeholder": frozenset(
        {"one_pager", "executive_summary", "overview", "calculator", "business_case"}
    ),
    "ready_to_talk": frozenset(
        {
            "demo",
            "live_demo",
            "implementation_guide",
            "implementation_plan",
            "pricing_guide",
            "one_pager",
            "calculator",
        }
    ),
}
EVENT_WORDS = {
    "competitor": "comparison competitors switching evaluation",
    "new_stakeholder": "executive summary overview",
}


@dataclass(frozen=True)
class Recommendation:
    """One suggested item and the reasons for it, in words a rep reads."""

    slug: str
    score: float
    stage: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    """How the available library covers some words: those no item has, and the best score."""

    unknown: tuple[str, ...]
    best_score: float


class Ranker:
    """BM25 plus profile fits over a library indexed once."""

    def __init__(
        self,
        items: Sequence[ContentSpec],
        *,
        tracks: Mapping[str, Sequence[str]] | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        self.items = tuple(items)
        self._encoder = encoder
        self._embeddings = (
            encoder.encode([_embedding_text(item) for item in self.items])
            if encoder is not None and self.items
            else None
        )
        self._index = {item.slug: i for i, item in enumerate(self.items)}
        self._tracks = _check_tracks(tracks or {}, self._index)
        n = len(self.items)
        self._stage = np.array([STAGES.index(item.stage) for item in self.items], dtype=np.int8)
        self._retired = np.array([item.retired for item in self.items], dtype=bool)
        never = date.max.toordinal()
        self._expires = np.array(
            [item.expires.toordinal() if item.expires else never for item in self.items]
        )
        # Each item's persona labels, read as keys a title matches closely or by family only.
        self._persona_labels = [
            {label: label_keys(label) for label in item.personas} for item in self.items
        ]
        self._persona_close = _key_matrix(
            [[c for c, _ in ls.values()] for ls in self._persona_labels]
        )
        self._persona_family = _key_matrix(
            [[f for _, f in ls.values()] for ls in self._persona_labels]
        )
        self._has_personas = np.array([bool(item.personas) for item in self.items], dtype=bool)
        self._industries = [
            frozenset(filter(None, map(canonical_industry, item.industries))) for item in self.items
        ]
        self._horizontal = np.array([not inds for inds in self._industries], dtype=bool)
        self._industry_masks = {
            name: np.array([name in inds for inds in self._industries], dtype=bool)
            for name in set().union(*self._industries)
        }
        self._types = np.array([item.type for item in self.items], dtype=str)
        docs = [_document_tokens(item) for item in self.items]
        self._doc_terms = [frozenset(doc) for doc in docs]
        self._vocabularies: dict[bytes, frozenset[str]] = {}
        self._bm25 = bm25s.BM25()
        if n:
            self._bm25.index(docs, show_progress=False)

    @property
    def method(self) -> str:
        """The method: bm25, or hybrid when sentence embeddings join in."""
        return "bm25" if self._encoder is None else "hybrid"

    def target_stage(self, lead: LeadContext, *, exclude: Collection[str] = ()) -> str:
        """The stage whose content the lead should get next, given the items it already has."""
        return target_stage(lead, self._consumed(lead, exclude))

    def _consumed(self, lead: LeadContext, exclude: Collection[str]) -> int:
        """How many items of its current stage the lead already has."""
        return sum(
            1
            for slug in exclude
            if slug in self._index and self.items[self._index[slug]].stage == lead.stage
        )

    def coverage(self, words: Mapping[str, frozenset[str]], today: date) -> Coverage:
        """Which words (each with its stems) no available item has, and the best BM25 score."""
        available = self._available(today)
        vocabulary = self._vocabulary(available)
        unknown = tuple(w for w, stems in words.items() if not stems & vocabulary)
        known = sorted({t for stems in words.values() for t in stems} & vocabulary)
        best = 0.0
        if known:
            best = float(np.where(available, self._bm25.get_scores(known), 0.0).max())
        return Coverage(unknown, best)

    def _vocabulary(self, available: np.ndarray) -> frozenset[str]:
        key = available.tobytes()
        if key not in self._vocabularies:
            # Few distinct masks occur (expiry days), so each union is built once.
            self._vocabularies[key] = frozenset().union(
                *(terms for terms, ok in zip(self._doc_terms, available, strict=True) if ok)
            )
        return self._vocabularies[key]

    def _available(self, today: date) -> np.ndarray:
        return ~self._retired & (self._expires >= today.toordinal())

    def rank(
        self,
        lead: LeadContext,
        *,
        exclude: Collection[str],
        today: date,
        limit: int = 5,
    ) -> list[Recommendation]:
        """The best items the lead has not received, best first; empty when none fits."""
        if not self.items or limit <= 0:
            return []
        allowed = self._available(today)
        for slug in exclude:
            if slug in self._index:
                allowed[self._index[slug]] = False
        if not allowed.any():
            return []

        query = _Query.of(lead)
        consumed = self._consumed(lead, exclude)
        target = target_stage(lead, consumed)
        topic = self._topic_fit(query)
        stage = np.asarray(stage_weights(lead, consumed), dtype=float)[self._stage]
        persona = self._persona_fit(query.personas)
        industry, other_industry = self._industry_fit(query.industry)
        track = self._track_fit(target, allowed)
        event = np.isin(self._types, sorted(query.event_types))

        score = (
            WEIGHTS["topic"] * topic
            + WEIGHTS["stage"] * stage
            + WEIGHTS["persona"] * persona
            + WEIGHTS["industry"] * industry
            + WEIGHTS["track"] * track
            + EVENT_BONUS * event
        )
        # Far-off stages and other industries' items are filler unless the lead asked for them.
        needs_pull = (stage == 0) | other_industry
        eligible = allowed & (score >= MIN_SCORE) & (~needs_pull | (topic >= STRONG_TOPIC))
        candidates = np.flatnonzero(eligible)
        if candidates.size == 0:
            return []
        # Ties (common for silent leads) break by library order, so results are repeatable.
        order = candidates[np.lexsort((candidates, -score[candidates]))][:limit]
        return [
            self._recommend(int(i), float(score[i]), lead, query, target, today, bool(track[i] > 0))
            for i in order
        ]

    def _topic_fit(self, query: _Query) -> np.ndarray:
        total = np.zeros(len(self.items), dtype=float)
        for part, weight in query.parts:
            known = [t for t in part if t in self._bm25.vocab_dict]
            if known:
                total += weight * self._bm25.get_scores(known)
        best = float(total.max())
        if best > 0:
            # Scaled to the best match, but a query that matches nothing well stays weak overall.
            total = total / max(best, TOPIC_FLOOR)
        if self._encoder is None or self._embeddings is None or not query.text.strip():
            return total
        closeness = self._embeddings @ self._encoder.encode([query.text])[0]
        # How far above the library's average the item is, scaled to the closest one.
        above = closeness - closeness.mean()
        spread = float(above.max())
        semantic = np.clip(above / spread, 0.0, 1.0) if spread > 0 else np.zeros_like(total)
        mixed: np.ndarray = HYBRID_BM25 * total + (1 - HYBRID_BM25) * semantic
        return mixed

    def _persona_fit(self, wanted: frozenset[str]) -> np.ndarray:
        """1 for a close persona match, 0.8 for the same family, 0.5 when either side names
        none, 0 for a clear mismatch."""
        if not wanted:
            return np.full(len(self.items), 0.5)
        close = self._persona_close.any_of(wanted)
        family = self._persona_family.any_of(wanted)
        mismatch = np.where(self._has_personas, 0.0, 0.5)
        fit: np.ndarray = np.where(close, 1.0, np.where(family, 0.8, mismatch))
        return fit

    def _industry_fit(self, industry: str | None) -> tuple[np.ndarray, np.ndarray]:
        """The fit, and which items belong to other industries only."""
        if industry is None:
            return np.full(len(self.items), 0.5), np.zeros(len(self.items), dtype=bool)
        match = self._industry_masks.get(industry, np.zeros(len(self.items), dtype=bool))
        fit = np.where(match, 1.0, np.where(self._horizontal, 0.5, 0.0))
        return fit, ~match & ~self._horizontal

    def _track_fit(self, stage: str, allowed: np.ndarray) -> np.ndarray:
        fit = np.zeros(len(self.items), dtype=float)
        remaining = [self._index[s] for s in self._tracks.get(stage, ()) if allowed[self._index[s]]]
        # The next undelivered item on the track gets full credit, later ones a little less.
        for position, i in enumerate(remaining):
            fit[i] = 1.0 - 0.5 * position / max(len(remaining), 1)
        return fit

    def _recommend(
        self,
        i: int,
        score: float,
        lead: LeadContext,
        query: _Query,
        target: str,
        today: date,
        on_track: bool,
    ) -> Recommendation:
        item = self.items[i]
        reasons: list[str] = []
        matched = [word for stem, word in query.reply_words.items() if stem in self._doc_terms[i]]
        if matched:
            verb = "asked about" if lead.intent == "question" else "reply mentions"
            reasons.append(f"{verb} {_join(matched[:4])}")
        topics = [t for t in lead.topics if tokens(t) & self._doc_terms[i]]
        if topics:
            reasons.append(f"lead's topics: {_join(topics[:3])}")
        reasons.append(stage_reason(item.stage, lead, target))
        personas = [
            _persona_name(label)
            for label, (close, family) in self._persona_labels[i].items()
            if (close | family) & query.personas
        ]
        if personas:
            reasons.append(f"{_join(personas)} persona ({query.persona_source})")
        if query.industry and query.industry in self._industries[i]:
            reasons.append(f"{query.industry.replace('_', ' ')} industry")
        if on_track:
            reasons.append(f"on the manager's {target} track")
        events = sorted(e for e in query.events if item.type in EVENT_TYPES.get(e, ()))
        if events:
            kind = item.type.replace("_", " ")
            reasons.append(f"{kind} format suits {_join([e.replace('_', ' ') for e in events])}")
        if item.event_date is not None:
            live = item.event_date.date() >= today
            when = f"{item.event_date:%d %b %Y}"
            reasons.append(
                f"live webinar on {when}" if live else f"recording of the {when} webinar"
            )
        return Recommendation(item.slug, round(score, 4), item.stage, tuple(reasons))


@dataclass(frozen=True)
class _Query:
    """A lead reduced to what scoring needs: weighted term lists and profile sets."""

    parts: tuple[tuple[list[str], float], ...]
    text: str
    reply_words: dict[str, str]
    personas: frozenset[str]
    persona_source: str
    industry: str | None
    events: frozenset[str]
    event_types: frozenset[str]

    @classmethod
    def of(cls, lead: LeadContext) -> _Query:
        quoted = reply_words(lead.reply)
        topic_terms = [t for topic in lead.topics for t in analyse(topic)]
        events = journey_events(lead)
        event_terms = [t for e in sorted(events) for t in analyse(EVENT_WORDS.get(e, ""))]
        personas, source = role_keys(lead.title), lead.title
        newcomer = frozenset[str]()
        if "new_stakeholder" in events:
            newcomer = newcomer_roles(lead.reply) or personas_for(lead.reply)
        if newcomer:
            # The reply names the newcomer ("looping in our CFO"); the next item is for them.
            personas, source = newcomer, "the new stakeholder"
        # A lead putting things off says why, not what it wants to read: its topics lead.
        paused = bool(events & BACKWARD_EVENTS) or lead.intent in BACKWARD_INTENTS
        return cls(
            parts=(
                (list(dict.fromkeys(analyse(lead.reply))), 0.3 if paused else 1.0),
                (list(dict.fromkeys(topic_terms)), 0.6),
                (event_terms, 0.4),
            ),
            text=f"{lead.reply} Topics: {', '.join(lead.topics)}." if lead.topics else lead.reply,
            reply_words=quoted,
            personas=personas,
            persona_source=source,
            industry=canonical_industry(lead.industry),
            events=events,
            event_types=frozenset(t for e in events for t in EVENT_TYPES.get(e, ())),
        )


def _check_tracks(
    tracks: Mapping[str, Sequence[str]], index: Mapping[str, int]
) -> dict[str, tuple[str, ...]]:
    checked: dict[str, tuple[str, ...]] = {}
    for stage, slugs in tracks.items():
        if stage not in STAGES:
            raise InputError("tracks", f"'{stage}' is not a stage ({', '.join(STAGES)})")
        for slug in slugs:
            if slug not in index:
                raise InputError("tracks", f"the {stage} track names '{slug}', not in the library")
        checked[stage] = tuple(dict.fromkeys(slugs))
    return checked


def _document_tokens(item: ContentSpec) -> list[str]:
    # Title and topics say what the item is about; repeating them weighs them up in BM25.
    text = " ".join(
        [
            item.title,
            item.title,
            " ".join(item.topics).replace("_", " "),
            " ".join(item.topics).replace("_", " "),
            item.summary,
            item.body,
            TYPE_WORDS.get(item.type, item.type.replace("_", " ")),
            " ".join(item.industries).replace("_", " "),
        ]
    )
    return [stem(w) for w in content_words(text)]


@dataclass(frozen=True)
class _KeyMatrix:
    """Which items carry which keys, for asking "has any of these" of every item at once."""

    columns: dict[str, int]
    cells: np.ndarray

    def any_of(self, keys: Collection[str]) -> np.ndarray:
        found = [self.columns[k] for k in keys if k in self.columns]
        return np.asarray(self.cells[:, found].any(axis=1), dtype=bool)


def _key_matrix(rows: Sequence[Sequence[frozenset[str]]]) -> _KeyMatrix:
    per_item = [frozenset().union(*sets) for sets in rows]
    columns = {key: i for i, key in enumerate(sorted(frozenset().union(*per_item)))}
    cells = np.zeros((len(rows), len(columns)), dtype=bool)
    for row, keys in enumerate(per_item):
        cells[row, [columns[k] for k in keys]] = True
    return _KeyMatrix(columns, cells)


def _persona_name(label: str) -> str:
    """How a reason names a persona label: "finance", "CFO", "fleet manager"."""
    if label in PERSONA_WORDS:
        return PERSONA_WORDS[label]
    return label.upper() if len(label) <= 4 and "_" not in label else label.replace("_", " ")


def _embedding_text(item: ContentSpec) -> str:
    topics = ", ".join(t.replace("_", " ") for t in item.topics)
    return f"{item.title}. {item.summary} Topics: {topics}."


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
