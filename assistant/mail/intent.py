"""A person's intent and the journey events in the new text of a reply, with sentence evidence."""

from __future__ import annotations

import bisect
import calendar
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from assistant.language import alternatives, entries
from assistant.mail.dates import MONTHS, explicit_dates, later_date
from assistant.mail.headers import parse_addresses
from assistant.mail.text import evidence, sentences

_MEETING_HORIZON_DAYS = 21
DEFAULT_COMPETITORS = ("Salesforce", "HubSpot", "Marketo", "Outreach", "Pardot", "Salesloft")


@dataclass(frozen=True)
class Event:
    """A turn in the buyer's journey, with the sentence that shows it."""

    type: str
    evidence: str
    date: date | None = None
    email: str | None = None
    name: str | None = None


def _cue(key: str) -> re.Pattern[str]:
    """Every language's lower-case alternatives for a cue, searched in lower-cased text.

    Lower-cased text is searched much faster than with IGNORECASE.
    """
    return re.compile(alternatives(f"intent.{key}"))


_MEETING = _cue("meeting")
_WRONG_PERSON = _cue("wrong_person")
_NOT_NOW = _cue("not_now")
_NOT_INTERESTED = _cue("not_interested")
_INTERESTED = _cue("interested")
_QUESTION_WORDS = re.compile(rf"^(?:{alternatives('intent.question_words')})\b", re.IGNORECASE)
_BUDGET = _cue("budget")
_PARTIAL_REFUSAL = _cue("partial_refusal")
_SCOPE = _cue("scope")
_LEADERSHIP = _cue("leadership")
_COLLEAGUE = _cue("colleague")
_WRITE_ON = _cue("write_on")
_KEEP_OUT = _cue("keep_out")
_NAME_BEFORE = re.compile(
    r"((?:[A-ZÀ-ÖØ-Þ][\w'’-]+\s+){0,2}[A-ZÀ-ÖØ-Þ][\w'’-]+)[\s,:—–-]*[(<\[]?\s*(?:at\s+)?$"
)
_ENGLISH = re.compile(r"\b(?:the|and|we|will|you)\b")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# Greetings and titles before a colleague's address, not part of their name.
_NOT_NAMES = frozenset(entries("intent.not_names"))


def _first_match(pattern: re.Pattern[str], sents: Sequence[str], low: Sequence[str]) -> str | None:
    """The first sentence whose lower-cased form the pattern matches (one search rules most out)."""
    if not pattern.search("\n".join(low)):
        return None
    return next((s for s, s_low in zip(sents, low, strict=True) if pattern.search(s_low)), None)


_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+){0,2}")


def named_by_address(sentence: str, address: str) -> str:
    """The name in the sentence that the address spells: "Priya Raman" for priya.raman@...,
    not "Patient Flow" from "our Head of Patient Flow (priya.raman@...)"."""
    parts = [p for p in re.split(r"[._+-]+", address.split("@")[0].lower()) if p]
    local = {p for p in parts if len(p) > 1}
    initials = {p[0] for p in parts}
    for found in _CAPITALISED.finditer(sentence):
        words = [w for w in found.group(0).split() if w not in _NOT_NAMES]
        if words and {w.lower() for w in words} & local:
            # "Adding Marco Ferri" for marco.ferri@: a word before the name that the address
            # neither spells nor starts is the sentence's, not the person's.
            while words[0].lower() not in local and words[0][0].lower() not in initials:
                words.pop(0)
            return " ".join(words)
    return ""


# Where a clause ends: not at the dot of an address or of an initial ("J. Berg").
_CLAUSE_END = re.compile(r"[;!?]|(?<![\s(][a-z])\.\s|\s[—–-]\s")


def _left_out(sentence_low: str) -> list[tuple[int, int]]:
    """Where a sentence asks to keep someone out ("please don't copy Tom (tom@…)", "leave
    Tom out of this"): from the request to the end of its clause."""
    spans = []
    for match in _KEEP_OUT.finditer(sentence_low):
        end = _CLAUSE_END.search(sentence_low, match.end())
        spans.append((match.start(), end.start() if end else len(sentence_low)))
    return spans


def _referrals(
    sents: Sequence[str], low: Sequence[str], ignore: frozenset[str], *, anywhere: bool
) -> list[Event]:
    """Colleagues the sender names with an address: one referral event for each."""
    events: list[Event] = []
    if not any("@" in s for s in sents):
        return events
    for sentence, sentence_low in zip(sents, low, strict=True):
        if not (anywhere or _COLLEAGUE.search(sentence_low) or _WRONG_PERSON.search(sentence_low)):
            continue
        left_out = _left_out(sentence_low)
        for match in _EMAIL.finditer(sentence):
            address = match.group(0).rstrip(".").lower()
            if address in ignore or not parse_addresses(address):
                continue
            if any(start <= match.start() < end for start, end in left_out):
                continue
            name_match = _NAME_BEFORE.search(sentence[: match.start()])
            words = name_match.group(1).split() if name_match else []
            while words and words[0] in _NOT_NAMES:
                words.pop(0)
            name = named_by_address(sentence, address) or " ".join(words) or None
            events.append(Event("referral", evidence(sentence), email=address, name=name))
    return events


_ROLE_WORDS = re.compile(
    r"\b(?:manager|director|head|officer|lead|engineer|specialist|contact|team|department"
    r"|leiter\w*|abteilung|responsable|directeur|directrice|jefe|jefa|director[a]?)\b",
    re.IGNORECASE,
)
_NAME_ONLY = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+){1,2}$")


def colleague_lines(text: str, ignore: frozenset[str], domain: str) -> list[Event]:
    """Colleagues named with an address at the sender's own domain, as in a signature's
    "Technical contact: Raj Patel, Energy Manager – raj.patel@harlowfinch.test"."""
    events: list[Event] = []
    for line in text.splitlines():
        if line.lstrip().startswith(">"):
            break  # the quoted thread: earlier mail, not this one
        for match in _EMAIL.finditer(line):
            address = match.group(0).rstrip(".").lower()
            if address in ignore or not address.endswith("@" + domain):
                continue
            parts = re.split(r"[,:;|–—()<>\[\]]|\s-\s", line[: match.start()])
            names = [p.strip() for p in parts if _NAME_ONLY.match(p.strip() or "x")]
            name = next((n for n in names if not _ROLE_WORDS.search(n)), "")
            events.append(
                Event("referral", evidence(line.strip()), email=address, name=name or None)
            )
    return events


@lru_cache(maxsize=16)
def _competitor_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the names, first letter as written (so "outreach" is not Outreach), rest any case."""
    spelled = (f"{re.escape(n[0])}(?i:{re.escape(n[1:])})" for n in names if n)
    return re.compile(rf"(?<![\w-])(?:{'|'.join(spelled)})(?![\w-])")


def _competitors(sents: Sequence[str], names: Iterable[str]) -> list[Event]:
    wanted = tuple(names)
    if not wanted or not _competitor_pattern(wanted).search("\n".join(sents)):
        return []
    events: list[Event] = []
    for name in wanted:
        pattern = _competitor_pattern((name,))
        found = next((s for s in sents if pattern.search(s)), None)
        if found is not None:
            events.append(Event("competitor", evidence(found), name=name))
    return events


def _is_question(sentence: str) -> bool:
    if sentence.endswith(("?", "？")):
        return True
    return bool(_QUESTION_WORDS.match(sentence)) and not sentence.endswith((".", "!", ":"))


_LONGEST_PAUSE_DAYS = 3 * 366  # no one asks to be written to again in more than three years


def _come_back(
    sents: Sequence[str], low: Sequence[str], today: date, month_first: bool
) -> Event | None:
    """A come-back-later event from the sentences that put the conversation off."""
    joined = "\n".join(low)
    # One pass of each (long) pattern over the whole text; each match is placed in its sentence.
    starts = list(itertools.accumulate((len(s) + 1 for s in low[:-1]), initial=0))
    # "Could you drop me a line on Monday 11 January?": the day the lead asks to be written
    # to wins over the dates around it ("on leave from the 14th of December").
    for i in sorted(
        {bisect.bisect_right(starts, m.start()) - 1 for m in _WRITE_ON.finditer(joined)}
    ):
        when = later_date(sents[i], today, month_first=month_first)
        if when is not None and 0 < (when - today).days <= _LONGEST_PAUSE_DAYS:
            when = _refined(when, sents[i], sents, today, month_first)
            return Event("come_back_later", evidence(sents[i]), date=when)
    not_now = {bisect.bisect_right(starts, m.start()) - 1 for m in _NOT_NOW.finditer(joined)}
    budget = {bisect.bisect_right(starts, m.start()) - 1 for m in _BUDGET.finditer(joined)}
    if not (not_now or budget):
        return None
    hits = sorted(not_now | budget)
    # The sentence itself, the one after, then the one before ("...the new financial year kicks
    # off in April. Can we pick it up then?").
    order = [k for i in hits for k in (i, i + 1, i - 1) if 0 <= k < len(sents)]
    candidates = [sents[j] for j in dict.fromkeys(order)]
    for sentence in candidates:
        when = later_date(sentence, today, month_first=month_first)
        if when is not None and (when - today).days > _LONGEST_PAUSE_DAYS:
            continue  # "we model everything over 25 years" names no time to come back
        if when is not None:
            when = _refined(when, sentence, sents, today, month_first)
            return Event("come_back_later", evidence(sentence), date=when)
    later = next((sents[i] for i in hits if i in not_now), None)
    return Event("come_back_later", evidence(later)) if later else None


# "after our trade fair", "nach der Messe", "après notre salon": a pause until an event is over.
AFTER_EVENT = re.compile(
    r"\b(?:after|once|following|nach|après|apres|después de|despues de|tras|na|dopo)\s+"
    r"(?:the|our|your|my|this|that|der|dem|den|unserer|unserem|unseren|la|le|les|l'|el|los|las"
    r"|nuestra|nuestro|nuestras|nuestros|notre|nos|il|la|het|de|onze)\s+"
    r"(?!(?:start|end|beginning|middle|first|second|third|fourth|next|new)\b)([^\W\d][\w-]*)",
    re.IGNORECASE,
)
_WEEK_AFTER = re.compile(
    r"\b(?:the )?week after\b|\bin der woche danach\b|\bla semaine (?:d')?après\b"
    r"|\bla semana (?:siguiente|después)\b",
    re.IGNORECASE,
)


def _refined(
    when: date, sentence: str, sents: Sequence[str], today: date, month_first: bool
) -> date:
    """A month's first day made exact by what else the lead wrote.

    "Nach der Messe im März, ab dem 22. März bin ich wieder da" is 22 March; "after our trade
    fair in March" with "we exhibit 9-11 March" earlier is 12 March (the Monday after, when
    "the week after would be ideal"), and without its dates the end of March.
    """
    if when.day != 1:
        return when
    same = [
        d
        for _, d in explicit_dates(sentence, today, month_first=month_first)
        if (d.year, d.month) == (when.year, when.month) and d > today
    ]
    if same:
        return max(same)
    event = AFTER_EVENT.search(sentence)
    # Only "after our fair in March": the month is the event's, so the pause ends after it.
    if not event or not any(
        w in MONTHS for w in re.findall(r"\w+", sentence[event.end() :].lower())
    ):
        return when
    dated = [
        d
        for s in sents
        for _, d in explicit_dates(s, today, month_first=month_first)
        if (d.year, d.month) == (when.year, when.month)
    ]
    if not dated:
        last = calendar.monthrange(when.year, when.month)[1]
        return when.replace(day=last) + timedelta(days=1)
    after = max(dated) + timedelta(days=1)
    if any(_WEEK_AFTER.search(s) for s in sents):
        after += timedelta(days=(7 - after.weekday()) % 7)
    return after


def classify_intent(
    text: str,
    today: date,
    *,
    ignore_addresses: frozenset[str] = frozenset(),
    competitors: Iterable[str] = DEFAULT_COMPETITORS,
) -> tuple[str, str | None, list[Event]]:
    """The intent, its evidence sentence and the journey events of a person's new text."""
    sents = sentences(text)
    low = tuple(s.lower() for s in sents)
    month_first = bool(_ENGLISH.search("\n".join(low)))
    events: list[Event] = []
    meeting = _first_match(_MEETING, sents, low)
    if meeting:
        # "We've seen enough, let's get serious. Can we talk Tuesday afternoon?": the sentence
        # that names the day is the request.
        asks = [s for s, s_low in zip(sents, low, strict=True) if _MEETING.search(s_low)]
        dated = ((s, later_date(s, today, month_first=month_first)) for s in asks)
        meeting, when = next(((s, d) for s, d in dated if d is not None), (meeting, None))
        later = _NOT_NOW.search(meeting.lower()) or _BUDGET.search(meeting.lower())
        if when is not None and (when - today).days > _MEETING_HORIZON_DAYS:
            meeting = None
        elif when is None and later:
            meeting = None  # "Gern können wir danach wieder sprechen": talk again, later
        else:
            events.append(Event("meeting_request", evidence(meeting), date=when))
    budget = _first_match(_BUDGET, sents, low)
    if budget:
        events.append(Event("budget_freeze", evidence(budget)))
    refused = _first_match(_NOT_INTERESTED, sents, low)
    partial = None
    if refused and _PARTIAL_REFUSAL.search(refused.lower()) and any(map(_is_question, sents)):
        # "Not interested in batteries at this stage, just panels. What would it cost?"
        partial, refused = refused, None
    come_back = _come_back(sents, low, today, month_first)
    if (
        come_back
        and (refused or come_back.evidence == evidence(partial or ""))
        and (come_back.date is None)
    ):
        come_back = None
    if come_back:
        events.append(come_back)
    for pattern, kind in ((_SCOPE, "scope_change"), (_LEADERSHIP, "leadership_change")):
        found = _first_match(pattern, sents, low)
        if found:
            events.append(Event(kind, evidence(found)))
    events.extend(_competitors(sents, competitors))
    wrong = _first_match(_WRONG_PERSON, sents, low)
    events.extend(_referrals(sents, low, ignore_addresses, anywhere=wrong is not None))
    interested = (
        s
        for s, s_low in zip(sents, low, strict=True)
        if _INTERESTED.search(s_low) and not _NOT_INTERESTED.search(s_low)
    )
    for intent, found in (
        ("ready_to_talk", meeting),
        ("wrong_person", wrong),
        ("not_now", come_back.evidence if come_back else budget),
        ("not_interested", refused),
        ("question", next((s for s in sents if _is_question(s)), None)),
        ("interested", next(interested, None)),
    ):
        if found:
            return intent, evidence(found), events
    return "other", None, events
