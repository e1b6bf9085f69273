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

from assistant.llm.base import ContentBrief, DraftRequest, DraftResult

LEAD_INSTRUCTS = "lead text tries to instruct the model"
# Quoting the lead's question back (the offline drafter quotes up to 22 words) is fine;
# this many words in a row is pasting their text into ours.
COPY_RUN_WORDS = 25

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'`\])]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|ai|app|dev|info|biz|test|example)\b(?:/[^\s<>\"'`\])]*)?",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[\w.+'-]+@(?:[\w-]+\.)+[\w-]{2,}")
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
    for text in texts:
        addresses.update(_ADDRESS.findall(text))
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
    """The result with the flags of `check_draft` added; flags it already carries stay once."""
    found = check_draft(
        result,
        request,
        allowed_urls=allowed_urls,
        allowed_addresses=allowed_addresses,
        library=library,
    )
    return replace(result, flags=list(dict.fromkeys([*result.flags, *found])))


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
    for url in dict.fromkeys(match.group(0) for match in _URL.finditer(_ADDRESS.sub(" ", text))):
        if _url_key(url) not in allowed_url_keys:
            flags.append(f"link not from library or thread: {_trim(url)}")
    allowed = {address.lower() for address in allowed_addresses}
    for address in dict.fromkeys(_ADDRESS.findall(text)):
        if address.lower() not in allowed:
            flags.append(f"address not from our records or thread: {address}")

    words = _word_count(result.body, request.rep.signature)
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
    if result.content_slug != expected:
        flags.append(
            f"content differs from the chosen one: {result.content_slug or 'none'}"
            f" instead of {expected or 'none'}"
        )
    if request.content and not _mentions(text, request.content):
        flags.append("chosen content not mentioned")

    flags.extend(_unsupported_facts(text, request, library))
    if _copies(result.body, _lead_texts(request)):
        flags.append("copies lead text")
    for placeholder in dict.fromkeys(_PLACEHOLDER.findall(result.body)):
        flags.append(f"unfilled placeholder: {placeholder}")
    if _INVISIBLE.search(text):
        flags.append("hidden characters in draft")
    return flags


def lead_flags(request: DraftRequest) -> list[str]:
    """What the lead's own text tried to do to the model; a new draft cannot change these."""
    signals = list(
        dict.fromkeys(s for text in _lead_texts(request) for s in injection_signals(text))
    )
    return [f"{LEAD_INSTRUCTS}: {'; '.join(signals)}"] if signals else []


def _lead_texts(request: DraftRequest) -> list[str]:
    lead = request.lead
    texts = [lead.name, lead.company, lead.title, request.subject]
    for turn in request.thread:
        if turn.direction == "inbound":
            texts += [turn.subject, turn.text]
    if request.latest_reply:
        texts.append(request.latest_reply)
    return [text for text in texts if text]


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


def _word_count(body: str, signature: str) -> int:
    signature = signature.strip()
    if signature and signature in body:
        body = body.replace(signature, " ")
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
    known_numbers = {_number_key(m.group(0)) for m in _DIGITS.finditer(sources)}

    flags: list[str] = []
    # Links and addresses are checked on their own; their digits are not claims.
    text = _URL.sub(" ", _ADDRESS.sub(" ", text))
    for match, keys in _dates(text):
        if not keys & known_dates:
            flags.append(f"date not found in thread or library: {match.group(0)}")
    text = "".join(_blank_dates(text))
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
        yield from (item.title, item.url, item.summary, item.key_points, item.reason)


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


def _copies(body: str, lead_texts: Iterable[str]) -> bool:
    runs: set[tuple[str, ...]] = set()
    for text in lead_texts:
        words = _WORD.findall(text.lower())
        runs.update(_runs(words))
    return any(run in runs for run in _runs(_WORD.findall(body.lower())))


def _runs(words: list[str]) -> Iterator[tuple[str, ...]]:
    for start in range(len(words) - COPY_RUN_WORDS + 1):
        yield tuple(words[start : start + COPY_RUN_WORDS])


# --- injection signals -------------------------------------------------------------------

_ZERO_WIDTH = "\u200b\u2060\u180e\ufeff"
_JOINERS = "\u200c\u200d"  # legitimate inside emoji and some scripts; suspicious inside Latin words
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = re.compile(f"[{_ZERO_WIDTH}{_JOINERS}{_BIDI}\U000e0000-\U000e007f]")
_HIDDEN_LATIN_JOINER = re.compile(f"[A-Za-z][{_JOINERS}]+[A-Za-z]")
_CONFUSABLES = str.maketrans("аеорсухіѕјԁɡ", "aeopcyxisjdg")
_LEET = str.maketrans("013457@$", "oieastas")

_I = re.IGNORECASE
_SIGNALS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, _I | re.MULTILINE))
    for name, pattern in (
        (
            "asks to ignore the instructions",
            # "ignore the shipping instructions" is ordinary mail; "ignore all previous
            # instructions" is not: English needs a word pointing at someone else's rules.
            r"\b(?:ignore|disregard|forget|override|bypass|abandon|skip)\b(?:\s+\w+){0,3}?"
            r"\s+(?:all|any|previous|prior|above|earlier|preceding|your|system|original|initial"
            r"|former|existing|safety)\b(?:\s+\w+){0,3}?\s+"
            r"(?:instructions?|prompts?|rules|directives?|guidelines|guardrails|programming)\b"
            r"|\bforget (?:everything|all) (?:you|that) (?:were|was|have been) told\b"
            r"|\b(?:ignorier\w*|vergiss|vergessen sie|missachte\w*)\b[^.\n]{0,50}?"
            r"\b(?:anweisung\w*|instruktion\w*|regeln|vorgaben|befehl\w*)"
            r"|\b(?:ignore[rz]?|oublie[rz]?)\b[^.\n]{0,30}?\b(?:les|vos|ces|toutes)\b[^.\n]{0,20}?"
            r"\b(?:instructions?|consignes?|règles)"
            r"|\b(?:ignora\w*|olvida\w*|omite)\b[^.\n]{0,50}?\b(?:instrucciones|reglas|indicaciones)"
            r"|\b(?:ignora\w*|dimentica\w*)\b[^.\n]{0,50}?\b(?:istruzioni|regole)"
            r"|\b(?:ignore|esqueça|esqueca|desconsidere)\b[^.\n]{0,50}?"
            r"\b(?:instruções|instrucoes|regras)"
            r"|\b(?:negeer|vergeet)\b[^.\n]{0,50}?\b(?:instructies|regels|opdrachten)"
            r"|\b(?:ignorera|glöm|ignorer|glem)\b[^.\n]{0,50}?\b(?:instruktion\w*|instruks\w*|regler)"
            r"|\b(?:zignoruj|ignoruj|zapomnij)\b[^.\n]{0,50}?(?:instrukcj\w*|polece\w*|zasad\w*)"
            r"|(?:игнорируй|проигнорируй|забудь|не обращай внимания)[^.\n]{0,50}?"
            r"(?:инструкци|правил|указани)"
            r"|(?:talimat|kural)\w*[^.\n]{0,40}?(?:yok say|görmezden gel|unut)"
            r"|(?:忽略|无视|忘记|忽视|無視|忘記)[^。\n]{0,15}?(?:指令|指示|说明|規則|规则|提示)"
            r"|(?:指示|命令|ルール|プロンプト)[^。\n]{0,15}?(?:無視|忘れ)"
            r"|(?:지시|명령|지침|규칙)[^.\n]{0,15}?(?:무시|잊어)"
            r"|تجاهل[^.\n]{0,40}?(?:التعليمات|الأوامر)",
        ),
        (
            "asks for the prompt",
            r"\b(?:reveal|show|print|repeat|output|display|leak|dump|share)\b[^.\n]{0,30}?"
            r"\b(?:system prompt|your prompt|your instructions|the prompt|hidden instructions"
            r"|initial instructions|the text above|everything above)"
            r"|\bsystem ?prompt\b|prompt (?:système|del sistema|do sistema)|systemanweisung",
        ),
        (
            "gives the model a new role",
            r"\byou are now (?:an? )?(?:dan|unrestricted|unfiltered|jailbroken|free of"
            r"|(?:different|new) (?:ai|assistant|model)"
            r"|(?:ai|assistant|model) (?:that|who|which|with))"
            r"|\bfrom now on,? you (?:will|must|are|should)"
            r" (?:ignore|only|always|respond|reply|answer)"
            r"|\bpretend (?:to be|you are|you're)\b|\bdeveloper mode\b|\bjailbreak"
            r"|\bdo anything now\b"
            r"|\b(?:enter|switch to|activate) (?:developer|god|admin|debug|unrestricted|dan) mode\b"
            r"|\bact as (?:an? )?(?:ai|assistant|model|system|admin)",
        ),
        (
            "speaks to the AI",
            r"\b(?:dear|hey|hi|hello|attention|note to|message (?:for|to)|instructions? (?:for|to))"
            r"\s+(?:the\s+)?(?:ai|llm|language model|chatbot|bot|chatgpt|gpt|model"
            r"|(?:ai|email|writing|virtual|automated) assistant)\b"
            r"|\bif you(?:'re| are) an? (?:ai|llm|language model|bot|chatbot|assistant|model)\b"
            r"|\b(?:ai|llm|bot|model|assistant)s? (?:reading|processing) this\b"
            r"|\b(?:the|your) (?:ai|bot|assistant|model) (?:that|which|who)"
            r" (?:writes|drafts|answers)"
            r"|\b(?:liebe|lieber|hallo|an die) (?:ki|ki-assistent\w*)\b"
            r"|\bchère ia\b|\bcher assistant\b"
            r"|\b(?:querida|querido|estimad[ao]|hola) (?:ia|asistente)\b|\b(?:cara|caro) ia\b"
            r"|дорогой (?:ии|ассистент|бот)|亲爱的(?:ai|人工智能|助手)|aiアシスタント",
        ),
        (
            "claims to bring new instructions",
            r"\b(?:new|updated|revised|important|urgent|priority|hidden|secret|additional|real)"
            r"\s+(?:instructions?|directives?)\s*:|\bsystem (?:message|override|instructions?)\s*:"
            r"|(?:^|[\[\-=*#(])\s*(?:end of|begin|start of) (?:the )?"
            r"(?:email|message|user input|lead message|prompt)\s*(?:[\]\-=*#):]|$)"
            r"|\bneue anweisung|\bnouvelles instructions\b|\bnuevas instrucciones\b"
            r"|\bnuove istruzioni\b|\bnovas instruções\b|\bnieuwe instructies\b"
            r"|新的指令|新しい指示",
        ),
        (
            "dictates the draft",
            r"\b(?:respond|reply|answer) only with\b|\boutput only\b|\b(?:say|write) exactly\b"
            r"|\b(?:in|at the (?:end|start) of) your (?:draft|output|generated \w+),?\s+"
            r"(?:include|add|insert|put|write|say|mention|append|state)\b"
            r"|\b(?:include|add|insert|append|embed)\b[^.\n]{0,30}?"
            r"\b(?:this|the following|following)\s+(?:link|url|hyperlink)",
        ),
        (
            "fake role or delimiter tag",
            r"<\s*/?\s*(?:system|assistant|human|instructions?|prompt|lead_message|rep_message|thread"
            r"|lead_profile|chosen_content|content_library|rep_instruction|admin|developer)\b[^>]*>"
            r"|\[/?(?:inst|sys|system|admin)\]|<<\s*sys\s*>>|<\|[a-z_]+\|>"
            r"|^[\s>]*(?:system|assistant|human|developer)\s*:"
            r"|^#{2,}\s*(?:system|(?:new )?instructions?)\b",
        ),
        (
            "hidden text",
            r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em)?\b"
            r"|opacity\s*:\s*0(?:\.0+)?\b|color\s*:\s*(?:#fff(?:fff)?\b|white\b|transparent\b)"
            r"|mso-hide\s*:\s*all|<!--",
        ),
        (
            "asks to decode hidden text",
            r"\b(?:decode|base64)\b[^.\n]{0,30}?\b(?:follow|execute|obey)",
        ),
    )
)
_SEND_VERB = re.compile(
    r"\b(?:send|forward|cc|bcc|copy|reply|respond|write|deliver|redirect|route|add|include|loop in"
    r"|e-?mail (?:it|this|that|them|a copy|everything)"
    r"|sende\w*|schick\w*|weiterleit\w*|leite\w*|envo\w*|transf[eé]r\w*|transmet\w*|envi\w*|reenv\w*"
    r"|invia\w*|inoltr\w*|encaminh\w*|stuur\w*|doorsturen|skicka\w*|vidarebefordra|wyślij|prześlij"
    r"|отправ\w*|перешл\w*)\b[^.\n]{0,50}$"
    r"|(?:发送|转发|送信|転送|보내)[^。\n]{0,20}$",
    _I,
)
_COMPACT = (
    "ignoreallpreviousinstructions",
    "ignorepreviousinstructions",
    "ignoreallinstructions",
    "ignoreyourinstructions",
    "ignoretheaboveinstructions",
    "disregardpreviousinstructions",
    "disregardallpreviousinstructions",
    "forgetallpreviousinstructions",
    "forgetyourinstructions",
    "revealyoursystemprompt",
)


def injection_signals(lead_text: str) -> list[str]:
    """What in this lead text looks like an attempt to steer the model; empty when nothing does."""
    signals: list[str] = []
    if re.search(f"[{_ZERO_WIDTH}]", lead_text.lstrip("\ufeff")) or _HIDDEN_LATIN_JOINER.search(
        lead_text
    ):
        signals.append("zero-width characters")
    if re.search(f"[{_BIDI}]", lead_text):
        signals.append("bidirectional control characters")
    smuggled = "".join(
        chr(ord(char) - 0xE0000) for char in lead_text if 0xE0020 <= ord(char) <= 0xE007E
    )
    if smuggled:
        signals.append("invisible tag characters")

    plain = unicodedata.normalize("NFKC", _INVISIBLE.sub("", lead_text)).replace("\xad", "")
    plain = f"{plain}\n{smuggled}" if smuggled else plain
    lowered = plain.lower()
    variants = dict.fromkeys(
        (plain, lowered.translate(_CONFUSABLES), lowered.translate(_CONFUSABLES).translate(_LEET))
    )
    for name, pattern in _SIGNALS:
        match = next((m for text in variants if (m := pattern.search(text))), None)
        if match:
            shown = " ".join(match.group(0).split())[:60]
            signals.append(f"{name} ('{shown}')")
    compact = re.sub(r"[^a-z]", "", lowered.translate(_CONFUSABLES).translate(_LEET))
    if not any(s.startswith("asks to ignore") for s in signals) and any(
        phrase in compact for phrase in _COMPACT
    ):
        signals.append("asks to ignore the instructions (disguised)")

    for match in _ADDRESS.finditer(plain):
        if _SEND_VERB.search(plain[max(0, match.start() - 60) : match.start()]):
            signals.append(f"asks to send to another address: {match.group(0)}")
    return list(dict.fromkeys(signals))
