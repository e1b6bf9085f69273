"""Checks on a finished draft and on the lead text behind it; each failure is a flag for the rep.

Pure functions over plain data. The pipeline runs `check_draft` (or `apply_checks`) on the
output of every drafter; the Anthropic drafter also uses `draft_flags` to ask the model once
more. Flags are never fixes: a flagged draft still reaches the rep, flags and all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date

from assistant.llm.base import ContentBrief, DraftRequest, DraftResult
from assistant.llm.injection import lead_flags, lead_texts
from assistant.mail.signs import ADDRESS, INVISIBLE, LEAD_INSTRUCTS

# Quoting the lead's question back (the offline drafter quotes up to 22 words) is fine;
# this many words in a row is pasting their text into ours.
COPY_RUN_WORDS = 25

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'`\])]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|ai|app|dev|info|biz|test|example)\b(?:/[^\s<>\"'`\])]*)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
_PLACEHOLDER = re.compile(r"\[[A-Z][A-Za-z _-]{1,30}\]|\{\{?\s*[A-Za-z_]+\s*\}\}?")

_MONTHS = {
    "January": 1, "February": 2, "March": 3, "April": 4, "May": 5, "June": 6, "July": 7,
    "August": 8, "September": 9, "October": 10, "November": 11, "December": 12,
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9,
    "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# Month names are matched capitalised only, so that the verb "may" is not a date.
_DATES = (
    re.compile(rf"\b(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH})\b"),
    re.compile(r"\b\d{4}-(?P<month>\d{2})-(?P<day>\d{2})\b"),
    re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.]\d{2,4}\b"),
)
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<currency>[$€£¥]\s?)?(?P<value>\d+(?:[.,]\d+)*)"
    r"(?P<unit>\s?(?:%|percent\b|per cent\b|x\b|k\b|m\b|bn\b|million\b|billion\b|thousand\b))?",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_CLOCK = re.compile(
    r"(?<![\d.,])\d{1,2}(?::\d{2}\s?(?:am|pm|a\.m\.|p\.m\.)?|\s?(?:am|pm|a\.m\.|p\.m\.)"
    r"|\s?h(?:\s?\d{2})?\b|\s?uhr\b)(?![\d.,]\d)",
    re.IGNORECASE,
)


HIDDEN_REMOVED = "invisible characters removed from the draft"
_STRIPPED = re.compile(
    "[\u200b\u2060\u180e\ufeff\u00ad\u200e\u200f\u061c\u2061-\u2064\ufff9-\ufffb"
    "\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]"
)
_JOINER_BESIDE_ASCII = re.compile(r"(?<=[\x00-\x7f])[\u200c\u200d]+|[\u200c\u200d]+(?=[\x00-\x7f])")


# Flags a rep must acknowledge before approving: someone may be steering the draft.
ACKNOWLEDGE = (
    LEAD_INSTRUCTS,
    "model: lead text tried to give instructions",
    "link not from library or thread",
    "address not from our records or thread",
    "hidden characters in draft",
)


def needs_acknowledgement(flags: Iterable[str]) -> list[str]:
    """The flags that make an approval wait for an explicit acknowledgement."""
    return [flag for flag in flags if flag.startswith(ACKNOWLEDGE)]


@dataclass(frozen=True)
class Allowlists:
    urls: frozenset[str]
    addresses: frozenset[str]


def allowlists(request: DraftRequest, library: Iterable[ContentBrief] = ()) -> Allowlists:
    """The links and addresses a draft may contain: the library's, the thread's and our own."""
    lead = request.lead
    texts = [
        *_thread_texts(request),
        lead.company,
        request.rep.signature,
        *request.tone.required_lines,
    ]
    urls = {item.url for item in library if item.url}
    if request.content and request.content.url:
        urls.add(request.content.url)
    for text in texts:
        urls.update(match.group(0) for match in _URL.finditer(text))
    addresses = {request.rep.email, request.lead.email}
    # The colleagues the reading found on Cc or in a signature: the lead gave them to us.
    addresses.update(email for _, email in request.referred)
    for text in texts:
        addresses.update(ADDRESS.findall(text))
    return Allowlists(
        urls=frozenset(_url_key(url) for url in urls),
        addresses=frozenset(address.lower() for address in addresses if address),
    )


def check_draft(
    result: DraftResult,
    request: DraftRequest,
    *,
    allowed_urls: Collection[str],
    allowed_addresses: Collection[str],
    library: Collection[ContentBrief] = (),
) -> list[str]:
    """Every flag for this draft: what is wrong with the text, then what the lead text tried."""
    flags = draft_flags(
        result,
        request,
        allowed_urls=allowed_urls,
        allowed_addresses=allowed_addresses,
        library=library,
    )
    return [*flags, *lead_flags(request)]


def apply_checks(
    result: DraftResult,
    request: DraftRequest,
    *,
    allowed_urls: Collection[str],
    allowed_addresses: Collection[str],
    library: Collection[ContentBrief] = (),
) -> DraftResult:
    """The result without invisible characters, with the flags of `check_draft` added once."""
    clean = replace(
        result, subject=strip_invisible(result.subject), body=strip_invisible(result.body)
    )
    found = check_draft(
        clean,
        request,
        allowed_urls=allowed_urls,
        allowed_addresses=allowed_addresses,
        library=library,
    )
    if (clean.subject, clean.body) != (result.subject, result.body):
        found.append(HIDDEN_REMOVED)
    return replace(clean, flags=list(dict.fromkeys([*result.flags, *found])))


def strip_invisible(text: str) -> str:
    """Text without characters a reader cannot see: tags, zero-width, direction controls.

    A joiner between two non-Latin characters stays: emoji sequences and some scripts need it.
    """
    return _JOINER_BESIDE_ASCII.sub("", _STRIPPED.sub("", text))


def draft_flags(
    result: DraftResult,
    request: DraftRequest,
    *,
    allowed_urls: Collection[str],
    allowed_addresses: Collection[str],
    library: Collection[ContentBrief] = (),
) -> list[str]:
    """What is wrong with the draft itself: the failures a new draft could fix."""
    text = f"{result.subject}\n{result.body}"
    flags: list[str] = []
    allowed_url_keys = {_url_key(url) for url in allowed_urls}
    # An address's domain is not a link; addresses are checked on their own below.
    for url in dict.fromkeys(match.group(0) for match in _URL.finditer(ADDRESS.sub(" ", text))):
        if _url_key(url) not in allowed_url_keys:
            flags.append(f"link not from library or thread: {_trim(url)}")
    allowed = {address.lower() for address in allowed_addresses}
    for address in dict.fromkeys(ADDRESS.findall(text)):
        if address.lower() not in allowed:
            flags.append(f"address not from our records or thread: {address}")

    words = _word_count(result.body, request.rep.signature, request.tone.required_lines)
    if words > request.tone.max_words:
        flags.append(f"too long: {words} words (max {request.tone.max_words})")
    folded = _fold(text)
    for phrase in request.tone.banned_phrases:
        if re.search(rf"(?<!\w){re.escape(_fold(phrase))}(?!\w)", folded):
            flags.append(f"banned phrase: '{phrase}'")
    body = _squash(result.body)
    for line in request.tone.required_lines:
        if _squash(line) not in body:
            flags.append(f"missing required line: {line}")

    expected = request.content.slug if request.content else None
    held = result.content_held and result.content_slug is None
    if result.content_slug != expected and not held:
        flags.append(
            f"content differs from the chosen one: {result.content_slug or 'none'}"
            f" instead of {expected or 'none'}"
        )
    if request.content and not held and not _mentions(text, request.content):
        flags.append("chosen content not mentioned")

    flags.extend(_unsupported_facts(text, request, library))
    if _copies(result.body, lead_texts(request)):
        flags.append("copies lead text")
    for placeholder in dict.fromkeys(_PLACEHOLDER.findall(result.body)):
        flags.append(f"unfilled placeholder: {placeholder}")
    if INVISIBLE.search(text):
        flags.append("hidden characters in draft")
    return flags


def _thread_texts(request: DraftRequest) -> list[str]:
    texts = [request.subject, *(f"{turn.subject}\n{turn.text}" for turn in request.thread)]
    return [*texts, request.latest_reply or ""]


def _url_key(url: str) -> str:
    """Scheme, case of the host and a trailing slash or full stop do not make a link different."""
    url = _trim(url)
    url = re.sub(r"^https?://", "", url, flags=re.IGNORECASE)
    host, slash, rest = url.partition("/")
    return (host.lower() + slash + rest).rstrip("/")


def _trim(url: str) -> str:
    return url.rstrip(".,;:!?'\"")


def _word_count(body: str, signature: str, required: Iterable[str] = ()) -> int:
    """Words of the body alone: the signature and the team's required lines do not count."""
    for fixed in (signature, *required):
        if fixed.strip() and fixed.strip() in body:
            body = body.replace(fixed.strip(), " ")
    return len(body.split())


def _fold(text: str) -> str:
    """Case, width, curly quotes and runs of spaces do not hide a banned phrase."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    return " ".join(text.lower().split())


def _squash(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def _mentions(text: str, content: ContentBrief) -> bool:
    lowered = text.lower()
    urls = {_url_key(match.group(0)) for match in _URL.finditer(text)}
    return (
        (bool(content.url) and _url_key(content.url) in urls)
        or (bool(content.title.strip()) and content.title.strip().lower() in lowered)
        or (bool(content.attachment) and str(content.attachment).lower() in lowered)
    )


def _unsupported_facts(
    text: str, request: DraftRequest, library: Collection[ContentBrief]
) -> list[str]:
    """Numbers and calendar dates in the draft that nothing in the thread or library holds."""
    sources = "\n".join(_fact_sources(request, library))
    known_dates = set(_date_keys(sources)) | {
        (turn.at.month, turn.at.day) for turn in request.thread if turn.at
    }
    if request.resumes_on:
        resumes = date.fromisoformat(request.resumes_on)
        known_dates.add((resumes.month, resumes.day))
    known_numbers = {_number_key(m.group(0)) for m in _DIGITS.finditer(sources)}

    flags: list[str] = []
    # Links and addresses are checked on their own; their digits are not claims.
    text = _URL.sub(" ", ADDRESS.sub(" ", text))
    for match, keys in _dates(text):
        if not keys & known_dates:
            flags.append(f"date not found in thread or library: {match.group(0)}")
    text = "".join(_blank_dates(text))
    # A time of day offered for a call ("Tuesday at 13:00", "jeudi à 10 h") is no claim.
    text = _CLOCK.sub(" ", text)
    for match in _NUMBER.finditer(text):
        value, unit, currency = match.group("value"), match.group("unit"), match.group("currency")
        if not unit and not currency and len(value.replace(",", "").replace(".", "")) < 2:
            continue  # "3 ideas", "1 minute": small counts are wording, not claims
        if _number_key(value) not in known_numbers:
            flags.append(f"number not found in thread or library: {match.group(0).strip()}")
    return list(dict.fromkeys(flags))


def _fact_sources(request: DraftRequest, library: Collection[ContentBrief]) -> Iterator[str]:
    yield from _thread_texts(request)
    lead, rep = request.lead, request.rep
    yield from (lead.name, lead.company, lead.title, rep.name, rep.signature)
    yield from request.tone.required_lines
    items = [*library, *([request.content] if request.content else [])]
    for item in items:
        yield from (item.title, item.url, item.summary, item.key_points, item.reason, item.when)


def _dates(text: str) -> Iterator[tuple[re.Match[str], set[tuple[int, int]]]]:
    for pattern in _DATES:
        for match in pattern.finditer(text):
            yield match, _match_keys(match)


def _date_keys(text: str) -> Iterator[tuple[int, int]]:
    for _, keys in _dates(text):
        yield from keys


def _match_keys(match: re.Match[str]) -> set[tuple[int, int]]:
    groups = match.groupdict()
    if groups.get("a"):
        # 03/04/2026 is March 4 or April 3 depending on the writer; accept either reading.
        a, b = int(groups["a"]), int(groups["b"])
        return {(a, b), (b, a)}
    month = groups["month"]
    return {(_MONTHS[month] if month in _MONTHS else int(month), int(groups["day"]))}


def _blank_dates(text: str) -> Iterator[str]:
    """The text with every date replaced by spaces, so its day is not checked again as a number."""
    spans = sorted(match.span() for match, _ in _dates(text))
    position = 0
    for start, end in spans:
        if start >= position:
            yield text[position:start] + " " * (end - start)
            position = end
    yield text[position:]


def _number_key(value: str) -> str:
    return value.replace(",", "").rstrip(".")


def _copies(body: str, texts: Iterable[str]) -> bool:
    runs: set[tuple[str, ...]] = set()
    for text in texts:
        words = _WORD.findall(text.lower())
        runs.update(_runs(words))
    return any(run in runs for run in _runs(_WORD.findall(body.lower())))


def _runs(words: list[str]) -> Iterator[tuple[str, ...]]:
    for start in range(len(words) - COPY_RUN_WORDS + 1):
        yield tuple(words[start : start + COPY_RUN_WORDS])
