"""Opt-out requests (CAN-SPAM, GDPR Art. 21) in the new text of a reply, negations respected."""

from __future__ import annotations

import re

from assistant.language import alternatives, entries
from assistant.mail.text import sentences

# Patterns are lower-case and searched in lower-cased text.
# Requests that carry their own negation ("do not contact me").
_SELF_NEGATED = re.compile(alternatives("optout.self_negated"))
_REQUEST = re.compile(alternatives("optout.request"))
_NEGATION = re.compile(alternatives("optout.negation"))
_CLAUSE_BREAK = re.compile(rf"[,;:()]|{alternatives('optout.clause_break')}")
_REPLY_PREFIX = re.compile(
    rf"^\s*(?:{'|'.join(map(re.escape, entries('optout.reply_prefix')))})\s*:", re.I
)


def _negated(sentence: str, start: int) -> bool:
    """Whether a negation stands in the same clause before position `start`."""
    before = sentence[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end() :] if breaks else before
    return _NEGATION.search(clause) is not None


def _request_in(text: str) -> bool:
    for pattern in (_SELF_NEGATED, _REQUEST):
        for match in pattern.finditer(text):
            if not _negated(text, match.start()):
                return True
    return False


def find_opt_out(new_text: str, subject: str = "") -> str | None:
    """The sentence that asks to stop mail, from the sender's own text; None when none does."""
    sents = sentences(new_text)
    low = [s.lower() for s in sents]
    joined = "\n".join(low)
    if _SELF_NEGATED.search(joined) or _REQUEST.search(joined):
        for sentence, sentence_low in zip(sents, low, strict=True):
            if _request_in(sentence_low):
                return sentence
    if subject and not _REPLY_PREFIX.match(subject) and _request_in(subject.lower()):
        return f"Subject: {subject}"
    return None
