"""The ranker's words: the lexicon, stopwords, job titles and industries, and text analysis.

Replies arrive in English, German, French and Spanish; the library is written in English. Each
reply word is folded (lowercase, no accents), translated through the lexicon and stemmed, so a
German "Datenschutz" meets the library's "gdpr privacy data protection".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer

from assistant.language import alternatives, entries, grouped

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

PERSONA_WORDS = {
    "finance": "finance",
    "technical": "technical",
    "sales_leader": "sales leader",
    "marketing": "marketing",
    "operations": "operations",
    "executive": "executive",
    "hr": "HR",
    "legal": "legal",
}
# Titles in each language of assistant/language, matched on lowercase text without accents.
PERSONA_PATTERNS = {name: "|".join(found) for name, found in grouped("content.personas").items()}
# First match wins, so the more specific industries come before the broad ones.
_INDUSTRY_ORDER = (
    "healthcare",
    "financial_services",
    "logistics",
    "retail",
    "manufacturing",
    "software",
)
_INDUSTRIES = grouped("content.industries")
INDUSTRY_PATTERNS = tuple((name, "|".join(_INDUSTRIES[name])) for name in _INDUSTRY_ORDER)
# A sentence that brings a new person into the buying group; plain (folded) text.
NEWCOMER_CUES = alternatives("content.newcomer")
# Cues that name the newcomer right after them ("our new CFO", "joined by our head of IT"):
# "the new fiscal year" brings nobody in, so the role must follow closely.
NEWCOMER_NEXT_CUES = alternatives("content.newcomer_next")
# Words that say the lead is weighing us against another vendor.
COMPARISON_CUES = alternatives("content.comparison")
# A lead who liked what they read, said in words the intent classifier may not know.
ENGAGED_CUES = alternatives("content.engaged")

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
saturday saturdays sunday sundays samedi dimanche sabado domingo: weekend
samstag samstags sonntag sonntags: weekend
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
numbers figures zahlen chiffres cifras: calculator estimate
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
quote quotes quotation quoted ballpark devis presupuestos angebot: pricing price cost
how_much what_would_it_cost combien cuanto cuesta wieviel was_kostet: cost pricing
facture factures facturez facturer factura facturas abrechnung: invoicing billing pricing
abonnement abonnements suscripcion suscripciones abo: subscription pricing
par_utilisateur por_usuario pro_nutzer per_seat per_user: pricing per user
capteur capteurs sensoren sensores: sensors
vehicule vehicules vehiculo vehiculos fahrzeug fahrzeuge flotte flota fuhrpark: vehicles fleet
maschine maschinen maquina maquinas: machines equipment
panne pannes ausfall ausfalle averia averias: breakdown failure downtime
stillstand arret arrets parada paradas: downtime
wartung instandhaltung mantenimiento: maintenance
mitarbeiter mitarbeitende employe employes salaries empleados: employees staff
paie nomina lohn gehalt lohnabrechnung: payroll
fournisseur fournisseurs lieferant lieferanten proveedor proveedores: suppliers vendors
paiement paiements zahlung zahlungen pago pagos: payments
conformite cumplimiento: compliance
zugriff zugang acces acceso: access
essai testphase testversion prueba: trial pilot
inbetriebnahme demarrage lancement: rollout implementation onboarding
assistance soporte: support
go_live: implementation rollout launch
"""


def personas_for(title: str) -> frozenset[str]:
    """The personas a job title (in English, German, French or Spanish) belongs to."""
    # "IT" and Spanish "TI" only in capitals: lowercase they are an ordinary pronoun.
    text = plain(_IT.sub("information technology", title))
    return frozenset(name for name, rx in _PERSONA_RX.items() if rx.search(text))


def role_keys(text: str) -> frozenset[str]:
    """What a job title names, as keys an item's persona label is matched on.

    Persona families ("CFO": finance, executive), role words ("~fleet") and each family with
    each role word ("operations+~fleet"): see label_keys for how labels use them.
    """
    return _keys(*_role_parts(text))


def label_keys(label: str) -> tuple[frozenset[str], frozenset[str]]:
    """The keys of an item's persona label that match a title closely, and its families.

    "fleet_manager" matches a Fleet Manager closely (family and role word) and a Plant Manager
    only by family; "finance" names a family and matches any finance title closely.
    """
    if label in PERSONA_PATTERNS:
        return frozenset({label}), frozenset({label})
    families, words = _role_parts(label)
    if not families:
        return words, families
    if not words:
        return families, families
    return frozenset(f"{f}+{w}" for f in families for w in words), families


def _role_parts(text: str) -> tuple[frozenset[str], frozenset[str]]:
    # In a title or a label "it" is the IT department, however it is written ("it_director").
    text = _IT_WORD.sub("IT", text.replace("_", " "))
    return personas_for(text), _role_words(_IT.sub(" ", text))


def _role_words(text: str) -> frozenset[str]:
    return frozenset(
        f"~{stem(word)}"
        for word in content_words(text)
        if word not in ROLE_FILLER and word not in ROLE_COMMON
    )


def _keys(families: frozenset[str], words: frozenset[str]) -> frozenset[str]:
    return families | words | {f"{f}+{w}" for f in families for w in words}


def newcomer_personas(text: str) -> frozenset[str]:
    """The personas of people the text brings into the conversation ("looping in our CFO")."""
    return frozenset().union(*map(personas_for, _newcomer_mentions(text)))


def newcomer_roles(text: str) -> frozenset[str]:
    """What the text says of the people it brings in: families and role words ("sustainability")."""
    return frozenset().union(
        *(_keys(personas_for(m), _role_words(m)) for m in _newcomer_mentions(text))
    )


def _newcomer_mentions(text: str) -> Iterator[str]:
    """The folded words that name people brought in: the sentence of a cue like "looping in",
    or what closely follows one like "our new"."""
    for sentence in _SENTENCE_END.split(_IT.sub("information technology", text)):
        folded = plain(sentence)
        if _NEWCOMER_RX.search(folded):
            yield folded
        for cue in _NEWCOMER_NEXT_RX.finditer(folded):
            yield folded[cue.end() : cue.end() + 40]


def compares(text: str) -> bool:
    """Whether the text weighs us against someone else ("also looking at Forecastly")."""
    return bool(_COMPARISON_RX.search(plain(text)))


def engaged(text: str) -> bool:
    """Whether the text shows interest in more ("very relevant, happy to read more")."""
    return bool(_ENGAGED_RX.search(plain(text)))


def canonical_industry(name: str) -> str | None:
    """One name for an industry however the lead's record spells it; None if unknown."""
    text = plain(name).replace("_", " ")
    if not text.strip():
        return None
    for canonical, rx in _INDUSTRY_RX:
        if rx.search(text):
            return canonical
    return re.sub(r"\W+", "_", text.strip())


def analyse(text: str) -> list[str]:
    """Query terms: words and their lexicon translations, stemmed; stopwords dropped."""
    return [root for root, _ in terms(text)]


def reply_words(reply: str) -> dict[str, str]:
    """Stem -> the word to quote in reasons (translations in the library's language)."""
    found: dict[str, str] = {}
    for root, word in terms(reply):
        found.setdefault(root, word)
    return found


def terms(text: str) -> list[tuple[str, str]]:
    """(stem, word) for each word and each translation of a word or phrase in the text."""
    found = WORD.findall(plain(text))
    out = [t for w in found if w not in STOPWORDS and len(w) > 1 for t in (w, *translate(w))]
    joined = f" {' '.join(found)} "
    out += [t for phrase, meaning in _PHRASES.items() if f" {phrase} " in joined for t in meaning]
    return [(stem(t), t) for t in out]


def tokens(text: str) -> frozenset[str]:
    """The stems of the text's content words."""
    return frozenset(stem(w) for w in content_words(text))


def word_stems(text: str) -> dict[str, frozenset[str]]:
    """Each content word of the text (folded) with the stems of it and its translations."""
    return {w: frozenset(stem(t) for t in (w, *translate(w))) for w in content_words(text)}


def content_words(text: str) -> list[str]:
    """The folded words of a text, without stopwords and single letters."""
    return [w for w in WORD.findall(plain(text)) if w not in STOPWORDS and len(w) > 1]


@lru_cache(maxsize=65536)
def translate(word: str) -> tuple[str, ...]:
    """The library's words for a reply word, from the lexicon; () when it has none."""
    if word in _LEXICON:
        return _LEXICON[word]
    # German compounds ("Frachtvolumen"): two known halves, with or without a linking s.
    for cut in range(4, len(word) - 3):
        head, tail = word[:cut], word[cut:]
        if tail in _LEXICON and (head in _LEXICON or head.removesuffix("s") in _LEXICON):
            return _LEXICON.get(head, _LEXICON.get(head.removesuffix("s"), ())) + _LEXICON[tail]
    return ()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English Snowball stem, cached: replies repeat the same words."""
    return str(_STEMMER.stemWord(word))


def plain(text: str) -> str:
    """Lowercase without accents, so 'Sécurité' and 'securite' are one word."""
    folded = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _parse_lexicon(text: str) -> dict[str, tuple[str, ...]]:
    """'key key_phrase: meaning words' lines; an underscore joins the words of a phrase."""
    lexicon: dict[str, tuple[str, ...]] = {}
    for line in text.strip().splitlines():
        keys, _, meaning = line.partition(":")
        words = tuple(w for w in WORD.findall(meaning) if w not in STOPWORDS)
        for key in keys.split():
            key = key.replace("_", " ")
            lexicon[key] = lexicon.get(key, ()) + words
    return lexicon


_STEMMER = Stemmer.Stemmer("english")
WORD = re.compile(r"[a-z0-9]+")
_IT = re.compile(r"\b(?:IT|TI)\b")
_IT_WORD = re.compile(r"\bit\b", re.IGNORECASE)
STOPWORDS = frozenset(" ".join(entries("content.stop_words")).split())
# Words of a title or persona label that say nothing about the role itself ("Head of ...").
ROLE_FILLER = frozenset(" ".join(entries("content.role_filler")).split())
# Words of a title too general to tell two roles apart ("VP of Sales and Marketing").
ROLE_COMMON = wordset("vice president chief officer")
_LEXICON = {k: v for k, v in _parse_lexicon(_LEXICON_TEXT).items() if " " not in k}
_PHRASES = {k: v for k, v in _parse_lexicon(_LEXICON_TEXT).items() if " " in k}
_PERSONA_RX = {name: re.compile(rf"\b(?:{rx})\b") for name, rx in PERSONA_PATTERNS.items()}
_NEWCOMER_RX = re.compile(rf"\b(?:{NEWCOMER_CUES})\b")
_NEWCOMER_NEXT_RX = re.compile(rf"\b(?:{NEWCOMER_NEXT_CUES})\b")
_COMPARISON_RX = re.compile(rf"\b(?:{COMPARISON_CUES})\b")
_ENGAGED_RX = re.compile(rf"\b(?:{ENGAGED_CUES})\b")
_SENTENCE_END = re.compile(r"[.!?;\n]+")
_INDUSTRY_RX = tuple((name, re.compile(rf"\b(?:{rx})\b")) for name, rx in INDUSTRY_PATTERNS)
