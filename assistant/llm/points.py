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
import tomllib
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.llm.base import ContentBrief
from assistant.resources import folder

_NUM = r"\d[\d,.]*(?:\s?[–-]\s?\d[\d,.]*)?"
_FACTS = {
    "price": re.compile(
        rf"[$€£]\s?{_NUM}(?:\s?[kKmM]\b)?|{_NUM}\s?(?:€|eur|usd|dollars?|euros?)\b"
        r"|\bper (?:user|seat|sensor|site|location|device)\b|\bfixed fee\b|\bpriced\b"
        r"|\b(?:billed|charged) (?:per|by|monthly|annually|yearly)\b"
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
ASKS = {
    "price": r"cost|price|pricing|how much(?! time| effort| work| of (?:my|our))|expensive|fee"
    r"|what (?:would|will|do|does|should) (?:we|i|it) (?:actually )?(?:be )?pay|\bpay(?:ing)?"
    r" (?:per|a|each|monthly|for (?:it|that|this))\b|\bsaldría\b|\bcoûterait\b"
    r"|budget|licen[cs]|kost|preis|prix|coût|on top of the (?:subscription|licen)"
    r"|what (?:does|would|will) (?:that|it|this) (?:run|come to|set)|set (?:us|me) back"
    r"|what (?:that|it|this|the total) (?:comes|would come|will come) to\b"
    r"|cout|tarif|combien|precio|cuesta|cuánto|coste|costo|licencia|rabatt"
    r"|ballpark (?:figure|number|price|cost)|\bgive me a (?:figure|number)"
    r"|\b(?:rough|annual|yearly|indicative|budget|price) (?:figure|number)"
    r"|\bquote (?:for|us|me)\b|\bangebot|\bdevis\b|presupuesto"
    r"|\bdifference\b[^.?]{0,30}\b(?:months?|years?|annual|monthly)\b"
    # "Is that extra?" asks what it costs; "included or is that extra?" whether it is included.
    r"|(?<!included or )\b(?:is|are|would|will) (?:that|this|it|they|there) (?:be )?(?:an )?extra\b"
    r"|\bsurcharge"
    r"|\bcost(?:s)? (?:anything )?extra\b|\bat (?:an )?extra (?:cost|charge)\b"
    r"|\baufpreis|\bsupplément",
    "duration": r"how long|how fast|how quick|how soon|how often|how much time|timeline|time to"
    r"|go live|be live"
    r"|contract length|minimum term|laufzeit|durée d'engagement|permanencia"
    r"|real[- ]time|overnight|frequen|wie oft|echtzeit|temps réel|tiempo real|wie lange"
    r"|wie schnell|dauer|combien de temps|délai|delai|durée|duree|cuánto tiempo|plazo|rapidez"
    r"|cuánto tarda|\btarda(?:n|ría|rían)?\b",
    "measure": r"accura|temperat|how (?:cold|low|high|precise)|genauig|précision|precisión|percent"
    r"|°\s?[cf]\b|\bbar\b|pressure|druck|pression|presión|cope with|withstand|rated for",
    "count": r"how many|wie viele|combien de|cuántos|cuantos|cuántas",
    "standard": r"certif|soc ?2|iso|gdpr|hipaa|complian|zertifi|dsgvo|rgpd|conform|sso|saml",
    "plan": r"\bplans?\b|tier|edition|paket|formule|\bplan(?:es)?\b",
    "capability": r"support|integrat|work with|connect|do you have|does it|can it|can we|can you"
    r"|is there|unterstütz|funktion|anbind|können|prend en charge|compatible|intègr|integr"
    r"|soporta|funciona|conect|se puede|puede",
}
_ASK = {kind: re.compile(pattern, re.I) for kind, pattern in ASKS.items()}


_SUPPORT_VERB = re.compile(
    r"\b((?:do|does|can|will|would|could)\s+(?:you|it|they|we|(?:your|the|our)\s+[\w-]+)\s+)"
    r"support\b",
    re.IGNORECASE,
)


def unit_stem(word: str) -> str:
    """A unit as priced: "beds", "Bed" and "bed" are one."""
    low = word.lower()
    return low[:-1] if low.endswith("s") and len(low) > 3 else low


_PER = re.compile(r"\b(?:per|pro|par|por)\s+([A-Za-z][\w-]{1,20})")

STOP = frozenset(
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
        " takes usually seen give offer able going roughly approximately around about without"
        " ungefähr etwa circa environ aproximadamente look looks looking even stay top worth per"
        " those these such each every other another same still yet either whether should could"
        " might shall only own lot lots things anything something everything nothing"
        " notre nos leur leurs ailleurs aussi alors algun alguna algunas algunos antes sin"
        " podemos podriamos podríamos tenemos nuestras nuestros también tambien unser unsere"
        " since off ago nobody anybody somebody normal"
    )
)
_STEMS = {
    # German, French and Spanish stems onto the English ones a library uses.
    # A Saturday or a Sunday is the weekend a price list names.
    "satur": "weeke",
    "sunda": "weeke",
    "samst": "weeke",
    "sonnt": "weeke",
    "samed": "weeke",
    "diman": "weeke",
    "sábad": "weeke",
    "sabad": "weeke",
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
_TARGETS = frozenset(_STEMS.values())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Codes a lead asks about by name: ISO 27001, DN50, S7-1500, 8573.
_CODE = re.compile(r"\b[a-z]+\d+[a-z\d]*\b|\b\d+[a-z]+[a-z\d]*\b|\b\d{4,}\b", re.I)
_EMPHASIS = re.compile(r"(?:\*\*|__)(.+?)(?:\*\*|__)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_STEMMERS = {"en": "english", "de": "german", "fr": "french", "es": "spanish"}
MIN_COVERAGE = 0.3  # an answer holds at least this share of what the question asks
CONCEPT_WEIGHT = 1.5  # sharing what a question is about counts more than sharing a word


def stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]  # "syncs" and "sync", "users" and "user" are one word
    key = word[:5]
    return _STEMS.get(word[:6], _STEMS.get(key, key))


def _lexicon(word: str) -> str | None:
    """The English stem the lexicon gives a word ("hébergées" -> "host"), if it knows one."""
    word = word.lower()
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    found = _STEMS.get(word[:6], _STEMS.get(word[:5]))
    # An English word the lexicon maps onto ("available" for "disponible") carries it too.
    return found or (word[:5] if word[:5] in _TARGETS else None)


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Any:
    import Stemmer  # PyStemmer: the Snowball stemmers, compiled

    return Stemmer.Stemmer(_STEMMERS[language])


def words(text: str) -> frozenset[str]:
    """The text's content words, as stems."""
    return frozenset(stem(w) for w in _WORD.findall(text) if len(w) > 2 and w.lower() not in STOP)


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    return tomllib.loads(folder("data", "language").joinpath("concepts.toml").read_text("utf-8"))


@lru_cache(maxsize=1)
def _specific() -> frozenset[str]:
    """The concepts a product has or lacks: asked about and never mentioned, they stay open."""
    return frozenset(f"@{name}" for name, spec in _table().items() if spec.get("specific"))


def labels(
    question: str, asked: frozenset[str], found: Found, found_in: PointIndex, language: str
) -> list[str]:
    """What the answer is about, best first, each in a word or two of the lead's language.

    What the question asks for (a price, a duration) names it first; then the most specific
    concept the question and the answer share.
    """
    table = _table()
    shared = [
        term
        for term in asked & frozenset().union(*(point.words for point in found.points))
        if term.startswith("@") and "label" in table.get(term[1:], {})
    ]
    kinds = {f"@{kind}" for kind in asked_kinds(question)}
    if "@duration" in kinds:
        kinds.add("@frequency")  # "in real time or overnight?" asks how often
    shared.sort(key=lambda term: (term not in kinds, -found_in.weight.get(term, 0.0), term))
    names = [table[term[1:]]["label"] for term in shared]
    return [str(name.get(language, name["en"])) for name in names]


@lru_cache(maxsize=1)
def _concepts() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The concepts of data/language/concepts.toml, each as one pattern over lower-case text."""
    found = []
    for name, spec in _table().items():
        parts = []
        for word in spec["words"]:
            word = word.lower()
            inner = word.startswith("*")
            # "hot" is not "hotel"; "port=" is not "portal": a whole word, or its plural.
            whole = word.endswith("=") or (len(word) <= 3 and word.isalnum())
            body = re.escape(word.lstrip("*").rstrip("="))
            if whole:
                body += r"(?:s|es)?(?![^\W_])"
            parts.append(body if inner or not word[:1].isalnum() else rf"(?<![^\W_]){body}")
        found.append((name, re.compile("|".join(parts))))
    return tuple(found)


def concepts(text: str) -> frozenset[str]:
    """What the text is about, as concept names ("@price", "@install")."""
    low = f" {text.lower()} "
    return frozenset(f"@{name}" for name, pattern in _concepts() if pattern.search(low))


def words_of(text: str, language: str = "en") -> frozenset[str]:
    """The text's content words, stemmed in its language."""
    stemmer = _stemmer(language if language in _STEMMERS else "en")
    found = (w.lower() for w in _WORD.findall(text))
    return frozenset(stemmer.stemWord(w) for w in found if len(w) > 2 and w not in STOP)


def terms(text: str, language: str = "en") -> frozenset[str]:
    """Everything a match is made on: stems, codes and concepts."""
    # "Do you support SSO?" asks about SSO, not about customer support.
    text = _SUPPORT_VERB.sub(r"\1", text)
    found = set(words_of(text, language))
    # The lexicon's stems carry a question in German, French or Spanish to an English point.
    found |= {f"~{mapped}" for mapped in map(_lexicon, _WORD.findall(text)) if mapped}
    found |= {code.lower() for code in _CODE.findall(text)}
    kinds = fact_kinds(text)
    # A point that states a price or a duration is about price or time, whatever its words.
    found |= {f"@{kind}" for kind in ("price", "duration") if kind in kinds}
    # "What does it cost per MWp?" is answered by a price per MWp, not a price per kWp.
    found |= {f"per:{unit_stem(unit)}" for unit in _PER.findall(text)}
    return frozenset(found) | concepts(text)


def fact_kinds(text: str) -> frozenset[str]:
    return frozenset(kind for kind, pattern in _FACTS.items() if pattern.search(text))


def asked_kinds(question: str) -> frozenset[str]:
    """What kind of fact a question asks for: price, duration, standard, capability..."""
    return frozenset(kind for kind, pattern in _ASK.items() if pattern.search(question))


@dataclass(frozen=True)
class Point:
    slug: str
    text: str
    words: frozenset[str]  # the point's own terms: stems, codes, concepts
    kinds: frozenset[str]
    title_words: frozenset[str] = frozenset()  # the item's title, topics and type: count half
    story: bool = False  # a case study's point tells one customer's result, not what we offer


@dataclass(frozen=True)
class PointIndex:
    points: tuple[Point, ...]
    weight: dict[str, float]  # a term's weight: rarer across the library counts more
    known: frozenset[str] = frozenset()  # every term the library has
    spelled: frozenset[str] = frozenset()  # the library's longer words as written, for typos


def split_points(body: str) -> list[str]:
    """An item's key points: its bullets, else the sentences of its paragraphs."""
    lines = [line for line in body.splitlines() if line.strip() and not line.startswith("#")]
    bullets = [_plain(_BULLET.sub("", line)) for line in lines if _BULLET.match(line)]
    if bullets:
        return bullets
    return [_plain(s) for s in _SENTENCE.split(" ".join(lines)) if len(s.split()) >= 4]


def _plain(text: str) -> str:
    """A point as a mail says it: no Markdown emphasis or code marks (**±0.5 °C**)."""
    return _EMPHASIS.sub(r"\1", text).replace("`", "").strip()


def _about(item: ContentBrief) -> frozenset[str]:
    """What the item as a whole is about: its title, topics and type (a webinar is an event)."""
    kind = item.type.replace("_", " ")
    return terms(" ".join([item.title, ", ".join(item.topics), kind]))


@lru_cache(maxsize=8)
def index(library: tuple[ContentBrief, ...]) -> PointIndex:
    """Every point of every item; built once per library (the library tuple is cached)."""
    points = []
    for item in library:
        about = _about(item)
        for text in split_points(item.key_points):
            story = item.type == "case_study"
            # "EU customers are hosted in Frankfurt" is no customer reference: only another
            # customer's story is about customers.
            own = terms(text) if story else terms(text) - {"@customers"}
            points.append(Point(item.slug, text, own, fact_kinds(text), about - own, story))
    counts = Counter(w for point in points for w in point.words | point.title_words)
    total = max(len(points), 1)
    weight = {w: math.log(1 + total / n) for w, n in counts.items()}
    spelled = frozenset(
        w.lower() for item in library for w in _WORD.findall(item.key_points) if len(w) >= 7
    )
    return PointIndex(tuple(points), weight, frozenset(counts), spelled)


def _one_slip(a: str, b: str) -> bool:
    """One letter dropped, added, changed or two swapped: "recroding" for "recording"."""
    if a[0] != b[0] or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) == 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def respelled(text: str, found_in: PointIndex) -> str:
    """The lead's typos of the library's own words put right, so "a recroding?" finds its
    answer; a word the library does not hold nearly letter for letter stays as written."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        if len(low) < 7 or low in found_in.spelled:
            return word
        near = sorted(w for w in found_in.spelled if _one_slip(low, w))
        return near[0] if len(near) == 1 else word

    return _WORD.sub(fix, text)


@dataclass(frozen=True)
class Found:
    points: tuple[Point, ...]  # one, or two of the same item in the library's order
    score: float
    coverage: float = 1.0  # how much of what the question asks the answer holds, 0 to 1

    @property
    def slug(self) -> str:
        return self.points[0].slug


def _total(found_in: PointIndex, terms_: Iterable[str]) -> float:
    """The terms' weights summed in a fixed order, so a tie between two points never depends
    on how a set happens to iterate."""
    return math.fsum(_weight(found_in, w) for w in sorted(terms_))


def _weight(found_in: PointIndex, term: str) -> float:
    scale = CONCEPT_WEIGHT if term.startswith("@") else 0.5 if term.startswith("~") else 1.0
    return found_in.weight.get(term, 0.0) * scale


def _unknown(question: str, asked: frozenset[str], found_in: PointIndex, language: str) -> bool:
    """Whether the question names something the library never mentions (ATEX, Klingon).

    A concept the library lacks, or a name (a capitalised word inside the sentence) it never
    uses: an answer from the nearest point would answer another question.
    """
    if any(term in _specific() and term not in found_in.known for term in asked):
        return True
    if language == "de":  # every German noun is capitalised
        return False
    names = [w for w in _WORD.findall(question)[1:] if w[:1].isupper() and len(w) > 2]
    # "GMAO" is French for a CMMS: a name the concepts know is no unknown name.
    return any(
        words_of(name) and not (words_of(name) | concepts(name)) & found_in.known for name in names
    )


def _score(
    asked: frozenset[str],
    kinds: frozenset[str],
    point: Point,
    found_in: PointIndex,
    around: frozenset[str] = frozenset(),
) -> float:
    shared = asked & point.words
    if not shared:
        return 0.0
    titled = (asked & point.title_words) - shared
    score = _total(found_in, shared)
    score += 0.5 * _total(found_in, titled)
    beside = (around - asked) & (point.words | point.title_words)
    # One shared term is a match only when it is all the question is about ("how is it backed
    # up?" and "daily backups"), or the point states the kind of fact asked for.
    brief = (len(asked) <= 2 and any(term.startswith("@") for term in shared)) or bool(
        shared & _specific()
    )
    if (
        len(shared) + len(titled) + min(len(beside), 1) < 2
        and not kinds & point.kinds
        and not brief
    ):
        return 0.0
    # The sentences beside the question ("Our mains are DN50") tell which point fits best.
    score += 0.3 * _total(found_in, beside)
    score += 1.5 if kinds & point.kinds else 0.0
    if kinds and not kinds & point.kinds and kinds != {"capability"}:
        score *= 0.7  # "how long?" wants a duration, not a mention of the timeline
    # Another customer's result answers "what did others get", not "what do you offer".
    if point.story and "@customers" not in asked:
        score *= 0.8
    return score


def _focus(asked: frozenset[str], found_in: PointIndex) -> str | None:
    """What the question is most specifically about: its rarest concept the library knows."""
    known = [term for term in asked if term.startswith("@") and term in found_in.weight]
    # A specific concept ("try it before committing": a pilot) is the focus over a general one.
    known = [term for term in known if term in _specific()] or known
    # Equal weights fall to the name: the same question always has the same focus.
    return max(known, key=lambda term: (found_in.weight[term], term), default=None)


@lru_cache(maxsize=4096)
def _head_concepts(point: str) -> frozenset[str]:
    """What a point's own heading names ("60-day paid pilot: ..."): the concepts before its
    first colon, when it has a short one."""
    head, colon, _ = point.partition(": ")
    return concepts(head) if colon and len(head.split()) <= 6 else frozenset()


def _adds(terms_: frozenset[str], covered: frozenset[str], found_in: PointIndex) -> bool:
    """Whether a second point answers a part of the question the first leaves out."""
    return any(_weight(found_in, w) >= 1.0 for w in terms_ - covered)


def best_point(
    question: str,
    found_in: PointIndex,
    prefer: Sequence[str] = (),
    minimum: float = 3.0,
    language: str = "en",
    around: str = "",
    names_from: str | None = None,
    near: Sequence[str] = (),
    given: Collection[str] = (),
) -> Found | None:
    """The point that answers `question`, or None when no point does well enough.

    A point must share a term with the question (a word, a code, or what both are about)
    and either carry a fact of the kind asked for or share more than one term; the item's
    title and topics count half; the preferred items (the chosen content) win ties. A
    question about something the library never mentions is left open. A second point of the
    same item comes along when it answers a part of the question the first does not ("where
    is the data hosted, and can we host it ourselves?").
    """
    asked = terms(question, language)
    # A bare question read with the sentence before: only its own names can be unknown.
    named = question if names_from is None else names_from
    # "...last Novemeber so we have 12 months of data - is that enough?": only the asking part
    # can name something the library lacks.
    named = re.split(r"\s[-–—]\s", named)[-1]
    if _unknown(named, terms(named, language), found_in, language):
        return None
    kinds = asked_kinds(question)
    beside = terms(around, language) if around else frozenset()
    focus = _focus(asked if names_from is None else terms(names_from, language), found_in)
    scored: list[tuple[float, int, Point]] = []
    for order, point in enumerate(found_in.points):
        score = _score(asked, kinds, point, found_in, beside)
        if score <= 0.0:
            continue
        if focus in _specific() and focus not in point.words:
            # "Can we try it before committing?" is about a pilot, whatever else it shares;
            # the point itself must speak of one, not just its item's topics.
            score *= 0.5
        elif focus and focus not in point.words | point.title_words:
            score *= 0.75
        elif (
            focus
            and focus in _head_concepts(point.text)
            and ((kinds - {"capability"}) & point.kinds or not kinds - {"capability"})
        ):
            # "60-day paid pilot: ..." is about a pilot; "... one trial migration" mentions one.
            score *= 1.2
        if score < minimum:
            continue  # a preference orders the answers; it never makes one
        score += 0.3 if point.slug in prefer else 0.0
        # What the rep's own last mail offered is what "that" and "is there" are about.
        score *= 1.15 if point.slug in near else 1.0
        # A point an earlier question already got gives way to an equal one not yet said.
        score *= 0.9 if point.text in given else 1.0
        scored.append((score, order, point))
    if not scored:
        return None
    scored.sort(key=lambda item: (-item[0], item[1]))
    if _coverage(asked, (scored[0][2],), found_in) < MIN_COVERAGE:
        return None  # the nearest point shares a word or two, not what was asked
    top_score, top_order, top = scored[0]
    covered = asked & (top.words | top.title_words)
    same = [(score, order, point) for score, order, point in scored[1:] if point.slug == top.slug]
    # Of the near-equals that state the fact asked for, the last: a plan's first and last steps
    # span the whole of it ("Week 1–2: ...", "Week 7–8: full rollout").
    second = max(
        (
            (order, point)
            for score, order, point in same
            if score >= 0.9 * top_score and point.kinds & kinds
        ),
        key=lambda item: item[0],
        default=None,
    ) or next(
        (
            (order, point)
            for score, order, point in same
            if score >= 0.6 * top_score and _adds(asked & point.words, covered, found_in)
        ),
        None,
    )
    if second is None:
        return Found((top,), top_score, _coverage(asked, (top,), found_in))
    pair = tuple(point for _, point in sorted([(top_order, top), second], key=lambda x: x[0]))
    return Found(pair, top_score, _coverage(asked, pair, found_in))


def _coverage(asked: frozenset[str], points: tuple[Point, ...], found_in: PointIndex) -> float:
    """The share of the question's weight the answer carries (its item's title at half)."""
    total = _total(found_in, asked)
    if total <= 0:
        return 0.0
    own = frozenset().union(*(point.words for point in points))
    about = frozenset().union(*(point.title_words for point in points)) - own
    held = _total(found_in, asked & own)
    held += 0.5 * _total(found_in, asked & about)
    return held / total


# Where a point's clauses part: "...from alarms; IBM Maximo via REST", "...Modbus TCP. Setpoint".
_CLAUSE_END = re.compile(r"(?<=;)\s+|(?<=[a-z)\d][.])\s+(?=[A-Z])")
# A clause that opens with a name of its own: "IBM Maximo via REST", "Nalco 3D TRASAR data
# only via...", "ServiceNow and other tools..." (a name of two words, a code, or inner capitals).
_OPENING_NAME = re.compile(
    r"^\W*([A-Z][\w/-]*)(?=\s+(?:[A-Z][\w/-]*|\d+[A-Za-z]\w*)\b)|^\W*([A-Z]\w*[a-z][A-Z]\w*)\b"
)
# Standards, regions and protocols name what is asked about, not another product.
_NOT_NAMES = re.compile(
    r"^(?:SOC|ISO|IEC|GDPR|HIPAA|PCI|ISAE|TISAX|DSGVO|HACCP|FDA|MFA|SSO|SAML|SCIM|OIDC|API|REST"
    r"|RPO|RTO|SLA|EU|UK|US|USA)$",
    re.I,
)
_LOWER_WORDS: dict[int, tuple[PointIndex, frozenset[str]]] = {}


def _lower_words(found_in: PointIndex) -> frozenset[str]:
    """The words the library writes in lower case somewhere: common words, not names."""
    cached = _LOWER_WORDS.get(id(found_in))
    if cached is not None and cached[0] is found_in:
        return cached[1]
    words = frozenset(
        w for point in found_in.points for w in _WORD.findall(point.text) if w.islower()
    )
    if len(_LOWER_WORDS) > 16:
        _LOWER_WORDS.clear()
    _LOWER_WORDS[id(found_in)] = (found_in, words)
    return words


def relevant_clauses(point: str, question: str, around: str, found_in: PointIndex) -> str:
    """The point without its clauses about other named things: "native SAP PM connector ...
    creates notifications" without "; IBM Maximo via REST; ServiceNow via webhooks" when the
    question is about SAP. The first clause always stays, and so does any clause that states
    the kind of fact asked for."""
    parts = [part for part in _CLAUSE_END.split(point) if part.strip()]
    if len(parts) < 2:
        return point
    asked = f" {question} {around} ".lower()
    kinds = asked_kinds(question)
    common = _lower_words(found_in)

    def other_name(part: str) -> bool:
        opening = _OPENING_NAME.match(part)
        if opening is None:
            return False
        name = opening.group(1) or opening.group(2)
        if name.lower() in common or _NOT_NAMES.match(name):
            return False
        if any(f"{word.lower()}" in asked for word in re.findall(r"[A-Z][\w/-]+", part)):
            return False  # "IBM Maximo via REST" when the lead asks about Maximo
        return not kinds & fact_kinds(part) - {"capability"}

    named = {w.lower() for w in re.findall(r"[A-Z][\w/-]+", point)} - {"the", "and", "for"}
    if not any(f" {name}" in asked for name in named if not _NOT_NAMES.match(name)):
        return point  # the question names none of the point's products: all of it answers
    kept = [0, *(at for at in range(1, len(parts)) if not other_name(parts[at]))]
    if len(kept) == len(parts):
        return point
    # "...(eu-west-1); [North American ... (us-east-2).] Data never leaves": where a clause was
    # cut out, the one before ends as the cut one did.
    ends = []
    for at, nxt in zip(kept, [*kept[1:], len(parts)], strict=True):
        part = parts[at]
        if nxt != at + 1 and part.endswith(";"):
            part = part[:-1] + parts[nxt - 1][-1:]
        ends.append(part)
    text = " ".join(ends).strip()
    return text[:-1] + "." if text.endswith(";") else text
