"""Signs that lead text tries to steer the model: instructions, role play, hidden text.

Pure functions over the lead's own words (profile, inbound turns, latest reply). A sign is a
flag for the rep, never a reason to drop the mail: the rep decides, with the flag in view.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.llm.base import DraftRequest

LEAD_INSTRUCTS = "lead text tries to instruct the model"
ADDRESS = re.compile(r"[\w.+'-]+@(?:[\w-]+\.)+[\w-]{2,}")


_ZERO_WIDTH = "\u200b\u2060\u180e\ufeff"
_JOINERS = "\u200c\u200d"  # legitimate inside emoji and some scripts; suspicious inside Latin words
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = re.compile(f"[{_ZERO_WIDTH}{_JOINERS}{_BIDI}\U000e0000-\U000e007f]")
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

    plain = unicodedata.normalize("NFKC", INVISIBLE.sub("", lead_text)).replace("\xad", "")
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

    for match in ADDRESS.finditer(plain):
        if _SEND_VERB.search(plain[max(0, match.start() - 60) : match.start()]):
            signals.append(f"asks to send to another address: {match.group(0)}")
    return list(dict.fromkeys(signals))


def lead_flags(request: DraftRequest) -> list[str]:
    """What the lead's own text tried to do to the model; a new draft cannot change these."""
    signals = list(
        dict.fromkeys(s for text in lead_texts(request) for s in injection_signals(text))
    )
    return [f"{LEAD_INSTRUCTS}: {'; '.join(signals)}"] if signals else []


def lead_texts(request: DraftRequest) -> list[str]:
    """Everything in a request that the lead (or whoever wrote as them) put there."""
    lead = request.lead
    texts = [lead.name, lead.company, lead.title, request.subject]
    for turn in request.thread:
        if turn.direction == "inbound":
            texts += [turn.subject, turn.text]
    if request.latest_reply:
        texts.append(request.latest_reply)
    return [text for text in texts if text]
