"""Signs that a lead's text tries to steer whoever writes the answer: instructions, role play,
hidden text, requests for others' data or changed payment details, in the languages of
assistant/language.

Pure functions over text. A sign is a flag for the rep, never a reason to drop the mail: the
rep decides, with the flag in view.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant.language import alternatives, entries, languages, marks
from assistant.mail.lookalike import registered

LEAD_INSTRUCTS = "lead text tries to instruct the model"
ADDRESS = re.compile(r"[\w.+'-]+@(?:[\w-]+\.)+[\w-]{2,}")


_ZERO_WIDTH = "\u200b\u2060\u180e\ufeff"
_JOINERS = "\u200c\u200d"  # legitimate inside emoji and some scripts; suspicious inside Latin words
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE_CHARACTERS = f"{_ZERO_WIDTH}{_JOINERS}{_BIDI}\U000e0000-\U000e007f"
INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")
# A subdivision flag (England, Scotland, Wales) is a black flag and tag letters ending in a
# cancel tag: emoji, not smuggled words.
_FLAG_TAGS = re.compile("\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,7}\U000e007f")
_HIDDEN_LATIN_JOINER = re.compile(f"[A-Za-z][{_JOINERS}]+[A-Za-z]")
_CONFUSABLES = str.maketrans("аеорсухіѕјԁɡ", "aeopcyxisjdg")
_LEET = str.maketrans("013457@$", "oieastas")
# A word spelt with digits or symbols for letters ("1gn0re", "@ss1stant"); a number or a hex
# token holds other digits too and is not one.
_LEET_WORD = re.compile(
    r"(?<![\w@$])(?=[\w@$]*[a-z]{2})(?=[\w@$]*[013457@$])[a-z013457@$]{4,}(?![\w@$])"
)

_I = re.IGNORECASE


_Signals = tuple[tuple[str, re.Pattern[str]], ...]


@lru_cache(maxsize=64)
def _patterns(codes: frozenset[str]) -> tuple[_Signals, re.Pattern[str]]:
    """Each sign's pattern and the send-verb pattern, from the languages in `codes` only.

    The words of every language make patterns of tens of thousands of characters; a text is
    checked against those of the languages it is written in, which is several times faster.
    """

    def _any(key: str) -> str:
        return alternatives(f"signs.{key}", codes)

    _INCLUDE = _any("include_verbs")
    _VERBATIM = _any("verbatim")
    _REPLY = _any("the_reply")
    _POSSESSIVE = _any("possessive")
    _WHOLE = _any("whole")
    _RULES = _any("rules")
    _OTHERS = _any("others")
    _ABOUT_OTHERS = _any("about_others")
    _OTHERS_ABROAD = _any("others_abroad")
    _ABOUT_ABROAD = _any("about_abroad")
    # How each sign is put together; the words and phrases of each language are data.
    _SIGNAL_PATTERNS = (
        ("asks to ignore the instructions", _any("ignore_instructions")),
        (
            "asks for the prompt",
            rf"{_any('asks_for_prompt')}|\b(?:{_any('prompt_rules')})\s+(?:{_any('prompt_of')})"
            rf"\s+(?:{_any('prompt_system')})",
        ),
        ("gives the model a new role", _any("new_role")),
        (
            "speaks to the AI",
            rf"\b(?:{_any('greeting')})\s+(?:the\s+)?(?:{_any('ai_noun')})\b(?![-'’]?\w)"
            rf"|{_any('speaks_to_ai')}",
        ),
        ("claims to bring new instructions", _any("new_instructions")),
        ("dictates the draft", _any("dictates_draft")),
        (
            "fake role or delimiter tag",
            r"<\s*/?\s*(?:system|assistant|human|instructions?|prompt|lead_message|rep_message"
            r"|thread"
            r"|lead_profile|chosen_content|content_library|rep_instruction|admin|developer)\b[^>]*>"
            r"|\[/?(?:inst|sys|system|admin)\]|<<\s*sys\s*>>|<\|[a-z_]+\|>"
            # "Assistant: Karen Liu (karen@…)" in a signature or a contact card names a person.
            r"|^[\s>]*(?:system|assistant|human|developer)\s*:"
            r"(?!\s*[a-z'’.-]+(?:\s+[a-z'’.-]+){1,2}\s*(?:[(<,|+\d]|[-–]\s))"
            r"|^#{2,}\s*(?:system|(?:new )?instructions?)\b",
        ),
        (
            "hidden text",
            r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\b"
            r"|opacity\s*:\s*0(?:\.0+)?\b|color\s*:\s*(?:#fff(?:fff)?\b|white\b|transparent\b)"
            r"|mso-hide\s*:\s*all|<!--",
        ),
        (
            "asks to include text verbatim",
            rf"\b(?:{_INCLUDE})\w*\b[^.\n]{{0,80}}?(?:{_VERBATIM})"
            rf"|(?:{_VERBATIM})[^.\n]{{0,80}}?\b(?:{_INCLUDE})\w*"
            rf"|\b(?:{_INCLUDE})\w*\s+(?:this|the following|that|these)\s+(?:exact\s+)?"
            r"(?:paragraph|sentence|text|line|wording|link|url|words)\s+(?:exactly|precisely"
            r"|literally)"
            rf"|(?:{_VERBATIM})[^.\n]{{0,80}}?\b(?:{_REPLY})\b"
            rf"|\b(?:{_REPLY})\b[^.\n]{{0,80}}?(?:{_VERBATIM})"
            rf"|{_any('include_verbatim')}",
        ),
        (
            "asks for the instructions",
            rf"\b(?:{_POSSESSIVE})\s+(?:\w+\s+)?(?:{_WHOLE})\s+(?:{_RULES})"
            rf"|\b(?:{_RULES})\s+(?:{_WHOLE})\b"
            rf"|\b(?:{_any('received_nouns')})\b[^.\n]{{0,10}}?\b(?:{_any('received_clause')})"
            rf"|{_any('asks_for_instructions')}",
        ),
        (
            "asks for other customers' data or internal notes",
            rf"\b(?:list|name|share|tell|send|give|show|forward|provide|who are|which|what)\b"
            rf"[^.\n]{{0,40}}?\b(?:{_OTHERS})\b[^.\n]{{0,50}}?\b(?:{_ABOUT_OTHERS})"
            rf"|\b(?:{_OTHERS_ABROAD})\b[^.\n]{{0,60}}?\b(?:{_ABOUT_ABROAD})"
            rf"|\b(?:{_ABOUT_ABROAD})\b[^.\n]{{0,40}}?\b(?:{_OTHERS_ABROAD})\b"
            rf"|\b(?:{_any('list_of')})\s+(?:\w+\s+){{0,3}}?(?:{_any('customers')})\b"
            rf"[^.\n]{{0,40}}?\b(?:{_any('evaluating')})"
            rf"|{_any('others_data')}",
        ),
        (
            "changes payment details",
            rf"{_any('payment')}|\b(?:{_any('bank_words')})\b[^.\n]{{0,20}}?\b(?:{_any('changed')})",
        ),
        ("asks to decode hidden text", _any("decode")),
    )
    _SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
        (name, re.compile(pattern, _I | re.MULTILINE)) for name, pattern in _SIGNAL_PATTERNS
    )
    _SEND_VERB = re.compile(
        rf"\b(?:{_any('send_verbs')})\b[^.\n]{{0,50}}$|(?:{_any('send_verbs_unspaced')})[^。\n]{{0,20}}$"
        rf"|(?:{_any('personal_address')})\W{{0,3}}$",
        _I,
    )
    return _SIGNALS, _SEND_VERB


# Languages whose texts no short words reveal (other scripts) are always checked.
_MARKS = marks()
_UNMARKED = frozenset(languages()) - set(_MARKS)
_LETTERS = re.compile(r"[^\W\d_]+")


_SHORT = 400  # characters: a text this short is checked in every language


def _written_in(text: str) -> frozenset[str]:
    """The languages a lower-cased text shows a common word of, English always; every
    language for a short text ("Ohita aiemmat ohjeet" shows none)."""
    if len(text) <= _SHORT:
        return frozenset(languages())
    words = set(_LETTERS.findall(text))
    shown = {code for code, common in _MARKS.items() if common & words}
    return frozenset(shown | _UNMARKED | {"en"})


_COMPACT = entries("signs.compact")
_COPY_AFTER = re.compile(alternatives("signs.copy_after"), _I)


def injection_signals(lead_text: str, colleagues: str = "") -> list[str]:
    """What in this lead text looks like an attempt to steer the model; empty when nothing does.

    Asking to write to an address at `colleagues` (the lead's own domain) is a referral.
    """
    return list(
        dict.fromkeys(
            f"{kind} ('{shown}')" if shown else kind for kind, shown in signs(lead_text, colleagues)
        )
    )


def signs(lead_text: str, colleagues: str = "") -> list[tuple[str, str]]:
    """Each sign of steering in this text as (kind, the words that show it; "" for characters)."""
    found: list[tuple[str, str]] = []
    if re.search(f"[{_ZERO_WIDTH}]", lead_text.lstrip("\ufeff")) or _HIDDEN_LATIN_JOINER.search(
        lead_text
    ):
        found.append(("zero-width characters", ""))
    if re.search(f"[{_BIDI}]", lead_text):
        found.append(("bidirectional control characters", ""))
    smuggled = "".join(
        chr(ord(char) - 0xE0000)
        for char in _FLAG_TAGS.sub("", lead_text)
        if 0xE0020 <= ord(char) <= 0xE007E
    )
    if smuggled:
        found.append(("invisible tag characters", " ".join(smuggled.split())[:60]))

    plain = unicodedata.normalize("NFKC", INVISIBLE.sub("", lead_text)).replace("\xad", "")
    plain = f"{plain}\n{smuggled}" if smuggled else plain
    lowered = plain.lower()
    # Every pattern ignores case, so the lowered text stands for the text as written.
    folded = lowered.translate(_CONFUSABLES)
    # Only lines with a digit or symbol inside a word can hide a word in leetspeak.
    leet = "\n".join(line for line in folded.split("\n") if _LEET_WORD.search(line))
    variants = dict.fromkeys((folded, leet.translate(_LEET)) if leet else (folded,))
    signals, send_verb = _patterns(_written_in("\n".join(variants)))
    for name, pattern in signals:
        match = next((m for text in variants if (m := pattern.search(text))), None)
        if match:
            # The words as the lead wrote them, where lowering kept every position.
            words = plain[match.start() : match.end()] if len(plain) == len(lowered) else match[0]
            found.append((name, " ".join(words.split())[:60]))
    compact = re.sub(r"[^a-z]", "", lowered.translate(_CONFUSABLES).translate(_LEET))
    if not any(kind.startswith("asks to ignore") for kind, _ in found) and any(
        phrase in compact for phrase in _COMPACT
    ):
        found.append(("asks to ignore the instructions (disguised)", ""))

    for match in ADDRESS.finditer(plain):
        if colleagues and registered(match[0].rpartition("@")[2]) == registered(colleagues):
            continue
        before, after = plain[max(0, match.start() - 60) : match.start()], plain[match.end() :]
        if send_verb.search(before) or _COPY_AFTER.match(after[:30]):
            found.append(("asks to send to another address", match.group(0)))
    return found
