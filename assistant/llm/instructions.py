"""A rep's "regenerate with an instruction", read into the changes the offline drafter can make.

Each clause of the instruction either maps to a change we know how to make or is reported
back as not followed; the offline drafter never pretends to have done what it cannot do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE
_CLAUSE = re.compile(r"[,;.!\n]+|\s+(?:and|but|also|then|plus)\s+", _I)
_SHORTER = re.compile(
    r"\b(?:short(?:er)?|brief(?:er)?|concise|trim|cut\b.*\bdown|fewer words|tighten|less wordy"
    r"|to the point|too long)\b",
    _I,
)
_LONGER = re.compile(r"\b(?:longer|more detail(?:s|ed)?|expand|elaborate|say more)\b", _I)
_FORMAL = re.compile(r"\b(?:more formal|formal(?:ly)?|more professional|less casual)\b", _I)
_CASUAL = re.compile(
    r"\b(?:more casual|casual|friendl(?:y|ier)|warmer|less formal|relaxed|informal"
    r"|less stiff|more personal)\b",
    _I,
)
_CALL = re.compile(
    r"\b(?:propose|suggest|offer|ask (?:for|about)|push for|book|schedule|invite (?:them )?to)\b"
    r".*\b(?:call|meeting|chat|demo|conversation)\b|\bcall to action\b",
    _I,
)
_NO_CALL = re.compile(
    r"\b(?:no|without|drop|remove|don'?t (?:ask for|propose|suggest))\b.*\b(?:call|meeting)\b",
    _I,
)
_KINDS = (
    (r"webinars?", "webinar"),
    (r"case[- ]stud(?:y|ies)", "case_study"),
    (r"calculators?|roi tool", "calculator"),
    (r"checklists?", "checklist"),
    (r"videos?", "video"),
    (r"white[- ]?papers?", "white_paper"),
    (r"reports?", "report"),
    (r"e-?books?|guides?", "ebook"),
    (r"infographics?", "infographic"),
    (r"blog(?: posts?)?|articles?", "blog_post"),
)
_CONTENT = re.compile(
    r"\b(?:mention|include|add|send|share|attach|use|offer|link|swap|switch|instead|invite"
    r"|point (?:them )?to|talk about)\b.*?\b(?P<kind>" + "|".join(k for k, _ in _KINDS) + r")\b",
    _I,
)
_FILLER = re.compile(r"^(?:please|pls|make it|make|it|the draft|this|a bit|bit|more|less|\W)*$", _I)


@dataclass(frozen=True)
class Directives:
    """What the offline drafter will change, and the parts of the instruction it cannot do."""

    shorter: bool = False
    longer: bool = False
    formality: str | None = None  # "formal" | "casual"
    propose_call: bool | None = None  # True: ask for a call; False: leave calls out
    content_type: str | None = None  # a library type the rep wants the email built around
    unfollowed: tuple[str, ...] = ()

    @property
    def followed(self) -> tuple[str, ...]:
        done = []
        if self.shorter:
            done.append("shorter")
        if self.longer:
            done.append("more detail")
        if self.formality:
            done.append(f"more {self.formality}")
        if self.propose_call is True:
            done.append("proposes a call")
        if self.propose_call is False:
            done.append("no call proposed")
        if self.content_type:
            done.append(f"built around a {self.content_type.replace('_', ' ')}")
        return tuple(done)


def read(instruction: str | None) -> Directives:
    """The directives in an instruction; every clause that matches none is `unfollowed`."""
    if not instruction:
        return Directives()
    shorter = longer = False
    formality: str | None = None
    call: bool | None = None
    kind: str | None = None
    unfollowed: list[str] = []
    for clause in (c.strip() for c in _CLAUSE.split(instruction)):
        if not clause or _FILLER.match(clause):
            continue
        before = (shorter, longer, formality, call, kind)
        if content := _CONTENT.search(clause):
            named = content.group("kind")
            kind = next(t for k, t in _KINDS if re.fullmatch(k, named, _I))
        shorter = shorter or bool(_SHORTER.search(clause))
        longer = longer or bool(_LONGER.search(clause))
        if _FORMAL.search(clause):
            formality = "formal"
        elif _CASUAL.search(clause):
            formality = "casual"
        if _NO_CALL.search(clause):
            call = False
        elif _CALL.search(clause):
            call = True
        if (shorter, longer, formality, call, kind) == before:
            unfollowed.append(clause)
    return Directives(
        shorter=shorter,
        longer=longer and not shorter,
        formality=formality,
        propose_call=call,
        content_type=kind,
        unfollowed=tuple(unfollowed),
    )
