"""Plain-text helpers shared by the classifiers: paragraphs, sentences, evidence."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.mail.dates import MONTHS

MAX_SENTENCES = 200
MAX_EVIDENCE_CHARS = 300

_PARAGRAPH = re.compile(r"\n\s*\n")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_BOUNDARY = re.compile(r"[.!?。！？][\"')\]]*\s+")
_STARTS_SENTENCE = re.compile(r"[\"'(¿¡]?[A-ZÀ-ÖØ-Þ0-9]")
_ORDINAL_BEFORE = re.compile(r"(?:^|\s)\d{1,2}\.$")
_ABBREVIATION_BEFORE = re.compile(
    r"(?:^|\s)(?:z\.\s?B|e\.g|i\.e|Dr|Mr|Mrs|Ms|Prof|Tel|Nr|ca|St|bzw|ggf|inkl|Fa|Hr|Fr|Mme|Sr|Sra)\.$",
    re.IGNORECASE,
)
# A name's initial ("J. Berg"): no sentence ends after one capital letter.
_INITIAL_BEFORE = re.compile(r"(?:^|\s)[A-ZÀ-ÖØ-Þ]\.$")
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


def _split_sentences(line: str) -> list[str]:
    """Split one line at sentence ends, not after ordinals ("14. April") or abbreviations."""
    parts: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        before = line[start : match.start() + 1]
        after = line[match.end() :]
        if match.group(0)[0] == "." and not _STARTS_SENTENCE.match(after):
            continue
        month = after.split(" ", 1)[0].lower().rstrip(".,;:!?)")  # "am 11. Januar."
        if _ORDINAL_BEFORE.search(before) and month in MONTHS:
            continue
        if _ABBREVIATION_BEFORE.search(before) or _INITIAL_BEFORE.search(before):
            continue
        parts.append(line[start : match.end()].strip())
        start = match.end()
    parts.append(line[start:].strip())
    return parts


@lru_cache(maxsize=256)
def sentences(text: str) -> tuple[str, ...]:
    """The sentences of a text, in order, each on one line (at most MAX_SENTENCES)."""
    found: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        for line in _lines_of(paragraph):
            found.extend(s for s in _split_sentences(line) if s)
            if len(found) >= MAX_SENTENCES:
                return tuple(found[:MAX_SENTENCES])
    return tuple(found)


def evidence(sentence: str) -> str:
    """A sentence shortened for display as the reason of a classification."""
    sentence = sentence.strip()
    if len(sentence) <= MAX_EVIDENCE_CHARS:
        return sentence
    return sentence[: MAX_EVIDENCE_CHARS - 1].rstrip() + "…"
