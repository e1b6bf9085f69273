"""Ranks the content library for one lead: topic, stage, persona, industry, track and events.

The score of an item is a weighted sum of fits, each in [0, 1]:

    topic     BM25 (bm25s) of the item's text against the reply, the lead's topics and the
              words its journey events imply, scaled to the best match of this query
    stage     how close the item's stage is to where the lead is heading
    persona   whether the item is written for the people the lead's title names
    industry  the lead's industry, a horizontal item, or another industry's item
    track     the manager's ordered preferences for the target stage
    event     item types that suit the turn the journey took (competitor, budget freeze...)

Everything that depends only on the library is computed once in the constructor, so a query
is a handful of numpy operations over arrays the size of the library.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer

from assistant.content.library import PERSONAS, STAGES, TYPES, ContentSpec
from assistant.errors import InputError

WEIGHTS = {"topic": 0.50, "stage": 0.20, "persona": 0.10, "industry": 0.10, "track": 0.10}
EVENT_BONUS = 0.08
# A query whose best BM25 match is below this counts as weakly topical (see _topic_fit).
TOPIC_FLOOR = 6.0
# Below this total an item is filler: right for nobody in particular.
MIN_SCORE = 0.27
# Items two stages away or for another industry need at least this much topical pull.
STRONG_TOPIC = 0.5

BACKWARD_EVENTS = frozenset({"budget_freeze", "come_back_later"})
BACKWARD_INTENTS = frozenset({"not_now", "not_interested"})
FORWARD_INTENTS = frozenset({"interested", "question"})
READY = frozenset({"ready", "ready_to_talk"})

# Light, low-commitment formats keep a paused lead warm; a new person needs an overview.
EVENT_TYPES: dict[str, frozenset[str]] = {
    "budget_freeze": frozenset({"blog_post", "infographic", "checklist", "video", "report"}),
    "come_back_later": frozenset({"blog_post", "infographic", "checklist", "video", "report"}),
    "not_now": frozenset({"blog_post", "infographic", "checklist", "video", "report"}),
    "competitor": frozenset({"case_study"}),
    "new_stakeholder": frozenset({"infographic", "video", "webinar"}),
}
EVENT_WORDS = {
    "competitor": "comparison competitors switching evaluation",
    "new_stakeholder": "executive summary overview",
}
TYPE_WORDS = {
    "white_paper": "white paper guide",
    "webinar": "webinar live session",
    "video": "video watch demo",
    "case_study": "case study customer story example",
    "blog_post": "blog article",
    "infographic": "infographic one page summary",
    "checklist": "checklist",
    "calculator": "calculator tool assessment estimate",
    "ebook": "ebook guide playbook",
    "report": "report research benchmark",
}

# Titles in English, German, French and Spanish, matched on lowercase text without accents.
PERSONA_PATTERNS = {
    "finance": r"cfo|financ\w*|controller|controlling|comptroller|fp ?& ?a|treasur\w*|"
    r"accounting|daf|kaufmannisch\w*|procurement|purchasing|einkauf|achats|compras",
    "technical": r"cto|cio|ciso|information technology|engineering|engineers?|developers?|"
    r"architect|data|security|systems|sistemas|dsi|informatique|technology|tecnologia|"
    r"admin\w*|devops",
    "sales_leader": r"cro|(?:sales|vertrieb|ventas|commercial|comercial)(?! ?(?:ops|operations))"
    r"|vertriebsleiter\w*|directeur commercial|chief revenue officer",
    "marketing": r"cmo|marketing|demand gen\w*|growth|brand",
    "operations": r"revops|rev ops|operations?|ops|coo|operaciones|vertriebssteuerung|"
    r"enablement|procurement|administrator|admin",
    "executive": r"ceo|coo|cfo|cro|cmo|cto|cio|chief \w+ officer|founder|"
    r"(?<!vice )president|owner|managing director|general manager|geschaftsfuhrer\w*|"
    r"directeur general|director general|pdg|vorstand",
}
PERSONA_WORDS = {
    "finance": "finance",
    "technical": "technical",
    "sales_leader": "sales leader",
    "marketing": "marketing",
    "operations": "operations",
    "executive": "executive",
}
# First match wins, so the more specific industries come before the broad ones.
INDUSTRY_PATTERNS = (
    (
        "healthcare",
        r"health\w*|hospital\w*|medic\w*|medtech|pharma\w*|clinic\w*|sante|salud|"
        r"gesundheit\w*|krankenh\w*|life sciences",
    ),
    (
        "financial_services",
        r"financial|financ\w* services|bank\w*|insur\w*|fintech|lending|"
        r"wealth|versicherung\w*|banque|banca|seguros|asset management|finanz\w*",
    ),
    ("logistics", r"logist\w*|freight|transport\w*|shipping|3pl|supply chain|spedition|trucking"),
    (
        "retail",
        r"retail|e-?commerce|consumer|cpg|fashion|einzelhandel|commerce de detail|"
        r"minorista|grocery",
    ),
    (
        "manufacturing",
        r"manufactur\w*|industrial|machinery|maschinenbau|fertigung|fabrica\w*|"
        r"industrie|automotive|chemicals",
    ),
    ("software", r"software|saas|tech\w*|cloud|internet|it services"),
)

# Domain words of German, French and Spanish replies, and a few English synonyms, mapped to
# the library's English vocabulary. Keys have no accents. The originals stay in the query.
_LEXICON_TEXT = """
prognose prognosen vorhersage prevision previsions prevoir pronostico pronosticos: forecast
umsatz umsatzes ingresos chiffre: revenue
vertrieb vertriebs verkauf ventes vente commerciaux ventas venta: sales
handler haendler handlern handlernetz revendeurs distribuidores dealers resellers: distributors
preis preise prix tarif tarifs tarification precio precios tarifa: pricing price
kosten kostet cout couts frais costo coste costos cuesta cheaper cheap expensive: cost pricing
lizenz lizenzen licence licencias: licensing
rabatt rabatte remise descuento descuentos: discount pricing
vertrag vertrage vertraege vertragen contrat contrats contrato contratos: contract
mehrjahrige mehrjahrigen mehrjahrig pluriannuel plurianual: multi-year terms
sicherheit securite seguridad: security
datenschutz rgpd dsgvo: gdpr privacy data protection
daten donnees datos: data
gespeichert speicherung hebergement hebergees alojamiento alojados: hosting data residency
schnittstelle schnittstellen: integration api
integracion: integration
einfuhrung implementierung deploiement: implementation rollout
implementacion implantacion despliegue oeuvre: implementation rollout
schulung schulungen formation capacitacion: training
genauigkeit precision fiabilite fiable zuverlassig: accuracy
wettbewerber mitbewerber konkurrenz concurrent concurrents concurrence: competitors
competidor competidores competencia: competitors
vergleich vergleichen unterschied comparaison comparer: comparison
comparar comparacion diferencian vs versus: comparison
gele gelee congelado eingefroren eis: freeze
bank banken banque banques banco bancos: bank banking financial
revision prufung auditoria: audit
krankenhaus krankenhauser kliniken hopital hopitaux clinique: hospital healthcare
hospitales clinica sante salud: hospital healthcare
fertigung hersteller fabricant fabricants usine: manufacturing manufacturer
fabricante fabricantes manufactura: manufacturing manufacturer
fracht fret carga: freight
volumen: volume
logistik spedition logistique logistica transporte: logistics
einzelhandel minorista: retail
saisonalitat saisonnalite estacionalidad: seasonality
aktionen promociones: promotions
beispiel exemple ejemplo erfahrungen referenz referenzen references: example case study customer
caso casos: case study
kunden clients clientes: customers
rendite kapitalrendite rentabilite rentabilidad retorno: roi
amortisation: payback
investissement inversion: investment roi
abwanderung attrition abandono: churn
verlangerung verlangerungen renouvellement renouvellements renovaciones: renewals
planung planification planificacion: planning
szenario szenarien escenarios: scenario
gebiete territoires territorios: territories
quotas cuotas: quota
einkauf achats compras: procurement
rechnung facturation facturacion: invoicing
nutzer benutzer utilisateurs usuarios: users seats
ia ki: ai
risque riesgo risiko: risk
affaire affaires: deal
cloture cierre: close
renouveler: renewal
fallan fallar falla: miss
equipo: team
proceso: process
ciclos: cycles
demostracion vorfuhrung: demo
dossier: business case
trial pilot poc: proof of value pilot
ml: machine learning ai
phone phones mobile smartphone: mobile
nrr: net revenue retention
cost: price
calcular calculer berechnen: calculate calculator
bear bull downside upside worst: scenario
multiple: multi
single_sign_on azure_ad okta saml: sso
mise_en_oeuvre puesta_en_marcha: implementation
retorno_de_la_inversion retour_sur_investissement: roi
caso_de_exito casos_de_exito etude_de_cas: case study
dates_de_cloture: close dates
chiffre_d_affaires: revenue
"""


@dataclass(frozen=True)
class LeadContext:
    """What the ranker knows about one lead at one moment."""

    title: str = ""
    industry: str = ""
    stage: str = "awareness"
    topics: tuple[str, ...] = ()
    reply: str = ""
    events: tuple[str, ...] = ()
    intent: str | None = None


@dataclass(frozen=True)
class Recommendation:
    """One suggested item and the reasons for it, in words a rep reads."""

    slug: str
    score: float
    stage: str
    reasons: tuple[str, ...]


class Ranker:
    """BM25 plus profile fits over a library indexed once."""

    def __init__(
        self,
        items: Sequence[ContentSpec],
        *,
        tracks: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.items = tuple(items)
        self._index = {item.slug: i for i, item in enumerate(self.items)}
        self._tracks = _check_tracks(tracks or {}, self._index)
        n = len(self.items)
        self._stage = np.array([STAGES.index(item.stage) for item in self.items], dtype=np.int8)
        self._retired = np.array([item.retired for item in self.items], dtype=bool)
        never = date.max.toordinal()
        self._expires = np.array(
            [item.expires.toordinal() if item.expires else never for item in self.items]
        )
        self._personas = np.array(
            [[p in item.personas for p in PERSONAS] for item in self.items], dtype=bool
        ).reshape(n, len(PERSONAS))
        self._industries = [
            frozenset(filter(None, map(canonical_industry, item.industries))) for item in self.items
        ]
        self._horizontal = np.array([not inds for inds in self._industries], dtype=bool)
        self._industry_masks = {
            name: np.array([name in inds for inds in self._industries], dtype=bool)
            for name in set().union(*self._industries)
        }
        self._types = np.array([TYPES.index(item.type) for item in self.items], dtype=np.int8)
        docs = [_document_tokens(item) for item in self.items]
        self._doc_terms = [frozenset(doc) for doc in docs]
        self._bm25 = bm25s.BM25()
        if n:
            self._bm25.index(docs, show_progress=False)

    def target_stage(self, lead: LeadContext) -> str:
        """The stage whose content the lead should get next."""
        weights = _stage_weights(lead)
        return STAGES[max(range(len(STAGES)), key=weights.__getitem__)]

    def rank(
        self,
        lead: LeadContext,
        *,
        exclude: Collection[str],
        today: date,
        limit: int = 5,
    ) -> list[Recommendation]:
        """The best items the lead has not received, best first; empty when none fits."""
        if not self.items or limit <= 0:
            return []
        allowed = ~self._retired & (self._expires >= today.toordinal())
        for slug in exclude:
            if slug in self._index:
                allowed[self._index[slug]] = False
        if not allowed.any():
            return []

        query = _Query.of(lead)
        topic = self._topic_fit(query)
        stage = np.asarray(_stage_weights(lead), dtype=float)[self._stage]
        persona = self._persona_fit(query.personas)
        industry, other_industry = self._industry_fit(query.industry)
        track = self._track_fit(self.target_stage(lead), allowed)
        event = np.isin(self._types, [TYPES.index(t) for t in query.event_types])

        score = (
            WEIGHTS["topic"] * topic
            + WEIGHTS["stage"] * stage
            + WEIGHTS["persona"] * persona
            + WEIGHTS["industry"] * industry
            + WEIGHTS["track"] * track
            + EVENT_BONUS * event
        )
        # Far-off stages and other industries' items are filler unless the lead asked for them.
        needs_pull = (stage == 0) | other_industry
        eligible = allowed & (score >= MIN_SCORE) & (~needs_pull | (topic >= STRONG_TOPIC))
        candidates = np.flatnonzero(eligible)
        if candidates.size == 0:
            return []
        # Ties (common for silent leads) break by library order, so results are repeatable.
        order = candidates[np.lexsort((candidates, -score[candidates]))][:limit]
        return [
            self._recommend(int(i), float(score[i]), lead, query, today, bool(track[i] > 0))
            for i in order
        ]

    def _topic_fit(self, query: _Query) -> np.ndarray:
        total = np.zeros(len(self.items), dtype=float)
        for tokens, weight in query.parts:
            known = [t for t in tokens if t in self._bm25.vocab_dict]
            if known:
                total += weight * self._bm25.get_scores(known)
        best = float(total.max())
        if best <= 0:
            return total
        # Scaled to the best match, but a query that matches nothing well stays weak overall.
        return total / max(best, TOPIC_FLOOR)

    def _persona_fit(self, wanted: frozenset[str]) -> np.ndarray:
        """1 for a shared persona, 0.5 when either side names none, 0 for a clear mismatch."""
        if not wanted:
            return np.full(len(self.items), 0.5)
        columns = [PERSONAS.index(p) for p in sorted(wanted)]
        shared = self._personas[:, columns].any(axis=1)
        return np.where(shared, 1.0, np.where(self._personas.any(axis=1), 0.0, 0.5))

    def _industry_fit(self, industry: str | None) -> tuple[np.ndarray, np.ndarray]:
        """The fit, and which items belong to other industries only."""
        if industry is None:
            return np.full(len(self.items), 0.5), np.zeros(len(self.items), dtype=bool)
        match = self._industry_masks.get(industry, np.zeros(len(self.items), dtype=bool))
        fit = np.where(match, 1.0, np.where(self._horizontal, 0.5, 0.0))
        return fit, ~match & ~self._horizontal

    def _track_fit(self, stage: str, allowed: np.ndarray) -> np.ndarray:
        fit = np.zeros(len(self.items), dtype=float)
        remaining = [self._index[s] for s in self._tracks.get(stage, ()) if allowed[self._index[s]]]
        # The next undelivered item on the track gets full credit, later ones a little less.
        for position, i in enumerate(remaining):
            fit[i] = 1.0 - 0.5 * position / max(len(remaining), 1)
        return fit

    def _recommend(
        self,
        i: int,
        score: float,
        lead: LeadContext,
        query: _Query,
        today: date,
        on_track: bool,
    ) -> Recommendation:
        item = self.items[i]
        reasons: list[str] = []
        matched = [word for stem, word in query.reply_words.items() if stem in self._doc_terms[i]]
        if matched:
            verb = "asked about" if lead.intent == "question" else "reply mentions"
            reasons.append(f"{verb} {_join(matched[:4])}")
        topics = [t for t in lead.topics if _tokens(t) & self._doc_terms[i]]
        if topics:
            reasons.append(f"lead's topics: {_join(topics[:3])}")
        reasons.append(_stage_reason(item.stage, lead, self.target_stage(lead)))
        personas = [p for p in PERSONAS if p in item.personas and p in query.personas]
        if personas:
            names = _join([PERSONA_WORDS[p] for p in personas])
            reasons.append(f"{names} persona ({query.persona_source})")
        if query.industry and query.industry in self._industries[i]:
            reasons.append(f"{query.industry.replace('_', ' ')} industry")
        if on_track:
            reasons.append(f"on the manager's {self.target_stage(lead)} track")
        events = sorted(e for e in query.events if item.type in EVENT_TYPES.get(e, ()))
        if events:
            kind = item.type.replace("_", " ")
            reasons.append(f"{kind} format suits {_join([e.replace('_', ' ') for e in events])}")
        if item.event_date is not None:
            live = item.event_date.date() >= today
            when = f"{item.event_date:%d %b %Y}"
            reasons.append(
                f"live webinar on {when}" if live else f"recording of the {when} webinar"
            )
        return Recommendation(item.slug, round(score, 4), item.stage, tuple(reasons))


@dataclass(frozen=True)
class _Query:
    """A lead reduced to what scoring needs: weighted term lists and profile sets."""

    parts: tuple[tuple[list[str], float], ...]
    reply_words: dict[str, str]
    personas: frozenset[str]
    persona_source: str
    industry: str | None
    events: frozenset[str]
    event_types: frozenset[str]

    @classmethod
    def of(cls, lead: LeadContext) -> _Query:
        reply_words = _reply_words(lead.reply)
        topic_terms = [t for topic in lead.topics for t in _analyse(topic)]
        events = frozenset(lead.events) | ({lead.intent} if lead.intent == "not_now" else set())
        event_terms = [t for e in sorted(events) for t in _analyse(EVENT_WORDS.get(e, ""))]
        personas, source = personas_for(lead.title), lead.title
        newcomer = personas_for(lead.reply) if "new_stakeholder" in events else frozenset()
        if newcomer:
            # The reply names the newcomer ("looping in our CFO"); the next item is for them.
            personas, source = newcomer, "the new stakeholder"
        return cls(
            parts=(
                (list(dict.fromkeys(_analyse(lead.reply))), 1.0),
                (list(dict.fromkeys(topic_terms)), 0.6),
                (event_terms, 0.4),
            ),
            reply_words=reply_words,
            personas=personas,
            persona_source=source,
            industry=canonical_industry(lead.industry),
            events=events,
            event_types=frozenset(t for e in events for t in EVENT_TYPES.get(e, ())),
        )


def personas_for(title: str) -> frozenset[str]:
    """The personas a job title (in English, German, French or Spanish) belongs to."""
    # "IT" and Spanish "TI" only in capitals: lowercase they are an ordinary pronoun.
    text = _plain(_IT.sub("information technology", title))
    return frozenset(name for name, rx in _PERSONA_RX.items() if rx.search(text))


def canonical_industry(name: str) -> str | None:
    """One name for an industry however the lead's record spells it; None if unknown."""
    text = _plain(name).replace("_", " ")
    if not text.strip():
        return None
    for canonical, rx in _INDUSTRY_RX:
        if rx.search(text):
            return canonical
    return re.sub(r"\W+", "_", text.strip())


def _stage_weights(lead: LeadContext) -> tuple[float, ...]:
    """Preference for each stage: the target 1.0, the lead's own stage close behind."""
    current = STAGES.index(lead.stage) if lead.stage in STAGES else 0
    events = set(lead.events)
    if events & BACKWARD_EVENTS or lead.intent in BACKWARD_INTENTS:
        target = max(current - 1, 0)
    elif events & READY or lead.intent in READY:
        target = len(STAGES) - 1
    elif lead.intent in FORWARD_INTENTS:
        target = min(current + 1, len(STAGES) - 1)
    elif "competitor" in events:
        target = max(current, 1)  # comparisons are consideration content
    else:
        target = current
    weights = []
    for stage in range(len(STAGES)):
        if stage == target:
            weights.append(1.0)
        elif target < current:
            # Paused: the lighter stage behind stays welcome, the one just left much less so.
            weights.append(0.3 if stage == current else 0.6 if stage < target else 0.0)
        elif stage == current:
            weights.append(0.8)
        elif abs(stage - target) == 1:
            weights.append(0.4)
        else:
            weights.append(0.0)
    return tuple(weights)


def _stage_reason(stage: str, lead: LeadContext, target: str) -> str:
    if stage != target:
        return f"{stage} stage"
    if STAGES.index(target) < STAGES.index(lead.stage if lead.stage in STAGES else STAGES[0]):
        return f"{stage} stage: lighter content while the lead is paused"
    if target != lead.stage:
        return f"{stage} stage: the lead is moving forward"
    return f"{stage} stage"


def _check_tracks(
    tracks: Mapping[str, Sequence[str]], index: Mapping[str, int]
) -> dict[str, tuple[str, ...]]:
    checked: dict[str, tuple[str, ...]] = {}
    for stage, slugs in tracks.items():
        if stage not in STAGES:
            raise InputError("tracks", f"'{stage}' is not a stage ({', '.join(STAGES)})")
        for slug in slugs:
            if slug not in index:
                raise InputError("tracks", f"the {stage} track names '{slug}', not in the library")
        checked[stage] = tuple(dict.fromkeys(slugs))
    return checked


def _document_tokens(item: ContentSpec) -> list[str]:
    # Title and topics say what the item is about; repeating them weighs them up in BM25.
    text = " ".join(
        [
            item.title,
            item.title,
            " ".join(item.topics).replace("_", " "),
            " ".join(item.topics).replace("_", " "),
            item.summary,
            item.body,
            TYPE_WORDS[item.type],
            " ".join(item.industries).replace("_", " "),
        ]
    )
    return [_stem(w) for w in _words(text)]


def _analyse(text: str) -> list[str]:
    """Query terms: words and their lexicon translations, stemmed; stopwords dropped."""
    return [stem for stem, _ in _terms(text)]


def _reply_words(reply: str) -> dict[str, str]:
    """Stem -> the word to quote in reasons (translations in the library's language)."""
    found: dict[str, str] = {}
    for stem, word in _terms(reply):
        found.setdefault(stem, word)
    return found


def _terms(text: str) -> list[tuple[str, str]]:
    """(stem, word) for each word and each translation of a word or phrase in the text."""
    words = _WORD.findall(_plain(text))
    terms = [t for w in words if w not in _STOPWORDS and len(w) > 1 for t in (w, *_translate(w))]
    joined = f" {' '.join(words)} "
    terms += [t for phrase, meaning in _PHRASES.items() if f" {phrase} " in joined for t in meaning]
    return [(_stem(t), t) for t in terms]


def _tokens(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in _words(text))


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(_plain(text)) if w not in _STOPWORDS and len(w) > 1]


@lru_cache(maxsize=65536)
def _translate(word: str) -> tuple[str, ...]:
    if word in _LEXICON:
        return _LEXICON[word]
    # German compounds ("Frachtvolumen"): two known halves, with or without a linking s.
    for cut in range(4, len(word) - 3):
        head, tail = word[:cut], word[cut:]
        if tail in _LEXICON and (head in _LEXICON or head.removesuffix("s") in _LEXICON):
            return _LEXICON.get(head, _LEXICON.get(head.removesuffix("s"), ())) + _LEXICON[tail]
    return ()


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def _plain(text: str) -> str:
    """Lowercase without accents, so 'Sécurité' and 'securite' are one word."""
    folded = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _parse_lexicon(text: str) -> dict[str, tuple[str, ...]]:
    """'key key_phrase: meaning words' lines; an underscore joins the words of a phrase."""
    lexicon: dict[str, tuple[str, ...]] = {}
    for line in text.strip().splitlines():
        keys, _, meaning = line.partition(":")
        words = tuple(w for w in _WORD.findall(meaning) if w not in _STOPWORDS)
        for key in keys.split():
            key = key.replace("_", " ")
            lexicon[key] = lexicon.get(key, ()) + words
    return lexicon


_STEMMER = Stemmer.Stemmer("english")
_WORD = re.compile(r"[a-z0-9]+")
_IT = re.compile(r"\b(?:IT|TI)\b")
_STOPWORDS = _wordset(
    """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing don down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just let me more most my no nor not now of off on once only or other our ours out over own
    same she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours hi hello thanks thank regards best please cheers dear
    ll re ve get got really still like want need know think see send anything something
    good great nice love interesting useful look looks looking read day days next step steps
    short long lot way thing things actually honestly maybe sure much many one two use using
    make take give keep go going come say tell ask asked help work works rather right time
    busy talk chat speak
    der die das den dem des ein eine einen und oder aber wir sie ich es ist sind haben hat
    mit von zu zum zur bei bis auf fur uber unser unsere ihr ihre kein keine nicht noch nur
    auch wie was wo gibt sehr bitte danke le la les un une des du de et ou mais nous vous je
    il elle est sont avec pour par sur dans pas plus notre nos votre vos ce cette qui que
    el los las unos unas y o pero nosotros usted es son con para por en no mas nuestro
    nuestra nuestros su sus este esta que cual como muy gracias hola
    """
)
_LEXICON = {k: v for k, v in _parse_lexicon(_LEXICON_TEXT).items() if " " not in k}
_PHRASES = {k: v for k, v in _parse_lexicon(_LEXICON_TEXT).items() if " " in k}
_PERSONA_RX = {name: re.compile(rf"\b(?:{rx})\b") for name, rx in PERSONA_PATTERNS.items()}
_INDUSTRY_RX = tuple((name, re.compile(rf"\b(?:{rx})\b")) for name, rx in INDUSTRY_PATTERNS)
