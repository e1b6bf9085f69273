"""Scores the ranker on labelled cases against two baselines: random and a fixed stream.

A case may name the reply's "intent" and "events"; when it does not, they come from the
understand stage's classifier, exactly as the pipeline reads a lead's reply.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from assistant.content.embed import load_encoder
from assistant.content.library import STAGES, ContentSpec, LibraryErrors, load_library_report
from assistant.content.rank import LeadContext, Ranker
from assistant.errors import InputError
from assistant.mail.intent import classify_intent

# The sample library's webinars and expiry dates are written relative to this day.
EVAL_TODAY = date(2026, 11, 22)
METHODS = ("ranker", "random", "fixed_sequence")


@dataclass(frozen=True)
class Case:
    """One labelled situation: a lead, what they already got, what they said, good answers."""

    id: str
    line: int
    lead: LeadContext
    delivered: tuple[str, ...]
    expected: tuple[str, ...]


@dataclass(frozen=True)
class MethodScore:
    """Precision@1 and mean reciprocal rank of one method over all cases."""

    name: str
    p_at_1: float
    mrr: float


@dataclass(frozen=True)
class Miss:
    """A case whose ranker pick was not among the acceptable items."""

    id: str
    got: str | None
    expected: tuple[str, ...]
    rank: int | None


@dataclass(frozen=True)
class EvalReport:
    """The outcome of one evaluation run."""

    cases: int
    seed: int
    methods: tuple[MethodScore, ...]
    by_stage: dict[str, tuple[int, float]]
    misses: tuple[Miss, ...]
    ranker: str = "bm25"

    def score(self, name: str) -> MethodScore:
        """The figures of one method by name."""
        return next(m for m in self.methods if m.name == name)

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for JSON output."""
        return {
            "cases": self.cases,
            "seed": self.seed,
            "ranker": self.ranker,
            "methods": {m.name: {"p_at_1": m.p_at_1, "mrr": m.mrr} for m in self.methods},
            "ranker_by_stage": {
                stage: {"cases": n, "p_at_1": p} for stage, (n, p) in self.by_stage.items()
            },
            "misses": [
                {"id": m.id, "got": m.got, "expected": list(m.expected), "rank": m.rank}
                for m in self.misses
            ],
        }

    def format_text(self) -> str:
        """A small table for a terminal."""
        lines = [
            f"{self.cases} cases, seed {self.seed}, {self.ranker} ranker",
            "",
            f"{'method':<16} {'p@1':>6} {'MRR':>6}",
        ]
        lines += [f"{m.name:<16} {m.p_at_1:>6.3f} {m.mrr:>6.3f}" for m in self.methods]
        lines += ["", f"{'ranker by stage':<16} {'cases':>6} {'p@1':>6}"]
        lines += [f"{s:<16} {n:>6} {p:>6.3f}" for s, (n, p) in self.by_stage.items()]
        if self.misses:
            lines += ["", "misses (case: got, first acceptable at rank)"]
            lines += [f"  {m.id}: {m.got} (rank {m.rank or '-'})" for m in self.misses]
        return "\n".join(lines)


def evaluate(
    cases_path: Path,
    library_dir: Path,
    *,
    seed: int = 0,
    today: date = EVAL_TODAY,
    method: str = "bm25",
    lenient: bool = False,
) -> EvalReport:
    """Rank every case with the ranker (bm25 or hybrid) and both baselines and score them."""
    items, errors = load_library_report(library_dir)
    if errors:
        raise LibraryErrors(library_dir, errors)
    cases = load_cases(cases_path, items, today=today, lenient=lenient)
    ranker = Ranker(items, encoder=load_encoder() if method == "hybrid" else None)
    rng = random.Random(seed)
    available = [item for item in items if item.is_available(today)]

    def by_ranker(case: Case) -> list[str]:
        found = ranker.rank(case.lead, exclude=case.delivered, today=today, limit=len(items))
        return [r.slug for r in found]

    def by_random(case: Case) -> list[str]:
        unseen = [item.slug for item in available if item.slug not in case.delivered]
        rng.shuffle(unseen)
        return unseen

    def by_sequence(case: Case) -> list[str]:
        # A marketing-automation stream: the stage's items in one fixed (library) order.
        return [
            item.slug
            for item in available
            if item.stage == case.lead.stage and item.slug not in case.delivered
        ]

    runs: dict[str, Callable[[Case], list[str]]] = {
        "ranker": by_ranker,
        "random": by_random,
        "fixed_sequence": by_sequence,
    }
    ranks = {
        name: [_first_hit(run(case), case.expected) for case in cases] for name, run in runs.items()
    }
    methods = tuple(
        MethodScore(name, _precision(ranks[name]), _mrr(ranks[name])) for name in METHODS
    )
    by_stage: dict[str, tuple[int, float]] = {}
    for stage in STAGES:
        stage_ranks = [
            r for r, c in zip(ranks["ranker"], cases, strict=True) if c.lead.stage == stage
        ]
        if stage_ranks:
            by_stage[stage] = (len(stage_ranks), _precision(stage_ranks))
    misses = tuple(
        Miss(case.id, next(iter(by_ranker(case)), None), case.expected, rank)
        for case, rank in zip(cases, ranks["ranker"], strict=True)
        if rank != 1
    )
    return EvalReport(len(cases), seed, methods, by_stage, misses, method)


class CaseErrors(InputError):
    """Every bad line of a case file; `line` is the first of them."""

    def __init__(self, path: Path, errors: list[InputError]) -> None:
        self.errors = tuple(errors)
        if len(errors) == 1:
            super().__init__(str(path), errors[0].problem, line=errors[0].line)
            return
        lines = "\n".join(f"  {error}" for error in errors)
        super().__init__(str(path), f"{len(errors)} bad lines:\n{lines}", line=errors[0].line)


def load_cases(
    path: Path, items: Sequence[ContentSpec], *, today: date, lenient: bool = False
) -> list[Case]:
    """Read one JSON case a line; raise CaseErrors naming every bad line by its number."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot be read ({exc})") from exc
    known = {item.slug: item for item in items}
    cases: list[Case] = []
    errors: list[InputError] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or _expects_nothing(raw):
            continue  # "no content at all" (an opt-out, a pause) is the drafting eval's to judge
        try:
            case = _parse_case(raw, number, str(path), known, today, lenient)
        except InputError as exc:
            errors.append(exc)
            continue
        if case.id in seen:
            errors.append(InputError(str(path), f"case id '{case.id}' is used twice", number))
            continue
        seen.add(case.id)
        cases.append(case)
    if errors:
        raise CaseErrors(path, errors)
    if not cases:
        raise InputError(str(path), "has no cases")
    return cases


def _parse_case(
    raw: str,
    line: int,
    where: str,
    known: dict[str, ContentSpec],
    today: date,
    lenient: bool = False,
) -> Case:
    def bad(problem: str) -> InputError:
        return InputError(where, problem, line=line)

    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise bad(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise bad("a case must be a JSON object")
    data = _plain_shape(data, lenient)
    for key in ("id", "lead", "delivered", "reply", "expected"):
        if key not in data:
            raise bad(f"the case has no '{key}'")
    lead = data["lead"]
    if not isinstance(lead, dict):
        raise bad("'lead' must be an object with title, industry, stage and topics")
    stage = lead.get("stage", "awareness")
    if stage not in STAGES:
        raise bad(f"lead stage '{stage}' is not one of: {', '.join(STAGES)}")
    delivered = _strings(data["delivered"], "delivered", bad)
    expected = _strings(data["expected"], "expected", bad)
    _check_slugs(expected, delivered, known, today, bad)
    for key in ("id", "reply"):
        if not isinstance(data[key], str):
            raise bad(f"'{key}' must be a string")
    intent = data.get("intent")
    if intent is not None and not isinstance(intent, str):
        raise bad("'intent' must be a string")
    events = _strings(data["events"], "events", bad) if "events" in data else None
    if intent is None or events is None:
        read_intent, _, read_events = classify_intent(data["reply"], today)
        intent = read_intent if intent is None else intent
        events = tuple(e.type for e in read_events) if events is None else events
    return Case(
        id=data["id"],
        line=line,
        lead=LeadContext(
            title=_string(lead.get("title", ""), "lead.title", bad),
            industry=_string(lead.get("industry", ""), "lead.industry", bad),
            stage=stage,
            topics=_strings(lead.get("topics", []), "lead.topics", bad),
            reply=data["reply"],
            events=events,
            intent=intent,
        ),
        delivered=delivered,
        expected=expected,
    )


def _expects_nothing(raw: str) -> bool:
    """A case whose right answer is no content: `best` or `expected_slug` given as null."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return False
    if not isinstance(data, dict) or "expected" in data:
        return False
    return any(key in data and data[key] is None for key in ("best", "expected_slug"))


def _plain_shape(data: dict[str, Any], lenient: bool) -> dict[str, Any]:
    """A case written in another common shape, read as ours.

    `best` (or `expected_slug`) is the one right item and `acceptable` (or
    `acceptable_slugs`) the others a careful marketer would accept, counted only when
    `lenient`; `sent_slugs` is `delivered`; a `thread` gives the lead's last message as
    `reply`.
    """
    data = dict(data)
    best = data.get("best", data.get("expected_slug"))
    if "expected" not in data and isinstance(best, str):
        others = data.get("acceptable", data.get("acceptable_slugs")) or []
        extra = [slug for slug in others if isinstance(slug, str) and slug != best]
        data["expected"] = [best, *extra] if lenient else [best]
    if "delivered" not in data and "sent_slugs" in data:
        data["delivered"] = data["sent_slugs"]
    thread = data.get("thread")
    if "reply" not in data and isinstance(thread, list):
        said = [
            t.get("text", "") for t in thread if isinstance(t, dict) and t.get("from") == "lead"
        ]
        data["reply"] = said[-1] if said else ""
    return data


def _check_slugs(
    expected: tuple[str, ...],
    delivered: tuple[str, ...],
    known: dict[str, ContentSpec],
    today: date,
    bad: Callable[[str], InputError],
) -> None:
    """Every slug a case names is in the library; an expected one is still available and new."""
    if not expected:
        raise bad("'expected' must name at least one acceptable slug")
    for slug in expected:
        if slug not in known:
            raise bad(f"expected slug '{slug}' is not in the library")
        if not known[slug].is_available(today):
            raise bad(f"expected slug '{slug}' is retired or expired on {today}")
        if slug in delivered:
            raise bad(f"expected slug '{slug}' was already delivered")
    for slug in delivered:
        if slug not in known:
            raise bad(f"delivered slug '{slug}' is not in the library")


def _string(value: object, name: str, bad: Callable[[str], InputError]) -> str:
    if not isinstance(value, str):
        raise bad(f"'{name}' must be a string")
    return value


def _strings(value: object, name: str, bad: Callable[[str], InputError]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad(f"'{name}' must be a list of strings")
    return tuple(value)


def _first_hit(ranked: Sequence[str], expected: Sequence[str]) -> int | None:
    """1-based rank of the first acceptable slug, None if the list has none."""
    return next((i for i, slug in enumerate(ranked, start=1) if slug in expected), None)


def _precision(ranks: Sequence[int | None]) -> float:
    return round(sum(r == 1 for r in ranks) / len(ranks), 4)


def _mrr(ranks: Sequence[int | None]) -> float:
    return round(sum(1 / r for r in ranks if r) / len(ranks), 4)
