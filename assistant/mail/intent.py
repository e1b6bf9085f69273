"""A person's intent and the journey events in the new text of a reply, with sentence evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from assistant.mail.dates import later_date
from assistant.mail.headers import parse_addresses
from assistant.mail.text import evidence, sentences

_MEETING_HORIZON_DAYS = 21
DEFAULT_COMPETITORS = ("Salesforce", "HubSpot", "Marketo", "Outreach", "Pardot", "Salesloft")


@dataclass(frozen=True)
class Event:
    """A turn in the buyer's journey, with the sentence that shows it."""

    type: str
    evidence: str
    date: date | None = None
    email: str | None = None
    name: str | None = None


def _rx(*alternatives: str) -> re.Pattern[str]:
    """Lower-case alternatives, searched in lower-cased text (much faster than IGNORECASE)."""
    return re.compile("|".join(alternatives))


_MEETING = _rx(
    r"\blet'?s (?:talk|chat|meet|connect|set up|schedule|book|find a time|hop on|jump on|get)\b",
    r"\b(?:can|could|shall|should) we (?:set up|schedule|book|have|arrange|organi[sz]e|do|get|"
    r"hop on|jump on|find|talk|meet|chat|speak)\b.{0,40}\b(?:call|meeting|demo|chat|time|zoom|"
    r"teams|session|talk|conversation)?",
    r"\b(?:are|would) you (?:be )?(?:free|available|around)\b",
    r"\bwhen (?:are|would) you (?:be )?(?:free|available)\b",
    r"\b(?:send|share) (?:me |us )?(?:a |an |your )?(?:calendar )?(?:invite|invitation|"
    r"calendar link|booking link|some times|a few times)\b",
    r"\b(?:happy|glad|keen|ready) to (?:have|hop on|jump on|set up|schedule|get on) a (?:call|chat|"
    r"meeting|demo)\b",
    r"\b(?:i'?d|we'?d) (?:like|love) (?:to )?(?:set up|schedule|book|see|get|have) a (?:call|demo|"
    r"meeting|chat)\b",
    r"\b(?:monday|tuesday|wednesday|thursday|friday|tomorrow|next week)\b.{0,30}"
    r"\b(?:works|suits|is good|is fine|would work)\b",
    r"\b(?:give me a call|call me|ring me|book (?:a|some) time)\b",
    r"\bwhat does your (?:calendar|schedule|week) look like\b",
    r"\b(?:lassen sie uns|lass uns) (?:telefonieren|sprechen|einen termin)\b",
    r"\b(?:können|könnten) wir\b.{0,30}\b(?:telefonieren|termin|gespräch|call|treffen|sprechen)",
    r"\bhaben sie\b.{0,25}\bzeit\b|\bhätten sie\b.{0,25}\bzeit\b|\btermin vereinbaren\b",
    r"\b(?:pouvons|pourrions)[- ]nous\b.{0,30}\b(?:appel|rendez-vous|échange|réunion|parler)",
    r"\bêtes[- ]vous disponible|\bseriez[- ]vous disponible|\bon (?:peut|pourrait) s'appeler\b",
    r"\bcalons un (?:appel|rendez-vous|créneau)\b",
    r"\b(?:podemos|podríamos) (?:agendar|programar|tener|hacer|organizar|hablar)\b",
    r"\b(?:estás|está|estarías|estaría) disponible\b|\b(?:tienes|tiene) tiempo\b|\bhablemos\b",
    r"\b(?:kunnen|zullen) we\b.{0,30}\b(?:afspraak|bellen|call|overleg|afspreken|praten)",
    r"\blaten we\b.{0,20}\b(?:bellen|afspreken|praten)|\bheb(?:t)? (?:je|u)\b.{0,20}\btijd\b",
    r"\bkan vi (?:boka|ta|ha|ses|prata|höras)\b|\bhar du tid\b",
    r"\b(?:possiamo|potremmo) (?:fissare|organizzare|fare|sentirci|parlare|vederci)\b",
    r"\b(?:sei|è|siete) disponibil[ei]\b|\bsentiamoci\b",
    r"\b(?:podemos|poderíamos) (?:agendar|marcar|fazer|conversar|falar)\b",
    r"\b(?:você está|vocês estão|está) disponível\b|\bvamos conversar\b",
)
_WRONG_PERSON = _rx(
    r"\b(?:not|no longer) (?:the )?(?:right|best|correct|appropriate) (?:person|contact)",
    r"\bwrong (?:person|contact)\b|\bbetter (?:person|contact)\b",
    r"\byou(?:'ll| will)? (?:want|need) to (?:talk|speak|reach out|contact|get in touch)\b",
    r"\bno longer (?:work|am working|handle|cover|look after|manage|in charge)\b|\btook over my\b",
    r"\b(?:you should|please|best to|better to) (?:talk|speak|reach out|contact|get in touch)\b"
    r".{0,20}\b(?:to|with)\b",
    r"\b(?:i'?m|i am) (?:not|no longer) (?:responsible|in charge|handling|the one)\b",
    r"\bthe (?:person|one|people|colleague) (?:you want|you need|to (?:talk|speak) to)\b",
    r"\b(?:isn'?t|is not|not) (?:on|really on) my (?:desk|plate)\b",
    r"\bnot my (?:area|remit|department)\b",
    r"\b(?:feel free to|you can|please) (?:mention|use|drop) my name\b",
    r"\b(?:handles|owns|is responsible for|is in charge of) (?:this|that|these|our|vendor)\b",
    r"\bnicht (?:der|die) (?:richtige|zuständige) (?:ansprechpartner|ansprechpartnerin|person)",
    r"\bwenden sie sich (?:bitte )?an\b|\bzuständig ist\b",
    r"\bpas (?:la|le) bon(?:ne)? (?:personne|interlocut)|\bcontactez plutôt\b|\bs'adresser à\b",
    r"\bno soy la persona (?:adecuada|indicada|correcta)|\b(?:habla|hable|contacta|contacte) con\b",
    r"\bniet de (?:juiste|goede) (?:persoon|contactpersoon)|\bneem (?:contact op|"
    r"even contact) met\b",
    r"\binte rätt person\b|\bkontakta (?:istället|hellre)\b|\bvänd dig till\b",
    r"\bnon sono la persona (?:giusta|corretta|adatta)|\b(?:contatta|contattate|scrivi a)\b",
    r"\bnão sou a pessoa (?:certa|correta|indicada)|\b(?:fale|falem|entre em contato) com\b",
)
_NOT_NOW = _rx(
    r"\bnot (?:right )?now\b|\bnot at (?:the|this) (?:moment|time)\b|\bnot (?:a|the) priority\b",
    r"\bnot (?:this|until next) (?:year|quarter|month)\b|\btiming (?:isn'?t|is not) right\b",
    r"\b(?:not|no)\b.{0,40}\b(?:right now|at the moment|at this (?:time|point|stage)|for now|"
    r"currently|this (?:year|quarter))\b",
    r"\b(?:reconnect|regroup|pick (?:this|it) (?:back )?up|(?:talk|speak) again)\b",
    r"\b(?:reach|check|circle|come) back\b|\bget back (?:to (?:you|me|us)|in touch)\b|"
    r"\btouch base\b|\brevisit\b|\bfollow[- ]up (?:in|"
    r"after)\b",
    r"\b(?:reach out|get in touch|contact (?:me|us)|follow up|ping (?:me|us)|write)\s+(?:again\s+)?"
    r"(?:in|after|next|later|once|early|around)\b|\bhold off\b|\bpause\b|\bich melde mich\b|"
    r"\bim moment\b.{0,40}\bnicht\b|\bzeitlich (?:nicht|schlecht)\b|\brevenez vers (?:moi|nous)\b|"
    r"\bahora mismo no\b|\bno es (?:una )?prioridad|\bno es prioritari[oa]\b|\ben pausa\b|"
    r"\b(?:ask|try|ping|contact) (?:me|us) again\b|\bmaybe later\b|\blater (?:this|in the) year\b",
    r"\bon hold\b|\bput (?:this|it|the project) on\b|\btabled\b|\bpaused\b|\bpostponed?\b",
    r"\bnot (?:the|a) (?:right|best|ideal|good) (?:time|moment)\b|\b(?:other|different|competing) "
    r"priorities\b|\b(?:(?:maybe|perhaps|possibly)(?: again| in| after)?|try(?: again| us| me)?"
    r"(?: in)?) next (?:year|quarter|fiscal year|spring|summer|fall|autumn)\b",
    r"\b(?:can'?t|cannot|nobody can|no one can|won'?t be able to)\b.{0,50}\buntil\b",
    r"\bandere prioritäten\b|\b(?:im )?nächste[ns]? (?:jahr|quartal)\b.{0,20}\bwieder\b|"
    r"\bautres priorités\b|\bpas le bon moment\b|\botras prioridades\b|"
    r"\bno es (?:el )?(?:buen|mejor) momento\b",
    r"\bnicht (?:jetzt|im moment|derzeit|aktuell)\b|\b(?:derzeit|momentan|aktuell) (?:nicht|kein)",
    r"\b(?:melden sie sich|kommen sie)\b.{0,30}\b(?:wieder|nochmal|erneut|zurück)\b",
    r"\bzurückstellen\b|\bverschoben\b|\bspäter\b",
    r"\bpas (?:pour le moment|maintenant|tout de suite)\b|\brecontact|\bplus tard\b|\breporté\b",
    r"\bahora no\b|\bpor (?:ahora|el momento) no\b|\bmás adelante\b|\bvuelv[ae] a contactar",
    r"\b(?:escríba|escribe|contácte|lláme)me\b.{0,30}\b(?:a (?:principios|mediados|finales)|en|"
    r"después|el próximo|la próxima)\b|\b(?:écrivez|réécrivez)-moi\b.{0,30}\b(?:en|après|début|"
    r"mi-|fin)",
    r"\bnu (?:even )?niet\b|\bop dit moment niet\b|\blater (?:dit|in het) jaar\b|\buitgesteld\b",
    r"\binte just nu\b|\bhör av dig\b.{0,20}\b(?:igen|efter|om)\b|\bsenare\b",
    r"\bnon (?:ora|adesso|al momento|in questo momento)\b|\bpiù avanti\b|\bricontatt",
    r"\bagora não\b|\bno momento não\b|\bmais (?:para )?(?:frente|adiante)\b|\bmais tarde\b",
)
_NOT_INTERESTED = _rx(
    r"\bnot interested\b|\bno interest\b|\bno,? thanks?\b|\bno thank you\b",
    r"\b(?:not|no longer) (?:a fit|a good fit|relevant|in the market)\b",
    r"\bnot (?:currently )?looking (?:for|at) (?:anything|any|a new|new|other|another)\b",
    r"\b(?:we(?:'ve| have)?|i(?:'ve| have)?) (?:decided|chosen|opted) (?:not to|to go with|"
    r"against)\b",
    r"\bwent with\b|\bgoing (?:with|ahead with) (?:another|a different)\b|\bsigned with\b",
    r"\b(?:happy|satisfied) with (?:our current|what we have|the current)\b|\bthanks anyway\b|"
    r"\bzufrieden mit\b|\bsatisfaits\b|\bmerci quand même\b|\bsatisfechos con\b|"
    r"\bgracias de todos modos\b|\btevreden met\b|\bnöjda med\b|\bsoddisfatti\b|"
    r"\bsatisfeitos com\b",
    r"\bplease (?:don'?t|do not) follow up\b|\bno need to follow up\b|\bwe'?re all set\b",
    r"\bkein (?:interesse|bedarf)\b|\bnicht interessiert\b|\bhaben uns für\b.{0,40}\bentschieden\b",
    r"\bpas intéress|\bne sommes pas intéress|\baucun intérêt\b|\bavons choisi\b",
    r"\bno (?:estamos|estoy) interesad|\bno nos interesa\b|\bno me interesa\b|\bhemos elegido\b",
    r"\bgeen interesse\b|\bniet geïnteresseerd\b|\bhebben gekozen voor\b",
    r"\binte intresserad\b|\binget intresse\b|\bhar valt\b",
    r"\bnon (?:siamo|sono) interessat|\bnessun interesse\b|\babbiamo scelto\b",
    r"\bnão (?:temos|tenho) interesse\b|\bnão (?:estamos|estou) interessad|\bescolhemos\b",
)
_INTERESTED = _rx(
    r"\b(?:sounds|looks) (?:interesting|great|good|useful|promising)\b|\binterested\b",
    r"\b(?:please|pls) (?:send|share)\b|\bsend (?:it|them|that|me|over)\b|\byes,? please\b",
    r"\b(?:very |really |super )?(?:helpful|useful)\b|"
    r"\b(?:would|i'?d) love to (?:see|learn|read|hear)\b|\btell me more\b|\bkeen to\b",
    r"\bklingt (?:interessant|gut|spannend)\b|\binteressiert\b|\bgerne\b|\bschicken sie\b",
    r"\bm'intéresse\b|\bintéressé|\bvolontiers\b|\benvoyez\b",
    r"\bme interesa\b|\binteresad[oa]s?\b|\benvíame|\benvíenme|\bsuena (?:bien|interesante)\b",
    r"\bklinkt (?:interessant|goed)\b|\bgeïnteresseerd\b|\bstuur (?:maar|me|gerust)\b",
    r"\blåter (?:intressant|bra)\b|\bintresserad\b|\bskicka gärna\b",
    r"\bmi interessa\b|\binteressat[oi]\b|\binviami\b|\bmandami\b",
    r"\btenho interesse\b|\binteressad[oa]s?\b|\bpode enviar\b|\bme envie\b",
)
_QUESTION_WORDS = re.compile(
    r"^(?:how|what|which|when|where|why|who|can|could|do|does|did|is|are|will|would|should|"
    r"wie|was|welche[rsnm]?|wann|wo|warum|können|gibt es|comment|quel(?:le)?s?|quand|pourquoi|"
    r"est-ce|cómo|qué|cuál|cuándo|por qué|hoe|wat|welke|wanneer|waarom|hur|vad|vilken|när|"
    r"varför|come|cosa|quale|quando|perché|como|o que|qual|porque)\b",
    re.IGNORECASE,
)
_BUDGET = _rx(
    r"\bbudgets?\b.{0,40}\b(?:frozen|freeze|cut|cuts|slashed|on hold|reduced|pulled|gone)\b",
    r"\b(?:budget|spending|hiring) freeze\b|\bno budget\b|\bcut (?:our|the) budget\b",
    r"\b(?:froze|frozen|freez\w*)\b.{0,20}\b(?:spend\w*|budget\w*|purchas\w*|projects?|capital|"
    r"capex|investments?|software (?:spend\w*|purchas\w*|projects?))\b",
    r"\b(?:spend\w*|purchas\w*|capex)\b.{0,20}\b(?:frozen|freeze)\b",
    r"\bbudget\b.{0,30}\b(?:schon|bereits) (?:verteilt|verplant|vergeben)\b|\bkein budget mehr\b",
    r"\b(?:projet|dépenses?)\b.{0,30}\bgel(?:é|ée|és|ées)\b|\bcongel\w*\b.{0,30}\bpresupuesto\b",
    r"\bbudget\w*\b.{0,40}\b(?:eingefroren|gestrichen|gekürzt|gestoppt)|\bkein budget\b",
    r"\bbudget\b.{0,40}\b(?:gelé|coupé|réduit|supprimé)|\bgel (?:des|du) budget|\bpas de budget\b",
    r"\bpresupuesto\b.{0,40}\b(?:congelado|recortado|cancelado)|\brecortado el presupuesto\b",
    r"\bsin presupuesto\b|\bno tenemos presupuesto\b|\brecorte de presupuesto",
    r"\bbudget\b.{0,40}\b(?:bevroren|geschrapt|gekort)|\bgeen budget\b|\bbudgetstop\b",
    r"\bbudget\w*\b.{0,40}\b(?:fryst|frysta|skuren|indragen)|\bingen budget\b",
    r"\bbudget\b.{0,40}\b(?:congelato|bloccato|tagliato)|\bnessun budget\b|\btagli al budget\b",
    r"\borçamento\b.{0,40}\b(?:congelado|cortado)|\bsem orçamento\b|\bnão temos orçamento\b",
)
_SCOPE = _rx(
    r"\b(?:expand|extend|widen|grow|narrow|reduc|shrink|chang)(?:e|es|ed|ing|s)? (?:the )?(?:scope|"
    r"project|rollout|roll-out|pilot)\b",
    r"\bscope (?:has |is |was )?(?:changed|grown|expanded|shrunk|reduced|increased|narrowed)\b",
    r"\b(?:roll(?:ing)? (?:it )?out|rollout) (?:to|across) (?:all|the whole|every|the entire)\b",
    r"\b(?:also|now) (?:include|cover|need)s? (?:our|the)\b.{0,30}\b(?:team|division|office|region|"
    r"emea|apac|americas|subsidiar)",
    r"\bonly (?:for|in) (?:one|a single|the) (?:team|region|country|site)\b|\bsmaller (?:scope|"
    r"pilot)\b",
    r"\bumfang\b.{0,30}\b(?:erweitert|geändert|reduziert|verkleinert)|\bauf (?:alle|den ganzen)\b",
    r"\bpérimètre\b.{0,30}\b(?:élargi|étendu|réduit|change)",
    r"\balcance\b.{0,30}\b(?:ampliado|ampliar|reducido|cambiado)",
    r"\b(?:scope|omvang)\b.{0,30}\b(?:uitgebreid|verkleind|veranderd)",
    r"\bomfattning(?:en)?\b.{0,30}\b(?:utökad|utökats|minskad|ändrad)",
    r"\bperimetro\b.{0,30}\b(?:ampliato|esteso|ridotto)",
    r"\bescopo\b.{0,30}\b(?:ampliado|reduzido|alterado)",
)
_LEADERSHIP = _rx(
    r"\bnew (?:ceo|cfo|cto|cio|cmo|cro|coo|vp|svp|evp|head of|director|manager|boss|leadership|"
    r"management|owner|president)\b",
    r"\b(?:ceo|cfo|cto|cio|cmo|cro|coo|vp|head of \w+|director|president|founder) (?:has |have )?"
    r"(?:left|resigned|stepped down|retired|been replaced|is leaving|was replaced)\b",
    r"\b(?:reorg|reorgani[sz]ation|restructuring|acquired|acquisition|merger|merged)\b",
    r"\b(?:took|takes|taking|will take) over as\b|\bsuccessor\b|\bleadership change\b",
    r"\bneue[rn]? (?:geschäftsführer|geschäftsführung|ceo|chef|leiter|vorstand)|"
    r"\bumstrukturierung\b",
    r"\bnouveau (?:directeur|pdg|dg|responsable|ceo)|\bnouvelle direction\b|\brestructuration\b|"
    r"\bréorganisation\b",
    r"\bnuevo (?:director|ceo|responsable|gerente)|\bnueva dirección\b|\breestructuración\b",
    r"\bnieuwe (?:directeur|ceo|manager|directie|leidinggevende)|\breorganisatie\b",
    r"\bny (?:vd|chef|ceo|ledning)\b|\bnya ledningen\b|\bomorganisation\b",
    r"\bnuovo (?:direttore|ceo|responsabile|amministratore)|\bristrutturazione\b",
    r"\bnovo (?:diretor|ceo|gestor|responsável)|\bnova diretoria\b|\breestruturação\b",
)
_COLLEAGUE = _rx(
    r"\bcolleague|\bcoworker|\bco-worker|\bmy (?:boss|manager|team lead)\b|\bcc'?(?:e)?d\b|"
    r"\bcopied\b|\bloop(?:ing|ed)? in\b|\b(?:reach out|talk|speak) to\b",
    r"\bkolleg(?:e|in)\b|\bcollègue\b|\bcompañer[oa]\b|\bcolega\b|\bcollega\b|\bkollega\b|"
    r"\bin kopie\b|\ben copie\b|\ben copia\b|\bin cc\b|\bi kopia\b|\bem cópia\b",
)
_NAME_BEFORE = re.compile(
    r"((?:[A-ZÀ-ÖØ-Þ][\w'’-]+\s+){0,2}[A-ZÀ-ÖØ-Þ][\w'’-]+)[\s,:—–-]*[(<\[]?\s*(?:at\s+)?$"
)
_ENGLISH = re.compile(r"\b(?:the|and|we|will|you)\b")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_NOT_NAMES = frozenset(
    [
        "Hi",
        "Hello",
        "Dear",
        "Thanks",
        "Please",
        "Contact",
        "Email",
        "Mail",
        "Hallo",
        "Bonjour",
        "Hola",
        "Kollegin",
        "Kollege",
        "Kollegen",
        "Herr",
        "Frau",
        "Herrn",
        "Madame",
        "Monsieur",
        "Señor",
        "Señora",
        "Sr",
        "Sra",
        "Meneer",
        "Mevrouw",
        "Signor",
        "Signora",
        "Sig",
    ]
)


def _first_match(pattern: re.Pattern[str], sents: Sequence[str], low: Sequence[str]) -> str | None:
    """The first sentence whose lower-cased form the pattern matches (one search rules most out)."""
    if not pattern.search("\n".join(low)):
        return None
    return next((s for s, s_low in zip(sents, low, strict=True) if pattern.search(s_low)), None)


def _referrals(
    sents: Sequence[str], low: Sequence[str], ignore: frozenset[str], *, anywhere: bool
) -> list[Event]:
    """Colleagues the sender names with an address: one referral event for each."""
    events: list[Event] = []
    if not any("@" in s for s in sents):
        return events
    for sentence, sentence_low in zip(sents, low, strict=True):
        if not (anywhere or _COLLEAGUE.search(sentence_low) or _WRONG_PERSON.search(sentence_low)):
            continue
        for match in _EMAIL.finditer(sentence):
            address = match.group(0).rstrip(".").lower()
            if address in ignore or not parse_addresses(address):
                continue
            name_match = _NAME_BEFORE.search(sentence[: match.start()])
            words = name_match.group(1).split() if name_match else []
            while words and words[0] in _NOT_NAMES:
                words.pop(0)
            events.append(
                Event("referral", evidence(sentence), email=address, name=" ".join(words) or None)
            )
    return events


@lru_cache(maxsize=16)
def _competitor_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the names, first letter as written (so "outreach" is not Outreach), rest any case."""
    spelled = (f"{re.escape(n[0])}(?i:{re.escape(n[1:])})" for n in names if n)
    return re.compile(rf"(?<![\w-])(?:{'|'.join(spelled)})(?![\w-])")


def _competitors(sents: Sequence[str], names: Iterable[str]) -> list[Event]:
    wanted = tuple(names)
    if not wanted or not _competitor_pattern(wanted).search("\n".join(sents)):
        return []
    events: list[Event] = []
    for name in wanted:
        pattern = _competitor_pattern((name,))
        found = next((s for s in sents if pattern.search(s)), None)
        if found is not None:
            events.append(Event("competitor", evidence(found), name=name))
    return events


def _is_question(sentence: str) -> bool:
    if sentence.endswith(("?", "？")):
        return True
    return bool(_QUESTION_WORDS.match(sentence)) and not sentence.endswith((".", "!", ":"))


def _come_back(
    sents: Sequence[str], low: Sequence[str], today: date, month_first: bool
) -> Event | None:
    """A come-back-later event from the sentences that put the conversation off."""
    joined = "\n".join(low)
    if not (_NOT_NOW.search(joined) or _BUDGET.search(joined)):
        return None
    hits = [i for i, s in enumerate(low) if _NOT_NOW.search(s) or _BUDGET.search(s)]
    candidates = [sents[j] for j in sorted({k for i in hits for k in (i, i + 1) if k < len(sents)})]
    for sentence in candidates:
        when = later_date(sentence, today, month_first=month_first)
        if when is not None:
            return Event("come_back_later", evidence(sentence), date=when)
    later = next((sents[i] for i in hits if _NOT_NOW.search(low[i])), None)
    return Event("come_back_later", evidence(later)) if later else None


def classify_intent(
    text: str,
    today: date,
    *,
    ignore_addresses: frozenset[str] = frozenset(),
    competitors: Iterable[str] = DEFAULT_COMPETITORS,
) -> tuple[str, str | None, list[Event]]:
    """The intent, its evidence sentence and the journey events of a person's new text."""
    sents = sentences(text)
    low = tuple(s.lower() for s in sents)
    month_first = bool(_ENGLISH.search("\n".join(low)))
    events: list[Event] = []
    meeting = _first_match(_MEETING, sents, low)
    if meeting:
        when = later_date(meeting, today, month_first=month_first)
        if when is not None and (when - today).days > _MEETING_HORIZON_DAYS:
            meeting = None
        else:
            events.append(Event("meeting_request", evidence(meeting), date=when))
    budget = _first_match(_BUDGET, sents, low)
    if budget:
        events.append(Event("budget_freeze", evidence(budget)))
    refused = _first_match(_NOT_INTERESTED, sents, low)
    come_back = _come_back(sents, low, today, month_first)
    if come_back and refused and come_back.date is None:
        come_back = None
    if come_back:
        events.append(come_back)
    for pattern, kind in ((_SCOPE, "scope_change"), (_LEADERSHIP, "leadership_change")):
        found = _first_match(pattern, sents, low)
        if found:
            events.append(Event(kind, evidence(found)))
    events.extend(_competitors(sents, competitors))
    wrong = _first_match(_WRONG_PERSON, sents, low)
    events.extend(_referrals(sents, low, ignore_addresses, anywhere=wrong is not None))
    interested = (
        s
        for s, s_low in zip(sents, low, strict=True)
        if _INTERESTED.search(s_low) and not _NOT_INTERESTED.search(s_low)
    )
    for intent, found in (
        ("ready_to_talk", meeting),
        ("wrong_person", wrong),
        ("not_now", come_back.evidence if come_back else budget),
        ("not_interested", refused),
        ("question", next((s for s in sents if _is_question(s)), None)),
        ("interested", next(interested, None)),
    ):
        if found:
            return intent, evidence(found), events
    return "other", None, events
