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

from assistant.language import table
from assistant.llm.points import unit_stem
from assistant.mail.dates import NUMBERS

# "two practices": words for counts, not "a" or "a few".
WORD_NUMBERS = {w: n for w, n in NUMBERS.items() if n > 1 and w not in ("few", "couple")}
_KINDS = table("units")  # "van" -> "vehicle": what a lead counts, as a price counts it
_NUMBER = r"(\d[\d,.]*)"
_UNIT = r"((?:[A-Za-z][\w-]*\s+){0,2}?[A-Za-z][\w-]*)"
_RANGES = (
    (re.compile(rf"\bup to {_NUMBER}\s+{_UNIT}", re.I), "upto"),
    (re.compile(rf"\b{_NUMBER}\s*(?:–|-|—|to)\s*{_NUMBER}\s+{_UNIT}", re.I), "between"),
    (re.compile(rf"\b(?:above|over|more than|beyond|from) {_NUMBER}\s+{_UNIT}", re.I), "above"),
    (re.compile(rf"\b(\d[\d,]*)\+\s*{_UNIT}", re.I), "plus"),
    (re.compile(rf"\bunlimited\s+{_UNIT}", re.I), "unlimited"),
)
_WORD_NUMBER = "|".join(sorted(map(re.escape, WORD_NUMBERS), key=len, reverse=True))
_COUNT = re.compile(  # "$99 a user" is a price, not 99 users
    rf"(?<![$€£¥])\b(\d[\d,.]*|(?i:{_WORD_NUMBER}))\s+((?:[A-Za-z][\w-]*\s+){{0,2}}[A-Za-z][\w-]*)"
)
_INFINITE = float("inf")
# Words that end the lead's noun phrase: "140 vans across 3 depots", "55 vans y 6 camiones".
_LINK_WORDS = (
    "across and in at on all of for with from to per over under between spread by we i you"
    " they total altogether overall if or maybe perhaps roughly but so now which who that"
    " und im auf an mit für et en de sur avec pour y e con para"
)
_LINKS = frozenset(_LINK_WORDS.split(" "))
_MINIMUM = re.compile(r"\bminimum\b|\bat least\b", re.I)
_TRAILING = frozenset({"a", "an", "the", "each", "every", "ein", "eine", "un", "une", "una"})


@dataclass(frozen=True)
class Fit:
    text: str  # the tier's line
    count: str  # the lead's own words: "420 staffed beds"
    number: float = 0.0  # 420
    kinds: frozenset[str] = frozenset()  # the unit as both count it: {"bed"}


def count_of(text: str) -> float:
    """ "2,600" is 2600, "two" is 2; a date ("18.11.2026") or a version counts nothing (-1)."""
    if text.lower() in WORD_NUMBERS:
        return float(WORD_NUMBERS[text.lower()])
    try:
        return float(text.replace(",", "").rstrip("."))
    except ValueError:
        return -1.0


def units_of(words: str) -> set[str]:
    """The words' unit stems and the kinds they count: "vans" is {"van", "vehicle"}."""
    stems = {unit_stem(w) for w in words.split() if len(w) > 2}
    return stems | {_KINDS[s] for s in stems if s in _KINDS}


_KNOWN_KINDS = frozenset(_KINDS.values())


def other_units(words: str, kinds: frozenset[str]) -> frozenset[str]:
    """The kinds of unit the words count that a price in `kinds` does not: "per user" beside a
    price per invoice."""
    return frozenset(units_of(words) & _KNOWN_KINDS) - kinds


def _tiers(segment: str) -> list[tuple[float, float, set[str]]]:
    found = []
    for pattern, kind in _RANGES:
        for match in pattern.finditer(segment):
            groups = match.groups()
            if kind == "upto":
                low, high, unit = 0.0, count_of(groups[0]), groups[1]
            elif kind == "between":
                low, high, unit = count_of(groups[0]), count_of(groups[1]), groups[2]
            elif kind == "above":
                low, high, unit = count_of(groups[0]) + 1, _INFINITE, groups[1]
            elif kind == "plus":
                low, high, unit = count_of(groups[0]), _INFINITE, groups[1]
            else:
                low, high, unit = 0.0, _INFINITE, groups[0]
            found.append((low, high, units_of(unit)))
    return found


def has_tiers(text: str) -> bool:
    return any(low or high != _INFINITE for low, high, _ in _tiers(text))


# "8 of us would need logins": a count of people said as "of us", its unit said after it.
_OF_US = re.compile(
    rf"\b(\d[\d,]*|(?i:{_WORD_NUMBER}))\s+of us\b(?:[^.?!\n]{{0,40}}?"
    r"\b(logins?|seats?|licen[cs]es?|accounts?|users?)\b)?",
    re.I,
)


def _counts(said: str) -> list[tuple[str, str, float]]:
    """The lead's counts: the number as written, the words after it, its value."""
    found = [(m.group(1), m.group(2), count_of(m.group(1))) for m in _COUNT.finditer(said)]
    found += [(m.group(1), "users", count_of(m.group(1))) for m in _OF_US.finditer(said)]
    return [count for count in found if count[2] >= 0]


def tier_units(text: str) -> set[str]:
    """The units a text's ranges count: "Up to 1,000 samples/month" counts samples."""
    return set().union(*(unit for _, _, unit in _tiers(text)))


def lead_count(said: str, units: set[str]) -> tuple[str, float] | None:
    """The lead's own count of one of these units, in their words: ("3,000 samples", 3000)."""
    for number, words, count in _counts(said):
        if shared := units & units_of(words):
            return _counted(number, words, shared), count
    return None


def fitting(lines: Sequence[str], said: str) -> Fit | None:
    """The one line whose range holds the lead's count of the same unit, if exactly one does."""
    counts = _counts(said)
    if not counts:
        return None
    segments = [part.strip() for line in lines for part in line.split("; ") if part.strip()]
    bounded: list[Fit] = []
    open_ended: list[Fit] = []
    for segment in segments:
        for low, high, unit in _tiers(segment):
            for number, words, count in counts:
                shared = unit & units_of(words)
                if shared and low <= count <= high:
                    counted = _counted(number, words, shared)
                    fit = Fit(segment.rstrip("."), counted, count, frozenset(shared))
                    (open_ended if high == _INFINITE and low == 0 else bounded).append(fit)
    chosen = bounded or open_ended or _smallest(segments, counts)
    if len({fit.text for fit in chosen}) > 1:
        chosen = [fit for fit in chosen if _plan_named(fit.text, said)]
    chosen = chosen or _named(segments, said, counts) or _by_volume(lines, counts)
    distinct = {fit.text for fit in chosen}
    return chosen[0] if len(distinct) == 1 else None


# "Growth: US$1.05 per processed invoice; minimum 2,000 invoices per month": plans by volume.
_VOLUME_MINIMUM = re.compile(rf"\bminimum (?:of )?{_NUMBER}\s+{_UNIT}", re.I)


def _by_volume(lines: Sequence[str], counts: list[tuple[str, str, float]]) -> list[Fit]:
    """Plans that each start at a minimum volume: the one with the highest minimum the lead's
    count reaches ("2,600 invoices a month" is Growth, from 2,000, not Starter, from 500).
    Seats are not volume: a plan's seat minimum says nothing of which plan a team needs."""
    found: list[tuple[float, Fit]] = []
    for line in lines:
        if not _PLAN.match(line):
            continue
        for match in _VOLUME_MINIMUM.finditer(line):
            unit = units_of(match.group(2))
            if "user" in unit:
                continue
            for number, words, count in counts:
                shared = unit & units_of(words)
                low = count_of(match.group(1))
                if shared and count >= low:
                    text = line.split("; ")[0].rstrip(".")
                    found.append(
                        (low, Fit(text, _counted(number, words, shared), count, frozenset(shared)))
                    )
    highest = max((low for low, _ in found), default=None)
    return [fit for low, fit in found if low == highest]


_PLAN = re.compile(r"^([A-Z][\w&+-]*(?: [A-Z][\w&+-]*)?)\s*(?:\([^)]{1,40}\))?\s*:")
_PRICE_UNIT = re.compile(
    r"[€£$]\s?\d[\d,.]*\s+(?:per|a|an|/)\s*(?:(?:named|active|concurrent|additional|extra)\s+)?"
    r"([a-z][\w-]*)",
    re.I,
)


def _plan_named(segment: str, said: str) -> bool:
    """The lead names the plan the segment prices: "a figure for Team" and "Team: £42 ..."."""
    head = _PLAN.match(segment)
    return bool(head and re.search(rf"\b{re.escape(head.group(1))}\b", said))


def _named(segments: list[str], said: str, counts: list[tuple[str, str, float]]) -> list[Fit]:
    """Plans chosen by what they include, not by a count ("minimum 10 seats" is no tier): the
    plan the lead names, for their count of the unit it is priced per."""
    found: list[Fit] = []
    for segment in segments:
        price = _PRICE_UNIT.search(segment)
        if not price or not _plan_named(segment, said):
            continue
        unit = units_of(price.group(1))
        for number, words, count in counts:
            if shared := unit & units_of(words):
                found.append(
                    Fit(
                        segment.rstrip("."),
                        _counted(number, words, shared),
                        count,
                        frozenset(shared),
                    )
                )
                break
    return found


def _smallest(segments: list[str], counts: list[tuple[str, str, float]]) -> list[Fit]:
    """Below every tier ("8 vans" where the first is "10-49 vehicles"): the first tier, billed
    at its minimum."""
    found: list[tuple[float, Fit]] = []
    for segment in segments:
        if not _MINIMUM.search(segment):
            continue  # "2 to 24 locations" says nothing of one location
        for low, _, unit in _tiers(segment):
            for number, words, count in counts:
                shared = unit & units_of(words)
                if shared and 0 < count < low:
                    counted = _counted(number, words, shared)
                    found.append((low, Fit(segment.rstrip("."), counted, count, frozenset(shared))))
    lowest = min((low for low, _ in found), default=None)
    return [fit for low, fit in found if low == lowest]


def _counted(number: str, words: str, kinds: set[str]) -> str:
    """The count in the lead's words: "140 vans", not "140 vans across" or "75 vans on Quaymark"."""
    kept: list[str] = []
    for word in words.split():
        if kept and word.lower().strip(",;:") in _LINKS:
            break
        kept.append(word.rstrip(",;:"))
        if word.endswith((",", ";", ":")):
            break  # "For your 300 sensors, we ..." ends at the comma
    # "12 people actually drafting" ends at its unit: "12 people".
    while len(kept) > 1 and (
        re.fullmatch(r"\w+(?:ly|ing)", kept[-1], re.I) or kept[-1].lower() in _TRAILING
    ):
        kept.pop()
    return f"{number} {' '.join(kept)}"
