"""Plain-text helpers shared by the classifiers: paragraphs, sentences, evidence."""

from __future__ import annotations

import re

MAX_SENTENCES = 200
MAX_EVIDENCE_CHARS = 300

_PARAGRAPH = re.compile(r"\n\s*\n")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(¿¡]?[A-ZÀ-ÖØ-Þ0-9])|(?<=[!?])\s+")
_SPACES = re.compile(r"[ \t\xa0]+")


def _lines_of(paragraph: str) -> list[str]:
    """Join hard-wrapped lines of a paragraph; list items and short lines stay apart."""
    joined: list[str] = []
    for line in paragraph.split("\n"):
        line = _SPACES.sub(" ", line).strip()
        if not line:
            continue
        if joined and not _LIST_ITEM.match(line) and len(joined[-1]) >= 50:
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def sentences(text: str) -> list[str]:
    """The sentences of a text, in order, each on one line (at most MAX_SENTENCES)."""
    found: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        for line in _lines_of(paragraph):
            found.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
            if len(found) >= MAX_SENTENCES:
                return found[:MAX_SENTENCES]
    return found


def evidence(sentence: str) -> str:
    """A sentence shortened for display as the reason of a classification."""
    sentence = sentence.strip()
    if len(sentence) <= MAX_EVIDENCE_CHARS:
        return sentence
    return sentence[: MAX_EVIDENCE_CHARS - 1].rstrip() + "…"
