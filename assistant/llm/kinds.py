"""What a library item is called in a mail, in English, German, French and Spanish.

Libraries name their kinds freely (`pricing`, `security`, `integration`); a mail needs a noun
("our pricing page", „unsere Preisübersicht“). A kind that is already a document's noun
("report", "integration guide") stays; one we know is named; any other is a "page", which is
never wrong.
"""

from __future__ import annotations

_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "white_paper": "white paper",
        "video": "short video",
        "case_study": "case study",
        "blog_post": "article",
        "infographic": "one-page overview",
        "ebook": "guide",
        "pricing": "pricing page",
        "price_list": "price list",
        "comparison": "comparison",
        "integration": "integration guide",
        "security": "security overview",
        "implementation": "implementation plan",
        "one_pager": "one-pager",
        "datasheet": "data sheet",
        "data_sheet": "data sheet",
        "faq": "FAQ",
        "documentation": "documentation",
        "demo": "demo",
        "tool": "tool",
    },
    "de": {
        "white_paper": "Whitepaper",
        "case_study": "Fallstudie",
        "webinar": "Webinar",
        "blog_post": "Artikel",
        "video": "Video",
        "ebook": "E-Book",
        "checklist": "Checkliste",
        "calculator": "Rechner",
        "infographic": "Übersicht",
        "guide": "Leitfaden",
        "pricing": "Preisübersicht",
        "price_list": "Preisübersicht",
        "comparison": "Vergleich",
        "integration": "Integrationsleitfaden",
        "security": "Sicherheitsübersicht",
        "implementation": "Einführungsplan",
        "report": "Bericht",
        "template": "Vorlage",
        "podcast": "Podcast",
        "one_pager": "Übersicht",
        "datasheet": "Datenblatt",
        "data_sheet": "Datenblatt",
        "demo": "Demo",
        "": "Übersicht",
    },
    "fr": {
        "white_paper": "livre blanc",
        "case_study": "étude de cas",
        "webinar": "webinaire",
        "blog_post": "article",
        "video": "vidéo",
        "ebook": "guide",
        "checklist": "check-list",
        "calculator": "calculateur",
        "infographic": "synthèse",
        "guide": "guide",
        "pricing": "grille tarifaire",
        "price_list": "grille tarifaire",
        "comparison": "comparatif",
        "integration": "guide d'intégration",
        "security": "dossier sécurité",
        "implementation": "plan de déploiement",
        "report": "rapport",
        "template": "modèle",
        "podcast": "podcast",
        "one_pager": "synthèse",
        "datasheet": "fiche technique",
        "data_sheet": "fiche technique",
        "demo": "démo",
        "": "page",
    },
    "es": {
        "white_paper": "informe",
        "case_study": "caso de éxito",
        "webinar": "seminario web",
        "blog_post": "artículo",
        "video": "vídeo",
        "ebook": "guía",
        "checklist": "lista",
        "calculator": "calculadora",
        "infographic": "resumen",
        "guide": "guía",
        "pricing": "lista de precios",
        "price_list": "lista de precios",
        "comparison": "comparativa",
        "integration": "guía de integración",
        "security": "resumen de seguridad",
        "implementation": "plan de implantación",
        "report": "informe",
        "template": "plantilla",
        "podcast": "pódcast",
        "one_pager": "resumen",
        "datasheet": "ficha técnica",
        "data_sheet": "ficha técnica",
        "demo": "demo",
        "": "página",
    },
}
# English nouns a library's own kind may end in, which read well as they are.
_NOUNS = frozenset(
    str.split(
        "webinar checklist calculator report podcast template guide playbook toolkit brochure "
        "presentation deck handbook manual worksheet workbook assessment benchmark survey study "
        "course tour overview plan page list sheet paper article post newsletter whitepaper "
        "one-pager e-book ebook infographic video recording session demo story interview "
        "roadmap summary briefing"
    )
)
# German nouns that take "unsere", and masculine ones that take "unseren" as an object.
FEMININE_DE = frozenset(
    {
        "Fallstudie",
        "Checkliste",
        "Übersicht",
        "Preisübersicht",
        "Sicherheitsübersicht",
        "Vorlage",
        "Demo",
    }
)
MASCULINE_DE = frozenset(
    {
        "Artikel",
        "Rechner",
        "Leitfaden",
        "Vergleich",
        "Integrationsleitfaden",
        "Einführungsplan",
        "Bericht",
        "Podcast",
    }
)
# Spanish nouns that take "nuestra".
FEMININE_ES = frozenset(
    {
        "guía",
        "lista",
        "calculadora",
        "lista de precios",
        "comparativa",
        "guía de integración",
        "plantilla",
        "página",
        "ficha técnica",
        "demo",
    }
)


def kind_name(kind: str, lang: str) -> str:
    """The noun for an item of this kind in this language: "pricing" -> "pricing page"."""
    key = kind.strip().lower().replace("-", "_").replace(" ", "_")
    names = _NAMES.get(lang, _NAMES["en"])
    if key in names:
        return names[key]
    words = key.split("_")
    if lang == "en":
        return " ".join(words) if words[-1] in _NOUNS else "page"
    # "pricing_guide" is a guide: the head noun's name, when the language has one.
    return names.get(words[-1], names[""])
