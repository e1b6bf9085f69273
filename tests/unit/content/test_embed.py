"""The sentence encoder of the hybrid ranker: sentence-transformers' vectors, offline, no torch."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from assistant.content.embed import Encoder, load_encoder
from assistant.content.library import ContentSpec
from assistant.content.rank import LeadContext, Ranker
from tests.content_specs import spec
from tests.paths import TESTS

REFERENCE = TESTS / "data" / "minilm_reference.json"
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return load_encoder()


def test_vectors_match_the_ones_sentence_transformers_makes(encoder: Encoder) -> None:
    """The reference vectors were made by sentence-transformers with torch (see the file)."""
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    expected = np.array(reference["vectors"], dtype=np.float32)
    got = encoder.encode(reference["sentences"])
    assert got.shape == expected.shape == (3, 384)
    assert np.abs(got - expected).max() < 1e-3
    assert ((got * expected).sum(axis=1) > 0.9999).all()


def test_vectors_are_unit_length_and_meaning_decides_closeness(encoder: Encoder) -> None:
    rows = encoder.encode(
        [
            "How much does a licence cost per user?",
            "What is the price for each seat?",
            "Our warehouse floods every spring.",
            "",
        ]
    )
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert rows[0] @ rows[1] > rows[0] @ rows[2] + 0.25  # about 0.33 against 0.00
    # A batch gives the same rows as one text at a time (padding takes no attention).
    alone = encoder.encode(["Our warehouse floods every spring."])[0]
    assert np.abs(alone - rows[2]).max() < 1e-5


def _item(slug: str, title: str, summary: str, topics: tuple[str, ...]) -> ContentSpec:
    return spec(slug, title, stage="decision", summary=summary, topics=topics)


def test_the_hybrid_ranker_finds_an_answer_that_shares_no_word_with_the_question(
    encoder: Encoder,
) -> None:
    items = [
        _item(
            "pricing-guide", "Pricing and Packaging", "Plans, tiers and discounts.", ("pricing",)
        ),
        _item(
            "service-levels",
            "Support and Service Levels",
            "A named support engineer, response times and escalation paths once you are live.",
            ("support", "sla"),
        ),
        _item("security-pack", "Security Overview", "Encryption, SOC 2, hosting.", ("security",)),
    ]
    lead = LeadContext(
        title="HR Director",
        stage="decision",
        reply="If payroll breaks on a Saturday night, who picks up the phone on your side?",
        intent="question",
    )
    hybrid = Ranker(items, encoder=encoder).rank(lead, exclude=(), today=TODAY)
    assert hybrid[0].slug == "service-levels"
    bm25 = Ranker(items).rank(lead, exclude=(), today=TODAY)
    assert bm25[0].slug != "service-levels"  # no shared word: BM25 alone cannot see it
