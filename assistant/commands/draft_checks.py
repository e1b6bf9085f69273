"""Every check a program can make of a draft a scenario produced.

Required line, banned phrases, length (body only), language, links, numbers, answers where
the library has them, and the handling of the journey's turn. A check that does not apply
to a scenario is left out, not counted as passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from assistant.commands.scenarios import Outcome, Scenario, lead_texts
from assistant.llm import language
from assistant.llm.answers import answer_all, questions
from assistant.llm.base import ContentBrief
from assistant.llm.turns import where
from assistant.mail.intent import classify_intent
from assistant.mail.optout import find_opt_out
from assistant.models import ContentItem, LeadStatus

WRITTEN = ("en", "de", "fr", "es")
_URL = re.compile(r"https?://[^\s<>()\"']+")
# Proposed times, not claims: 14:30, 10 h 30, 2 pm.
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2} h(?: \d{2})?\b|\b\d{1,2}(?::\d{2})? ?[ap]m\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_DEFERRAL = re.compile(
    r"proper answer|come back to you on that|get back to you on that|let me check and come back"
    r"|i'?ll make sure you get that|i will make sure you receive|rather than a generic one",
    re.I,
)


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def _body(draft_body: str, scenario: Scenario) -> str:
    """The body a reader judges: without the signature and the required line."""
    body = draft_body
    for fixed in (scenario.rep.get("signature", ""), scenario.tone.get("required_line", "")):
        if fixed and fixed.strip():
            body = body.replace(fixed.strip(), " ")
    return body


def _brief(item: ContentItem) -> ContentBrief:
    return ContentBrief(item.slug, item.title, item.type, item.url, item.summary, item.body)


def check(scenario: Scenario, outcome: Outcome) -> list[Check]:
    """The checks that apply to this scenario, in a fixed order."""
    last = scenario.thread[-1]
    turn = _turn(scenario, outcome)
    checks: list[Check] = [*turn]
    draft = outcome.draft
    if draft is None:
        return checks
    body, tone = draft.body, scenario.tone
    line = tone.get("required_line")
    if line:
        checks.append(Check("required line", line in body, "verbatim" if line in body else line))
    banned = [p for p in tone.get("banned_phrases", []) if p.lower() in body.lower()]
    checks.append(Check("banned phrases", not banned, ", ".join(banned) or "none"))
    # The rep's own signature and the team's required line are not the draft's to judge (they
    # may hold the company's address).
    judged = _body(body, scenario)
    words = len(judged.split())
    limit = int(tone.get("max_words") or 140)
    checks.append(Check("length", words <= limit, f"{words} of {limit} words (body)"))
    checks.append(_language(scenario, body))
    checks.append(_links(scenario, outcome, judged))
    checks.append(_numbers(scenario, outcome, body))
    if last.sender == "lead" and not turn_kind(scenario, outcome):
        answered = _answers(scenario, outcome, body)
        if answered is not None:
            checks.append(answered)
    return checks


def _language(scenario: Scenario, body: str) -> Check:
    said = language.guess(lead_texts(scenario))
    wanted = said if said in WRITTEN else "en"
    plain = "\n".join(line for line in body.splitlines() if not line.startswith(">"))
    plain = _URL.sub(" ", re.sub(r"[«»„“”\"].*?[«»„“”\"]", " ", plain))
    got = language.guess([plain], default="?")
    return Check("language", got == wanted, f"{got} (lead writes {said}, wanted {wanted})")


def _links(scenario: Scenario, outcome: Outcome, body: str) -> Check:
    urls = [u.rstrip(".,;:") for u in _URL.findall(body)]
    booking = scenario.tone.get("booking_link", "")
    urls = [u for u in urls if u != booking]
    # The expected item, or another the scenario accepts when the draft sends that one.
    wanted = [s for s in (scenario.content_slug, *scenario.acceptable) if s]
    sent = [s for s in wanted if s in outcome.library and outcome.library[s].url in urls]
    expected = sent[0] if sent else scenario.content_slug
    if expected is None:
        return Check("links", not urls, "none, as expected" if not urls else ", ".join(urls))
    item = outcome.library.get(expected)
    if item is None:
        return Check("links", False, f"'{expected}' is not in the library")
    others = [u for u in urls if u != item.url]
    also = f"; also {', '.join(others)}" if others else ""
    if item.file_path:
        named = item.title in body or Path(item.file_path).name in body
        return Check("links", named and not others, f"{expected} attached{also}")
    count = urls.count(item.url)
    return Check("links", count == 1 and not others, f"{expected} x{count}{also}")


def _numbers(scenario: Scenario, outcome: Outcome, body: str) -> Check:
    sources = "\n".join(
        [
            *(m.text + " " + m.subject for m in scenario.thread),
            *(
                f"{i.title} {i.summary} {i.body} {i.url} {i.event_date}"
                for i in outcome.library.values()
            ),
            scenario.rep.get("signature", ""),
            str(scenario.tone.get("required_line", "")),
            str(scenario.lead.get("company", "")),
        ]
    )
    known = set(_NUMBER.findall(sources))
    text = _TIME.sub(" ", _URL.sub(" ", body))
    unknown = [n for n in dict.fromkeys(_NUMBER.findall(text)) if n not in known]
    if unknown:
        # A total worked out for the lead: their count times a price, a year of it, a discount
        # taken off, a one-time fee added.
        lead = _values(" ".join(m.text for m in scenario.thread if m.sender == "lead"))
        library = _values(sources)
        percents = {float(p) for p in re.findall(r"(\d+(?:\.\d+)?)\s?%", sources)}
        unknown = [n for n in unknown if not _derived(n, lead, library, percents)]
    return Check("numbers", not unknown, "all found" if not unknown else ", ".join(unknown))


def _values(text: str) -> set[float]:
    found: set[float] = set()
    for raw in _NUMBER.findall(text):
        found.update(_readings(raw))
    return found


def _readings(raw: str) -> set[float]:
    """1,960 and 1.960 (German) and 1 960 (French) are all 1960; 16,5 is 16.5."""
    plain = raw.replace("\u202f", "").replace(" ", "")
    readings = set()
    for thousands, decimal in ((",", "."), (".", ",")):
        try:
            readings.add(float(plain.replace(thousands, "").replace(decimal, ".")))
        except ValueError:
            continue
    return readings


def _derived(raw: str, lead: set[float], library: set[float], percents: set[float]) -> bool:
    counts = {v for v in lead if v >= 1} | {v for v in library if 1 <= v <= 100 and v == int(v)}
    prices = {v for v in library if v > 0}
    base = {c * p for c in counts for p in prices}
    yearly = base | {b * 12 for b in base}
    totals = yearly | {y * (100 - pc) / 100 for y in yearly for pc in percents}
    rounded = {round(t) for t in totals}
    for value in _readings(raw):
        if round(value) in rounded or any(round(value - f) in rounded for f in prices):
            return True
    return False


def _answers(scenario: Scenario, outcome: Outcome, body: str) -> Check | None:
    """Questions the library answers are answered, with their figures; no stock deferral."""
    library = tuple(_brief(i) for i in outcome.library.values() if not i.retired)
    asked = questions(scenario.thread[-1].text)
    if not asked:
        return None
    # Each question read with the sentences beside it, as the drafter reads it.
    reply = scenario.thread[-1].text
    # Where the lead is, else where the rep sells, as the drafter reads it.
    lead, rep = outcome.lead, scenario.rep
    zone = where(
        reply, lead.timezone or "", lead.email, rep.get("timezone", ""), rep.get("signature", "")
    )
    results = answer_all(reply, library, zone=zone)[:3]
    answerable = [r for r in results if r.status == "answered"]
    deferral = _DEFERRAL.search(body)
    missing = [
        r.question
        for r in answerable
        # The point's words as the library writes them; "Yes, free 30-day pilot" starts small.
        if not all(n in body for n in _NUMBER.findall(r.text))
        or r.text[:30].lower() not in body.lower()
    ]
    ok = not missing and not (deferral and answerable)
    detail = f"{len(answerable)} of {len(results)} answerable"
    if missing:
        detail += f"; not answered: {' | '.join(missing)}"
    if deferral and answerable:
        detail += f"; stock deferral: '{deferral.group(0)}'"
    return Check("answers", ok, detail)


def turn_kind(scenario: Scenario, outcome: Outcome) -> str:
    """The turn the lead's last message takes, read from it (the scenario may say otherwise)."""
    if "turn" in scenario.expect:
        return str(scenario.expect["turn"])
    last = scenario.thread[-1]
    if last.sender != "lead":
        return ""
    if find_opt_out(last.text) is not None:
        return "opt_out"
    intent, _, events = classify_intent(last.text, last.at.date())
    kinds = {e.type for e in events}
    new_cc = [a for a in last.cc if _address(a) != scenario.lead["email"].lower()]
    if intent == "ready_to_talk":
        return "sales_ready"
    if "referral" in kinds:
        return "referral"
    if "budget_freeze" in kinds:
        return "budget_freeze"
    if "come_back_later" in kinds:
        return "pause"
    return "cc" if new_cc else ""


def _address(text: str) -> str:
    found = re.search(r"[\w.+-]+@[\w.-]+", text)
    return found.group(0).lower() if found else text.lower()


def _turn(scenario: Scenario, outcome: Outcome) -> list[Check]:
    kind = turn_kind(scenario, outcome)
    draft, lead, expect = outcome.draft, outcome.lead, scenario.expect
    checks: list[Check] = []
    if kind == "opt_out":
        ok = draft is None and lead.status == LeadStatus.opted_out
        return [
            Check("turn: opt-out", ok, f"status {lead.status}, draft {'yes' if draft else 'none'}")
        ]
    if kind in ("pause", "budget_freeze") or "paused_until" in expect:
        until = lead.paused_until.date() if lead.paused_until else None
        wanted = expect.get("paused_until")
        # Writers date "through February" as 28 February or as 1 March: a day either way is
        # the same turn of the journey.
        ok = until is not None and (
            wanted is None or abs((until - date.fromisoformat(wanted)).days) <= 1
        )
        checks.append(Check("turn: paused", ok, f"until {until} (expected {wanted or 'a date'})"))
    if kind == "referral" or "proposed" in expect:
        wanted = expect.get("proposed")
        ok = bool(outcome.proposed) and (wanted is None or wanted in outcome.proposed)
        checks.append(Check("turn: lead proposed", ok, ", ".join(outcome.proposed) or "none"))
    if kind == "sales_ready":
        checks.append(
            Check("turn: sales-ready", lead.status == LeadStatus.sales_ready, str(lead.status))
        )
        if draft is not None:
            link = scenario.tone.get("booking_link")
            offered = (link and link in draft.body) or bool(_TIME.search(draft.body))
            checks.append(Check("turn: times offered", bool(offered), "times or booking link"))
    if kind == "cc":
        kept = draft is not None and bool(draft.cc)
        checks.append(Check("turn: Cc kept", kept, "kept" if kept else "the Cc was dropped"))
    if kind and kind != "opt_out":
        checks.append(Check("turn: draft", draft is not None, "drafted" if draft else "no draft"))
    elif draft is None and scenario.thread[-1].sender == "lead":
        checks.append(Check("draft", False, "no draft"))
    return checks
