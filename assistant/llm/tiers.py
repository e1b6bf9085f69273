"""The tier of a library point that fits the lead's own count: "we have 420 staffed beds" and
"Hospital plan (151–800 staffed beds): ..." give that line alone, said for their 420 beds.

A tier is a range on a unit, written as people write them: "up to 150 beds", "151–800 beds",
"51-200 sites", "above 200 sites", "over 800 beds", "from 150 MWp", "unlimited users". Only a
count whose unit the tier names is fitted; where no tier or more than one fits, nothing is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.llm.points import unit_stem

_NUMBER = r"(\d[\d,.]*)"
_UNIT = r"((?:[A-Za-z][\w-]*\s+){0,2}?[A-Za-z][\w-]*)"
_RANGES = (
    (re.compile(rf"\bup to {_NUMBER}\s+{_UNIT}", re.I), "upto"),
    (re.compile(rf"\b{_NUMBER}\s*(?:–|-|—|to)\s*{_NUMBER}\s+{_UNIT}", re.I), "between"),
    (re.compile(rf"\b(?:above|over|more than|beyond|from) {_NUMBER}\s+{_UNIT}", re.I), "above"),
    (re.compile(rf"\bunlimited\s+{_UNIT}", re.I), "unlimited"),
)
_COUNT = re.compile(rf"\b{_NUMBER}\s+((?:[A-Za-z][\w-]*\s+){{0,2}}[A-Za-z][\w-]*)")
_INFINITE = float("inf")


@dataclass(frozen=True)
class Fit:
    text: str  # the tier's line
    count: str  # the lead's own words: "420 staffed beds"


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _units(words: str) -> set[str]:
    return {unit_stem(w) for w in words.split() if len(w) > 2}


def _tiers(segment: str) -> list[tuple[float, float, set[str]]]:
    found = []
    for pattern, kind in _RANGES:
        for match in pattern.finditer(segment):
            groups = match.groups()
            if kind == "upto":
                low, high, unit = 0.0, _number(groups[0]), groups[1]
            elif kind == "between":
                low, high, unit = _number(groups[0]), _number(groups[1]), groups[2]
            elif kind == "above":
                low, high, unit = _number(groups[0]) + 1, _INFINITE, groups[1]
            else:
                low, high, unit = 0.0, _INFINITE, groups[0]
            found.append((low, high, _units(unit)))
    return found


def has_tiers(text: str) -> bool:
    return any(low or high != _INFINITE for low, high, _ in _tiers(text))


def fitting(lines: Sequence[str], said: str) -> Fit | None:
    """The one line whose range holds the lead's count of the same unit, if exactly one does."""
    counts = [
        (m.group(0).strip(), _number(m.group(1)), _units(m.group(2))) for m in _COUNT.finditer(said)
    ]
    if not counts:
        return None
    segments = [part.strip() for line in lines for part in line.split("; ") if part.strip()]
    bounded: list[Fit] = []
    open_ended: list[Fit] = []
    for segment in segments:
        for low, high, unit in _tiers(segment):
            for words, count, theirs in counts:
                if unit & theirs and low <= count <= high:
                    fit = Fit(segment.rstrip("."), words)
                    (open_ended if high == _INFINITE and low == 0 else bounded).append(fit)
    chosen = bounded or open_ended
    distinct = {fit.text for fit in chosen}
    return chosen[0] if len(distinct) == 1 else None
