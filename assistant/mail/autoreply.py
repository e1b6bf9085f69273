"""Automated mail (RFC 3834 headers, bulk mail, out-of-office subjects) and return dates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from assistant.mail.dates import return_date
from assistant.mail.dsn import is_bounce_sender, names_mail_system
from assistant.mail.headers import Address
from assistant.mail.text import sentences

_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})
_OOO_SUBJECT = re.compile(
    r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:re:\s*)?(?:"
    r"(?:automatic|auto|automated)[- ]?(?:reply|response|answer)|autoreply|autoresponse|auto:|"
    r"oof:|ooo:|.{0,120}\((?:automatic|auto) (?:reply|response)\)\s*$|"
    r"arpus biroja|ārpus biroja|automatiska atbilde|automātiskā atbilde|atvaļinājum|atvalinajum|"
    r"out of (?:the )?office|ooo\b|away from (?:the )?office|on vacation|vacation reply|"
    r"(?:i am|i'm) (?:out|away|on leave)|on leave|away from (?:my )?(?:mail|e-?mail|desk)|"
    r"automatische (?:antwort|rückantwort|rueckantwort)|abwesenheitsnotiz|abwesenheit|abwesend|"
    r"außer haus|ausser haus|nicht im büro|"
    r"réponse automatique|reponse automatique|absent(?:e)? du bureau|absence du bureau|"
    r"message d'absence|en congés?|absent(?:e)?\s*[:(-]|"
    r"respuesta automática|respuesta automatica|fuera de (?:la )?oficina|ausente\s*[:(-]|"
    r"automatisch antwoord|afwezig|buiten kantoor|niet aanwezig|afwezigheidsbericht|"
    r"autosvar|automatiskt svar|frånvaro|frånvarande|ej på kontoret|"
    r"risposta automatica|fuori (?:sede|ufficio)|assente\s*[:(-]|"
    r"resposta automática|resposta automatica|fora do escritório|fora do escritorio|ausência|"
    r"automatisk svar|fraværende|ikke på kontoret|"
    r"automaattinen vastaus|poissa|automatyczna odpowiedź|poza biurem|automatická odpověď)",
    re.IGNORECASE,
)
_RETURN_WORDS = re.compile(
    r"\b(?:back|return|returning|until|till|through|away|out of|absent|available|reachable|"
    r"zurück|wieder|ab dem|ab|bis|abwesend|erreichbar|"
    r"retour|jusqu|absent|disponible|"
    r"regres|vuelta|volveré|hasta|ausente|"
    r"terug|tot|weer|afwezig|bereikbaar|"
    r"tillbaka|åter|till|borta|ledig|"
    r"ritorno|rientro|rientrerò|fino|assente|"
    r"retorno|volta|voltarei|até|ausente|tilbage|tilbake)"
)
# What an absence notice says in its first lines, for servers that send no RFC 3834 header.
_ABSENT_TEXT = re.compile(
    r"\b(?:i am|i'm|i will be) (?:currently )?(?:out of (?:the )?office|away|on (?:annual )?leave|"
    r"on vacation|on holiday|out of the country|travell?ing)|"
    r"\bthis is an auto(?:matic|mated)?[- ]?(?:reply|response|generated)|"
    r"\bich bin (?:bis|vom|ab|derzeit|zurzeit|momentan|nicht im büro)|"
    r"\bbin ich (?:nicht im büro|abwesend)|"
    r"\bje suis (?:absente?|en congés?|actuellement absente?)|"
    r"\b(?:estoy|estaré) (?:fuera de la oficina|ausente|de vacaciones)|"
    r"\bik ben (?:afwezig|niet op kantoor|met vakantie)|\bjag är (?:borta|ledig|inte på kontoret)|"
    r"\bsono (?:assente|fuori ufficio|in ferie)|"
    r"\b(?:estou|estarei) (?:ausente|fora do escritório|de férias)",
    re.IGNORECASE,
)
_ABSENT_TEXT_CHARS = 400
# A notice also says when the person is back or who to ask meanwhile; a person's reply that
# mentions a trip ("I'm travelling this week but …") rarely does both.
_ABSENT_DETAIL = re.compile(
    r"\b(?:until|till|back on|back in the office|return(?:ing)?|limited access|no access|"
    r"urgent|in my absence|will (?:respond|reply|get back)|upon my return|"
    r"zurück|wieder (?:im büro|erreichbar|da)|dringend|in dringenden|retour|urgence|"
    r"regreso|urgente|terug|dringende|tillbaka|brådskande|rientro|urgenti|ritorno|"
    r"retorno|urgentes|até)\b",
    re.IGNORECASE,
)
# Challenge-response and sender-verification systems hold the mail until the sender proves
# to be a person: machine mail, neither a reply nor a failed delivery.
_CHALLENGE_DOMAINS = re.compile(
    r"@(?:[\w-]+\.)*(?:boxbe|bluebottle|spamarrest|mailblocks|sendio|choicemail|"
    r"qurb|spamcease|mailinblack|antispameurope)\.(?:com|net|org|fr|de)\b",
    re.IGNORECASE,
)
_CHALLENGE_TEXT = re.compile(
    r"(?:awaiting|pending|requires?|needs?) (?:your )?(?:sender )?verification|"
    r"confirm (?:that )?you are (?:a )?(?:human|real person|person|not a (?:robot|spammer))|"
    r"(?:prove|verify) (?:that )?you are (?:a )?(?:human|real person|person|not a robot)|"
    r"(?:verify|confirm) your (?:e-?mail|message|address|identity) "
    r"(?:address )?(?:to|so|before|by)|"
    r"(?:held|quarantined) (?:until|pending) .{0,40}(?:verif|confirm)|"
    r"(?:added|add you) to (?:my|the|their|his|her) (?:guest list|whitelist|white list|"
    r"approved senders)|(?:guest list|whitelist|approved senders list) request|"
    r"challenge[- ]response|one-time (?:verification|confirmation)",
    re.IGNORECASE,
)
_CHALLENGE_TEXT_CHARS = 2000
_ENGLISH = re.compile(r"\b(?:the|and|will|back|office|until|return)\b", re.IGNORECASE)


def automated_reason(
    headers: Mapping[str, str], sender: Address | None, subject: str
) -> str | None:
    """Why the message is automated (a header or the subject), or None for a person's mail."""
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        if name in headers and headers[name].strip().lower() not in ("no", "false", "0"):
            return f"{name}: {headers[name]}"
    mailer = headers.get("x-mailer", "").lower()
    if "autorespond" in mailer or "vacation" in mailer:
        return f"X-Mailer: {headers['x-mailer']}"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in _PRECEDENCE:
        return f"Precedence: {precedence}"
    if headers.get("return-path", "").strip() == "<>":
        return "Return-Path: <>"
    if is_bounce_sender(sender) or names_mail_system(headers.get("from", "")):
        return f"From: {sender.email if sender else headers.get('from', '')}"
    if _OOO_SUBJECT.match(subject):
        return f"Subject: {subject}"
    return None


def challenge_reason(from_field: str, subject: str, text: str) -> str | None:
    """Why the message is a challenge-response system's verification request, or None."""
    if _CHALLENGE_DOMAINS.search(from_field):
        return f"From: {from_field.strip()}"
    found = _CHALLENGE_TEXT.search(subject) or _CHALLENGE_TEXT.search(text[:_CHALLENGE_TEXT_CHARS])
    return f"sender verification: {found.group(0)}" if found else None


def absence_notice(text: str) -> str | None:
    """The opening words of an out-of-office notice, when the text starts like one."""
    found = _ABSENT_TEXT.search(text[:_ABSENT_TEXT_CHARS])
    if found is None or not _ABSENT_DETAIL.search(text):
        return None
    return found.group(0)


def out_of_office_return(text: str, today: date) -> date | None:
    """The date an absent person is back: the latest date the auto-reply gives for it."""
    month_first = bool(_ENGLISH.search(text))
    found = [
        return_date(sentence, today, month_first=month_first)
        for sentence in sentences(text)[:30]
        if _RETURN_WORDS.search(sentence.lower())
    ]
    future = [d for d in found if d is not None and d >= today]
    return max(future) if future else None
