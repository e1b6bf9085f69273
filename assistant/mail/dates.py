"""Dates written in mail, in the languages of assistant/language, resolved against `today`.

Explicit dates ("3 March", "03.03.", "Monday 12/1") and relative ones ("in six months",
"Q3", "after the holidays", "nach Ostern"). Conventions: a day-month without a year is the
next such day not more than two weeks past; "until X" gives the day after X; a quarter or
month gives its first day, but the end of one ("end of Q1 2027", "through March", "fin mars")
its last day, "after Q1" or "once Q1 is over" the day after that, and "mid-September" the
15th; "after the holidays" gives 7 January.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from dateutil.easter import easter

from assistant.language import alternatives, entries, grouped, numbered

MONTHS = numbered("dates.months")
WEEKDAYS = numbered("dates.weekdays")
NUMBERS = numbered("dates.numbers")
_ORDINAL = numbered("dates.ordinals")


def _alternation(words: dict[str, int]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _any(key: str) -> str:
    return alternatives(f"dates.{key}")


def _units(key: str) -> str:
    """Units by kind, each kind a named group, so a match tells its kind by `lastgroup`."""
    return "|".join(f"(?P<{kind}>{'|'.join(found)})" for kind, found in grouped(key).items())


_MONTH = _alternation(MONTHS)
_WEEKDAY = _alternation({w: 0 for w in WEEKDAYS if len(w) > 2})
_QUARTER_LETTER = f"[{''.join(sorted(set(entries('dates.quarter_letter'))))}]"
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|e|º|°)?\.?\s+(?:de\s+|of\s+)?({_MONTH})\b\.?"
    rf"(?:\s+(?:de\s+)?(\d{{4}}))?",
)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b,?(?:\s+(\d{{4}}))?")
_NUMERIC = re.compile(
    r"(?<![\d.:/-])(\d{1,2})([./])(\d{1,2})(?:\2(\d{4}|\d{2}))?(\.?)"
    r"(?![\d:]|\.\d|\s*(?:uhr|h\b|am\b|pm\b))",
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WEEKDAY_WORD = re.compile(rf"\b({_WEEKDAY})\b")
_TOMORROW = re.compile(rf"\b({_any('tomorrow')})\b")
_UNTIL = re.compile(
    rf"\b(?:{_any('until')})\s*"
    rf"(?:(?:{_any('until_article')})\s+)?(?:(?:{_WEEKDAY})\.?,?\s*)?$",
)
_QUARTER = re.compile(rf"\b{_QUARTER_LETTER}([1-4])\b(?:\s*[/']?\s*(\d{{4}}|\d{{2}})\b)?")
_ORDINAL_QUARTER = re.compile(rf"\b({_alternation(_ORDINAL)})\s+(?:{_any('quarter')})")
_IN_PERIOD = re.compile(
    rf"\b(?:{_any('period_preposition')})\s+(?:(?:{_any('period_article')})\s+)?"
    rf"(\d{{1,2}}|{_alternation(NUMBERS)})(?:\s*(?:-|–|{_any('period_range')})\s*\d{{1,2}})?\s*"
    r"(?:of\s+)?(?:more\s+)?"
    rf"(?:{_units('dates.period_units')})\b",
)
_HALF_YEAR = re.compile(rf"\b(?:{_any('half_year')})\b")
_NEXT_UNITS = grouped("dates.next_units")
_NEXT = re.compile(
    rf"\b(?:{_any('next')})\s+({'|'.join(w for words in _NEXT_UNITS.values() for w in words)})\b|"
    + _any("next_after")
)
_UNIT = {word: kind for kind, words in _NEXT_UNITS.items() for word in words}
_HOLIDAYS = re.compile(_any("holidays"))
_SUMMER = re.compile(rf"\b(?:{_any('after_summer')})\b")
_EASTER = re.compile(rf"\b(?:{_any('after_easter')})\b")
_IN_MONTH = re.compile(
    rf"\b(?:(?i:{_any('in_month')})|(?-i:{_any('in_month_lower')}))\s+(?:de\s+|di\s+)?"
    rf"(?i:({_MONTH}))\b(?!\s*\d)"
)
_QUARTER_END = re.compile(
    rf"\b(?:{_any('period_end')})\s+(?:(?:{_any('quarter_end_article')})\s+)?"
    rf"{_QUARTER_LETTER}([1-4])\b(?:\s*[/']?\s*(\d{{4}}|\d{{2}})\b)?"
)
# "la fin du premier trimestre", "the end of the first quarter", "Ende des ersten Quartals".
_ORDINAL_QUARTER_END = re.compile(
    rf"\b(?:{_any('period_end')})\s+(?:(?:{_any('quarter_end_article')})\s+)?"
    rf"({_alternation(_ORDINAL)})\s+(?:{_any('quarter')})\w*(?:\s+(?:of\s+|de\s+)?(\d{{4}})\b)?"
)
# "after Q1", "once the first quarter is over", "nach dem ersten Quartal": the day after it ends.
_QUARTER_NAMED = (
    rf"(?:{_QUARTER_LETTER}([1-4])|({_alternation(_ORDINAL)})\s+(?:{_any('quarter')})\w*)\b"
    r"(?:\s*[/']?\s*(\d{4}|\d{2})\b)?"
)
_AFTER_QUARTER = re.compile(
    rf"\b(?:{_any('period_after')})\s+(?:(?:{_any('quarter_end_article')})\s+)?{_QUARTER_NAMED}"
)
_QUARTER_OVER = re.compile(rf"\b{_QUARTER_NAMED}\s+(?:{_any('period_over')})\b")
_MONTH_PART = re.compile(
    rf"\b(?:({_any('month_start')})|({_any('month_middle')})|({_any('month_end')}))"
    rf"[\s-]+(?:de\s+|d'|of\s+)?({_MONTH})\b\.?(?:\s+(\d{{4}}))?"
)
_PART_DAY = {1: 1, 2: 15, 3: 0}  # 0: the month's last day
# Holidays with a rule of their own: the working day after a US holiday, and the German
# school summer holidays.
_US_HOLIDAY = re.compile(r"\bafter (labor day|labour day|memorial day|thanksgiving)\b")
_SOMMERFERIEN = re.compile(r"\bnach den sommerferien\b")


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` of a month; n = -1 for the last one."""
    days = [
        d
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    return date(year, month, days[n if n < 0 else n - 1])


def _us_holiday_after(name: str, year: int) -> date:
    """The working day after a US holiday: Labor Day, Memorial Day, Thanksgiving (its Monday)."""
    if name.startswith(("labor", "labour")):
        return _nth_weekday(year, 9, 0, 1) + timedelta(days=1)
    if name == "memorial day":
        return _nth_weekday(year, 5, 0, -1) + timedelta(days=1)
    return _nth_weekday(year, 11, 3, 4) + timedelta(days=4)


def period_end(sentence: str, today: date) -> date | None:
    """The date a named part of a period ends: "end of Q1 2027" -> 31 March 2027.

    None when the sentence names no such part. A pause is held to this day, not the
    period's first day.
    """
    low = sentence.lower()
    if m := _AFTER_QUARTER.search(low) or _QUARTER_OVER.search(low):
        quarter = int(m.group(1)) if m.group(1) else _ORDINAL[m.group(2)]
        return _quarter_last_day(quarter, m.group(3), today) + timedelta(days=1)
    quarter_end: tuple[int, str | None] | None = None
    if m := _QUARTER_END.search(low):
        quarter_end = int(m.group(1)), m.group(2)
    elif m := _ORDINAL_QUARTER_END.search(low):
        quarter_end = _ORDINAL[m.group(1)], m.group(2)
    if quarter_end is not None:
        return _quarter_last_day(*quarter_end, today)
    if m := _MONTH_PART.search(low):
        part = next(i for i in (1, 2, 3) if m.group(i))
        month, year = MONTHS[m.group(4)], m.group(5)
        full = int(year) if year else today.year
        day = _PART_DAY[part] or calendar.monthrange(full, month)[1]
        found = date(full, month, day)
        if not year and found <= today:
            last = calendar.monthrange(full + 1, month)[1]
            found = date(full + 1, month, min(_PART_DAY[part] or last, last))
        return found
    if m := _US_HOLIDAY.search(low):
        found = _us_holiday_after(m.group(1), today.year)
        return found if found > today else _us_holiday_after(m.group(1), today.year + 1)
    if _SOMMERFERIEN.search(low):
        # School summer holidays run into mid-September in the southern states.
        found = date(today.year, 9, 15)
        return found if found > today else date(today.year + 1, 9, 15)
    return None


def _quarter_last_day(quarter: int, year: str | None, today: date) -> date:
    """The last day of a quarter: of the year given, else the next one not yet over."""
    full = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
    end = add_months(_quarter_start(quarter, full), 3) - timedelta(days=1)
    return end if year or end >= today else date(end.year + 1, end.month, end.day)


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year_for(month: int, day: int, year: str | None, today: date) -> date | None:
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _safe(full, month, day)
    found = _safe(today.year, month, day)
    if found is not None and found < today - timedelta(days=14):
        found = _safe(today.year + 1, month, day)
    return found


def add_months(start: date, months: int) -> date:
    """`start` moved by whole months, the day clamped to the month's length."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _weekday_before(text: str, pos: int) -> int | None:
    match = _WEEKDAY_WORD.search(text[max(0, pos - 16) : pos])
    return WEEKDAYS[match.group(1).lower()] if match else None


def explicit_dates(text: str, today: date, *, month_first: bool) -> list[tuple[int, date]]:
    """Every explicit date in `text` with its position; `month_first` reads 12/1 as December 1."""
    text = text.lower()
    found: list[tuple[int, date]] = []
    for m in _ISO.finditer(text):
        if (d := _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))) is not None:
            found.append((m.start(), d))
    for m in _DAY_MONTH.finditer(text):
        d = _year_for(MONTHS[m.group(2).lower()], int(m.group(1)), m.group(3), today)
        if d is not None:
            found.append((m.start(), d))
    for m in _MONTH_DAY.finditer(text):
        d = _year_for(MONTHS[m.group(1).lower()], int(m.group(2)), m.group(3), today)
        if d is not None:
            found.append((m.start(), d))
    for m in _NUMERIC.finditer(text):
        a, b = int(m.group(1)), int(m.group(3))
        padded = len(m.group(1)) == len(m.group(3)) == 2
        if m.group(2) == "." and not (m.group(4) or m.group(5) or padded):
            continue
        orders = [(b, a), (a, b)] if month_first else [(a, b), (b, a)]
        options = [_year_for(mo, dy, m.group(4), today) for dy, mo in orders]
        weekday = _weekday_before(text, m.start())
        choice = next((d for d in options if d and weekday in (None, d.weekday())), None)
        if choice is not None:
            found.append((m.start(), choice))
    if not found:
        for m in _TOMORROW.finditer(text):
            found.append((m.start(), today + timedelta(days=1)))
    if not found:
        for m in _WEEKDAY_WORD.finditer(text):
            ahead = (WEEKDAYS[m.group(1).lower()] - today.weekday() - 1) % 7 + 1
            found.append((m.start(), today + timedelta(days=ahead)))
    return found


def return_date(sentence: str, today: date, *, month_first: bool = False) -> date | None:
    """The first day someone is back, from a sentence of an out-of-office reply."""
    sentence = sentence.lower()
    found = explicit_dates(sentence, today, month_first=month_first)
    if not found:
        return None
    pos, latest = max(found, key=lambda item: item[1])
    if _UNTIL.search(sentence[:pos]):
        latest += timedelta(days=1)
    return latest


def _quarter_start(quarter: int, year: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def _next_quarter(quarter: int, today: date, year: str | None) -> date:
    if year:
        return _quarter_start(quarter, int(year) + (2000 if len(year) == 2 else 0))
    start = _quarter_start(quarter, today.year)
    if start > today:
        return start
    if add_months(start, 3) > today:
        return today + timedelta(days=7)
    return _quarter_start(quarter, today.year + 1)


def _after_period(count: int, kind: str, today: date) -> date:
    if kind == "day":
        return today + timedelta(days=count)
    if kind == "week":
        return today + timedelta(weeks=count)
    if kind == "quarter":
        return add_months(today, 3 * count)
    if kind == "month":
        return add_months(today, count)
    return add_months(today, 12 * count)


def _next_unit(unit: str, today: date) -> date:
    kind = _UNIT.get(unit.lower(), "year")
    if kind == "week":
        return today + timedelta(days=7 - today.weekday())
    if kind == "month":
        return add_months(today.replace(day=1), 1)
    if kind == "quarter":
        return add_months(today.replace(day=1), 3 - (today.month - 1) % 3)
    return date(today.year + 1, 1, 1)


_NEXT_POSSESSIVE = re.compile(r"\bnext (?:year|month|quarter|week)['’]s\b")


def later_date(sentence: str, today: date, *, month_first: bool = False) -> date | None:
    """The date a "come back later" sentence points to, or None when it names none."""
    original, sentence = sentence, sentence.lower()
    if (end := period_end(sentence, today)) is not None:
        return end
    if m := _QUARTER.search(sentence):
        return _next_quarter(int(m.group(1)), today, m.group(2))
    if m := _ORDINAL_QUARTER.search(sentence):
        return _next_quarter(_ORDINAL[m.group(1).lower()], today, None)
    # "...until the board signs off next year's budget on 15 February": the day named wins.
    named = explicit_dates(sentence, today, month_first=month_first)
    if named and _NEXT_POSSESSIVE.search(sentence):
        return max(d for _, d in named)
    if m := _NEXT.search(sentence):
        return _next_unit(next(g for g in m.groups() if g), today)
    if _HALF_YEAR.search(sentence):
        return add_months(today, 6)
    if m := _IN_PERIOD.search(sentence):
        word = m.group(1).lower()
        count = int(word) if word.isdigit() else NUMBERS[word]
        return _after_period(count, m.lastgroup or "year", today) if count else None
    if _HOLIDAYS.search(sentence):
        after = date(today.year + (1 if today.month >= 7 else 0), 1, 7)
        return after if after > today else None
    if _SUMMER.search(sentence):
        return date(today.year + (1 if today.month >= 9 else 0), 9, 1)
    if _EASTER.search(sentence):
        tuesday = easter(today.year) + timedelta(days=2)
        return tuesday if tuesday > today else easter(today.year + 1) + timedelta(days=2)
    if m := _IN_MONTH.search(original):
        month = MONTHS[m.group(1).lower()]
        year = today.year if month > today.month else today.year + 1
        return date(year, month, 1)
    return max(d for _, d in named) if named else None
