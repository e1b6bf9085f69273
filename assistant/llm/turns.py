"""The turn of the journey a lead's reply takes, as the offline drafter answers it.

A pause until a date, a budget freeze, a referral, a request to talk: each gets its own short
mail (an acknowledgement, thanks, a yes with times) instead of content. Dates and times are
written as words where the lead gave none ("in mid-September", "Thursday at 10:00, Berlin
time"), so that a draft names nothing the thread does not hold.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.llm.base import DraftRequest
from assistant.mail.intent import AFTER_EVENT, Event, classify_intent, named_by_address

MONTH_NAMES = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
}
DAY_NAMES = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
}
_PARTS = {
    "en": ("at the start of {m}", "in mid-{m}", "at the end of {m}", "on {d} {m}"),
    "de": ("Anfang {m}", "Mitte {m}", "Ende {m}", "am {d}. {m}"),
    "fr": ("début {m}", "à la mi-{m}", "fin {m}", "le {d} {m}"),
    "es": ("a principios de {m}", "a mediados de {m}", "a finales de {m}", "el {d} de {m}"),
}
_OFFER = {
    "en": ("{day} at {t1} or {t2} ({z} time)", "{day} at {t1} or {day2} at {t2} ({z} time)"),
    "de": (
        "{day} um {t1} oder {t2} Uhr (Ortszeit {z})",
        "{day} um {t1} oder {day2} um {t2} Uhr (Ortszeit {z})",
    ),
    "fr": ("{day} à {t1} ou {t2} (heure de {z})", "{day} à {t1} ou {day2} à {t2} (heure de {z})"),
    "es": (
        "el {day} a las {t1} o a las {t2} (hora de {z})",
        "el {day} a las {t1} o el {day2} a las {t2} (hora de {z})",
    ),
}


@dataclass(frozen=True)
class Turn:
    kind: str  # "pause", "freeze", "referral", "meeting" or "" (an ordinary reply)
    until: date | None = None
    referred: str = ""  # the colleague the lead named
    referred_email: str = ""
    day: date | None = None  # meeting: the day the lead asked for
    after: str = ""  # pause: the event the lead waits for, in their words ("after our trade fair")
    they_return: bool = False  # "I'll come back to you when there's movement": no date from us


def today_of(request: DraftRequest) -> date:
    """The day of the lead's latest message: the drafter's "today" for reading dates."""
    dated = [turn.at for turn in request.thread if turn.at is not None]
    return max(dated).date() if dated else datetime.now(UTC).date()


def read(request: DraftRequest) -> Turn:
    """The turn the lead's latest reply takes; replies of other situations take none."""
    if request.situation != "reply" or not request.latest_reply:
        return Turn("")
    today = today_of(request)
    intent, _, events = classify_intent(
        request.latest_reply, today, ignore_addresses=frozenset({request.rep.email.lower()})
    )
    kinds: dict[str, Event] = {}
    for event in events:  # the first of each: "talk to Fiona …, please don't copy Tom …"
        kinds.setdefault(event.type, event)
    if intent == "ready_to_talk":
        meeting = kinds.get("meeting_request")
        return Turn("meeting", day=meeting.date if meeting else None)
    referral = kinds.get("referral")
    if intent == "wrong_person" and referral is not None:
        name = referral.name or _name_of(referral.email or "", request.latest_reply)
        return Turn("referral", referred=name, referred_email=referral.email or "")
    if intent == "wrong_person" and request.referred:
        # On Cc or in the signature: the reading found them, the new text does not hold them.
        name, email = request.referred[0]
        return Turn("referral", referred=name or _name_of(email, ""), referred_email=email)
    if intent == "wrong_person":
        return Turn("referral", referred=_colleague_named(request.latest_reply))
    later = kinds.get("come_back_later")
    until = later.date if later and later.date and later.date > today else None
    after = event_words(later.evidence) if later else ""
    they_return = bool(_THEY_RETURN.search(request.latest_reply))
    if they_return:
        until, after = None, ""  # the lead will write; a date from us would be a chase
    if "budget_freeze" in kinds:
        return Turn("freeze", until=until, after=after, they_return=they_return)
    if intent == "not_now" and later is not None:
        # With no date the lead rests for the cadence's pause_without_date_days.
        return Turn("pause", until=until, after=after, they_return=they_return)
    return Turn("")


_THEY_RETURN = re.compile(
    r"\bi(?:'ll| will) (?:come back to you|be in touch|get back to you|reach out|let you know"
    r"|contact you|ping you)\b|\bich melde mich (?:bei ihnen|bei dir|wieder|,? sobald)"
    r"|\bje reviendrai vers (?:vous|toi)\b|\bje vous recontacterai\b"
    r"|\b(?:le|te) (?:escribiré|contactaré|avisaré)\b|\bme pondré en contacto\b",
    re.IGNORECASE,
)
# "Send me something that helps me build the case": a paused lead who asks for material.
ASKS_FOR_MATERIAL = re.compile(
    r"(?<!n't )(?<!not )(?<!never )(?<!need to )"
    r"\b(?:send|share|forward|give)(?: me| us)? (?:something|anything|some(?:thing)? material"
    r"|material|whatever)\b|\bsomething (?:that|to) help(?:s)? (?:me|us)\b"
    # "If there's something I should read beforehand, send it over."
    r"|\b(?:something|anything) (?:i|we) (?:should|could|can) read\b[^.?!]{0,80}\bsend\b"
    # "Do you have a tool to estimate the savings?": material asked for by its kind.
    r"|\b(?:do you have|have you got|is there) (?:a|an|any|some) (?:tool|calculator|template"
    r"|guide|checklist|case study|white ?paper|benchmark|training|session)\b"
    r"|\b(?:auriez|avez)-vous (?:un|une|des) (?:outil|calculateur|modèle|guide|étude|document)"
    r"|\bhaben sie (?:ein|eine|einen) (?:tool|rechner|vorlage|leitfaden|dokument)"
    r"|\b(?:tienen|tiene usted|disponen de) (?:una?|alguna?) (?:herramienta|calculadora|plantilla"
    r"|guía|documento)"
    r"|\bschicken sie (?:mir|uns) (?:etwas|unterlagen)|\benvoyez-moi (?:quelque chose|des éléments)"
    r"|\bmánde(?:me|nos) (?:algo|material)",
    re.IGNORECASE,
)
# The kind of item a lead asks for by name ("any training or session they could join?", "is
# there any benchmark data?", "un outil pour estimer..."), as the library's types.
_ASKED_KINDS = (
    (
        r"webinar|session|training|workshop|live event|seminar|schulung|webinaire|formation|séance"
        r"|seminario|formación|sesión",
        ("webinar",),
    ),
    (
        r"calculator|tool to (?:estimate|calculate|work out|model)|rechner|outil|calculateur"
        r"|calculadora|herramienta",
        ("calculator",),
    ),
    (
        r"case stud|customer stor|example of a (?:customer|company)|fallstudie|étude de cas"
        r"|caso de (?:éxito|estudio)"
        # "Do you have customers in logistics?", "¿Tienen clientes del sector logístico?"
        r"|customers? (?:in|like|from|of|with)\b|clients? (?:in|like|dans|du|de|des)\b"
        r"|kunden (?:in|aus|der|mit)\b|clientes (?:del|de|en|como|con)\b",
        ("case_study",),
    ),
    (
        r"benchmark|research|survey data|study|report|white ?paper|studie|étude|estudio|informe",
        ("white_paper", "report"),
    ),
    (r"checklist|check-list|lista de verificación", ("checklist",)),
)
_ASKS_FOR_KIND = re.compile(
    r"\b(?:do you have|have you got|is there|are there|could you (?:send|share)|can you (?:send"
    r"|share)|send (?:me|us)|any chance of|auriez-vous|avez-vous|haben sie|gibt es|tienen"
    r"|tiene usted|hay)\b[^.?!\n]{0,40}?\b(?:a|an|any|some|un|une|des|ein|eine|einen|una?|alguna?)?"
    r"\s*(?P<what>[^.?!\n]{0,60})",
    re.IGNORECASE,
)


def asked_kind(reply: str | None) -> tuple[str, ...]:
    """The library types of the item the lead asks for by its kind, or () when none; "why
    would we bring in another tool?" asks for the comparison with what they have."""
    for found in _ASKS_FOR_KIND.finditer(reply or ""):
        what = found.group("what").lower()
        for pattern, types in _ASKED_KINDS:
            if re.search(rf"\b(?:{pattern})", what):
                return types
    return ("comparison",) if _WHY_NOT_WHAT_WE_HAVE.search(reply or "") else ()


# Weighing Nurture's product against another way: the add-on they have, a rival, doing nothing.
_WHY_NOT_WHAT_WE_HAVE = re.compile(
    r"\bwhy (?:would|should) (?:we|i) (?:bring in|add|buy|need|take on|switch to|pay for)"
    r" (?:another|a new|a separate|an extra|yet another|your)\b"
    r"|\bwhat (?:do|would) (?:you|we) (?:do|get) (?:better|that|differently)[^?]{0,40}"
    r"\b(?:can't|cannot|doesn't|does not|don't)\b"
    r"|\bwarum (?:sollten|würden) wir (?:noch )?(?:ein (?:weiteres|zusätzliches|neues)|ihr)"
    r"|\bpourquoi (?:ajouter|prendre|acheter) (?:un autre|un nouvel?|votre)"
    r"|\bpor qué (?:añadir|contratar|comprar|meter) (?:otra|otro|una nueva|un nuevo|su)",
    re.I,
)


_PHRASE_END = re.compile(
    r"\s+(?:in|im|on|at|around|is|are|and|und|et|y|en|au|à|a|al|nochmal|noch|again|wieder|,)\b"
    r"|[,.;:!?()]"
)
_LANG_OF_AFTER = {"after": "en", "once": "en", "following": "en", "nach": "de", "après": "fr"}
_LANG_OF_AFTER |= {"apres": "fr", "después": "es", "despues": "es", "tras": "es"}
_YOURS = {
    "en": {"our": "your", "my": "your"},
    "de": {"unserer": "Ihrer", "unserem": "Ihrem", "unseren": "Ihren"},
    "fr": {"notre": "votre", "nos": "vos"},
    "es": {"nuestra": "su", "nuestro": "su", "nuestras": "sus", "nuestros": "sus"},
}
_YOURS_CASUAL = {
    "de": {"unserer": "eurer", "unserem": "eurem", "unseren": "euren", "Ihrer": "deiner"},
    "es": {
        "nuestra": "vuestra",
        "nuestro": "vuestro",
        "nuestras": "vuestras",
        "nuestros": "vuestros",
    },
}


def event_words(sentence: str) -> str:
    """The event a pause waits for, as the lead wrote it: "after our trade fair"."""
    found = AFTER_EVENT.search(sentence)
    if not found:
        return ""
    rest = sentence[found.end() :]
    stop = _PHRASE_END.search(rest)
    tail = rest[: stop.start()] if stop else rest
    words = (found.group(0) + tail).split()[:5]
    while len(words) > 3 and words[-1].lower() in ("de", "of", "the", "del", "du", "des", "der"):
        words.pop()
    return " ".join(words)


_SOME_WEEKS = {"en": "in a few weeks", "de": "in ein paar Wochen", "fr": "dans quelques semaines"}
_SOME_WEEKS |= {"es": "dentro de unas semanas"}


def pause_when(until: str, after: str, lang: str) -> str:
    """When the rep writes again: "after your trade fair, on 15 March", or "in a few weeks"."""
    if after and until:
        return f"{after}, {until}," if lang == "de" else f"{after}, {until}"
    return until or after or _SOME_WEEKS.get(lang, _SOME_WEEKS["en"])


def after_words(phrase: str, lang: str, style: str) -> str:
    """The lead's "after our trade fair" as the rep writes it: "after your trade fair"."""
    words = phrase.split()
    if not words:
        return ""
    lead_in = " ".join(words[:2]).lower() if words[0].lower() in ("después", "despues") else ""
    if _LANG_OF_AFTER.get(lead_in.split()[0] if lead_in else words[0].lower()) != lang:
        return ""  # written in another language than the draft
    swap = {**_YOURS.get(lang, {}), **(_YOURS_CASUAL.get(lang, {}) if style == "casual" else {})}
    out = [swap.get(w.lower(), w) for w in words]
    out[0] = out[0].lower()
    return " ".join(out)


_NAMED = re.compile(
    r"\b(?:copied|cc'?d|cc|copying|looped in|looping in|loop in|speak to|speak with|talk to|"
    r"talk with|contact|reach out to|get in touch with|forwarded (?:this|it|your email) to|"
    r"passed (?:this|it|your email) (?:on )?to|wenden sie sich an|sprechen sie mit|contactez|"
    r"hable con|contacte con)\s+(?:my |our |mi |nuestra? |unsere[nm]? |notre )?"
    r"(?:colleague,?\s+|kollegin,?\s+|kollegen,?\s+|collègue,?\s+|compañer[oa],?\s+)?"
    r"([A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+)?)"
)


_INTRODUCED = re.compile(
    r"\b(?i:looping in|looped in|loop in|copying in|copied in|copying"
    r"|i'?ve copied(?: in)?|i have copied(?: in)?"
    r"|cc'?ing|i'?ve added|i have added|adding|i'?ll bring|i will bring|bringing|joined by"
    r"|accompagnée? de|acompañad[oa] de|begleitet von|mit dabei ist|dazu kommt)"
    r"\s+([^.()\n;:]{1,60})"
)
_PERSON = re.compile(
    r"^(?:(?:Mr|Ms|Mrs|Dr|Mme|M|Herr|Frau|Sr|Sra)\.?\s+)?[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]+"
    r"(?:\s+[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]+)?$"
)


def introduced(text: str | None) -> tuple[str, ...]:
    """People the lead brings into the conversation in words: "Looping in Tomasz Nowak"."""
    names: list[str] = []
    for found in _INTRODUCED.finditer(text or ""):
        for part in found.group(1).split(","):
            words = part.strip().split()
            # "Tomasz Nowak, our IT Director": a name, not a role; "who" ends it.
            cut = next(
                (
                    i
                    for i, w in enumerate(words)
                    if w.lower() in ("who", "qui", "que", "der", "die")
                ),
                len(words),
            )
            candidate = " ".join(words[:cut])
            plain = {w.lower() for w in words[:cut]}
            if (
                _PERSON.match(candidate)
                and not plain & {"our", "the", "team", "all"}
                and candidate not in names
            ):
                names.append(candidate)
                break
    return tuple(names)


def _colleague_named(text: str | None) -> str:
    """The colleague a lead names without an address: "I've copied Priya Nair" -> Priya Nair."""
    found = _NAMED.search(text or "")
    return found.group(1) if found else ""


def _name_of(email: str, text: str) -> str:
    """A colleague known only by address: "raj.patel@..." is Raj Patel, as the text writes it."""
    if named := named_by_address(text, email):
        return named
    parts = [p for p in re.split(r"[._-]+", email.split("@")[0]) if p.isalpha()]
    return " ".join(p.capitalize() for p in parts[:2]) if len(parts) > 1 else email


def resume_day(until: date) -> date:
    """The day the rep writes again: a freeze "through the end of March" ends on 1 April."""
    last = calendar.monthrange(until.year, until.month)[1]
    return until + timedelta(days=1) if until.day == last else until


def when_words(day: date, lang: str, today: date) -> str:
    """A pause's end as a person writes it: "in mid-September", "at the end of March 2027"."""
    month = MONTH_NAMES[lang].split()[day.month - 1]
    start, mid, end, exact = _PARTS[lang]
    last = calendar.monthrange(day.year, day.month)[1]
    pattern = {1: start, 15: mid, last: end}.get(day.day, exact)
    words = pattern.format(m=month, d=day.day)
    if day.year == today.year:
        return words
    return f"{words} de {day.year}" if lang == "es" else f"{words} {day.year}"


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


# "after 2pm", "nach 14 Uhr", "entre 10h et 12h", "de 10:00 a 12:00": a time of day.
_CLOCK = r"(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|uhr|h\b)?"
_AFTER = re.compile(
    rf"\b(?:after|from|nach|ab|après|à partir de|después de|a partir de)\s+{_CLOCK}", re.I
)
_BEFORE = re.compile(rf"\b(?:before|until|by|vor|bis|avant|antes de|hasta)\s+{_CLOCK}", re.I)
_BETWEEN = re.compile(
    rf"\b(?:between|zwischen|entre|from|von|de)\s+{_CLOCK}\s*(?:and|und|et|y|to|bis|à|a|-|–)\s*{_CLOCK}",
    re.I,
)
_PARTS_OF_DAY = (
    (re.compile(r"\b(?:morning|vormittag|morgens|matin(?:ée)?|por la mañana)\b", re.I), (540, 720)),
    (re.compile(r"\b(?:afternoon|nachmittag|après-midi|por la tarde)\b", re.I), (780, 1020)),
)
# Where the lead says their clock is: "UK time", "heure de Paris", "8am Central".
_ZONE_WORDS = tuple(
    (re.compile(words, flags), zone)
    for words, flags, zone in (
        (
            r"\buk time\b|\blondon\b|\bbritish time\b|\bgmt\b|\bbst\b|\b\d{1,2} ?(?:am|pm) uk\b",
            re.I,
            "Europe/London",
        ),
        (r"\bdublin\b|\birish time\b", re.I, "Europe/Dublin"),
        (r"\bparis\b|\bheure française\b|\bheure de france\b", re.I, "Europe/Paris"),
        (
            r"\b(?:bordeaux|lyon|marseille|toulouse|lille|nantes|strasbourg|rennes|nice)\b",
            re.I,
            "Europe/Paris",
        ),
        (
            r"\b(?:manchester|birmingham|leeds|glasgow|edinburgh|bristol|cardiff|liverpool)\b",
            re.I,
            "Europe/London",
        ),
        (
            r"\b(?:munich|münchen|hamburg|frankfurt|köln|cologne|stuttgart|düsseldorf|leipzig)\b",
            re.I,
            "Europe/Berlin",
        ),
        (
            r"\b(?:barcelona|valencia|sevilla|seville|bilbao|málaga|zaragoza)\b",
            re.I,
            "Europe/Madrid",
        ),
        (r"\b(?:rotterdam|utrecht|eindhoven|the hague|den haag)\b", re.I, "Europe/Amsterdam"),
        (r"\b(?:milan|milano|rome|roma|turin|torino)\b", re.I, "Europe/Rome"),
        (r"\b(?:lisbon|lisboa|porto)\b", re.I, "Europe/Lisbon"),
        (r"\b(?:vienna|wien)\b", re.I, "Europe/Vienna"),
        (r"\b(?:zurich|zürich|geneva|genève|basel|bern)\b", re.I, "Europe/Zurich"),
        (r"\b(?:brussels|bruxelles|brussel|antwerp|antwerpen)\b", re.I, "Europe/Brussels"),
        (r"\bberlin\b|\bdeutscher zeit\b|\bCES?T\b|\bMES?Z\b", re.I, "Europe/Berlin"),
        (r"\bmadrid\b|\bhora peninsular\b|\bhora de españa\b", re.I, "Europe/Madrid"),
        (r"\bamsterdam\b", re.I, "Europe/Amsterdam"),
        (r"\beastern time\b|\bnew york\b|\bboston\b", re.I, "America/New_York"),
        (r"\bE[SD]?T\b", 0, "America/New_York"),
        (r"\bcentral time\b|\bchicago\b", re.I, "America/Chicago"),
        (r"\bC[SD]?T\b", 0, "America/Chicago"),
        (r"\bmountain time\b|\bdenver\b", re.I, "America/Denver"),
        (r"\bpacific time\b|\blos angeles\b|\bsan francisco\b", re.I, "America/Los_Angeles"),
        (r"\bP[SD]?T\b", 0, "America/Los_Angeles"),
    )
)
# Without a word from the lead, the address's country says where the lead's clock is.
_COUNTRY_ZONES = {
    "uk": "Europe/London",
    "ie": "Europe/Dublin",
    "de": "Europe/Berlin",
    "at": "Europe/Vienna",
    "ch": "Europe/Zurich",
    "fr": "Europe/Paris",
    "be": "Europe/Brussels",
    "nl": "Europe/Amsterdam",
    "es": "Europe/Madrid",
    "pt": "Europe/Lisbon",
    "it": "Europe/Rome",
    "dk": "Europe/Copenhagen",
    "se": "Europe/Stockholm",
    "no": "Europe/Oslo",
    "fi": "Europe/Helsinki",
    "pl": "Europe/Warsaw",
}
# Last, the country a signature names ("Kouvola, Finland", "Terneuzen, NL").
_COUNTRY_WORDS = tuple(
    (re.compile(rf"(?:,|\||·|^)\s*(?:{words})\s*(?:$|[|·–—])", re.I | re.M), zone)
    for words, zone in (
        ("uk|united kingdom|england|scotland|wales", "Europe/London"),
        ("ireland", "Europe/Dublin"),
        ("germany|deutschland", "Europe/Berlin"),
        ("austria|österreich", "Europe/Vienna"),
        ("switzerland|schweiz|suisse", "Europe/Zurich"),
        ("france", "Europe/Paris"),
        ("belgium|belgique|belgië", "Europe/Brussels"),
        ("netherlands|the netherlands|nederland|nl", "Europe/Amsterdam"),
        ("spain|españa", "Europe/Madrid"),
        ("portugal", "Europe/Lisbon"),
        ("italy|italia", "Europe/Rome"),
        ("denmark|danmark", "Europe/Copenhagen"),
        ("sweden|sverige", "Europe/Stockholm"),
        ("norway|norge", "Europe/Oslo"),
        ("finland|suomi", "Europe/Helsinki"),
        ("poland|polska", "Europe/Warsaw"),
        ("usa|u\\.s\\.a?\\.?|united states(?: of america)?", "America/New_York"),
        ("canada", "America/Toronto"),
    )
)
# "Kansas City, MO", "Austin, TX 78701": a US state's zone (the larger part of it).
_STATE_ZONES = {
    "America/New_York": "CT DE DC FL GA IN KY ME MD MA MI NH NJ NY NC OH PA RI SC VT VA WV",
    "America/Chicago": "AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI",
    "America/Denver": "CO ID MT NM UT WY",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "HI",
}
_STATE = re.compile(
    r",\s*(" + "|".join(" ".join(_STATE_ZONES.values()).split()) + r")(?:\s+\d{5})?\s*$", re.M
)
_PHONE = re.compile(r"\+(\d{2,3})[\s(]")
_DIALLING = {
    "44": "Europe/London",
    "353": "Europe/Dublin",
    "49": "Europe/Berlin",
    "43": "Europe/Vienna",
    "41": "Europe/Zurich",
    "33": "Europe/Paris",
    "32": "Europe/Brussels",
    "31": "Europe/Amsterdam",
    "34": "Europe/Madrid",
    "351": "Europe/Lisbon",
    "39": "Europe/Rome",
    "45": "Europe/Copenhagen",
    "46": "Europe/Stockholm",
    "47": "Europe/Oslo",
    "358": "Europe/Helsinki",
    "48": "Europe/Warsaw",
}
# What a zone is called beside a time, where its city is not what people say.
_ZONE_NAMES = {"en": {"Europe/London": "UK"}, "fr": {}, "de": {}, "es": {}}


def _minutes(hour: str, minute: str | None, half: str | None) -> int | None:
    value = int(hour)
    mark = (half or "").lower().replace(".", "")
    if mark == "pm" and value < 12:
        value += 12
    elif mark == "am" and value == 12:
        value = 0
    elif not mark and value < 7:
        value += 12  # "after 2" is two in the afternoon
    return value * 60 + int(minute or 0) if 0 <= value <= 23 else None


def window(text: str) -> tuple[int, int] | None:
    """The lead's own window for a call, in minutes of their day, when the reply gives one."""
    if found := _BETWEEN.search(text):
        start, end = _minutes(*found.groups()[:3]), _minutes(*found.groups()[3:])
        if start is not None and end is not None and start < end:
            return start, end
    after, before = _AFTER.search(text), _BEFORE.search(text)
    start = _minutes(*after.groups()) if after else None
    if start is not None:
        start += 30  # "after 2pm" is 14:30, not the edge of the window
    end = _minutes(*before.groups()) if before else None
    if start is not None or end is not None:
        return (start if start is not None else 8 * 60), (end if end is not None else 18 * 60)
    return next((span for pattern, span in _PARTS_OF_DAY if pattern.search(text)), None)


def lead_zone(text: str, stored: str, email: str) -> str:
    """The lead's time zone: what the reply says, else what we hold, else the address's country,
    else the country code of a phone number in their signature (+44, +49)."""
    # "Your email said 15:00 CET - is it 3pm or 2pm UK?": the zone the lead names last is theirs.
    named_zones = [(m.start(), zone) for words, zone in _ZONE_WORDS for m in words.finditer(text)]
    said = max(named_zones)[1] if named_zones else None
    country = email.rsplit(".", 1)[-1].lower() if "@" in email else ""
    dialled = next((_DIALLING.get(m.group(1), "") for m in _PHONE.finditer(text)), "")
    named = next((zone for words, zone in _COUNTRY_WORDS if words.search(text)), "")
    if not named and (state := _STATE.search(text)):
        named = next(z for z, codes in _STATE_ZONES.items() if state.group(1) in codes.split())
    return said or stored or _COUNTRY_ZONES.get(country, "") or dialled or named


def where(reply: str, stored: str, email: str, rep_zone: str, rep_signature: str) -> str:
    """The lead's zone (`lead_zone`), else the rep's: a rep for "UK & Ireland" writes to leads
    there. Sets the currency of a price and the clock of an event time."""
    return lead_zone(reply, stored, email) or rep_zone or lead_zone(rep_signature, "", "")


def slots(
    day: date | None,
    today: date,
    *,
    lead_zone: str,
    rep_zone: str,
    hours: str = "09:00-17:00",
    lang: str = "en",
    wanted: tuple[int, int] | None = None,
) -> str:
    """Two times inside the rep's working hours and the lead's window, in the lead's time zone.

    On the day the lead asked for, else the next two working days. The lead's window is what
    the reply says ("after 2pm", "entre 10h et 12h"), else their 8:00-18:00; a call starts at
    least half an hour after "after 2pm" and ends by "before 11".
    """
    lead_tz = _zone(lead_zone) or _zone(rep_zone) or UTC
    rep_tz = _zone(rep_zone) or lead_tz
    start_text, _, end_text = hours.partition("-")
    rep_start = int(start_text.split(":")[0]) * 60
    rep_end = int(end_text.split(":")[0] or 17) * 60
    first, last = wanted or (8 * 60, 18 * 60)
    days = [day] if day else []
    probe = today
    while len(days) < 3:
        probe += timedelta(days=1)
        if probe.weekday() < 5 and probe not in days:
            days.append(probe)
    for when in days:
        found: list[datetime] = []
        for minute in _candidates(wanted, rep_start, rep_end, when, lead_tz, rep_tz):
            at = datetime.combine(when, time(minute // 60, minute % 60), tzinfo=lead_tz)
            there = at.astimezone(rep_tz)
            local = there.hour * 60 + there.minute
            if there.date() != when or not rep_start <= local <= rep_end - 30:
                continue
            if not first <= minute <= last - 30 or at in found:
                continue
            # An hour apart where the window allows, so the lead has a real choice.
            if not found or at - found[0] >= timedelta(hours=1) or minute + 30 >= last - 30:
                found.append(at)
            if len(found) == 2:
                return _offer(sorted(found), lang, _zone_name(lead_tz, lang))
    return ""


def _candidates(
    wanted: tuple[int, int] | None,
    rep_start: int,
    rep_end: int,
    when: date,
    lead_tz: Any,
    rep_tz: Any,
) -> list[int]:
    """Start times to try, in minutes of the lead's day, best first.

    Inside the lead's window, the earliest first; with no window, mid-morning and
    mid-afternoon of the rep's day first, then any other hour.
    """
    if wanted:
        return list(range(wanted[0], wanted[1] - 29, 30))
    preferred = [rep_start + 60, rep_end - 180]
    others = [m for m in range(rep_start, rep_end, 60) if m not in preferred]
    found = []
    for minute in [*preferred, *others]:
        at = datetime.combine(when, time(minute // 60, minute % 60), tzinfo=rep_tz)
        there = at.astimezone(lead_tz)
        found.append(there.hour * 60 + there.minute)
    return found


def _zone_name(zone: ZoneInfo | Any, lang: str) -> str:
    key = str(getattr(zone, "key", "UTC"))
    if key == "UTC":
        return "UTC"  # "(UTC)": _offer writes it without "time"/"heure de"
    return _ZONE_NAMES.get(lang, {}).get(key) or key.split("/")[-1].replace("_", " ")


def _clock(at: datetime, lang: str) -> str:
    """A time as the language writes it: 14:30, "10 h 30" in French, "1 pm" in America."""
    if lang == "fr":
        return f"{at.hour} h {at.minute:02d}" if at.minute else f"{at.hour} h"
    if lang == "en" and str(getattr(at.tzinfo, "key", "")).startswith("America/"):
        hour = at.hour % 12 or 12
        half = "am" if at.hour < 12 else "pm"
        return f"{hour}:{at.minute:02d} {half}" if at.minute else f"{hour} {half}"
    return f"{at:%H:%M}"


def _offer(times: list[datetime], lang: str, zone: str) -> str:
    """Two times as one phrase: "Thursday at 14:00 or 15:00 (Berlin time)"."""
    names = DAY_NAMES[lang].split()
    one, two = sorted(times)
    same, other = _OFFER[lang]
    pattern = same if one.date() == two.date() else other
    if zone == "UTC":
        pattern = re.sub(r"\([^)]*\{z\}[^)]*\)", "(UTC)", pattern)
    return pattern.format(
        day=names[one.weekday()],
        day2=names[two.weekday()],
        t1=_clock(one, lang),
        t2=_clock(two, lang),
        z=zone,
    )
