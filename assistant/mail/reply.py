"""The new text of a reply: quoted history, forwarded blocks and signatures taken off."""

from __future__ import annotations

import re

MAX_BODY_CHARS = 200_000
_SIGNOFF_TAIL_LINES = 9
_SIGNOFF_TAIL_WIDTH = 80

_VERBS = (
    r"wrote|writes|schrieb|hat geschrieben|a écrit|a ecrit|escribió|escribio|schreef|"
    r"heeft geschreven|het volgende geschreven|skrev|ha scritto|scrisse|escreveu|kirjoitti|"
    r"napisał|napisal|"
    r"написал|napsal|írta|yazdı|έγραψε"
)
_ATTRIBUTION_END = re.compile(rf"(?:{_VERBS})\s*(?::|-{{2,}})\s*(?:-+)?\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(
    r"^\s*(?:-+\s*)?(?:On|Am|Le|El|Op|Den|D\.|Il|Em|No dia|Quoting|Zitat von|"
    r"Citando|Citation de|Citerar|El día|Il giorno|Le \w+\.?)\b",
    re.IGNORECASE,
)
_HAS_DETAIL = re.compile(r"@|\d")
_SEPARATOR = re.compile(
    r"^\s*[-_=*]{2,}\s*(?:Original(?:ly)? Message|Original-Nachricht|Originalnachricht|"
    r"Ursprüngliche Nachricht|Message d'origine|Message original|Mensaje original|"
    r"Oorspronkelijk bericht|Origineel bericht|Ursprungligt meddelande|Originalmeddelande|"
    r"Messaggio originale|Mensagem original|Forwarded message|Weitergeleitete Nachricht|"
    r"Message transféré|Mensaje reenviado|Doorgestuurd bericht|Vidarebefordrat meddelande|"
    r"Messaggio inoltrato|Mensagem encaminhada|Reply message|Reply above this line)"
    r"\s*[-_=*]*\s*$|^\s*(?:Begin forwarded message|Anfang der weitergeleiteten Nachricht|"
    r"Début du message réexpédié|Inicio del mensaje reenviado|Begin doorgestuurd bericht|"
    r"Vidarebefordrat brev|Inizio messaggio inoltrato|Início da mensagem reencaminhada)\s*:\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*(?:_{10,}|-{10,})\s*$")
_FROM_FIELD = re.compile(
    r"^\s*\*?\s*(?:From|Von|De|Van|Från|Fra|Da|Od|Lähettäjä|Feladó|Gönderen)\s*\*?\s*:\s*\*?\s*\S",
    re.IGNORECASE,
)
_OTHER_FIELD = re.compile(
    r"^\s*\*?\s*(?:Sent|Date|To|Cc|Subject|Gesendet|Datum|An|Betreff|Envoyé|Objet|À|A|"
    r"Enviado(?: el)?|Enviada em|Fecha|Para|Asunto|Assunto|Verzonden|Aan|Onderwerp|"
    r"Skickat|Till|Ämne|Inviato|Data|Oggetto|Sendt|Til|Emne|Lähetetty|Aihe)\s*\*?\s*:",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")
_DASHES_SIGNATURE = re.compile(r"^--\s*$|^__\s*$")
_DEVICE_SIGNATURE = re.compile(
    r"^\s*(?:Sent from (?:my |Mail for |Yahoo Mail|Outlook|the )|Sent via |Get Outlook for |"
    r"Sent with |Von meinem \S+ gesendet|Gesendet von meinem|Gesendet mit|Envoyé de mon|"
    r"Envoyé depuis|Obtenir Outlook pour|Enviado desde mi|Enviado desde |Obtener Outlook para|"
    r"Verstuurd vanaf mijn|Verzonden vanaf mijn|Verzonden met|Skickat från min|Skickades från|"
    r"Inviato da(?:l mio)? |Enviado do meu|Enviado do |Obter o Outlook para|Scarica Outlook)",
    re.IGNORECASE,
)
_SIGNOFF = re.compile(
    r"^\s*(?:(?:best|kind|warm|warmest|many|with kind)?\s*(?:regards|wishes)|best|cheers|thanks|"
    r"thank you|thx|many thanks|thanks again|all the best|sincerely|yours(?: sincerely| truly)?|"
    r"talk soon|speak soon|br|kr|"
    r"(?:mit )?(?:freundliche|beste|liebe|viele|herzliche|schöne|sonnige)n? gr(?:ü|ue)(?:ß|ss)en?|"
    r"mfg|lg|vg|gru(?:ß|ss)|gr(?:ü|ue)(?:ß|ss)e|danke|vielen dank|"
    r"cordialement|bien cordialement|bien à vous|salutations|merci|bonne journée|"
    r"saludos(?: cordiales)?|un saludo|atentamente|gracias|muchas gracias|"
    r"met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groeten|groet|mvg|bedankt|"
    r"med vänliga hälsningar|vänliga hälsningar|hälsningar|mvh|tack|tack så mycket|"
    r"cordiali saluti|distinti saluti|saluti|un saluto|grazie|buona giornata|"
    r"atenciosamente|cumprimentos|abraços|abraço|obrigad[oa]|att\.?)"
    r"(?:\s*[,.!]*|\s*[,!–-]+\s*[\w.'-]+(?:\s[\w.'-]+)?)\s*$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^\s*(?:CONFIDENTIALITY NOTICE|DISCLAIMER\s*:|"
    r"(?:This|Diese|Ce|Este|Esta|Dit|Deze|Detta|Questo|Questa)\s.{0,80}(?:confidential|"
    r"vertraulich|confidenti|vertrouwelijk|konfidentiell|riservat))",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.?!]\s*$")
_IMAGE_PLACEHOLDER = re.compile(r"^\s*\[(?:cid:|image:)[^\]]*\]\s*$", re.IGNORECASE)
_BLANKS = re.compile(r"\n{3,}")


def _is_attribution(lines: list[str], i: int) -> int:
    """How many lines starting at `i` form an attribution ("On … wrote:"), else 0."""
    joined = ""
    for span in range(1, 4):
        if i + span > len(lines) or not lines[i + span - 1].strip():
            return 0
        line = lines[i + span - 1].strip()
        joined = f"{joined} {line}".strip()
        if len(joined) > 400:
            return 0
        if (":" not in line and "--" not in line) or not _ATTRIBUTION_END.search(joined[-80:]):
            if _SENTENCE_END.search(line):
                return 0
            continue
        if _HAS_DETAIL.search(joined) and (_ATTRIBUTION_START.match(joined) or len(joined) < 200):
            return span
        return 0
    return 0


def _is_header_block(lines: list[str], i: int) -> bool:
    """A forwarded or quoted header block: a From field followed by other header fields."""
    if not _FROM_FIELD.match(lines[i]):
        return False
    following = [line for line in lines[i + 1 : i + 7] if line.strip()]
    return sum(1 for line in following[:5] if _OTHER_FIELD.match(line)) >= 2


def _quote_start(lines: list[str]) -> tuple[int, int] | None:
    """Index of the first line of quoted history and the length of its header, if any."""
    for i, line in enumerate(lines):
        if not line.strip() or _QUOTED.match(line):
            continue
        if _SEPARATOR.match(line):
            return i, 1
        if _is_header_block(lines, i):
            if i > 0 and (_RULE.match(lines[i - 1]) or not lines[i - 1].strip()):
                back = i - 1
                while back > 0 and not lines[back].strip():
                    back -= 1
                if _RULE.match(lines[back]):
                    return back, i - back
            return i, 0
        span = _is_attribution(lines, i)
        if span:
            return i, span
    return None


def _drop_quotes(lines: list[str]) -> list[str]:
    """The lines of a reply without its quoted history (top, bottom and inline posting)."""
    found = _quote_start(lines)
    if found is None:
        return [line for line in lines if not _QUOTED.match(line)]
    start, header = found
    before = lines[:start]
    if any(line.strip() and not _QUOTED.match(line) for line in before):
        return [line for line in before if not _QUOTED.match(line)]
    after = lines[start + header :]
    if not any(_QUOTED.match(line) for line in after):
        return []
    return [line for line in after if not _QUOTED.match(line)]


def _is_card_line(line: str) -> bool:
    """A line of a signature card (name, title, company, phone), not a sentence."""
    words = len(line.split())
    if len(line) > _SIGNOFF_TAIL_WIDTH or words > 10 or line.endswith("?"):
        return False
    return not (_SENTENCE_END.search(line) and words > 4)


def _drop_signature(lines: list[str]) -> list[str]:
    """Cut at a signature delimiter, a device line, a disclaimer or a closing sign-off block."""
    for i, line in enumerate(lines):
        if _DASHES_SIGNATURE.match(line) or _DEVICE_SIGNATURE.match(line):
            return lines[:i]
        if i > 0 and _DISCLAIMER.match(line):
            return lines[:i]
    content = [i for i, line in enumerate(lines) if line.strip()]
    for i in content:
        if not _SIGNOFF.match(lines[i]):
            continue
        rest = [lines[j].strip() for j in content if j > i]
        if i != content[0] and len(rest) <= _SIGNOFF_TAIL_LINES and all(map(_is_card_line, rest)):
            return lines[:i]
    return lines


def new_text(body: str) -> str:
    """What the sender wrote in this message, without quoted history or signature."""
    text = body[:MAX_BODY_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    lines = [line for line in text.split("\n") if not _IMAGE_PLACEHOLDER.match(line)]
    kept = _drop_signature(_drop_quotes(lines))
    return _BLANKS.sub("\n\n", "\n".join(line.rstrip() for line in kept)).strip()
