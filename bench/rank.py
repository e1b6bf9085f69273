"""Times Ranker.rank on a generated 1,000-item library for one lead (one core).

    .venv/bin/python bench/rank.py [--items 1000] [--runs 500]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date
from pathlib import Path

from assistant.content.library import PERSONAS, STAGES, TYPES, ContentSpec
from assistant.content.rank import LeadContext, Ranker

TODAY = date(2026, 11, 22)
INDUSTRIES = ("manufacturing", "healthcare", "financial_services", "software", "retail", "logistics")
DOMAIN = """forecast forecasting accuracy pipeline hygiene crm salesforce hubspot dynamics
integration api security soc sso gdpr privacy pricing licensing cost roi payback business case
implementation onboarding rollout training adoption change management quota territory
capacity planning scenario board reporting cash flow revenue recognition erp netsuite sap
renewals churn expansion retention coaching deal inspection risk ai machine learning
explainability benchmarks survey comparison competitors migration switching evaluation
procurement contract dpa invoicing seasonality promotions distributors dealers freight volume
hospital compliance audit bank insurance marketing attribution campaigns demand generation
""".split()


def generate_library(count: int, seed: int = 0) -> list[ContentSpec]:
    """A library shaped like a real one: a shared domain vocabulary plus a long tail."""
    rng = random.Random(seed)
    tail = [f"term{i}" for i in range(5000)]

    def words(k: int) -> str:
        return " ".join(rng.choice(DOMAIN) if rng.random() < 0.6 else rng.choice(tail) for _ in range(k))

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
                topics=tuple(rng.sample(DOMAIN, 4)),
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
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    items = generate_library(args.items)
    started = time.perf_counter()
    ranker = Ranker(items, tracks={"consideration": [item.slug for item in items[:10]]})
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
    for _ in range(args.runs):
        started = time.perf_counter()
        ranker.rank(lead, exclude=delivered, today=TODAY)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"library: {args.items} items, index built in {build_ms:.0f} ms")
    print(f"rank one lead, {args.runs} runs on one core: median {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
