"""Each library item's key points (its Markdown body) and the facts in them, indexed for answers.

A point is one bullet or one sentence of an item's body. Its facts are what a lead asks
about: prices, durations, measures with units, standards, plan names and yes/no
capabilities. Words are cut to five-letter stems, and a short lexicon maps German, French
and Spanish question words onto the library's English stems, so "Wie lange dauert die
Einführung?" finds "Most teams are live in 2–4 weeks".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.llm.base import ContentBrief

_NUM = r"\d[\d,.]*(?:\s?[–-]\s?\d[\d,.]*)?"
_FACTS = {
    "price": re.compile(
        rf"[$€£]\s?{_NUM}(?:\s?[kKmM]\b)?|{_NUM}\s?(?:€|eur|usd|dollars?|euros?)\b"
        r"|\bper (?:user|seat|sensor|site|month|year|location|device)\b|\bfixed fee\b"
        r"|\bno charge\b|\bfree\b|\bdiscounts?\b",
        re.I,
    ),
    "duration": re.compile(
        rf"\b{_NUM}[\s-]?(?:working |business |calendar )?"
        r"(?:seconds?|minutes?|mins?|hours?|days?|weeks?|months?|years?|ms)\b"
        r"|\b(?:weeks?|months?|days?) \d|\b(?:same day|overnight|real[- ]time)\b",
        re.I,
    ),
    "measure": re.compile(rf"{_NUM}\s?(?:%|°\s?[CF]|percent|points?|x\b|gb\b|tb\b)", re.I),
    "count": re.compile(rf"\b{_NUM}\s?(?:users?|seats?|sites?|customers?|languages?|countries)\b"),
    "standard": re.compile(
        r"\b(?:SOC ?[12](?: Type (?:I|II|1|2))?|ISO(?:/IEC)? ?\d{4,5}|GDPR|HIPAA|PCI[- ]DSS"
        r"|ISAE ?3402|TISAX|DSGVO|SSO|SAML|SCIM|HACCP|FDA 21 CFR Part 11|EU data residency)\b",
        re.I,
    ),
    "plan": re.compile(r"\b(?:plans?|tiers?|editions?)\b", re.I),
    "capability": re.compile(
        r"\b(?:supports?|integrates? with|works with|connectors? for|includes?|included"
        r"|built[- ]in|native(?:ly)?|available|offline|no code|out of the box|api)\b",
        re.I,
    ),
}
FACT_KINDS = tuple(_FACTS)

# What a question asks for, in the four languages the drafter writes.
_ASKS = {
    "price": r"cost|price|pricing|how much|expensive|fee|budget|licen[cs]|kost|preis|prix|coût"
    r"|cout|tarif|combien|precio|cuesta|cuánto|coste|costo|licencia|rabatt",
    "duration": r"how long|how fast|how quick|how soon|how often|timeline|time to|go live|be live"
    r"|real[- ]time|overnight|frequen|wie oft|echtzeit|temps réel|tiempo real|wie lange"
    r"|wie schnell|dauer|combien de temps|délai|delai|durée|duree|cuánto tiempo|plazo|rapidez",
    "measure": r"accura|temperat|how (?:cold|low|high|precise)|genauig|précision|precisión|percent",
    "count": r"how many|wie viele|combien de|cuántos|cuantos|cuántas",
    "standard": r"certif|soc ?2|iso|gdpr|hipaa|complian|zertifi|dsgvo|rgpd|conform|sso|saml|audit",
    "plan": r"\bplans?\b|tier|edition|paket|formule|\bplan(?:es)?\b",
    "capability": r"support|integrat|work with|connect|do you have|does it|can it|can we|can you"
    r"|is there|unterstütz|funktion|anbind|können|prend en charge|compatible|intègr|integr"
    r"|soporta|funciona|conect|se puede|puede",
}
_ASK = {kind: re.compile(pattern, re.I) for kind, pattern in _ASKS.items()}

_STOP = frozenset(
    str.split(
        "the and for you your our are was were this that with have has had can could would will"
        " what when how does did not but from they them their there here about into than then also"
        " just like any all some more most very much many well need want know tell let get make"
        " use using used which who whom whose why where while been being its it's is do we us me"
        " der die das und ist sind wir ihr ihre sie ich mit für von den dem des ein eine einen wie"
        " was wann auch noch bei uns nicht oder aber gibt haben können kann wird werden"
        " les des une est sont nous vous votre vos pour avec dans pas que qui quoi comment quel"
        " quelle sur par plus est-ce avez pouvez peut"
        " los las una son para con por que qué cómo como cuál del sus nuestro nuestra usted ustedes"
        " tienen puede pueden hay one two three four five six second thing things before"
        " bring team teams actually really currently right now today run runs use uses take"
        " takes usually seen give offer able going"
    )
)
_STEMS = {
    # German, French and Spanish stems onto the English ones a library uses.
    "einfü": "imple",
    "implé": "imple",
    "imple": "imple",
    "mise": "imple",
    "puest": "imple",
    "integ": "integ",
    "intég": "integ",
    "schni": "integ",
    "anbin": "integ",
    "conne": "conne",
    "conec": "conne",
    "verbi": "conne",
    "sicher": "secur",
    "siche": "secur",
    "sécur": "secur",
    "secur": "secur",
    "segur": "secur",
    "daten": "data",
    "donné": "data",
    "datos": "data",
    "progn": "forec",
    "prévi": "forec",
    "previ": "forec",
    "pronó": "forec",
    "genau": "accur",
    "préci": "accur",
    "preci": "accur",
    "exact": "accur",
    "nutze": "user",
    "benut": "user",
    "utili": "user",
    "usuar": "user",
    "lizen": "licen",
    "licen": "licen",
    "schul": "train",
    "forma": "train",
    "capac": "train",
    "suppo": "suppo",
    "sopor": "suppo",
    "hoste": "host",
    "hosti": "host",
    "héber": "host",
    "gehos": "host",
    "dispo": "avail",
    "verfü": "avail",
    "franç": "frenc",
    "franz": "frenc",
    "franc": "frenc",
    "deuts": "germa",
    "allem": "germa",
    "alemá": "germa",
    "espag": "spani",
    "españ": "spani",
    "spani": "spani",
    "sprac": "langu",
    "idiom": "langu",
    "langu": "langu",
    "prime": "first",
    "premi": "first",
    "erste": "first",
    "turno": "sched",
    "horar": "sched",
    "schic": "shift",
    "nómin": "payro",
    "lohna": "payro",
    "gehal": "payro",
    "paie": "payro",
    "compat": "compat",
    "compar": "compar",
    "aloja": "host",
    "europ": "europ",
    "kunde": "custo",
    "clien": "custo",
    "tempe": "tempe",
    "kälte": "cold",
    "froid": "cold",
    "frío": "cold",
    "sensor": "senso",
    "capte": "senso",
    "senso": "senso",
    "preis": "price",
    "kosten": "price",
    "koste": "price",
    "prix": "price",
    "coût": "price",
    "preci0": "price",
    "preci1": "price",
    "tarif": "price",
    "vertra": "contr",
    "error": "accur",
    "fehle": "accur",
    "erreu": "accur",
    "contr": "contr",
    "minut": "minut",
    "woche": "week",
    "semai": "week",
    "seman": "week",
    "stund": "hour",
    "heure": "hour",
    "horas": "hour",
    "alarm": "alert",
    "alert": "alert",
    "warnu": "alert",
    "akku": "batte",
    "batte": "batte",
    "batér": "batte",
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]  # "syncs" and "sync", "users" and "user" are one word
    key = word[:5]
    return _STEMS.get(word[:6], _STEMS.get(key, key))


def words(text: str) -> frozenset[str]:
    """The text's content words, as stems."""
    return frozenset(stem(w) for w in _WORD.findall(text) if len(w) > 2 and w.lower() not in _STOP)


def fact_kinds(text: str) -> frozenset[str]:
    return frozenset(kind for kind, pattern in _FACTS.items() if pattern.search(text))


def asked_kinds(question: str) -> frozenset[str]:
    """What kind of fact a question asks for: price, duration, standard, capability..."""
    return frozenset(kind for kind, pattern in _ASK.items() if pattern.search(question))


@dataclass(frozen=True)
class Point:
    slug: str
    text: str
    words: frozenset[str]
    kinds: frozenset[str]
    title_words: frozenset[str] = frozenset()  # the item's title: counts half


@dataclass(frozen=True)
class PointIndex:
    points: tuple[Point, ...]
    weight: dict[str, float]  # a stem's weight: rarer across the library counts more


def split_points(body: str) -> list[str]:
    """An item's key points: its bullets, else the sentences of its paragraphs."""
    lines = [line for line in body.splitlines() if line.strip() and not line.startswith("#")]
    bullets = [_BULLET.sub("", line).strip() for line in lines if _BULLET.match(line)]
    if bullets:
        return bullets
    return [s.strip() for s in _SENTENCE.split(" ".join(lines)) if len(s.split()) >= 4]


@lru_cache(maxsize=8)
def index(library: tuple[ContentBrief, ...]) -> PointIndex:
    """Every point of every item; built once per library (the library tuple is cached)."""
    points = tuple(
        Point(item.slug, text, words(text), fact_kinds(text), words(item.title) - words(text))
        for item in library
        for text in split_points(item.key_points)
    )
    counts = Counter(w for point in points for w in point.words | point.title_words)
    total = max(len(points), 1)
    weight = {w: math.log(1 + total / n) for w, n in counts.items()}
    return PointIndex(points, weight)


@dataclass(frozen=True)
class Found:
    points: tuple[Point, ...]  # one, or two of the same item in the library's order
    score: float

    @property
    def slug(self) -> str:
        return self.points[0].slug


def best_point(
    question: str, found_in: PointIndex, prefer: Sequence[str] = (), minimum: float = 2.2
) -> Found | None:
    """The point that answers `question`, or None when no point does well enough.

    A point must share a rare word with the question and either carry a fact of the kind
    asked for or share more than one word; the preferred items (the chosen content) win ties.
    A second point of the same item that answers nearly as well comes along ("Week 1–2: ...",
    "Week 7–8: full rollout").
    """
    asked = words(question)
    kinds = asked_kinds(question)
    scored: list[tuple[float, int, Point]] = []
    for order, point in enumerate(found_in.points):
        shared = asked & point.words
        titled = asked & point.title_words
        if not shared and not titled:
            continue
        score = sum(found_in.weight.get(w, 0.0) for w in shared)
        score += 0.5 * sum(found_in.weight.get(w, 0.0) for w in titled)
        typed = bool(kinds & point.kinds)
        if not typed and len(shared) + len(titled) < 2:
            continue
        score += 1.5 if typed else 0.0
        score += 0.3 if point.slug in prefer else 0.0
        if score >= minimum:
            scored.append((score, order, point))
    if not scored:
        return None
    scored.sort(key=lambda item: (-item[0], item[1]))
    top_score, top_order, top = scored[0]
    # Of the near-equals, the last: a plan's first and last steps span the whole of it.
    second = max(
        (
            (order, point)
            for score, order, point in scored[1:]
            if point.slug == top.slug and score >= 0.9 * top_score and point.kinds & kinds
        ),
        key=lambda item: item[0],
        default=None,
    )
    if second is None:
        return Found((top,), top_score)
    pair = sorted([(top_order, top), second], key=lambda item: item[0])
    return Found(tuple(point for _, point in pair), top_score)
