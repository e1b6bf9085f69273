"""Opt-out requests (CAN-SPAM, GDPR Art. 21) in the new text of a reply, negations respected."""

from __future__ import annotations

import re

from assistant.mail.text import sentences

# Patterns are lower-case and searched in lower-cased text.
# Requests that carry their own negation ("do not contact me").
_SELF_NEGATED = re.compile(
    r"\b(?:do not|don't|dont|never|stop|quit)\s+(?:ever\s+)?(?:contact|e-?mail|mail|write|"
    r"message|call|spam|bother)(?:ing)?\s+(?:me|us|this address)\b|"
    r"\b(?:don't|do not|no longer)\s+(?:want|wish|need)\s+to\s+(?:receive|get|hear)\b.{0,40}"
    r"\b(?:e-?mails?|messages?|mails?|from you)|"
    r"\bno (?:more|further) (?:e-?mails?|messages?|mails?|contact)\b|"
    r"\bstop (?:sending|emailing|e-mailing|mailing|writing|contacting|spamming)\b|"
    r"\bkeine (?:weiteren )?(?:e-?mails?|nachrichten|werbung|kontaktaufnahmen?)\b|"
    r"\bnicht (?:mehr|weiter) (?:kontaktieren|anschreiben|anmailen|schreiben)\b|"
    r"\bne (?:plus|pas) (?:me )?(?:contacter|écrire|ecrire|envoyer|recevoir)\b|"
    r"\bne me (?:contactez|écrivez|ecrivez|envoyez) plus\b|\barrêtez de m'(?:envoyer|écrire)\b|"
    r"\bno (?:me )?(?:envíen|envien|manden|escriban|contacten) más\b|"
    r"\bdejen? de (?:enviarme|escribirme|contactarme)\b|\bno quiero recibir\b|"
    r"\bgeen (?:e-?mails?|berichten|mails) meer\b|\bniet meer (?:mailen|benaderen|contacteren)\b|"
    r"\b(?:sluta|slutta) (?:mejla|maila|skicka|kontakta)\b|\binga fler (?:mejl|mail|e-?post)\b|"
    r"\bnon (?:contattatemi|scrivetemi|inviatemi) più\b|\bsmettete di (?:scrivermi|inviarmi)\b|"
    r"\bnon voglio (?:più )?ricevere\b|"
    r"\bparem de (?:enviar|me enviar|mandar)\b|\bnão quero (?:mais )?receber\b|"
    r"\bnão (?:me )?(?:enviem|mandem|contatem) mais\b",
)
_REQUEST = re.compile(
    r"\bun-?subscribe\b|\bopt(?:-|\s)?(?:me\s+)?out\b|"
    r"\b(?:remove|delete|take)\s+(?:me|us|my (?:e-?mail|address|name|details|data)|this address)"
    r"(?:\s+\S+){0,3}?\s+(?:from|off)\b|"
    r"\b(?:remove|delete|erase)\s+(?:me|my (?:data|details|personal data|contact details))\b|"
    r"\bleave me alone\b|\bobject to (?:the )?processing\b|"
    r"\b(?:abmelden|abbestellen|austragen|entfernen sie mich|löschen sie meine daten)\b|"
    r"\bwiderspreche\b.{0,40}\b(?:verarbeitung|werbung|nutzung)\b|\baus (?:dem|ihrem) verteiler\b|"
    r"\b(?:désabonner|désinscrire|desabonner|desinscrire|désabonnez|désinscrivez)|"
    r"\b(?:retirez|supprimez|enlevez)[- ]moi\b|\bme (?:retirer|supprimer|désinscrire)\b|"
    r"\b(?:dar(?:me|se)? de baja|darse de baja|bórrenme|borrenme|elimínenme|eliminenme|"
    r"quítenme|quitenme|sáquenme|saquenme)\b|\b(?:quitarme|sacarme|eliminarme) de\b|"
    r"\b(?:afmelden|uitschrijven|schrijf me uit|meld me af|verwijder (?:mij|me|mijn)|"
    r"haal (?:mij|me) (?:van|uit))\b|"
    r"\b(?:avregistrera|avprenumerera|avsluta prenumerationen|ta bort mig)\b|"
    r"\b(?:disiscrivere|disiscrivetemi|disiscrivermi|cancellami|cancellatemi|rimuovetemi|"
    r"rimuovermi|toglietemi|cancellarmi)\b|"
    r"\b(?:descadastrar|descadastre|descadastrem|me descadastr\w*|remova-me|removam-me|"
    r"me remova|me removam|cancelar (?:a )?inscrição|cancelar (?:a )?assinatura)\b",
)
_NEGATION = re.compile(
    r"\b(?:don't|do not|dont|doesn't|does not|didn't|did not|not|never|no need to|no reason to|"
    r"nicht|kein|keine|niemals|ne|n'|pas|jamais|no|nunca|niet|geen|nooit|inte|aldrig|ej|"
    r"non|mai|não|nao|nunca)\b|\bn'",
)
_CLAUSE_BREAK = re.compile(r"[,;:()]|\b(?:but|aber|mais|pero|maar|men|ma|mas)\b")
_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|sv|antw|vs|wg|fw|fwd|tr|rv|r|ri|enc)\s*:", re.I)


def _negated(sentence: str, start: int) -> bool:
    """Whether a negation stands in the same clause before position `start`."""
    before = sentence[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end() :] if breaks else before
    return _NEGATION.search(clause) is not None


def _request_in(text: str) -> bool:
    for pattern in (_SELF_NEGATED, _REQUEST):
        for match in pattern.finditer(text):
            if not _negated(text, match.start()):
                return True
    return False


def find_opt_out(new_text: str, subject: str = "") -> str | None:
    """The sentence that asks to stop mail, from the sender's own text; None when none does."""
    sents = sentences(new_text)
    low = [s.lower() for s in sents]
    joined = "\n".join(low)
    if _SELF_NEGATED.search(joined) or _REQUEST.search(joined):
        for sentence, sentence_low in zip(sents, low, strict=True):
            if _request_in(sentence_low):
                return sentence
    if subject and not _REPLY_PREFIX.match(subject) and _request_in(subject.lower()):
        return f"Subject: {subject}"
    return None
