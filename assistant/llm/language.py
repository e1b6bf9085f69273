"""Which language a lead writes in: py3langid's classifier, limited to the languages Nurture
reads, and only when it is sure; otherwise the default."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import cache
from typing import Any

LANGUAGES = ("en", "de", "fr", "es", "nl", "it", "pt", "sv")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_WORDS = 3  # below this a guess is noise: keep the default
MIN_CONFIDENCE = 0.9
_lock = threading.Lock()


@cache
def _identifier() -> Any:
    """The model, loaded once per process (it takes a moment)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def guess(texts: Iterable[str], default: str = "en") -> str:
    """The ISO 639-1 code of the language these texts are written in, else `default`."""
    text = "\n".join(t for t in texts if t)
    if len(_WORD.findall(text)) < MIN_WORDS:
        return default
    with _lock:  # the classifier keeps state between calls
        code, confidence = _identifier().classify(text)
    return str(code) if confidence >= MIN_CONFIDENCE else default
