"""The lead's questions, each matched to the library point that answers it, or marked as open.

A question is answered from the key points of the whole available library, figures kept
exactly as the library writes them. What only the rep may answer (discounts, contract
terms, internal notes, other customers, payment details) is never answered from the library.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.llm.base import ContentBrief
from assistant.llm.points import Found, best_point, index

MAX_QUESTIONS = 3
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
    r"^(?:i'?d (?:like|love) to (?:know|understand)|i (?:am|'m) wondering|i wonder|"
    r"(?:could|can) you (?:tell|let) me|please (?:tell|let) me know|"
    r"ich würde gerne wissen|können sie mir sagen|mich würde interessieren|"
    r"j'aimerais savoir|pourriez-vous me dire|me gustaría saber|¿?podría decirme)\b",
    re.I,
)
RepTopic = Literal["discounts", "contract terms", "internal notes", "other customers", "payment"]
_REP_ONLY: tuple[tuple[RepTopic, re.Pattern[str]], ...] = (
    (
        "discounts",
        re.compile(
            r"discount|\d+ ?% off|better price|best price|price match|rabatt|nachlass"
            r"|remise|réduction|geste commercial|descuento|rebaja",
            re.I,
        ),
    ),
    (
        "contract terms",
        re.compile(
            r"contract|terms and conditions|termination|cancel(?:lation)? (?:terms|clause)"
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


def short(sentence: str) -> str:
    found = sentence.split()
    if len(found) <= QUOTE_WORDS:
        return sentence
    return " ".join(found[:QUOTE_WORDS]).rstrip(",;:") + "…"


def questions(reply: str | None) -> list[str]:
    """The lead's questions, in order: sentences ending in "?" or asking in so many words."""
    found = []
    for part in _SPLIT.split(reply or ""):
        sentence = part.strip().lstrip(">").strip()
        # "Two things first: how often does it sync?" asks only what follows the colon.
        _, colon, tail = sentence.rpartition(": ")
        if colon and len(tail.split()) >= 3:
            sentence = tail[:1].upper() + tail[1:]
        if not sentence or _GREETING.match(sentence) or len(sentence.split()) < 3:
            continue
        if sentence.endswith(("?", "？")) or _ASKING.match(sentence):
            found.append(sentence)
    return found


def rep_topic(question: str) -> RepTopic | None:
    return next((topic for topic, pattern in _REP_ONLY if pattern.search(question)), None)


def answer(question: str, library: tuple[ContentBrief, ...], prefer: Sequence[str]) -> Answer:
    topic = rep_topic(question)
    if topic is not None:
        return Answer(short(question), "rep_only", topic=topic)
    found: Found | None = best_point(question, index(library), prefer)
    if found is None:
        return Answer(short(question), "open")
    text = " ".join(_sentence(point.text) for point in found.points)
    return Answer(short(question), "answered", text=text, slug=found.slug)


def _sentence(point: str) -> str:
    text = point.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def answer_all(
    reply: str | None, library: tuple[ContentBrief, ...], prefer: Sequence[str] = ()
) -> list[Answer]:
    """An answer (or an honest "open") for each of the lead's first few questions."""
    found: list[Answer] = []
    for question in questions(reply)[:MAX_QUESTIONS]:
        given = answer(question, library, prefer)
        # Two questions one point answers ("what does it cost?", "do managers count?") get it once.
        if given.text and any(given.text in earlier.text for earlier in found):
            continue
        found.append(given)
    return found


def answering_slug(reply: str | None, library: tuple[ContentBrief, ...]) -> str | None:
    """The item whose key points answer the lead's first answerable question, if any."""
    for found in answer_all(reply, library):
        if found.status == "answered":
            return found.slug
    return None
