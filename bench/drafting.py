"""Drafting throughput, prompt-cache share and cost, against the local stand-in Anthropic API.

    .venv/bin/python bench/drafting.py [--drafts 200] [--latency 1.5] [--config nurture.toml]
    .venv/bin/python bench/drafting.py --offline-only

The offline part drafts replies in four languages and every journey turn against the
library in data/content (answers from its key points included) and prints the time of one
offline draft, guardrails included (target: under 50 ms).

The stand-in answers after `--latency` seconds (the model's think time; real answers of this
size take a few seconds), bills the prompt as the API does (cache write, cache read, plain
input; tokens = characters // 4) and is started by this script. Concurrency and model come
from the [llm] section of the configuration (its defaults without --config).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import config
from assistant.llm import guardrails
from assistant.llm.anthropic import AnthropicDrafter
from assistant.llm.base import (
    ContentBrief,
    DraftRequest,
    DraftResult,
    LeadProfile,
    RepProfile,
    ToneRules,
    Turn,
    Usage,
)
from assistant.llm.client import ModelClient
from assistant.llm.cost import Prices, configured_prices, cost_usd
from assistant.llm.offline import OfflineDrafter

if TYPE_CHECKING:
    from tests.servers.anthropic_standin import StandIn

TOPICS = (
    ("close", "month-end close", "finance teams that close the books in days, not weeks"),
    ("audit", "audit readiness", "evidence, controls and what auditors ask for first"),
    ("ap", "accounts payable", "invoice capture, approvals and paying suppliers on time"),
    ("fpa", "planning", "rolling forecasts that finance and operations both trust"),
    ("tax", "indirect tax", "VAT and sales tax across entities and countries"),
)
KINDS = ("white paper", "case study", "webinar", "calculator")
REP = RepProfile("Sam Rivera", "sam@acme.test", "Sam Rivera\nAccount Executive, Acme")
_CHOSEN = re.compile(r'<chosen_content slug="([^"]+)">\ntitle: [^\n]*\nurl: (\S+)')
_FIRST_NAME = re.compile(r"^first name: (.+)$", re.MULTILINE)


def catalogue() -> list[ContentBrief]:
    """A library of twenty items, about the size of a real team's."""
    items = []
    for (slug, topic, angle), kind in ((t, k) for t in TOPICS for k in KINDS):
        items.append(
            ContentBrief(
                slug=f"{slug}-{kind.replace(' ', '-')}",
                title=f"{topic.capitalize()}: a {kind} for mid-size finance teams",
                type=kind,
                url=f"https://acme.test/content/{slug}/{kind.replace(' ', '-')}",
                summary=(
                    f"A {kind} on {topic} for {angle}. It walks through the first month, the "
                    "people involved, the questions a controller asks before signing off, and "
                    "what changed for three customers who made the move last year."
                ),
                key_points="what to do first; who to involve; the mistakes that cost a quarter",
            )
        )
    return items


def requests(count: int, library: Sequence[ContentBrief]) -> list[DraftRequest]:
    """One request per lead, each with its own name, company, question and content."""
    out = []
    for index in range(count):
        reply = (
            f"Thanks for the last note. We run {index % 9 + 2} entities and the close takes "
            "us too long. What does the first month look like for a team like ours?"
        )
        out.append(
            DraftRequest(
                situation="reply" if index % 3 else "follow_up",
                rep=REP,
                lead=LeadProfile(
                    f"Lead{index} Person",
                    f"lead{index}@company{index}.test",
                    f"Company {index}",
                    "Controller",
                    "consideration",
                ),
                subject="Your month-end close",
                thread=(
                    Turn("outbound", None, "Your month-end close", "Hi, here is our guide."),
                    Turn("inbound", None, "Re: Your month-end close", reply),
                ),
                latest_reply=reply,
                content=library[index % len(library)],
                tone=ToneRules(),
                touch_number=index % 4 + 1,
                library=tuple(library),  # the team's catalogue, as the draft stage passes it
            )
        )
    return out


def answer(body: dict[str, Any]) -> dict[str, Any]:
    """What a well-behaved model writes: short, on the chosen content, guardrail-clean."""
    prompt = body["messages"][0]["content"]
    chosen, first = _CHOSEN.search(prompt), _FIRST_NAME.search(prompt)
    slug, url = chosen.groups() if chosen else (None, "")
    name = first.group(1) if first else "there"
    return {
        "subject": "The first month, step by step",
        "body": (
            f"Hi {name},\n\nThe first month is mostly mapping your entities and approvals; "
            f"this walks through it: {url}\n\nWorth a short call to compare notes?\n\n"
            f"Best,\n{REP.signature}"
        ),
        "content_slug": slug,
        "rationale": "Answers the question about the first month with the chosen item.",
        "confidence": 0.82,
        "flags": [],
    }


@dataclass
class Run:
    drafts: list[DraftResult]
    seconds: float

    def usage(self, start: int = 0) -> Usage:
        total = Usage()
        for draft in self.drafts[start:]:
            assert draft.usage is not None
            total.input_tokens += draft.usage.input_tokens
            total.cache_creation_input_tokens += draft.usage.cache_creation_input_tokens
            total.cache_read_input_tokens += draft.usage.cache_read_input_tokens
            total.output_tokens += draft.usage.output_tokens
        return total


async def realtime(
    standin: StandIn, model: str, concurrency: int, batch: list[DraftRequest]
) -> Run:
    """Draft every request through the Messages API: the first alone (it writes the cache)."""
    async with drafter(standin, model, concurrency) as d:
        started = time.monotonic()
        first = await d.draft(batch[0])
        rest = await asyncio.gather(*(d.draft(r) for r in batch[1:]))
        return Run([first, *rest], time.monotonic() - started)


async def batched(standin: StandIn, model: str, batch: list[DraftRequest]) -> Run:
    async with drafter(standin, model, 1) as d:
        started = time.monotonic()
        outcomes = await d.draft_batch(batch)
    drafts = [o for o in outcomes if isinstance(o, DraftResult)]
    assert len(drafts) == len(batch), "a batch item failed"
    return Run(drafts, time.monotonic() - started)


def drafter(standin: StandIn, model: str, concurrency: int) -> AnthropicDrafter:
    client = ModelClient(
        model=model,
        api_key=standin.api_key,
        base_url=standin.base_url,
        timeout_seconds=30,
        max_retries=2,
        max_concurrency=concurrency,
    )
    return AnthropicDrafter(client, batch_poll_seconds=0.1)


def uncached(usage: Usage) -> Usage:
    """The same prompt billed as if nothing were cached."""
    all_input = usage.input_tokens + usage.cache_creation_input_tokens
    return Usage(all_input + usage.cache_read_input_tokens, 0, 0, usage.output_tokens)


def per_thousand(usage: Usage, drafts: int, prices: Prices) -> float:
    return cost_usd(usage, prices) / drafts * 1000


def offline_rate(work: Sequence[DraftRequest]) -> float:
    """Offline drafts per second, each checked by the guardrails as the draft stage does."""
    drafter = OfflineDrafter()
    started = time.perf_counter()
    for request in work:
        allowed = guardrails.allowlists(request, request.library)
        guardrails.apply_checks(
            drafter.render(request),
            request,
            allowed_urls=allowed.urls,
            allowed_addresses=allowed.addresses,
            library=request.library,
        )
    return len(work) / (time.perf_counter() - started)


OFFLINE_REPLIES = (
    ("en", "Thanks. How often does the Salesforce sync run? And how much API allowance?"),
    ("en", "How long does implementation take? Can you do 20% off for three years?"),
    ("en", "Do you support Klingon? Where is our data hosted?"),
    ("en", "Can you reach back out around mid-September?"),
    ("en", "Our budget is frozen through the end of Q1 2027."),
    ("en", "Can we talk Thursday?"),
    ("en", "I'm not the right person. Talk to Marta Lind, marta@northwind.test."),
    ("de", "Sehr geehrte Frau Ruiz, wie lange dauert die Einführung bei uns?"),
    ("fr", "Bonjour, où sont hébergées nos données ? Êtes-vous certifiés ISO 27001 ?"),
    ("es", "Hola, ¿tienen la certificación ISO 27001? Escríbame después de Semana Santa."),
)


def offline_timing(count: int) -> tuple[list[float], list[float]]:
    """Milliseconds per offline draft of real replies against the real library: the drafter
    alone, and the drafter with the guardrails the draft stage runs on every draft."""
    from datetime import UTC, datetime

    from assistant.content.library import load_library

    root = Path(__file__).resolve().parents[1]
    shelf = tuple(
        ContentBrief(
            s.slug,
            s.title,
            s.type,
            s.url,
            s.summary,
            key_points=s.body,
            starts_at=s.event_date.isoformat() if s.event_date else "",
        )
        for s in load_library(root / "data" / "content")
    )
    drafter = OfflineDrafter()
    alone, times = [], []
    for index in range(count):
        lang, reply = OFFLINE_REPLIES[index % len(OFFLINE_REPLIES)]
        request = DraftRequest(
            situation="reply",
            rep=REP,
            lead=LeadProfile(
                f"Lead{index} Person",
                f"lead{index}@company{index}.test",
                f"Company {index}",
                "VP Sales",
                "consideration",
                language=lang,
                timezone="Europe/Berlin",
            ),
            subject="Forecasting",
            thread=(
                Turn("outbound", datetime(2026, 7, 6, tzinfo=UTC), "Forecasting", "Hi"),
                Turn("inbound", datetime(2026, 7, 8, tzinfo=UTC), "Re: Forecasting", reply),
            ),
            latest_reply=reply,
            content=shelf[index % len(shelf)],
            tone=ToneRules(),
            seed=index,
            library=shelf,
        )
        started = time.perf_counter()
        result = drafter.render(request)
        alone.append((time.perf_counter() - started) * 1000)
        allowed = guardrails.allowlists(request, shelf)
        guardrails.apply_checks(
            result,
            request,
            allowed_urls=allowed.urls,
            allowed_addresses=allowed.addresses,
            library=shelf,
        )
        times.append((time.perf_counter() - started) * 1000)
    return alone, times


def print_offline(count: int) -> None:
    alone, times = offline_timing(count)
    first, rest = times[0], sorted(times[1:])
    print(f"offline drafter, {count} drafts (en/de/fr/es replies and journey turns, data/content)")
    print(f"  {'first draft, library index built, ms':<46} {first:>9.1f}")
    drafter_only = sorted(alone[1:])
    print(f"  {'median draft, drafter alone, ms':<46} {drafter_only[len(drafter_only) // 2]:>9.1f}")
    print(f"  {'median draft, guardrails included, ms':<46} {rest[len(rest) // 2]:>9.1f}")
    print(f"  {'95th percentile draft, ms':<46} {rest[int(len(rest) * 0.95)]:>9.1f}")
    print(f"  {'slowest draft after the first, ms':<46} {rest[-1]:>9.1f}")


def standin_module() -> Any:
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)  # the stand-in lives in tests/, beside the package
    return importlib.import_module("tests.servers.anthropic_standin")


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=200)
    parser.add_argument("--latency", type=float, default=1.5, help="model seconds per answer")
    parser.add_argument("--config", help="nurture.toml whose [llm] section to use")
    parser.add_argument("--offline-only", action="store_true", help="time offline drafts only")
    args = parser.parse_args(argv)
    if args.offline_only:
        print_offline(args.drafts)
        return
    llm = config.load(Path(args.config)).llm if args.config else config.LlmSettings()
    prices = configured_prices(llm.model, **llm.prices.model_dump())
    if prices is None:
        raise SystemExit(f"no prices for {llm.model}: set [llm] prices in the configuration")
    batch_prices = prices.batch()
    module = standin_module()
    work = requests(args.drafts, catalogue())

    with module.StandIn(latency=args.latency) as standin:
        standin.responder = answer
        live = await realtime(standin, llm.model, llm.max_concurrency, work)
    with module.StandIn(latency=0.0) as standin:
        standin.responder = answer
        overhead = await realtime(standin, llm.model, llm.max_concurrency, work)
    with module.StandIn(latency=0.0) as standin:
        standin.responder = answer
        batch = await batched(standin, llm.model, work)

    n = len(live.drafts)
    whole, steady = live.usage(), live.usage(start=1)
    steady_input = (
        steady.input_tokens + steady.cache_creation_input_tokens + steady.cache_read_input_tokens
    )
    flagged = sum(1 for d in live.drafts if d.flags)
    cached_share = steady.cache_read_input_tokens / steady_input
    rows = [
        (f"drafts/minute, model answering in {args.latency:g}s", f"{n / live.seconds * 60:.1f}"),
        ("drafts/minute, instant model (our overhead)", f"{n / overhead.seconds * 60:.1f}"),
        ("input tokens per draft", f"{steady_input / (n - 1):.0f}"),
        ("output tokens per draft", f"{steady.output_tokens / (n - 1):.0f}"),
        ("input served from cache, drafts 2..n", f"{cached_share:.1%}"),
    ]
    costs = {
        "real time, no caching": per_thousand(uncached(whole), n, prices),
        "real time, caching": per_thousand(whole, n, prices),
        "batch, no caching": per_thousand(uncached(batch.usage()), n, batch_prices),
        "batch, caching": per_thousand(batch.usage(), n, batch_prices),
    }
    rows += [(f"USD per 1,000 drafts, {label}", f"{usd:.2f}") for label, usd in costs.items()]
    rows.append(("offline drafts/second, guardrails included", f"{offline_rate(work):.0f}"))
    print(f"model {llm.model}, concurrency {llm.max_concurrency}, {n} drafts, {flagged} flagged")
    for label, value in rows:
        print(f"  {label:<46} {value:>9}")
    print_offline(n)


if __name__ == "__main__":
    asyncio.run(main())
