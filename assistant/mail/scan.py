"""Injection findings over everything a lead sent: what was tried, where, and the words.

Rules only: the model's own findings are added on top by the classifier and never replace
these. A finding is a flag for the rep, never a reason to drop the mail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from assistant.mail.lookalike import imitates
from assistant.mail.parse import ParsedMessage, parse_message
from assistant.mail.signs import INVISIBLE_CHARACTERS, LEAD_INSTRUCTS, signs
from assistant.mail.surfaces import read_everything

SNIPPET_CHARS = 80
# The same name appears as a sign's kind and as a hidden run's kind; where it was says more.
LOOKALIKE = "look-alike domain"
HIDDEN_LINK = "hidden link or address"
_LINK_OR_ADDRESS = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+|[\w.+'-]+@(?:[\w-]+\.)+[\w-]{2,}", re.IGNORECASE
)
# Signs that a plain sentence can show; the rest are only about how text was hidden.
_ZERO_WIDTH = "zero-width characters"
_CHARACTER_KINDS = (_ZERO_WIDTH, "bidirectional control characters")
# An invisible character inside a word, where it splits a word a filter would catch.
_IN_WORD = re.compile(f"\\w[{INVISIBLE_CHARACTERS}]+\\w")


@dataclass(frozen=True)
class Finding:
    """One sign that someone tries to steer the drafting, with its evidence."""

    kind: str
    where: str  # part, quoted, html-hidden, attachment, calendar, encoded, header or model
    snippet: str

    def shown(self) -> str:
        return f"{self.kind} in {self.where} ('{self.snippet}')"


def scan(
    raw: bytes,
    *,
    lead: str = "",
    own: Iterable[str] = (),
    parsed: ParsedMessage | None = None,
) -> list[Finding]:
    """Every finding in a message; `lead` and `own` are the addresses look-alikes imitate.
    `parsed`: the message's parse, when the caller has it (the bytes are not parsed again).

    Raises ParseError for a message that must be quarantined.
    """
    parsed = parsed or parse_message(raw)
    sender = parsed.headers.from_
    colleagues = lead or (sender.email if sender else "")
    genuine = {a.rpartition("@")[2].lower() for a in (lead, *own) if "@" in a}
    if not lead and sender:
        genuine.add(sender.email.rpartition("@")[2])
    if not own:
        genuine |= {a.email.rpartition("@")[2] for a in parsed.headers.to}
    sent = read_everything(raw, parsed.source)
    findings: list[Finding] = []
    visible = "\n".join(s.text for s in sent.surfaces if s.where in ("part", "quoted"))
    for surface in sent.surfaces:
        for kind, shown in signs(surface.text, colleagues.rpartition("@")[2]):
            if surface.where == "header" and kind in _CHARACTER_KINDS:
                continue  # a display name's direction marks are how some scripts are written
            if (
                surface.where == "html-hidden"
                and kind == _ZERO_WIDTH
                and not _IN_WORD.search(surface.text)
            ):
                continue  # a newsletter's preheader padding, between words, hides no word
            findings.append(Finding(kind, surface.where, _snippet(shown or surface.text)))
        if surface.where == "html-hidden":
            for match in _LINK_OR_ADDRESS.finditer(surface.text):
                if match.group(0) not in visible:
                    findings.append(Finding(HIDDEN_LINK, surface.where, _snippet(surface.text)))
                    break
    for domain, where in sent.domains.items():
        like = next((g for g in sorted(genuine) if imitates(domain, g)), None)
        if like is not None:
            findings.append(Finding(LOOKALIKE, where, f"{domain} (like {like})"))
    return list(dict.fromkeys(findings))


def _snippet(text: str) -> str:
    return " ".join(text.split())[:SNIPPET_CHARS]


def combined(rules: Iterable[Finding], model: Iterable[Finding]) -> tuple[Finding, ...]:
    """The rules' findings, then the model's that say something new; none is ever dropped."""
    kept = list(dict.fromkeys(rules))
    kinds = {f.kind for f in kept}
    kept += [f for f in dict.fromkeys(model) if f.kind not in kinds]
    return tuple(kept)


def from_json(items: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Findings as stored with a message's understanding."""
    return [
        Finding(str(item.get("kind", "")), str(item.get("where", "")), str(item.get("snippet", "")))
        for item in items
        if isinstance(item, Mapping) and item.get("kind")
    ]


def flag(findings: Iterable[Finding], beside: Iterable[str] = ()) -> list[str]:
    """The draft flag for a thread's findings: one line, the rep acknowledges it to approve.

    A sign in the lead's new words that a flag in `beside` already names is not said twice.
    """
    said = " ".join(beside)
    shown = list(
        dict.fromkeys(f.shown() for f in findings if not (f.where == "part" and f.kind in said))
    )
    return [f"{LEAD_INSTRUCTS} (in the mail as sent): {'; '.join(shown)}"] if shown else []
