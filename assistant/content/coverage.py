"""Which questions in a lead's reply no library item covers, and the topic words of each.

A sentence counts when it asks for something (a question, or "do you have", "looking for"),
is written in English (the library's language: unknown words of another language say
nothing about the library), and names words that no available item uses, once the function
words of the languages leads write in and the everyday words of business email are set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bm25s import stopwords as lists

from assistant.content.rank import Ranker
from assistant.content.vocabulary import STOPWORDS, WORD, plain, word_stems, wordset
from assistant.mail.text import sentences

# A question whose known words match the library this well is answered, odd words and all.
WELL_COVERED = 3.0
MAX_TOPIC_WORDS = 4

_REQUEST = re.compile(
    r"^(?:(?:and|also|but|so|ok|okay|hi \w+)[, ]+)?(?:do you (?:have|offer|support|integrate|"
    r"work)|does (?:it|acme)|is there|are there|any (?:\w+ )?(?:on|about|for)|i'?d like|"
    r"i would like|we need|we'?re looking for|looking for|interested in|can you send|"
    r"please send|what about|how about)\b"
)
_OTHER_LANGUAGES = (
    lists.STOPWORDS_GERMAN,
    lists.STOPWORDS_FRENCH,
    lists.STOPWORDS_SPANISH,
    lists.STOPWORDS_DUTCH,
    lists.STOPWORDS_ITALIAN,
    lists.STOPWORDS_PORTUGUESE,
)


@dataclass(frozen=True)
class Uncovered:
    """A question the library has nothing on, and the words that say what it is about."""

    sentence: str
    topic: tuple[str, ...]


def uncovered(ranker: Ranker, text: str, today: date) -> list[Uncovered]:
    """The questions of a reply that no available library item speaks to."""
    found: list[Uncovered] = []
    for sentence in sentences(text):
        if not is_request(sentence) or not is_english(sentence):
            continue
        words = {
            w: stems
            for w, stems in word_stems(sentence).items()
            if w not in _NOT_TOPICS and len(w) > 2 and not w.isdigit()
        }
        if not words:
            continue
        coverage = ranker.coverage(words, today)
        if not coverage.unknown:
            continue
        # Mostly unknown words, or known words that match nothing well: the library is silent.
        if 2 * len(coverage.unknown) >= len(words) or coverage.best_score < WELL_COVERED:
            found.append(Uncovered(sentence.strip(), coverage.unknown[:MAX_TOPIC_WORDS]))
    return found


def is_request(sentence: str) -> bool:
    """A question, or a sentence that asks for something without a question mark."""
    text = sentence.strip()
    return text.endswith(("?", "？")) or bool(_REQUEST.match(plain(text)))


def is_english(sentence: str) -> bool:
    """More English function words than those of any other language the leads write in."""
    words = WORD.findall(plain(sentence))
    english = sum(w in _ENGLISH for w in words)
    return english > 0 and all(english >= sum(w in other for w in words) for other in _FOREIGN)


def _folded(*groups: list[str] | set[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for group in groups for text in group for w in WORD.findall(plain(text)))


_ENGLISH = _folded(lists.STOPWORDS_EN_PLUS)
_FOREIGN = tuple(_folded(words) for words in _OTHER_LANGUAGES)
# Words that never name a topic marketing could write about.
_NOT_TOPICS = (
    STOPWORDS
    | _ENGLISH
    | frozenset().union(*_FOREIGN)
    | wordset(
        """
        us usually typically generally normally currently exactly roughly approximately probably
        people person someone anyone everyone somebody others team teams company companies guys
        folks colleague colleagues boss manager managers yesterday today tomorrow week weeks
        month months year years morning afternoon evening monday tuesday wednesday thursday
        friday weekend quarter moment question questions answer answers info information
        details detail material materials doc docs document documents link links file files
        attachment attachments slides deck call calls meeting meetings email emails mail thread
        content contents resource resources
        reply note notes part parts kind sort bit example examples available possible able
        happy glad wondering curious quick quickly soon already yet ever anything everything
        nothing somewhere else whether okay ok yes idea ideas happen happens happened
        happening pick picked choose chose bad worse worst better fine big small little large
        new old first last same different similar real really true sure certain enough several
        write wrote written writing times hood sum sums sumsup involve involves involved
        claim claims thing stuff side end start started starting begin begins point points
        case cases way ways fact matter problem problems issue issues concern concerns worry
        price prices hear heard read reading show shows showed shown run runs running put
        puts find found finding try tried trying seem seems seemed feel felt mean means meant
        cover covers covered handle handles handled support supports supported offer offers
        provide provides provided include includes included allow allows need needs needed
        want wants wanted like liked work worked working plan plans planned call called send
        sent share shared explain explains explained understand understood tell told
        contribution execs exec folks lot lots plenty bunch couple number numbers level
        levels type types version versions option options place places area areas
        """
    )
)
