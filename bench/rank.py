"""Times Ranker.rank on a generated 1,000-item library for one lead (one core).

Also times reading one reply for content gaps (the questions no item covers), the work
`nurture content gaps` does for each new reply.

.venv/bin/python bench/rank.py [--items 1000] [--runs 500] [--ranker bm25|hybrid]

With --ranker hybrid every run ranks a reply not seen before, so each pays for encoding it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from assistant.content.coverage import uncovered
from assistant.content.embed import load_encoder
from assistant.content.library import PERSONAS, STAGES, TYPES, ContentSpec, load_library
from assistant.content.rank import RANKERS, LeadContext, Ranker

TODAY = date(2026, 11, 22)
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "content"
INDUSTRIES = (
    "manufacturing",
    "healthcare",
    "financial_services",
    "software",
    "retail",
    "logistics",
)


def generate_library(count: int, seed: int = 0) -> list[ContentSpec]:
    """The sample library's vocabulary plus a long tail, spread over `count` items."""
    rng = random.Random(seed)
    sample = load_library(SAMPLE)
    domain = sorted({w for item in sample for w in re.findall(r"[a-z]+", item.body.lower())})
    topics = sorted({t for item in sample for t in item.topics})
    tail = [f"term{i}" for i in range(5000)]

    def words(k: int) -> str:
        return " ".join(
            rng.choice(domain) if rng.random() < 0.6 else rng.choice(tail) for _ in range(k)
        )

    items = []
    for i in range(count):
        expired = rng.random() < 0.03
        items.append(
            ContentSpec(
                slug=f"item-{i:04d}",
                title=words(7).title(),
                type=rng.choice(TYPES),
                url=f"https://acme.test/resources/item-{i:04d}",
                stage=rng.choice(STAGES),
                topics=tuple(rng.sample(topics, 4)),
                personas=tuple(rng.sample(PERSONAS, rng.randint(0, 3))),
                industries=tuple(rng.sample(INDUSTRIES, rng.choice((0, 0, 1)))),
                summary=words(30),
                body="\n".join(f"- {words(14)}" for _ in range(5)),
                file=None,
                file_sha256=None,
                event_date=None,
                expires=date(2026, 1, 31) if expired else None,
                retired=rng.random() < 0.02,
                source=Path(f"item-{i:04d}.md"),
            )
        )
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--ranker", choices=RANKERS, default="bm25")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    items = generate_library(args.items)
    encoder = load_encoder() if args.ranker == "hybrid" else None
    started = time.perf_counter()
    tracks = {"consideration": [item.slug for item in items[:10]]}
    ranker = Ranker(items, tracks=tracks, encoder=encoder)
    build_ms = (time.perf_counter() - started) * 1000
    lead = LeadContext(
        title="VP Finance",
        industry="Manufacturing",
        stage="consideration",
        topics=("forecasting", "erp"),
        reply=(
            "Thanks for the case study. Before we go further, how does the integration with "
            "SAP and Salesforce work, and what would the licensing cost for 40 users?"
        ),
        events=("competitor",),
        intent="question",
    )
    delivered = [item.slug for item in items[::37]]
    for _ in range(20):  # warm the stemmer cache and numpy paths, as a running daemon would be
        ranker.rank(lead, exclude=delivered, today=TODAY)
    timings = []
    for run in range(args.runs):
        asked = replace(lead, reply=f"{lead.reply} Ticket {run}.") if encoder else lead
        started = time.perf_counter()
        ranker.rank(asked, exclude=delivered, today=TODAY)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"library: {args.items} items, {args.ranker} ranker, index built in {build_ms:.0f} ms")
    median = statistics.median(timings)
    print(f"rank one lead, {args.runs} runs, one core: median {median:.2f} ms, p95 {p95:.2f} ms")
    question = lead.reply + " Do you also integrate with Pipedrive, and is there a mobile app?"
    gap_ms = _median_ms(lambda: uncovered(ranker, question, TODAY), args.runs)
    print(f"read one reply for content gaps: median {gap_ms:.2f} ms")


def _median_ms(run: Callable[[], object], runs: int) -> float:
    run()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    main()
