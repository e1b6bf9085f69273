"""The new text of a reply: quoted history, forwarded blocks and signatures taken off."""

from __future__ import annotations

import re

from assistant.language import alternatives, entries

MAX_BODY_CHARS = 200_000
_SIGNOFF_TAIL_LINES = 9
# A full business card (address, phones, web, register) under a closing runs longer.
_SIGNOFF_CARD_LINES = 20
_SIGNOFF_TAIL_WIDTH = 80

_VERBS = alternatives("reply.verbs")
# The verb ends the line ("X wrote:") or comes before the name ("Am … schrieb X <x@y>:").
_VERB = re.compile(rf"(?<!\w)(?:{_VERBS})(?!\w)", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"(?::|：|-{2,})\s*-*\s*$")
# "2020年4月3日(金) 12:32 Someone <someone@example.com>:" has no verb at all: a dated
# line naming an address in angle brackets and ending in a colon, right above `>` quotes.
_DATED_ADDRESS = re.compile(r"\d.*<[^<>\s]+@[^<>\s]+>\s*[:：]\s*$")
_NAME_AFTER_VERB = 200
# Every language's opening words, and what opens an attribution in any language: "D." and a date.
_ATTRIBUTION_START = re.compile(
    rf"^\s*(?:-+\s*)?(?:{alternatives('reply.attribution_start')}|D\.|"
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|"
    r"\d{1,2}\.? \w+ \d{4})\b",
    re.IGNORECASE,
)
# "Somebody wrote:" with the quoted text unmarked below it; a sentence ending in "wrote:" is not.
_SHORT_ATTRIBUTION = re.compile(rf"^[A-ZÀ-Þ][\w.'-]*(?:\s+[A-ZÀ-Þ][\w.'-]*)?\s+(?:{_VERBS}):$")
_HAS_DETAIL = re.compile(r"@|\d")
_SEPARATOR = re.compile(
    rf"^\s*[-_=*]{{2,}}\s*(?:{alternatives('reply.separator')})\s*[-_=*]*\s*$|"
    rf"^\s*(?:{alternatives('reply.forward_opening')})\s*:\s*$|"
    # Notes wraps a long "----- Forwarded by … on 04/04/2001" line before its closing dashes.
    rf"^\s*-{{3,}}\s*(?:{alternatives('reply.forwarded_by')}) .{{1,120}}(?:-{{3,}})?\s*$|"
    rf"^\s*(?:{alternatives('reply.attribution_line')})\s*$|"
    rf"^\s*(?:{alternatives('reply.processed_by')}) .{{1,60}}$",
    re.IGNORECASE,
)
_RULE_MARKS = r"_{5,}|-{5,}|={5,}|\*{5,}"
_RULE = re.compile(rf"^\s*(?:{_RULE_MARKS})\s*$")
# A rule drawn with dashes, bars or box lines ("———", "───") above a footer or a card.
_WIDE_RULE = re.compile(rf"^\s*(?:{_RULE_MARKS}|[—–─━]{{3,}})\s*$")
_FOOTER_LINES = 6
_FROM_NAMES = alternatives("reply.from_labels")
_OTHER_NAMES = alternatives("reply.header_labels")
_FIELD_LABEL = rf"\*?\s*(?:(?P<from>{_FROM_NAMES})|{_OTHER_NAMES})\s*\*?\s*[:：]"
_FIELD_LINE = re.compile(rf"^\s*{_FIELD_LABEL}", re.IGNORECASE)
# Lotus/IBM Notes and some webmails set the label apart by a tab or spaces, not a colon.
_TAB_FIELD_LINE = re.compile(
    rf"^\s*(?:(?P<from>{_FROM_NAMES})|{alternatives('reply.tab_labels')})(?:\t+| {{2,}})\S",
    re.IGNORECASE,
)
# Inside a block a From field opened, a label and one space ("An x@y", "Betreff Offer"):
# what a Notes reply's header table leaves when its HTML becomes text.
_BARE_FIELD_LINE = re.compile(rf"^\s*(?:{alternatives('reply.tab_labels')}) \S", re.IGNORECASE)
# Notes' line above that table: "Sam Smith --- Offer ---".
_NOTES_TITLE = re.compile(r"^\s*\S.{0,120}\s---\s.{0,200}---\s*$")
_INLINE_LABEL = re.compile(rf"(?:^|\s){_FIELD_LABEL}\s", re.IGNORECASE)
_FIELD_LIKE = re.compile(r"^\s*[\w'][\w' ]{1,24}\s?:\s*\S.{0,60}$")
_DASHES_SIGNATURE = re.compile(r"^--\s*$|^__\s*$")
# "Sent from my iPhone" is a short tag on its own line; "Sent from my desk, is easier …" is a
# sentence.
_DEVICE_SIGNATURE = re.compile(rf"^\s*(?:{alternatives('reply.device_signature')})", re.IGNORECASE)
_SIGNOFF_WORDS = f"(?:{alternatives('reply.signoff')})"
# Two closings joined ("Danke und Gruß", "Thanks & regards", "Kiitos ja terveisin") and a
# place after them ("Beste Grüße aus Berlin").
_JOINED = rf"(?:\s*[/&+]\s*|\s+(?:{alternatives('reply.signoff_joiner')})\s+)"
_PLACE = rf"(?:\s+(?:{alternatives('reply.signoff_place')})\s+[\w-]+(?:\s[\w-]+)?)?"
_SIGNOFF = re.compile(
    rf"^\s*{_SIGNOFF_WORDS}(?:{_JOINED}{_SIGNOFF_WORDS})?{_PLACE}"
    r"(?:\s*[,.!:;。！、]*|\s*[,!–-]+\s*[\w.'-]+(?:\s[\w.'-]+)?|\s+[\w.'-]+)\s*$",
    re.IGNORECASE,
)
# "-Maarten de Jong", "/B", "– J", "—Sam": a dash or a slash and a name or initials.
_DASH_SIGNOFF = re.compile(
    r"^\s*(?:-{1,2}|–|—|/)\s*(?-i:[A-ZÀ-ÖØ-Þ])[\w'.]*"
    r"(?:\s+(?:(?-i:[A-ZÀ-ÖØ-Þ])[\w'.-]*|van|von|de|der|den|da|di|du|le|la|ten|ter)){0,3}\s*$"
)
_BULLET = re.compile(r"^\s*(?:[-–—*•/]|\d{1,2}[.)])\s*\S")
_CLOSING_WORDS = 3
_DASH_CARD_LINES = 2
_POSTSCRIPT = re.compile(r"^\s*(?:P\.?\s?P?\.?\s?S\b|\[(?:\*|\d{1,2})\]\s)", re.IGNORECASE)
# A lone name closing the message ("John.", "Michael Scott"), not a one-word answer.
_NAME_LINE = re.compile(r"^-?\s*[A-ZÀ-ÖØ-Þ][\w'.-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'.-]*){0,2}[.,]?$")
_NOT_NAMES = frozenset(entries("reply.not_names"))
_CONTACT = re.compile(
    r"\+?\d[\d\s().-]{6,}\d|www\.|https?://|\s\|\s|@|^\s*(?:p|t|m|f|tel|phone|mobile|fax)\s*[:.]",
    re.IGNORECASE,
)
_CARD_MAX_LINES = 6
_DISCLAIMER = re.compile(
    rf"^\s*(?:{alternatives('reply.disclaimer_title')}|"
    rf"(?:{alternatives('reply.disclaimer_opening')})\s.{{0,80}}"
    rf"(?:{alternatives('reply.disclaimer_word')}))",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.?!]\s*$")
_IMAGE_PLACEHOLDER = re.compile(r"^\s*\[(?:cid:|image:)[^\]]*\]\s*$", re.IGNORECASE)
_BLANKS = re.compile(r"\n{3,}")
# What an organisation's mail server puts above mail from outside: "[EXTERNAL]" on a line of
# its own, or a warning paragraph ("CAUTION: This email originated from outside …").
_EXTERNAL_TAG = re.compile(
    rf"^\s*[\[(*]*\s*(?:{alternatives('reply.external_tag')})\s*[\])*]*\s*:?\s*$", re.IGNORECASE
)
_EXTERNAL_NOTICE = re.compile(
    rf"^\W{{0,4}}(?:{alternatives('reply.external_notice')})", re.IGNORECASE
)
_BANNER_LINES = 8


def _quoted(line: str) -> bool:
    """Whether a line is `>`-quoted (read once per line of every reply: no pattern needed)."""
    return line.lstrip().startswith(">")


def _quote_follows(lines: list[str], start: int) -> bool:
    """Whether the next non-blank line from `start` is a `>` quote."""
    for line in lines[start : start + 4]:
        if line.strip():
            return bool(_quoted(line))
    return False


def _ends_with_verb(joined: str) -> bool:
    """Whether a verb of writing comes at most a name's length before the end."""
    verbs = list(_VERB.finditer(joined))
    return bool(verbs) and len(joined) - verbs[-1].end() <= _NAME_AFTER_VERB


def _is_attribution(lines: list[str], i: int) -> int:
    """How many lines starting at `i` form an attribution ("On … wrote:"), else 0."""
    window = lines[i : i + 3]
    if not any(":" in line or "--" in line for line in window):
        return 0
    first = lines[i].strip()
    starts = bool(_ATTRIBUTION_START.match(first))
    joined = ""
    for span in range(1, 4):
        if i + span > len(lines):
            return 0
        raw = lines[i + span - 1]
        line = raw.strip()
        if not line or _quoted(raw):
            return 0
        joined = f"{joined} {line}".strip()
        if len(joined) > 400:
            return 0
        if _DATED_ADDRESS.search(joined) and _quote_follows(lines, i + span):
            return span
        if _ATTRIBUTION_END.search(line) and _ends_with_verb(joined):
            if span == 1 and _SHORT_ATTRIBUTION.match(line):
                return 1
            detail = _HAS_DETAIL.search(joined)
            first_counts = span == 1 or starts or _HAS_DETAIL.search(first)
            if detail and first_counts and (starts or len(joined) < 200):
                return span
            return 0
        if _SENTENCE_END.search(line):
            return 0
    return 0


def _header_run(lines: list[str], i: int) -> tuple[int, bool]:
    """How many contiguous header fields start at `i`, and whether one is a From field."""
    count, has_from, j = 0, False, i
    while j < len(lines):
        match = _FIELD_LINE.match(lines[j]) or _TAB_FIELD_LINE.match(lines[j])
        if match:
            count += 1
            has_from = has_from or bool(match.group("from"))
        elif has_from and _BARE_FIELD_LINE.match(lines[j]):
            count += 1
        elif has_from and _wrapped_field(lines, j):
            pass  # "<notifications6+…@inst" / "ructure.com>": a long field wrapped by the client
        elif not (count == 1 and has_from and lines[j].strip() and "@" in lines[j]):
            break
        j += 1
    return count, has_from


def _wrapped_field(lines: list[str], j: int) -> bool:
    """Whether line `j` continues the field above it: a header field follows within two lines."""
    if not lines[j].strip() or _SENTENCE_END.search(lines[j]):
        return False
    for k in (j + 1, j + 2):
        if k < len(lines) and (_FIELD_LINE.match(lines[k]) or _TAB_FIELD_LINE.match(lines[k])):
            return True
    return False


def _is_header_block(lines: list[str], i: int) -> bool:
    """A quoted or forwarded header block: From, Sent, To, Subject … in a run or on one line."""
    if not (_FIELD_LINE.match(lines[i]) or _TAB_FIELD_LINE.match(lines[i])):
        return False
    count, has_from = _header_run(lines, i)
    if count >= 3 and has_from:
        return True
    labels = list(_INLINE_LABEL.finditer(lines[i]))
    return len(labels) >= 3 and any(m.group("from") for m in labels)


def _block_top(lines: list[str], i: int) -> int:
    """Where a header block's preamble starts: a rule line and a "Message du :" line above it."""
    top = i
    if top > 0 and _FIELD_LIKE.match(lines[top - 1]) and not _is_header_block(lines, top - 1):
        top -= 1
    elif top > 0 and _NOTES_TITLE.match(lines[top - 1]):
        return top - 1
    back = top - 1
    while back >= 0 and not lines[back].strip():
        back -= 1
    return back if back >= 0 and _RULE.match(lines[back]) else top


def _quote_start(lines: list[str]) -> tuple[int, int] | None:
    """Index of the first line of quoted history and the length of its header, if any."""
    for i, line in enumerate(lines):
        if not line.strip() or _quoted(line):
            continue
        if _SEPARATOR.match(line):
            return i, 1
        if _is_header_block(lines, i):
            top = _block_top(lines, i)
            return top, i - top
        span = _is_attribution(lines, i)
        if span:
            return i, span
    return None


def _inline_tail(lines: list[str], start: int) -> list[str]:
    """Text written between and after `>`-quoted lines below an attribution (inline replies)."""
    j = start
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines) or not _quoted(lines[j]):
        return []
    tail: list[str] = []
    state = "quote"
    for k in range(j, len(lines)):
        line = lines[k]
        if _quoted(line):
            state = "quote"
        elif not line.strip():
            state = "blank"
            tail.append(line)
        elif state == "quote":
            continue  # a wrapped line of the quote above it
        elif _SEPARATOR.match(line) or _is_header_block(lines, k) or _is_attribution(lines, k):
            break
        else:
            state = "text"
            tail.append(line)
    return tail if any(line.strip() for line in tail) else []


def _interleaved(lines: list[str]) -> bool:
    """Whether quoted lines sit between lines of new text (answers written inline)."""
    kinds = [bool(_quoted(line)) for line in lines if line.strip()]
    first_text = kinds.index(False) if False in kinds else len(kinds)
    return any(kinds[first_text:]) and not all(kinds[first_text:][-1:])


def _drop_quotes(lines: list[str]) -> tuple[list[str], bool]:
    """The lines of a reply without its quoted history, and whether it answered inline."""
    found = _quote_start(lines)
    if found is None:
        return [line for line in lines if not _quoted(line)], _interleaved(lines)
    start, header = found
    before = lines[:start]
    if any(line.strip() and not _quoted(line) for line in before):
        kept = [line for line in before if not _quoted(line)]
        tail = _inline_tail(lines, start + header)
        answered = any(line.strip() for line in _before_delimiter(tail))
        return kept + tail, answered or _interleaved(before)
    after = lines[start + header :]
    if not any(_quoted(line) for line in after):
        return [], False
    return [line for line in after if not _quoted(line)], _interleaved(after)


def _is_card_line(line: str) -> bool:
    """A line of a signature card (name, title, company, phone), not a sentence."""
    words = len(line.split())
    if len(line) > _SIGNOFF_TAIL_WIDTH or words > 10 or line.endswith("?"):
        return False
    return not (_SENTENCE_END.search(line) and words > 4)


def _cut_signoff(lines: list[str]) -> list[str]:
    """Cut a closing sign-off and the short card lines under it."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    for i in content:
        if not _SIGNOFF.match(lines[i]):
            continue
        rest = [lines[j].strip() for j in content if j > i]
        short = len(rest) <= _SIGNOFF_TAIL_LINES
        card = len(rest) <= _SIGNOFF_CARD_LINES and bool(_CONTACT.search(" ".join(rest)))
        if i != content[0] and (short or card) and all(map(_is_card_line, rest)):
            return lines[:i]
    return lines


def _cut_card(lines: list[str]) -> list[str]:
    """Cut a trailing contact card (name, title, phone, web) written without a sign-off."""
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and end - start < _CARD_MAX_LINES:
        line = lines[start - 1].strip()
        if not line or not _is_card_line(line) or line.endswith(":"):
            break
        start -= 1
    card = lines[start:end]
    above = [line.strip() for line in lines[:start] if line.strip()]
    if not card or not above or not _CONTACT.search(" ".join(card)):
        return lines
    # One line of words around a link or a number ("Here's a link http://…") is a sentence,
    # not a card; one with an address is a card's or a quote's header line.
    if len(card) == 1 and "@" not in card[0] and len(_CONTACT.sub(" ", card[0]).split()) > 2:
        return lines
    if start > 0 and (not lines[start - 1].strip() or _SENTENCE_END.search(above[-1])):
        return lines[:start]
    return lines


def _cut_name(lines: list[str]) -> list[str]:
    """Cut a lone closing name under the last sentence."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    if len(content) < 2:
        return lines
    last = lines[content[-1]].strip()
    if not _NAME_LINE.match(last) or last.lower().strip("-., ") in _NOT_NAMES:
        return lines
    above = lines[content[-2]].strip()
    # Under a greeting alone ("Hej," / "Svar."), the last line is the message itself.
    if len(content) == 2 and above.endswith(",") and not _SIGNOFF.match(above):
        return lines
    if content[-1] - content[-2] > 1 or _SENTENCE_END.search(above) or above.endswith(","):
        return lines[: content[-1]]
    return lines


def _cut_dash_signoff(lines: list[str]) -> list[str]:
    """Cut a last line of a dash or slash and a name, unless it ends a list of items, and
    a short closing of the writer's own above it ("Happy hacking," / "-Carl")."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    # The name may have a line or two of its card under it ("--Geoff Smith" / "Acme, LLC").
    for under in range(min(_DASH_CARD_LINES, len(content) - 2) + 1):
        at = len(content) - 1 - under
        card = [lines[i] for i in content[at + 1 :]]
        if (
            _DASH_SIGNOFF.match(lines[content[at]])
            and not any(map(_BULLET.match, card))
            and all(_is_card_line(line.strip()) for line in card)
        ):
            break
    else:
        return lines
    if at < 1 or _BULLET.match(lines[content[at - 1]]):
        return lines
    above = lines[content[at - 1]].strip()
    closing = len(above.split()) <= _CLOSING_WORDS and above.endswith(",")
    if at > 1 and closing and not lines[content[at - 1] - 1].strip():
        return lines[: content[at - 1]]
    return lines[: content[at]]


def _postscript(lines: list[str]) -> int | None:
    """Where a postscript or a footnote under the sign-off starts ("PS. …", "[*] …")."""
    for i in range(1, len(lines)):
        if not lines[i - 1].strip() and _POSTSCRIPT.match(lines[i]):
            return i
    return None


def _cut_closing(lines: list[str]) -> list[str]:
    """Cut a sign-off and a card, or a dash and a name, at the end of `lines`."""
    named = _cut_dash_signoff(lines)
    if len(named) < len(lines):
        # What stood above the name is the writer's own text, a link included.
        return _cut_signoff(named)
    return _cut_card(_cut_signoff(lines))


def _is_footer(below: list[str]) -> bool:
    """Whether the lines under a rule are a footer or a card: a few short lines that are no
    sentences, with a contact detail (a list's address and page) or of two lines or fewer."""
    rest = [line.strip() for line in below if line.strip()]
    if not rest or len(rest) > _FOOTER_LINES or not all(map(_is_card_line, rest)):
        return False
    if _CONTACT.search(" ".join(rest)):
        return True
    return len(rest) <= 2 and not any(_SENTENCE_END.search(line) for line in rest)


def _before_delimiter(lines: list[str]) -> list[str]:
    """The lines above a signature delimiter, a device line, a disclaimer, or a rule with a
    footer under it (a mailing list's, a card's)."""
    for i, line in enumerate(lines):
        if _DASHES_SIGNATURE.match(line) or _DEVICE_SIGNATURE.match(line):
            return lines[:i]
        if i > 0 and _DISCLAIMER.match(line):
            return lines[:i]
        if i > 0 and _WIDE_RULE.match(line) and _is_footer(lines[i + 1 :]):
            return lines[:i]
    return lines


def _drop_signature(lines: list[str], *, inline: bool = False) -> list[str]:
    """Cut at a signature delimiter, a device line, a disclaimer, a sign-off, a card or a name."""
    lines = _before_delimiter(lines)
    while lines and (_RULE.match(lines[-1]) or not lines[-1].strip()):
        lines = lines[:-1]
    # A postscript under the sign-off is the writer's text: the closing above it goes.
    ps = _postscript(lines)
    if ps is not None:
        above = _cut_closing(lines[:ps])
        if len(above) < ps:
            return [*above, "", *lines[ps:]]
    kept = _cut_closing(lines)
    # Below inline answers a short last line is an answer ("Dynamics."), not a name.
    return kept if inline else _cut_name(kept)


def _drop_banner(lines: list[str]) -> list[str]:
    """The lines without a mail server's external-sender tags and warnings at the top."""
    top = 0
    while top < len(lines):
        if not lines[top].strip() or _EXTERNAL_TAG.match(lines[top]):
            top += 1
        elif _EXTERNAL_NOTICE.match(lines[top]):
            end = top + 1
            while end < len(lines) and end - top < _BANNER_LINES and lines[end].strip():
                end += 1
            top = end
        else:
            break
    return lines[top:]


def new_text(body: str) -> str:
    """What the sender wrote in this message, without quoted history or signature."""
    text = body[:MAX_BODY_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    lines = [
        line for line in text.split("\n") if "[" not in line or not _IMAGE_PLACEHOLDER.match(line)
    ]
    unquoted, inline = _drop_quotes(_drop_banner(lines))
    kept = _drop_signature(unquoted, inline=inline)
    return _BLANKS.sub("\n\n", "\n".join(line.rstrip() for line in kept)).strip()
