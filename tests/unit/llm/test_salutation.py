"""Names, greetings and sign-offs in English, German, French and Spanish."""

from __future__ import annotations

import pytest

from assistant.llm.salutation import Name, greeting, parse, sign_off


def test_titles_in_the_name_are_kept_apart_from_it() -> None:
    assert parse("Prof. Dr. Martin Hagen") == Name("Martin", "Hagen", "Prof. Dr.", "m")
    assert parse("Dr. Anna Weber") == Name("Anna", "Weber", "Dr.", "f")


def test_a_title_the_lead_signs_with_counts() -> None:
    mail = "Vielen Dank.\n\nMit freundlichen Grüßen\nDr. Jörg Wittenberg"
    assert parse("Jörg Wittenberg", "Leiter Vertrieb", [mail]).academic == "Dr."


def test_an_honorific_the_lead_used_decides_over_the_first_name() -> None:
    # "Andrea" is a woman's name in German and a man's in Italian: the lead's own mail tells.
    mail = "Best regards,\nHerr Rossi"
    assert parse("Andrea Rossi", "", [mail]).gender == "m"


@pytest.mark.parametrize(
    ("title", "gender"),
    [
        ("Geschäftsführerin", "f"),
        ("Leiter IT", "m"),
        ("Directrice financière", "f"),
        ("Directora de Ventas", "f"),
        ("Director Comercial", "m"),
        ("Engineer", ""),
    ],
)
def test_a_job_title_tells_the_gender_when_the_name_does_not(title: str, gender: str) -> None:
    assert parse("Kim Novak", title).gender == gender


@pytest.mark.parametrize(
    ("name", "lang", "style", "expected"),
    [
        (
            Name("Jörg", "Wittenberg", "Dr.", "m"),
            "de",
            "formal",
            "Sehr geehrter Herr Dr. Wittenberg,",
        ),
        (Name("Katrin", "Vogel", "", "f"), "de", "neutral", "Guten Tag Frau Vogel,"),
        (Name("Kim", "Novak", "", ""), "de", "formal", "Guten Tag Kim Novak,"),
        (Name("Jens", "Albrecht", "", "m"), "de", "casual", "Hallo Jens,"),
        (Name("Claire", "Vasseur", "", "f"), "fr", "formal", "Bonjour Madame Vasseur,"),
        (Name("Pierre", "Lambert", "", "m"), "fr", "neutral", "Bonjour Monsieur Lambert,"),
        (Name("Carmen", "Ruiz", "", "f"), "es", "formal", "Estimada Sra. Ruiz:"),
        (Name("Carmen", "Ruiz", "Dr.", "f"), "es", "formal", "Estimada Dra. Ruiz:"),
        (Name("Pablo", "Ruiz", "", "m"), "es", "casual", "Hola, Pablo:"),
        (Name("Martin", "Hagen", "Prof. Dr.", "m"), "en", "formal", "Dear Dr. Hagen,"),
        (Name("Dana", "Cole", "", "f"), "en", "neutral", "Hi Dana,"),
        (Name("Hannah", "Osei", "", "f"), "en", "formal", "Dear Ms Osei,"),
        (Name("Richard", "Beaumont", "", "m"), "en", "formal", "Dear Mr Beaumont,"),
        (Name("Kim", "Novak", "", ""), "en", "formal", "Dear Kim,"),  # never a guessed title
    ],
)
def test_greetings_follow_language_and_formality(
    name: Name, lang: str, style: str, expected: str
) -> None:
    assert greeting(name, lang, style) == expected


def test_an_english_sign_off_gives_way_to_the_language_a_custom_one_stays() -> None:
    assert sign_off("Best,", "de", "formal") == "Mit freundlichen Grüßen"
    assert sign_off("Kind regards,", "fr", "neutral") == "Cordialement,"
    assert sign_off("Best,", "es", "neutral") == "Un saludo,"
    assert sign_off("Herzliche Grüße aus Berlin", "de", "formal") == "Herzliche Grüße aus Berlin"
    assert sign_off("Best,", "en", "formal") == "Kind regards,"  # the default is too casual
    assert sign_off("Cheers,", "en", "formal") == "Cheers,"  # the team chose it


def test_two_first_names_are_kept_together_and_the_surname_greeted() -> None:
    name = parse("María José Fernández", "Jefa de O&M")
    assert (name.first, name.last, name.gender) == ("María José", "Fernández", "f")
    assert greeting(name, "es", "formal") == "Estimada Sra. Fernández:"
    assert parse("Oliver Grant").last == "Grant"  # two words are a first name and a surname


def test_a_thread_on_first_names_stays_on_them_in_a_formal_mail() -> None:
    name = parse("Claire Benham", "Associate Director of Operations")
    assert name.gender == "f"  # the first name tells; "Director" is no Spanish masculine here
    assert greeting(name, "en", "formal") == "Dear Ms Benham,"
    assert greeting(name, "en", "formal", first_names=True) == "Dear Claire,"


def test_the_short_form_a_lead_signs_with_is_the_name_we_greet() -> None:
    assert parse("Michael Reeves", "", ["Tom,\n\nCan we talk Tuesday?\n\nMike"]).first == "Mike"
    assert parse("Robert Hale", "", ["Looks good.\nBob"]).first == "Bob"
    assert parse("Theodore Wu", "", ["Looks good.\nThanks"]).first == "Theodore"
    assert parse("Sandra Lee", "", ["See you then.\nSandra"]).first == "Sandra"


def test_an_austrian_degree_before_the_name_is_neither_first_name_nor_doctorate() -> None:
    name = parse("Ing. Florian Gruber", "Leiter Fuhrpark")
    assert (name.first, name.last, name.academic) == ("Florian", "Gruber", "")
    assert greeting(name, "de", "formal") == "Sehr geehrter Herr Gruber,"
    assert parse("Dipl.-Ing. Eva Huber").academic == ""


def test_a_compound_first_name_tells_the_gender_by_its_first_part() -> None:
    name = parse("Jean-Baptiste Morel", "Responsable du parc automobile")
    assert greeting(name, "fr", "formal") == "Bonjour Monsieur Morel,"


def test_a_title_signed_the_british_way_without_a_dot_counts() -> None:
    mail = "Please get in touch once Q1 is over.\n\nKind regards,\n\nDr Rajesh Menon\nSite Director"
    name = parse("Rajesh Menon", "Site Director", [mail])
    assert name.academic == "Dr."
    assert greeting(name, "en", "formal") == "Dear Dr. Menon,"
