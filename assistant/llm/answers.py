"""The lead's questions, each matched to the library point that answers it, or marked as open.

A question is answered from the key points of the whole available library, figures kept
exactly as the library writes them. What only the rep may answer (discounts, contract
terms, internal notes, other customers, payment details) is never answered from the library.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from assistant.language import phrases
from assistant.llm import quote
from assistant.llm.base import ContentBrief
from assistant.llm.language import guess
from assistant.llm.points import (
    ASKS,
    STOP,
    Found,
    Point,
    PointIndex,
    asked_kinds,
    best_point,
    index,
    labels,
    relevant_clauses,
    respelled,
    split_points,
    terms,
    words_of,
)
from assistant.llm.tiers import fitting, has_tiers, other_units

MAX_QUESTIONS = 8
CLEAR_ANSWER = 0.35  # the share of a question an answer must hold to choose the content
CLEAR_SCORE = 6.0  # and how strongly it must match
QUOTE_WORDS = 22
_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|hallo|guten tag|sehr geehrte[rs]?|bonjour|madame|monsieur|hola|"
    r"estimad[oa]s?|buenos días|thanks|thank you|danke|merci|gracias|best|regards|cheers)\b"
    r"[^.!?]{0,40}[,.!]?\s*$",
    re.I,
)
# "I'd like to know ...", "Können Sie mir sagen ..." ask as much as a question mark does.
_ASKING = re.compile(
    r"^(?:i'?d (?:also )?(?:like|love) to (?:know|understand)|i (?:am|'m) wondering|i wonder|"
    r"(?:[\w-]+'s )?(?:first |main |other )?question (?:will be|is|would be) (?=how|what|whether"
    r"|when|where|which|if)|"
    r"(?:could|can) you (?:tell|let) me|please (?:tell|let) me know|"
    r"(?:(?:also )?please|(?:could|can) you) (?:also )?confirm\b|"
    # "Eva wants to know what the first year would cost": asked for someone on the thread.
    r"(?:[A-Z][\w'-]+|she|he|they|we|our [\w ]{3,30}?) (?:wants?|would like|needs?|asked)"
    r" to know|"
    r"(?:you|he|she|they)(?:'ll| will) (?:mainly |probably |certainly |also )?(?:want|need) to"
    r" (?:understand|know|see)|(?:we|i) (?:need|want|would like|'d like) to understand|"
    r"ich würde gerne wissen|können sie mir sagen|mich würde interessieren|"
    r"j'aimerais savoir|pourriez-vous me dire|me gustaría saber|¿?podría decirme)\b",
    re.I,
)
RepTopic = Literal[
    "discounts", "contract terms", "internal notes", "references", "other customers", "payment"
]
_REP_ONLY: tuple[tuple[RepTopic, re.Pattern[str]], ...] = (
    (
        "discounts",
        re.compile(
            r"discount|\d+ ?% off|\b(?:anything|something|money) off\b|better price|best price"
            r"|price match|(?:can you |you )?match"
            r" (?:that|their|the|this|our|a) (?:price|quote|offer)|can you match|rabatt|nachlass"
            r"|remise|réduction|geste commercial|descuento|rebaja",
            re.I,
        ),
    ),
    (
        "contract terms",
        re.compile(
            r"contract|terms and conditions|termination|cancel(?:lation)? (?:terms|clause)"
            r"|service credits?|penalt(?:y|ies)|liquidated damages"
            r"|notice period|liability|indemn|vertrag|kündigung|laufzeit|haftung|contrat"
            r"|résiliation|préavis|contrato|rescisión|cláusula|permanencia",
            re.I,
        ),
    ),
    (
        "internal notes",
        re.compile(
            r"internal (?:notes?|docs?|pricing|instructions?)|your instructions|system prompt"
            r"|interne notizen|notes internes|notas internas",
            re.I,
        ),
    ),
    (
        "references",
        re.compile(
            r"(?:names?|contacts?|phone(?: numbers?)?|numbers?|e-?mails?|details)\b[^.?]{0,30}\b"
            r"(?:of|for|at) (?:one of |some of |a few of )?(?:your|the) (?:customers|clients|users)"
            r"|reference (?:customer|call|contact|site|visit)s?|speak to (?:one of )?your customers"
            r"|talk to (?:one of )?your customers|referenzkunde|kundenreferenz|client référent"
            r"|(?:send|share|give|forward)(?: me| us)? (?:his|her|their) (?:e-?mail|mobile|phone"
            r"|number|contact|details|direct line)"
            r"|cliente de referencia|contacto de (?:algún|un) cliente"
            # "Could you put me in touch with the utilities manager at Hollensted?"
            r"|(?:put|get) (?:me|us) in touch with|introduce (?:me|us) to|(?:speak|talk) to"
            r" (?:someone|somebody|a peer|their|the \w+ (?:manager|director|lead|head)) (?:at|from)"
            r"|mettre en (?:contact|relation) avec|in kontakt (?:bringen|setzen)"
            r"|poner(?:me|nos) en contacto con"
            # "Pouvez-vous me transmettre leurs noms et un contact ?"
            r"|\b(?:leurs?|their|ihre|sus) (?:noms?|names?|namen|nombres)\b[^.?]{0,30}"
            r"\b(?:contacts?|kontakte?|contactos?|e-?mails?|numéros?|téléphones?)"
            r"|échanger avec (?:deux|trois|quelques|des) \w+ (?:qui|déjà)",
            re.I,
        ),
    ),
    (
        "other customers",
        re.compile(
            r"other (?:customers|clients|companies|distributors|buyers) (?:are )?(?:evaluat|using"
            r"|look)|which (?:other )?(?:customers|clients|companies) (?:are|have)|who else is"
            r"|customer list|andere kunden|welche kunden|autres clients|quels clients"
            r"|otros clientes|qué clientes",
            re.I,
        ),
    ),
    (
        "payment",
        re.compile(
            r"bank details|bank account|iban|swift|wire (?:to|transfer)|payment details"
            r"|bankverbindung|kontodaten|coordonnées bancaires|\brib\b|datos bancarios"
            r"|cuenta bancaria",
            re.I,
        ),
    ),
)


@dataclass(frozen=True)
class Answer:
    question: str  # the lead's words, shortened for a quote
    status: Literal["answered", "open", "rep_only"]
    text: str = ""  # answered: the library point, as the library writes it
    slug: str = ""  # answered: the item the point belongs to
    topic: str = ""  # rep_only: what only the rep decides
    label: str = ""  # answered: what the answer is about ("Pricing"), when a concept names it
    labels: tuple[str, ...] = ()  # answered: every name it might go by, best first
    brief: str = ""  # answered: the first point alone, for a draft that must be shorter
    asked: str = ""  # the question in full, and the sentences beside it
    context: str = ""
    coverage: float = 0.0  # answered: how much of what was asked the point holds, 0 to 1
    score: float = 0.0  # answered: how strongly the point matches the question
    own: bool = False  # answered: written for the lead in their language, not the library's words


def short(sentence: str) -> str:
    found = sentence.split()
    if len(found) <= QUOTE_WORDS:
        return sentence
    return " ".join(found[:QUOTE_WORDS]).rstrip(",;:") + "…"


def questions(reply: str | None) -> list[str]:
    """The lead's questions, in order: sentences ending in "?" or asking in so many words."""
    return [question for question, _ in asked_in(reply)]


# "... he needs to understand two things:", "Our questions:", "Folgende Punkte:": a list of
# questions follows, its items often without a question mark.
_LIST_OF_QUESTIONS = re.compile(
    r"(?:understand|know|questions?|things|points|clarify|confirm|check|wissen|verstehen|fragen"
    r"|punkte|klären|savoir|comprendre|questions|points|saber|entender|preguntas|puntos|following"
    r"|folgende|suivant|siguiente|préciser|preciser|indiquer|confirmer|mitteilen|sagen|beantworten"
    r"|indicar|aclarar|confirmar|decir)\w*\b[^:]{0,60}:$",
    re.I,
)


def asked_in(reply: str | None) -> list[tuple[str, str]]:
    """Each question with the sentences beside it, which say what "that" and "it" are."""
    # Sentences, with "" where a paragraph ends (an item of a list ends there too).
    parts = [
        part.strip().lstrip(">").strip()
        for paragraph in re.split(r"\n\s*\n", reply or "")
        for part in (*_SPLIT.split(paragraph), "")
    ]
    listed: set[str] = set()
    listing = False
    items: list[list[str]] = []  # each listed item: its first sentence and the ones after it
    within = False  # in an item's paragraph
    for part in parts:
        # "He needs to understand two things:" then "- how login would work": each item asks,
        # unless it asks in a sentence of its own ("2) Fewer read SMS. Can you use WhatsApp?").
        bullet = bool(_BULLET.match(part))
        if listing and bullet:
            items.append([_BULLET.sub("", part).rstrip(" .;")])
        elif listing and items and part and within:
            items[-1].append(part)
        within = bullet or (within and bool(part))
        # The list goes on, items with a sentence of their own between them, to the sign-off.
        listing = bool(_LIST_OF_QUESTIONS.search(part)) or (listing and not _GREETING.match(part))
    for first, *rest in items:
        # "3) Our LPs ask for SOC 2. Do you have one?": a statement is no question.
        if not any(s.endswith("?") for s in (first, *rest)) and not _STATEMENT.match(first):
            listed.add(first)
    sentences = [_BULLET.sub("", part) for part in parts]
    sentences = [
        (
            s.rstrip(" .;")[:1].upper() + s.rstrip(" .;")[1:] + "?"
            if s.rstrip(" .;") in listed
            else s
        )
        for s in sentences
        if s
    ]
    # "... for the header :)" asks without its smile.
    sentences = [_SMILE.sub("", s) or s for s in sentences]
    found = []
    for at, sentence in enumerate(sentences):
        # "Two things first: how often does it sync?" asks only what follows the colon.
        head, colon, tail = sentence.rpartition(": ")
        # "... où nos données seraient hébergées : en France ?" asks with its head.
        if colon and len(tail.split()) >= 3 and not _ASKS_IN_HEAD.search(head):
            sentence = tail[:1].upper() + tail[1:]
            # "Our board will ask two things: what manual AP costs us, and ...": asked.
            if (
                _ASKS_WHAT_FOLLOWS.search(head)
                and not sentence.endswith("?")
                and not _SAYS_OF_US.match(sentence)
            ):
                sentence = sentence.rstrip(" .;") + "?"
        if (
            sentence.endswith("?")
            and len(sentence.split()) < 3
            and at
            and not _asks(sentences[at - 1])
        ):
            # "The yard has no network at all. Dealbreaker?" asks about the sentence before.
            found.append((sentence, sentences[at - 1]))
            continue
        if not sentence or _GREETING.match(sentence) or len(sentence.split()) < 3:
            continue
        # "Could you tell me:" opens what it asks; "could you reply to both of us?" asks the
        # rep to write to someone, which the letter does, not a question to answer.
        if sentence.endswith(":") or _TO_WHOM.match(sentence):
            continue
        if _asks(sentence):
            # The statements beside it, not the next question: that one has its own answer.
            before, after = sentences[max(0, at - 1) : at], sentences[at + 1 : at + 2]
            # ... unless this one points back at it: "Could we trial it? What does that cost?"
            refers = bool(_REFERS.search(sentence))
            beside = [s for s in before if refers or not _asks(s)]
            beside += [s for s in after if not _asks(s)]
            found.append((_asked_part(sentence), " ".join(beside)))
    return found


_TO_WHOM = re.compile(
    r"^(?:(?:and|also|so|but),?\s+)?(?:can|could|would|will)\s+you\s+(?:please\s+)?"
    r"(?:(?:reply|respond|write)\s+to\s+"
    r"(?:both|all|each|us both)|cc|copy|loop in|include\s+(?:my|our|him|her|them))\b",
    re.I,
)
# What "one" or "it" stands for: the thing the sentence before asks for or requires.
_OBJECT = re.compile(
    r"\b(?:ask(?:s|ed)? for|requires?|needs?|wants?|expects?|demands?|mandates?|insists? on)\s+"
    r"(?:a|an|the|some)?\s*(.+?)(?=\s+(?:from|for|to|of|on|that|which|before|by)\b|[.,;(]|$)",
    re.I,
)
_COUNTED = re.compile(r"\b\d[\d,.]*\s+([A-Za-z][\w-]{2,})")
_SENTENCES = re.compile(r"(?<=\.)\s+")
_ASKS_IN_HEAD = re.compile(
    r"\b(?:where|what|which|when|how|who|wo|wie|was|welche[rsmn]?|wann|où|quand|comment|combien"
    r"|quel(?:le)?s?|dónde|donde|cuándo|cómo|cuál|qué|cuánto)\b",
    re.I,
)
_ASKS_WHAT_FOLLOWS = re.compile(
    r"\b(?:ask|asks|asking|wants? to know|need to know|questions?|wonder|understand|wissen"
    r"|fragen?|savoir|demander|saber|preguntar?)\b",
    re.I,
)
# "A question first: our techs work with no signal." says something of the lead's side.
_SAYS_OF_US = re.compile(
    r"(?:we|our|i|my|us|wir|unser\w*|ich|nous|nos|notre|je|nosotros|nuestr\w*)\b", re.I
)
_SMILE = re.compile(r"\s*[:;]-?[)(DP]+\s*$")
_BULLET = re.compile(r"^(?:[-*•–]\s+|\(?\d{1,2}[).]\s+|\(?[a-h]\)\s+)")
_DEFINITE = re.compile(r"\bthe [a-z]+\b")
_REFERS = re.compile(
    r"\b(?:that|this|it|those|these|them|das|dies|cela|ça|ceci|eso|esto)\b"
    # "peut les piloter", "¿podéis gestionarlos?": a pronoun for what the sentence before named.
    r"|\b(?:les|l')\s*\w+(?:er|ir|re)\b|\b\w+(?:ar|er|ir)(?:los|las|lo|la)\b",
    re.I,
)
# "And is there a minimum term - we avoid multi-year deals." asks without a question mark: an
# inverted verb or a question word at the start, its subject right after.
_UNMARKED = re.compile(
    r"^(?:(?:and|also|plus|but|so|oh,? and|und|et|y)\s+)?"
    r"(?:(?:is|are|can|could|do|does|will|would|should|has|have)\s+"
    r"(?:there|it|we|you|your|our|the|this|that|they|i|my|a|an|any|all|each|every|staff|users?)\b"
    r"|(?:how (?:much|many|long|often|soon|fast|quickly|does|do|did|is|are|will|would|can|could)"
    r"|what (?:is|are|does|do|would|will|happens)|which|where (?:is|are|do|does)"
    # "And what accuracy can we realistically expect on the line items :)"
    r"|what \w+ (?:can|could|should|would|will|do|does) (?:we|i|you)"
    r"|when (?:is|are|do|does|will|would|can|could))\b)",
    re.I,
)
# A question too short to say what it is about ("Do you have one?") leans on the sentence before.
_BARE = re.compile(r"\b(?:one|it|that|this|them|those|these|so)\b", re.I)


# "Antes de presentarlo necesito saber cuánto tarda...": asking, anywhere in the sentence.
_NEED_TO_KNOW = re.compile(
    r"\b(?:i|we) (?:really )?(?:need|have|want|'d like|would like) to know\b"
    r"|\b(?:necesito|necesitamos|quisiera|quisiéramos|queremos) saber\b"
    r"|\b(?:j'ai|nous avons) besoin de savoir\b|\b(?:je voudrais|nous voudrions|nous aimerions)"
    r" savoir\b|\b(?:ich|wir) (?:muss|müssen|müsste|müssten|möchte|möchten) (?:\w+ )?wissen\b",
    re.I,
)


def _asks(sentence: str) -> bool:
    if sentence.endswith(("?", "？")) or _ASKING.match(sentence):
        return True
    if _NEED_TO_KNOW.search(sentence):
        return True
    if rep_topic(sentence) == "discounts":
        return True  # "We'd need at least 20% off list" asks as plainly as a question
    return bool(_UNMARKED.match(sentence)) and not sentence.endswith("!")


def _asked_part(sentence: str) -> str:
    """An unmarked question without the remark after its dash: "... length - we avoid ..." """
    if sentence.endswith(("?", "？")) or _ASKING.match(sentence) or not _UNMARKED.match(sentence):
        return sentence
    head = re.split(r"\s+[-–—]\s+|,\s+(?=(?:we|i|our|as|since|because)\b)", sentence, maxsplit=1)[0]
    return head.rstrip(" .,;") + "?"


def rep_topic(question: str) -> RepTopic | None:
    return next((topic for topic, pattern in _REP_ONLY if pattern.search(question)), None)


# "..., and what does a flow sensor cost?" asks a second question in the same sentence.
_CLAUSE = re.compile(
    r",?\s+(?:and|also|und|sowie|et|y|e)\s+(?=(?:can|could|do|does|did|is|are|will|would|what|how"
    r"|which|where|when|who|give|send|share|kann|können|gibt|ist|sind|wie|was|welche|wo|wann"
    r"|s'il|est-ce|peut|pouvez|quel|quelle|quels|comment|où|combien|se puede|puede|hay|cuál"
    r"|cuánto|cuánta|qué|cómo|dónde)\b)"
    r"|,\s+(?=(?:is there|are there|can|could|do|does|what|how|which|where|gibt es|est-ce|hay)\b)"
    r"|;\s+",
    re.I,
)
# A discount the library publishes (annual billing, a pilot credited) is answered from it; a
# price to match or a better price is the rep's to give, whatever the library says.
_FIRM = re.compile(
    r"price match|match (?:that|their|the|this)|better price|best price|beat (?:that|their)"
    r"|negotia|\d+ ?% off|mitgehen|aligner|igualar",
    re.I,
)


# Asking about several at once, and a point whose discount is for several at once.
_MANY = re.compile(
    r"\b(?:all (?:\w+ )?(?:of them|of these|\d+|two|three|four|five|six|seven|eight|nine|ten)"
    r"|both|several|multiple|bulk|volume|more than one|in one go|together"
    r"|(?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:\w+ )?(?:sites|locations|plants"
    r"|sensors|units|machines|licen[cs]es|seats|devices|orders))\b",
    re.I,
)
_VOLUME = re.compile(
    r"\b(?:\d+ or more|\d+\s*\+|multi-?site|volume|group|several|more than \d+)\b", re.I
)


# A clause that tells rather than asks: "and I'm on site on Wednesdays so might miss it".
_STATEMENT = re.compile(
    r"^(?:and |but |so )?(?:i|i'm|i am|i'll|we|we're|we are|we'll|our|my|it's|that's|there's)\s"
    r"(?!.*\?$)",
    re.I,
)
_CONDITION = re.compile(
    r"^(?:(?:and|but|so|und|aber|et|mais|y|pero)\s+)?"
    r"(?:if|when|once|wenn|falls|sobald|si|quand|cuando|en caso)\b",
    re.I,
)


def _same_thing(part: str, before: str) -> bool:
    """ "..., and can we change that?" asks more about what the clause before asked; "..., and
    is that extra on top of the licence?" asks a price of it, a question of its own."""
    other = asked_kinds(part) - asked_kinds(before) - {"capability", "plan"}
    return bool(_REFERS.search(part)) and len(words_of(part)) <= 2 and not other


def clauses(question: str) -> list[str]:
    """The questions one sentence asks: "What does it cost, and is there a discount?" is two."""
    parts = [part.strip(" ,;") for part in _CLAUSE.split(question)]
    # "I'm on site on Wednesdays so might miss it, is there a recording?" asks only the last.
    if len(parts) > 1:
        asking = [p for p in parts if not _STATEMENT.match(p)]
        parts = asking or parts
    asked: list[str] = []
    for part in parts:
        # "If we cut energy, can you give us CO2 figures?" is one question with its condition;
        # "How long do you keep images, and can we change that?" asks about the same thing.
        if asked and (
            _CONDITION.match(asked[-1])
            or len(asked[-1].split()) < 3
            or _same_thing(part, asked[-1])
        ):
            asked[-1] = f"{asked[-1]}, {part}"
        else:
            asked.append(part)
    return asked if len(asked) > 1 else [question]


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-Z][\w-]*\d[\w-]*|[A-Z]{2,}\w*|[A-Z][a-z]+\w*)\b")
_CODE = re.compile(r"\b[A-Za-z]+[\d][\w.-]*\b|\b\d+[A-Za-z]+\b")


def _names(sentence: str) -> str:
    """The product names and codes a sentence gives, in order: "Orbiq O3"; "" for none.

    A capitalised word counts only inside the sentence, not as its first word.
    """
    found = [m.group(0) for m in _NAME.finditer(sentence) if m.start() > 0]
    found += [m.group(0) for m in _CODE.finditer(sentence) if not m.group(0).isdigit()]
    return " ".join(dict.fromkeys(w for w in found if len(w) > 1 and w.lower() not in STOP))


_SOMETHING_ON_IT = re.compile(
    r"\b(?:do you have|have you got|is there|could you send|can you send|anything|something)\b"
    r"[^?]{0,20}\b(?:numbers|figures|something|anything|data|stats|material|proof)\b"
    # "Is there anything on ROI?" names its subject itself.
    r"(?![^?]{0,30}\b(?:on|about|regarding|around) \w+)",
    re.I,
)


def _leans(question: str, language: str) -> bool:
    """Whether a question says too little to be read alone and leans on the sentence before:
    "Dealbreaker?", "Is this possible?", "How big was the drop?" (but not "...the EU?")."""
    own = len(words_of(question, language))
    if len(question.split()) < 3 or (_REFERS.search(question) and own <= 3):
        return True
    if _SOMETHING_ON_IT.search(question):
        return True  # "My FD will ask how quickly this pays back. Do you have numbers?"
    named = any(w[:1].isupper() for w in question.split()[1:])
    return bool(_DEFINITE.search(question)) and own <= 3 and not named


def answer(
    question: str,
    library: tuple[ContentBrief, ...],
    prefer: Sequence[str],
    *,
    language: str = "en",
    around: str = "",
    near: Sequence[str] = (),
    given: Sequence[str] = (),
) -> Answer:
    """The library's answer to one question, or why there is none."""
    topic = rep_topic(question)
    points = index(library)
    matched, leans = respelled(question, points), False
    if "price" in asked_kinds(question) and around:
        # "What would it cost? We have 420 staffed beds": a price per staffed bed answers it.
        matched += "".join(f" per {unit}" for unit in _COUNTED.findall(around))
    if not words_of(question) and _BARE.search(question) and around:
        # "Our LPs ask for SOC 2 from every vendor. Do you have one?" is about SOC 2.
        thing = _OBJECT.search(_SPLIT.split(around)[0])
        matched = f"{thing.group(1)}: {matched}" if thing else matched
    elif around and _leans(question, language):
        # "Every tool must log in with Entra ID. Is this possible, and on which plan?": "this"
        # is the sentence before, and it says what is asked; where it names a product or a
        # code ("our vans have Orbiq O3 boxes fitted"), those names are what it points to.
        before = _SPLIT.split(around.strip())[0]
        named = " ".join(n for n in _names(before).split() if terms(n) & points.known)
        matched, leans = f"{named or before}: {matched}", True
    if topic is not None and not _published(question, topic, points, language):
        return Answer(short(question), "rep_only", topic=topic)

    def find(text: str, names_from: str | None = None) -> Found | None:
        return best_point(
            text,
            points,
            prefer,
            language=language,
            around=around,
            near=near,
            given=given,
            names_from=names_from,
        )

    # Only the question's own names can be unknown, not those of the sentence it leans on.
    found = find(matched, question if leans else None)
    if leans and (found is None or all(_sentence(p.text) in " ".join(given) for p in found.points)):
        # Nothing answers the two together, or the sentence leaned on is what an earlier
        # question asked: the question alone is what is asked.
        found = find(respelled(question, points))
    if found is None:
        return Answer(short(question), "open", asked=question, context=around)
    said = [
        relevant_clauses(p.text, question, around, points)
        for p in _their_plan(found.points, points, f"{question} {around}")
    ]
    text = " ".join(_sentence(point) for point in said)
    brief = _sentence(said[0])
    # "We have 420 staffed beds": of an item's tiers, the one that holds the lead's count.
    siblings = [p.text for p in points.points if p.slug == found.slug]
    fit = (
        fitting(siblings, f"{question} {around}")
        if any(has_tiers(p.text) for p in found.points)
        # "Is charger management included?" is answered by its clause, not by the whole tier.
        and asked_kinds(question) & {"price", "plan"}
        else None
    )
    if fit is not None:
        text = brief = f"For your {fit.count}: {_sentence(fit.text)}"
    about = labels(question, terms(question, language), found, points, language)
    return Answer(
        short(question),
        "answered",
        text=text,
        slug=found.slug,
        label=next(iter(about), ""),
        labels=tuple(about),
        brief=brief,
        asked=question,
        coverage=found.coverage,
        score=found.score,
    )


def _their_plan(found: Sequence[Point], points: PointIndex, said: str) -> list[Point]:
    """ "Enterprise: 10-12 weeks" becomes "Fleet: 6 weeks" when the lead's own count ("180
    vans") falls into the Fleet plan on the pricing page and the item has a Fleet point."""
    plan = quote.plan_for([p.text for p in points.points], said)
    if not plan:
        return list(found)
    chosen = []
    for point in found:
        head = quote.plan_named(point.text)
        if head and head != plan:
            same = [p for p in points.points if p.slug == point.slug]
            point = next((p for p in same if quote.plan_named(p.text) == plan), point)
        chosen.append(point)
    return list(dict.fromkeys(chosen))


def _published(question: str, topic: str, points: PointIndex, language: str) -> bool:
    """Whether the library itself answers it: annual billing terms, a published minimum term."""
    if topic == "contract terms":
        if "duration" not in asked_kinds(question):
            return False  # "what uptime do you commit to contractually?" is no term length
        asked = terms(question, language)
        found = best_point(question, points, language=language)
        return (
            "@contract" in asked
            and not _FIRM.search(question)
            and found is not None
            # A term is a length of time: "12-month minimum term", not "cancel out".
            and any(
                "@contract" in point.words and "duration" in point.kinds for point in found.points
            )
        )
    if topic != "discounts" or _FIRM.search(question):
        return False
    asked = terms(question, language)
    # "Do we get anything off as a uni?": a discount the page publishes for who they are.
    who = {word for word in asked if word.startswith("@")} - {"@discount", "@price", "@billing"}
    many = bool(_MANY.search(question))
    if not many and "@billing" not in asked and "@pilot" not in asked and not who:
        return False
    found = best_point(question, points, language=language)
    # "Any discount for doing all four?": a volume discount the price list publishes.
    if many and found is not None:
        return any("@discount" in p.words and _VOLUME.search(p.text) for p in found.points)
    return found is not None and any(
        {"@billing", "@discount", "@credit"} & point.words
        and ("@billing" in asked or "@pilot" in asked or who & point.words)
        for point in found.points
    )


# "Corby runs flat out all week, so that one would need a Saturday – is that extra?": the
# short question after the dash is what is asked, about the long sentence before it.
_TAIL_ASK = re.compile(
    r"^(?P<head>.{30,}?)\s+[-–—]\s+(?P<ask>(?:is|are|does|do|can|could|will|would|what|how)\b"
    r"[^-–—]{2,60}\?)$",
    re.I,
)


def _tail_asked(question: str, around: str) -> tuple[str, str]:
    tail = _TAIL_ASK.match(question.strip())
    if tail is None or len(tail["ask"].split()) < 3:
        return question, around  # "... 'does all that already' - does it?" asks the whole
    return tail["ask"], f"{tail['head'].rstrip(' ,;')}. {around.strip()}"


def _sentence(point: str) -> str:
    text = point.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def answer_all(
    reply: str | None,
    library: tuple[ContentBrief, ...],
    prefer: Sequence[str] = (),
    *,
    language: str | None = None,
    near: Sequence[str] = (),
    zone: str = "",
) -> list[Answer]:
    """An answer (or an honest "open") for each of the lead's first few questions.

    With the lead's time zone, prices are given in their currency, worked out for their count.
    """
    if language is None:
        language = guess([reply or ""])
    found: list[Answer] = []
    asked = [
        # "Could we trial it first, and what does that cost?": "that" is in the clause before.
        (part, f"{before} {around}")
        for question, around in asked_in(reply)
        for before, part in zip(["", *clauses(question)], clauses(question), strict=False)
    ]
    for whole, beside in asked[:MAX_QUESTIONS]:
        said = [text for earlier in found for text in _SENTENCES.split(earlier.text) if text]
        question, around = _tail_asked(whole, beside)
        given = answer(
            question, library, prefer, language=language, around=around, near=near, given=said
        )
        if given.status == "open" and question != whole:
            # Left open, it is quoted back as the lead wrote it, all of it.
            given = replace(given, question=short(whole), asked=whole, context=beside)
        found.append(given)
    priced = _priced(found, reply or "", library, language, zone)
    kept: list[Answer] = []
    for given in [*priced, *_lower_plan(priced, reply or "", library, language, zone)]:
        # Two questions one point answers ("what does it cost?", "do managers count?") get it once.
        if given.text and any(given.text in earlier.text for earlier in kept):
            continue
        # Two answers under one name ("Pricing", "Pricing") take the next name the second has.
        used = {earlier.label for earlier in kept}
        if given.label in used:
            given = replace(given, label=next((n for n in given.labels if n not in used), ""))
        kept.append(given)
    return kept


# "$99 a user is more than I expected; I can't justify that": the price is the objection.
_TOO_DEAR = re.compile(
    r"\bmore than (?:i|we) (?:expected|budgeted|hoped)|\btoo (?:expensive|pricey|steep|much)\b"
    r"|\bcan(?:no|')t justify\b|\bout of (?:our|my) (?:budget|price range)\b"
    r"|\bpriced? (?:us )?out\b|\bzu teuer\b|\btrop cher\b|\bdemasiado caro\b",
    re.I,
)


def _lower_plan(
    found: list[Answer], reply: str, library: tuple[ContentBrief, ...], language: str, zone: str
) -> list[Answer]:
    """Where the price is the objection and no price was worked out, the lead's count on the
    page's least expensive plan: the one thing the rep can offer that is not a discount."""
    objection = _TOO_DEAR.search(reply)
    if objection is None or not zone or any(a.own for a in found):
        return []
    for page in (i for i in library if i.type == "pricing"):
        points = quote.one_point_per_plan(split_points(page.key_points))
        symbol = quote.currency(reply, zone, quote.symbols(points))
        rates = quote.plan_rates(points, symbol)
        if len(rates) < 2:
            continue
        cheapest = min(rates, key=lambda plan: rates[plan])
        named = [plan for plan in rates if re.search(rf"\b{re.escape(plan)}\b", reply)]
        said = re.sub("|".join(map(re.escape, named)), " ", reply) if named else reply
        priced = quote.quote_for(points, f"{said} {cheapest}", symbol)
        if priced is None or priced.plan != cheapest or not priced.billed:
            continue
        if quote.money(priced.symbol, priced.unit_price, "en") in reply:
            return []  # the lead already has the least expensive plan's price
        annual = any(_BILLED_YEARLY.search(p) for p in points)
        text = [quote.plan_sentence(priced, language, yearly=True, annual=annual)]
        addon = quote.added_fee(points, reply, priced.symbol)
        if addon is not None:
            text.append(quote.addon_sentence(priced, addon, language))
        said_text = " ".join([phrases("quote", language)["lower_plan"], *text])
        sentence = next((s for s in _SPLIT.split(reply) if objection.group(0) in s), reply)
        return [
            Answer(
                short(sentence),
                "answered",
                text=said_text,
                slug=page.slug,
                topic="objection",
                brief=said_text,
                asked=sentence,
                own=True,
            )
        ]
    return []


# What a question about the price may also ask, which the worked-out quote answers.
_PREPAY_ASKED = re.compile(
    r"up ?front|in advance|annual(?:ly)?|yearly|for the year|per year|prepa|cheaper|saving"
    r"|vorauszahl|jährlich|d'avance|annuel|por adelantado|anual",
    re.I,
)
_FEE_ASKED = re.compile(
    r"set[- ]?up|onboarding|one[- ]?(?:time|off)|implementation fee|fees?\b|einricht|gebühr"
    r"|frais|mise en service|cuota|alta|implantación",
    re.I,
)
_PRICE_ASKED = re.compile(ASKS["price"], re.I)
_TERM_ASKED = re.compile(
    r"month[- ]to[- ]month|monthly (?:contract|basis|rolling)|multi-?year|tied in|lock(?:ed)? in"
    r"|commit|minimum term|contract (?:length|term)|how long (?:is|are) (?:the|we)|cancel"
    r"|\b\d+[- ]?(?:month|year)s? (?:term|contract|commitment)"
    r"|notice|laufzeit|kündig|engagement|durée|permanencia|compromiso|cancelar",
    re.I,
)
_YEARLY = re.compile(
    r"\bannual|\byearly|\b(?:a|per|each|for the) year\b|jährlich|pro jahr|im jahr|annuel|par an"
    r"|\banual|al año|por año",
    re.I,
)
_BILLED_YEARLY = re.compile(
    r"\b(?:billed|invoiced|paid) (?:annually|yearly|per year)"
    r"|\bannual(?:ly)? (?:billing|in advance)",
    re.I,
)
_DISCOUNT_ASKED = re.compile(
    r"discount|\b(?:anything|something|money) off\b|rabatt|nachlass|remise|réduction|descuento",
    re.I,
)
_FIRST_YEAR = re.compile(
    r"first[- ]year|year one|1st year|ersten jahr|première année|primer año", re.I
)
_MONTHLY_VS_YEARLY = re.compile(
    r"\bmonthly\b.{0,80}\b(?:annual\w*|yearly|the year|up ?front)\b|\b(?:annual\w*|yearly|the year"
    r"|up ?front)\b.{0,80}\bmonthly\b|monatlich.{0,60}jährlich|jährlich.{0,60}monatlich"
    r"|mensuel\w*.{0,60}annuel\w*|annuel\w*.{0,60}mensuel\w*|mensual\w*.{0,60}anual\w*"
    r"|anual\w*.{0,60}mensual\w*",
    re.I | re.S,
)
_HOW_BILLED = re.compile(
    r"\bpay (?:monthly|quarterly|per month|by the month|in instal+ments)|\brather than (?:a full "
    r"year|annual|upfront|up front|yearly)|monatlich (?:zahlen|bezahlen)|payer (?:mensuellement"
    r"|chaque mois|au mois)|pagar (?:mensualmente|cada mes|al mes|por meses)",
    re.I,
)


# "What manual AP costs us compared with automation": a cost of doing it another way.
_OTHER_COST = re.compile(
    r"\b(?:manual\w*|today|currently|status quo|compared|versus|vs\.?|by hand|ourselves"
    r"|heute|manuell|aujourd'hui|manuel\w*|hoy|a mano)\b",
    re.I,
)


def _priced(
    found: list[Answer],
    reply: str,
    library: tuple[ContentBrief, ...],
    language: str,
    zone: str,
) -> list[Answer]:
    """Prices in the lead's currency; the price question answered for the lead's own count."""
    if not zone:
        return found
    asked = [a for a in found if a.status != "rep_only" and "price" in asked_kinds(a.asked)]
    if not asked:
        return [_in_currency(a, reply, library, zone) for a in found]
    # The page that works out the lead's price: the one a price answer came from, else the
    # price page itself ("annual cost on Enterprise at 7,500 invoices a month?" answered by a
    # calculator's point, or by none).
    pages = [i for a in asked if a.status == "answered" for i in library if i.slug == a.slug]
    # ... but "¿cuánto tarda?" asks how long, not what it costs.
    if any(
        not {"duration", "count"} & asked_kinds(a.asked) and not _OTHER_COST.search(a.asked)
        for a in asked
    ):
        pages += [i for i in library if i.type == "pricing"]
    item, priced, points, symbol = None, None, [], None
    for page in dict.fromkeys(pages):
        points = split_points(page.key_points)
        symbol = quote.currency(reply, zone, quote.symbols(points))
        if (priced := quote.quote_for(points, reply, symbol)) is not None:
            item = page
            break
    if priced is None or item is None:
        return [_in_currency(a, reply, library, zone) for a in found]
    # The first price question is the one the worked-out price answers.
    question = next((a for a in asked if a.slug == item.slug), asked[0])
    answered = replace(
        question,
        status="answered",
        slug=item.slug,
        text=question.text if question.slug == item.slug else "",
    )
    found = [answered if a is question else a for a in found]
    pricing = [answered]
    first = pricing[0]
    # "We run about 3,000 samples a month": the fee their volume adds to the plan.
    addon = quote.added_fee(points, reply, priced.symbol)
    said, covers = _quoted(priced, points, " ".join(a.asked for a in found), language, addon, reply)
    # What else the price question's own points said about it ("Free 30-day pilot ..").
    # Only in English: the library's own sentences would be English in any other language.
    wanted = terms(first.asked, language) - {"@price", "cost", "price", "month", "year"}
    wanted = wanted if language == "en" else frozenset()
    said += [
        sentence
        for sentence in _SENTENCES.split(quote.in_currency(first.text, symbol))
        if sentence
        and terms(sentence, language) & wanted
        and not quote.prices_a_plan(sentence)
        and not (addon and quote.adds_by_volume(sentence))
        and not quote.band_of(sentence)
        and quote.fee(priced, sentence) is None
        and quote.prepay_sentence(priced, sentence, language) is None
    ]
    text = " ".join(said)
    others = [
        # "Can we pay monthly?" is answered by the monthly prices themselves.
        _in_currency(a, reply, library, zone)
        if _HOW_BILLED.search(a.asked)
        else _without_tiers(_in_currency(a, reply, library, zone), first.slug)
        for a in found
        # What the worked-out price already says: the price, its term, paying up front, the fee.
        # "Are there per user fees?" beside a price per invoice asks something it does not say.
        if a is not first
        and (
            not any(cover.search(a.asked) for cover in covers)
            or other_units(a.asked, priced.kinds)
            # "Can we pay monthly rather than upfront?" asks how, not how much.
            or _HOW_BILLED.search(a.asked)
        )
    ]
    mine = replace(first, text=text, brief=text, own=True, label="", labels=())
    return [mine, *(a for a in others if a is not None)]


def _quoted(
    priced: quote.Quote,
    points: list[str],
    asked: str,
    language: str,
    addon: quote.AddOn | None = None,
    reply: str = "",
) -> tuple[list[str], list[re.Pattern[str]]]:
    """The quote's sentences for what the lead asked, and what else they cover."""
    annual = any(_BILLED_YEARLY.search(p) for p in points)
    yearly = bool(_YEARLY.search(asked)) or annual
    said = [quote.plan_sentence(priced, language, yearly=yearly, annual=annual)]
    covers = [_PRICE_ASKED]
    if addon is not None:
        said.append(quote.addon_sentence(priced, addon, language))
    if quote.term_of(priced):
        covers.append(_TERM_ASKED)
    # "Compare paying monthly against paying for the year up front": both, and the difference.
    compared = _MONTHLY_VS_YEARLY.search(asked) or _MONTHLY_VS_YEARLY.search(reply)
    if compared and priced.billed and priced.period == "month":
        rate = quote.monthly_rate(points, priced)
        if rate is not None and rate > priced.unit_price:
            added = addon.monthly if addon else Decimal(0)
            said.append(quote.monthly_sentence(priced, rate, language, added))
            covers.append(_MONTHLY_VS_YEARLY)
    if _PREPAY_ASKED.search(asked) and (
        up_front := [s for p in points if (s := quote.prepay_sentence(priced, p, language))][:1]
    ):
        # "Can we pay monthly rather than upfront?" stays a question where nothing here says so.
        said += up_front
        covers.append(_PREPAY_ASKED)
    who = terms(asked, language)
    if found := [s for p in points if (s := quote.segment_sentence(priced, p, who, language))][:1]:
        said += found
        covers.append(_DISCOUNT_ASKED)
    fees = [(f, p) for p in points if (f := quote.fee(priced, p)) is not None]
    fee, page = fees[0] if fees else (None, "")
    if fee is not None:  # a one-time fee belongs with any price: never a surprise later
        said.append(quote.fee_sentence(priced, fee, language, page))
        covers.append(_FEE_ASKED)
        if _FIRST_YEAR.search(asked):
            prepaid = next((y for p in points if (y := quote.prepaid(priced, p)) is not None), None)
            year = prepaid if _PREPAY_ASKED.search(asked) else None
            added = addon.monthly if addon else Decimal(0)
            said.append(quote.first_year_sentence(priced, fee, language, year, added, page))
    return said, covers


def _without_tiers(answer: Answer, slug: str) -> Answer | None:
    """Another answer from the price page, without the plans the quote has already priced."""
    if answer.slug != slug:
        return answer
    kept = [s for s in _SENTENCES.split(answer.text) if s and not quote.prices_a_plan(s)]
    text = " ".join(kept)
    return replace(answer, text=text, brief=text) if kept else None


def _in_currency(
    answer: Answer, reply: str, library: tuple[ContentBrief, ...], zone: str
) -> Answer:
    """ "€16 / £14 / $17 per vehicle" as the lead's one price, where the item prices in it."""
    item = next((i for i in library if i.slug == answer.slug), None)
    if answer.status != "answered" or item is None:
        return answer
    symbol = quote.currency(reply, zone, quote.symbols(split_points(item.key_points)))
    return replace(
        answer,
        text=quote.in_currency(answer.text, symbol),
        brief=quote.in_currency(answer.brief, symbol),
    )


# "You mentioned a chemical company that...": the lead speaks of what the rep told them.
_YOU_MENTIONED = re.compile(
    r"\byou (?:mentioned|said|told|spoke of|talked about|referred to)\b"
    r"|\bthe (?:one|company|customer|client|story) you\b"
    r"|\b(?:vous )?(?:aviez|avez) (?:mentionné|évoqué|parlé)"
    r"|\bsie (?:hatten|haben) (?:\w+ )?(?:erwähnt|genannt)"
    r"|\b(?:usted )?(?:mencionó|comentó|habló de)",
    re.I,
)
SPOKEN_OF_SHARED = 3  # words an item's title, summary and topics share with a sentence about it


def spoken_of(
    said_by_rep: Sequence[str], reply: str | None, library: tuple[ContentBrief, ...]
) -> list[str]:
    """The items the thread speaks of without linking them: the rep's own mail ("one of our
    chemical customers cut boiler trips") or the lead recalling it ("you mentioned a brewery
    that..."), each the one item that sentence describes best, by several shared words."""
    lines = [part for text in said_by_rep for part in _SPLIT.split(text) if part.strip()]
    lines += [part for part in _SPLIT.split(reply or "") if _YOU_MENTIONED.search(part)]
    about = {
        item.slug: words_of(" ".join((item.title, item.summary, *item.topics))) for item in library
    }
    found: list[str] = []
    for line in lines:
        language = guess([line])
        own = words_of(line, language) | {
            t.lstrip("~") for t in terms(line, language) if t.startswith("~")
        }
        ranked = sorted(((len(own & words), slug) for slug, words in about.items()), reverse=True)
        if not ranked or ranked[0][0] < SPOKEN_OF_SHARED:
            continue
        if len(ranked) > 1 and ranked[1][0] == ranked[0][0]:
            continue  # two items fit as well: the sentence names neither
        if ranked[0][1] not in found:
            found.append(ranked[0][1])
    return found


def answering_slug(
    reply: str | None, library: tuple[ContentBrief, ...], near: Sequence[str] = ()
) -> str | None:
    """The item whose key points answer the lead's first answerable question, if any: the
    question read as the drafter reads it (the sentence it leans on, the lead's own units).

    Only a clear answer picks the content over the ranker: it must hold most of what was
    asked, not a word or two of it.
    """
    return clearly_answering(answer_all(reply, library, near=near))


def clearly_answering(answers: Sequence[Answer]) -> str | None:
    """The slug of the first answer clear enough to pick the content over the ranker."""
    for found in answers:
        clear = found.coverage >= CLEAR_ANSWER and found.score >= CLEAR_SCORE
        if found.status == "answered" and clear:
            return found.slug
    return None
