"""How to address a lead in English, German, French or Spanish: name, title, greeting, sign-off.

The name is read from our records and from the lead's own mail (a signature "Dr. Jörg
Wittenberg" gives the title); Herr/Frau, Monsieur/Madame, Sr./Sra. come from an honorific
the lead used, a feminine job title ("Leiterin", "directrice", "directora") or a short list
of common first names. When nothing tells, the greeting uses the full name (in English the
first name), never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_ACADEMIC = re.compile(r"^(?:prof\.?|dr\.?|dr\.-ing\.?)$", re.I)
_HONORIFIC = {
    "mr": "m",
    "mr.": "m",
    "herr": "m",
    "m.": "m",
    "monsieur": "m",
    "sr.": "m",
    "sr": "m",
    "don": "m",
    "mrs": "f",
    "mrs.": "f",
    "ms": "f",
    "ms.": "f",
    "frau": "f",
    "mme": "f",
    "mme.": "f",
    "madame": "f",
    "sra.": "f",
    "sra": "f",
    "doña": "f",
}
_FEMININE_TITLE = re.compile(
    r"\b\w+(?:erin|orin|eurin|antin|entin)\b|\b(?:directrice|présidente|responsable commerciale"
    r"|directora|gerenta|jefa|presidenta|consejera|fundadora|doctora)\b|\bgeschäftsführerin\b",
    re.I,
)
_MASCULINE_TITLE = re.compile(
    r"\b(?:leiter|geschäftsführer|direktor|vorstand|einkäufer|directeur|président"
    r"|director|gerente general|jefe|presidente|fundador)\b",
    re.I,
)
_FEMALE = frozenset(
    str.split(
        "anna anne annika andrea angela barbara birgit brigitte carmen carla caroline charlotte"
        " christine claire claudia cristina daniela elena elisa elke emma eva florence francesca"
        " gabriele hanna hannah heike helene ines inès isabel isabelle jana julia julie juliette"
        " karin katharina katrin laura lea léa lucia lucía luisa manon margot maria maría marie"
        " marina marta martina mathilde monika nathalie nadine natalia nicole paula petra pilar"
        " rosa sabine sandra sara sarah silvia sophie stefanie susanne sylvie ursula valérie"
        " vanessa véronique carolina beatriz raquel mercedes montserrat núria nuria ana agnès"
        " amélie camille céline chloé élise émilie hélène laure lucie margaux océane pauline"
        " sandrine solène virginie"
    )
)
_MALE = frozenset(
    str.split(
        "alexander andreas antoine antonio bernd carlos christian christoph daniel david diego"
        " dieter emmanuel enrique erik felix fernando florian françois frank frédéric georg"
        " guillaume hans heinz helmut hugo ignacio jan javier jean jens joachim jorge jörg josé"
        " juan julien jürgen karl klaus lars laurent lukas manuel marc marco markus martin"
        " matthias maximilian michael miguel nicolas olivier pablo pascal patrick paul pedro"
        " peter philippe pierre rafael rainer ralf raúl ricardo robert rüdiger sebastian sergio"
        " stefan stéphane sven thomas thierry tobias uwe vincent werner wolfgang xavier yves"
        " alberto álvaro andrés eduardo francisco gonzalo luis mateo óscar santiago vicente"
        " benoît bruno cédric damien fabien gilles jérôme luc mathieu rémi sébastien"
    )
)


# Degrees written before a name in Austria and Germany, never a first name.
_PROFESSIONAL = re.compile(r"^(?:Ing\.?|Dipl\.-?\w*\.?|DI|Mag\.?(?:a\.?)?|DDr\.?|Bakk\.?)$")


@dataclass(frozen=True)
class Name:
    first: str
    last: str
    academic: str  # "Dr.", "Prof. Dr." or ""
    gender: str  # "m", "f" or "" when nothing tells

    @property
    def full(self) -> str:
        return " ".join(part for part in (self.first, self.last) if part)


# Names that are often the second of two first names in Spanish and Portuguese.
_SECOND_NAMES = frozenset(
    str.split(
        "josé jose maría maria luis carlos antonio manuel ángel angel jesús jesus isabel carmen"
        " pilar teresa elena francisco javier ignacio eugenia cristina victoria"
    )
)


def parse(name: str, job_title: str = "", texts: Sequence[str] = ()) -> Name:
    """The lead's name in parts; an honorific or title in the name or their own mail counts."""
    gender = ""
    academic: list[str] = []
    rest: list[str] = []
    for word in name.replace(",", " ").split():
        low = word.lower()
        if low in _HONORIFIC and not rest:
            gender = _HONORIFIC[low]
        elif _ACADEMIC.match(word) and not rest:
            academic.append("Prof." if low.startswith("prof") else "Dr.")
        elif _PROFESSIONAL.match(word) and not rest:
            continue  # "Ing. Florian Gruber", "Mag. Eva Huber": a degree, not a name
        else:
            rest.append(word)
    # "María José Fernández": two first names, then the surname(s).
    double = len(rest) >= 3 and rest[1].lower() in _SECOND_NAMES
    first = " ".join(rest[:2]) if double else (rest[0] if rest else "")
    last = " ".join(rest[2:] if double else rest[1:])
    if last and not academic:
        signed = re.search(
            rf"\b((?:Prof\.?\s+)?(?:Dr\.?\s+)?){re.escape(first)}\s+{re.escape(last)}\b",
            "\n".join(texts),
        )
        if signed and signed.group(1).strip():
            # "Dr Rajesh Menon", signed the British way, without the dot.
            academic = [f"{w}." for w in ("Prof", "Dr") if w in signed.group(1)]
    if not gender:
        gender = _gender(first, job_title, texts, last)
    return Name(_signed_as(first, texts), last, " ".join(academic), gender)


# Short forms people sign with that do not begin like the name on record.
_SHORT_FORMS = {
    "bob": "robert",
    "bill": "william",
    "will": "william",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "jim": "james",
    "jack": "john",
    "peggy": "margaret",
    "maggie": "margaret",
    "dick": "richard",
    "sandy": "alexandra",
    "chuck": "charles",
    "ted": "edward",
    "ned": "edward",
    "hank": "henry",
    "kate": "katherine",
    "katie": "katherine",
    "becky": "rebecca",
    "sally": "sarah",
}
_NOT_SIGNATURES = frozenset(
    (
        "thanks",
        "thank",
        "thx",
        "cheers",
        "best",
        "regards",
        "br",
        "kind",
        "warmly",
        "sincerely",
        "sent",
        "hello",
        "hi",
        "dear",
        "team",
        "danke",
        "gruß",
        "grüße",
        "merci",
        "cordialement",
        "gracias",
        "saludos",
        "atentamente",
    )
)
_SIGN_OFF_LINE = re.compile(r"^\s*[-–—]*\s*([A-Z][a-zà-ÿ]{1,11})\s*$", re.M)


def _signed_as(first: str, texts: Sequence[str]) -> str:
    """The short form the lead signs with ("Mike" for Michael, "Bob" for Robert), else the
    first name on record."""
    if not first or " " in first:
        return first
    low = first.lower()
    for text in reversed(texts):
        for word in _SIGN_OFF_LINE.findall(text or ""):
            short = word.lower()
            if short in _NOT_SIGNATURES:
                continue
            if short == low:
                return first
            shortened = len(short) < len(low) and short[:2] == low[:2] and short[0] == low[0]
            if shortened or _SHORT_FORMS.get(short) == low:
                return word
    return first


def _gender(first: str, job_title: str, texts: Sequence[str], last: str) -> str:
    if last:
        said = re.search(
            rf"\b(Herr|Frau|Monsieur|Madame|Mme|Sr\.|Sra\.|Mr\.?|Mrs\.?|Ms\.?)\s+"
            rf"(?:Dr\.\s*)?{re.escape(last)}\b",
            "\n".join(texts),
        )
        if said:
            return _HONORIFIC.get(said.group(1).lower(), "")
    # The first name before the job title: "Director" is English as well as Spanish.
    # "Jean-Baptiste", "Marie-Claire": the first part tells.
    low = first.split()[0].split("-")[0].lower() if first else ""
    if low in _FEMALE or low in _MALE:
        return "f" if low in _FEMALE else "m"
    if _FEMININE_TITLE.search(job_title):
        return "f"
    return "m" if _MASCULINE_TITLE.search(job_title) else ""


def greeting(name: Name, lang: str, style: str, *, first_names: bool = False) -> str:
    """The first line of the mail, in the lead's language and the team's formality.

    `first_names`: the thread is already on first-name terms ("Dear Claire,"); in English a
    formal mail keeps to them rather than step back to "Dear Ms Benham".
    """
    first = name.first or name.full
    surname = name.last or name.first
    with_title = f"{name.academic} {surname}".strip()
    if lang == "de":
        if style == "casual":
            return f"Hallo {first},"
        if name.gender and name.last:
            herr = "Herr" if name.gender == "m" else "Frau"
            if style == "formal":
                dear = "Sehr geehrter" if name.gender == "m" else "Sehr geehrte"
                return f"{dear} {herr} {with_title},"
            return f"Guten Tag {herr} {with_title},"
        return f"Guten Tag {name.academic + ' ' if name.academic else ''}{name.full},"
    if lang == "fr":
        if style == "casual":
            return f"Bonjour {first},"
        if name.gender and name.last:
            return f"Bonjour {'Monsieur' if name.gender == 'm' else 'Madame'} {name.last},"
        return f"Bonjour {name.full},"
    if lang == "es":
        if style == "casual":
            return f"Hola, {first}:"
        if name.gender and name.last:
            if name.academic:
                honorific = "Dr." if name.gender == "m" else "Dra."
            else:
                honorific = "Sr." if name.gender == "m" else "Sra."
            dear = "Estimado" if name.gender == "m" else "Estimada"
            if style == "formal":
                return f"{dear} {honorific} {name.last}:"
            return f"Buenos días, {honorific} {name.last}:"
        return f"Buenos días, {name.full}:"
    if first_names and style == "formal" and name.first:
        return f"Dear {name.first},"
    return _english(name, style)


def _english(name: Name, style: str) -> str:
    first = name.first or name.full
    if style != "formal":
        return f"Hi {first},"
    if name.academic and name.last:
        return f"Dear {name.academic.split()[-1]} {name.last},"
    if name.gender and name.last:
        return f"Dear {'Mr' if name.gender == 'm' else 'Ms'} {name.last},"
    # "Dear Hannah Osei" reads like a mail merge; the first name is never wrong.
    return f"Dear {first},"


_ENGLISH_SIGN_OFF = re.compile(
    r"^(?:best|regards|kind regards|best regards|warm regards|all the best|thanks|thank you"
    r"|many thanks|cheers|sincerely|yours sincerely|talk soon)[,!.]?$",
    re.I,
)
DEFAULT_SIGN_OFF = "Best,"
_SIGN_OFFS = {
    "de": {"formal": "Mit freundlichen Grüßen", "neutral": "Viele Grüße", "casual": "Viele Grüße"},
    "fr": {"formal": "Bien cordialement,", "neutral": "Cordialement,", "casual": "À bientôt,"},
    "es": {"formal": "Atentamente,", "neutral": "Un saludo,", "casual": "Un saludo,"},
}


def sign_off(configured: str, lang: str, style: str) -> str:
    """The team's sign-off, or the language's own when the team's is English and we are not."""
    if lang in _SIGN_OFFS and (not configured.strip() or _ENGLISH_SIGN_OFF.match(configured)):
        return _SIGN_OFFS[lang][style if style in _SIGN_OFFS[lang] else "neutral"]
    if lang == "en" and style == "formal" and configured.strip() in ("", DEFAULT_SIGN_OFF):
        return "Kind regards,"  # "Best," is the default's casual word, not a CFO's
    return configured
