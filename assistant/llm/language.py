"""Which language a lead writes in, guessed from common short words; good enough to reply in."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words that are frequent in one language and rare in the others listed here.
_WORDS = {
    "en": "the and you your we our is are this that with for have would could thanks please "
    "what when how will can not",
    "de": "und der die das ich wir sie ist nicht mit für uns ihr ihre haben bitte danke gerne "
    "können wäre auch noch hallo guten grüße viele freundlichen dank sehr geehrte",
    "fr": "le la les et vous nous est pas pour avec une des merci votre notre je sur bien "
    "cordialement bonjour du au aux ce cette sommes",
    "es": "el la los las y usted nosotros es no para con una gracias su nuestro por pero muy "
    "saludos podemos hola estamos favor saludo del lo se tenemos",
    "nl": "de het en een ik wij we niet voor met bedankt uw onze graag kunnen ook nog groeten",
    "it": "il la e di che non per con una grazie vostro nostro sono siamo anche ancora cordiali "
    "saluti",
    "pt": "o a os as e de que não para com uma obrigado obrigada vocês nosso somos também ainda",
    "sv": "och att det är vi jag inte för med en tack er vår kan också hälsningar",
}
_MARKERS = {code: frozenset(words.split()) for code, words in _WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_WORDS = 6  # below this a guess is noise: keep the default


def guess(texts: Iterable[str], default: str = "en") -> str:
    """The ISO 639-1 code of the language most of these words belong to, else `default`."""
    words = [w.lower() for text in texts for w in _WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return default
    scores = {code: sum(w in markers for w in words) for code, markers in _MARKERS.items()}
    best = max(scores, key=lambda code: scores[code])
    # A language must clearly lead; mixed or unclear text keeps the default.
    if scores[best] < 2 or scores[best] <= scores.get(default, 0):
        return default
    return best
