"""The journey's turns as the offline drafter reads them, meeting times and event times."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from assistant.llm.base import DraftRequest, LeadProfile, RepProfile, ToneRules, Turn
from assistant.llm.eventtime import event_time
from assistant.llm.turns import (
    ASKS_FOR_MATERIAL,
    after_words,
    asked_kind,
    introduced,
    lead_zone,
    pause_when,
    read,
    slots,
    when_words,
    window,
)
from assistant.mail.optout import find_opt_out

WEDNESDAY = datetime(2026, 7, 8, 9, 30, tzinfo=UTC)


def request(reply: str, situation: str = "reply") -> DraftRequest:
    return DraftRequest(
        situation=situation,  # type: ignore[arg-type]
        rep=RepProfile("Ana Ruiz", "ana@acme.test", "Ana Ruiz"),
        lead=LeadProfile(
            "Sam Ortiz", "sam@northwind.test", "Northwind", "VP Sales", "consideration"
        ),
        subject="Forecasting",
        thread=(Turn("inbound", WEDNESDAY, "Re: Forecasting", reply),),
        latest_reply=reply,
        content=None,
        tone=ToneRules(),
    )


@pytest.mark.parametrize(
    ("reply", "kind", "until"),
    [
        ("Can you reach back out around mid-September?", "pause", date(2026, 9, 15)),
        ("Our budget is frozen through the end of Q1 2027.", "freeze", date(2027, 3, 31)),
        (
            "Escríbame después de Semana Santa, ahora no es buen momento.",
            "pause",
            date(2027, 3, 30),
        ),
        ("Can we talk Thursday?", "meeting", None),
        (
            "Le groupe a gelé toutes les dépenses d'investissement jusqu'à la fin janvier 2027.",
            "freeze",
            date(2027, 1, 31),
        ),
        (
            "Hemos congelado todos los gastos hasta finales de marzo de 2027.",
            "freeze",
            date(2027, 3, 31),
        ),
        ("How often does the sync run?", "", None),
        (
            "I'm on leave from the 20th of July until after the summer. Could you drop me a "
            "line on Monday 7 September?",
            "pause",
            date(2026, 9, 7),
        ),
        ("Please email me again on 14 August, not before.", "pause", date(2026, 8, 14)),
        ("Melden Sie sich bitte am 3. August wieder.", "pause", date(2026, 8, 3)),
        ("Écrivez-moi plutôt le 3 août.", "pause", date(2026, 8, 3)),
        ("Escríbame el 3 de agosto, por favor.", "pause", date(2026, 8, 3)),
        ("Drop me a line on what you think of the deck.", "", None),
        ("Email me the deck on Monday.", "", None),
    ],
)
def test_a_reply_takes_the_turn_its_words_say(reply: str, kind: str, until: date | None) -> None:
    turn = read(request(reply))
    assert (turn.kind, turn.until) == (kind, until)


def test_a_referral_names_the_colleague_and_a_meeting_its_day() -> None:
    referral = read(request("I'm not the right person. Talk to Marta Lind, marta@northwind.test."))
    assert (referral.kind, referral.referred) == ("referral", "Marta Lind")
    assert read(request("Can we talk Thursday?")).day == date(2026, 7, 9)
    # The sentence that names the day is the request, not the first one that wants to talk.
    keen = "We've seen enough, let's get serious about rolling this out. Can we talk Monday?"
    assert read(request(keen)).day == date(2026, 7, 13)


@pytest.mark.parametrize(
    "reply",
    [
        "I'm not the right person. Talk to Marta Lind, marta@northwind.test. Please don't "
        "copy Jo (jo@northwind.test).",
        "Please leave Jo (jo@northwind.test) out of this; Marta Lind, marta@northwind.test, "
        "decides. I'm not the right person.",
        "No soy la persona adecuada: hable con Marta Lind, marta@northwind.test. No copie a "
        "Jo, jo@northwind.test.",
        "I'm not the right person: Marta Lind (marta@northwind.test) decides. Please don't "
        "copy J. Berg (j.berg@northwind.test).",
    ],
)
def test_the_colleague_to_leave_out_is_not_the_referral(reply: str) -> None:
    turn = read(request(reply))
    assert (turn.kind, turn.referred_email) == ("referral", "marta@northwind.test")


@pytest.mark.parametrize(
    "reply",
    [
        "I'm not the right person. Talk to Marta Lind, marta@northwind.test, or "
        "else Jo Berg, jo@northwind.test.",
    ],
)
def test_the_first_colleague_named_is_the_referral(reply: str) -> None:
    assert read(request(reply)).referred_email == "marta@northwind.test"


@pytest.mark.parametrize(
    "reply",
    [
        "If there's something I should read beforehand on what a rollout looks like, send it over.",
        "Do you have a tool to estimate the water savings?",
        "Auriez-vous un outil qui permette d'estimer les économies d'eau ?",
    ],
)
def test_material_asked_for_by_its_kind_is_sent_whatever_the_turn(reply: str) -> None:
    assert ASKS_FOR_MATERIAL.search(reply)


def test_only_a_reply_takes_a_turn() -> None:
    assert read(request("Can we talk Thursday?", situation="follow_up")).kind == ""


@pytest.mark.parametrize(
    ("day", "lang", "expected"),
    [
        (date(2026, 9, 15), "en", "in mid-September"),
        (date(2027, 3, 31), "en", "at the end of March 2027"),
        (date(2026, 9, 1), "de", "Anfang September"),
        (date(2027, 3, 31), "fr", "fin mars 2027"),
        (date(2027, 3, 30), "es", "el 30 de marzo de 2027"),
    ],
)
def test_a_pause_end_is_written_as_a_person_says_it(day: date, lang: str, expected: str) -> None:
    assert when_words(day, lang, date(2026, 7, 8)) == expected


def test_meeting_times_are_inside_the_reps_hours_and_shown_in_the_leads_zone() -> None:
    # Madrid rep 09:00-17:00 is 02:00-10:00 in Chicago: 8 and 9 am are the times both share.
    offer = slots(
        date(2026, 7, 9),
        date(2026, 7, 8),
        lead_zone="America/Chicago",
        rep_zone="Europe/Madrid",
        hours="09:00-17:00",
    )
    assert offer == "Thursday at 8 am or 9 am (Chicago time)"  # American clocks say am/pm
    german = slots(None, date(2026, 7, 10), lead_zone="Europe/Berlin", rep_zone="", lang="de")
    assert german == "Montag um 10:00 oder 14:00 Uhr (Ortszeit Berlin)"


def test_an_event_is_shown_in_the_leads_zone_and_a_date_alone_as_a_date() -> None:
    assert event_time("2027-02-11T15:00:00+01:00", "America/New_York") == (
        "Thursday 11 February 2027, 09:00 (New York time)"
    )
    assert event_time("2027-02-11T15:00:00+01:00", "Europe/Berlin", "de") == (
        "Donnerstag, 11. Februar 2027, 15:00 Uhr (Berlin)"
    )
    assert event_time("2027-03-04T00:00:00+00:00", "America/New_York") == "Thursday 4 March 2027"
    assert event_time("2027-02-11T14:00:00+00:00", "", "fr") == "jeudi 11 février 2027 à 14:00 UTC"


def test_a_referral_in_plain_words_is_read() -> None:
    reply = (
        "Thanks Tom, but compressed air isn't on my desk. The person you want is our energy"
        " manager, Priya Nair - priya.nair@halvorsen.test. Feel free to mention my name."
    )
    turn = read(request(reply))
    assert (turn.kind, turn.referred) == ("referral", "Priya Nair")


@pytest.mark.parametrize(
    ("reply", "span"),
    [
        ("I'm free any time after 2pm UK time.", (14 * 60 + 30, 18 * 60)),
        ("Je suis disponible entre 10 h et 12 h.", (10 * 60, 12 * 60)),
        ("Am besten zwischen 9 und 11 Uhr.", (9 * 60, 11 * 60)),
        ("Anytime before 11am works.", (8 * 60, 11 * 60)),
        ("Thursday afternoon would suit.", (13 * 60, 17 * 60)),
        ("Can we talk Thursday?", None),
    ],
)
def test_the_leads_window_for_a_call_is_read(reply: str, span: tuple[int, int] | None) -> None:
    assert window(reply) == span


def test_the_leads_clock_is_what_they_say_else_ours_else_their_country() -> None:
    assert lead_zone("after 2pm UK time", "America/Chicago", "a@b.fr") == "Europe/London"
    assert lead_zone("je suis disponible", "", "t.lachaud@papeteries.fr") == "Europe/Paris"
    assert lead_zone("any time", "America/Denver", "x@y.com") == "America/Denver"
    assert lead_zone("et puis", "", "x@y.com") == ""  # "et" is French, not Eastern time


def test_times_are_offered_inside_the_leads_window_in_their_words() -> None:
    thursday, wednesday = date(2026, 12, 3), date(2026, 12, 2)
    after_two = slots(
        thursday,
        wednesday,
        lead_zone="Europe/London",
        rep_zone="Europe/London",
        wanted=window("any time after 2pm"),
    )
    assert after_two == "Thursday at 14:30 or 15:30 (UK time)"
    paris = slots(
        thursday,
        wednesday,
        lead_zone="Europe/Paris",
        rep_zone="Europe/Paris",
        lang="fr",
        wanted=window("entre 10 h et 12 h"),
    )
    assert paris == "jeudi à 10 h ou 11 h (heure de Paris)"


@pytest.mark.parametrize(
    ("reply", "until"),
    [
        # The event's own dates in the reply, and "the week after": the Monday after it ends.
        (
            "We exhibit at the expo, 14-16 October. Could you reach back out after our expo in "
            "October? The week after would be ideal.",
            date(2026, 10, 19),
        ),
        # Without the event's dates: the end of the month it falls in.
        ("Please get back to me after our board retreat in September.", date(2026, 10, 1)),
        # A day named beside the month wins over the month's first day.
        (
            "Meld dich nach der Messe im September, ab dem 21. September bin ich zurück.",
            date(2026, 9, 21),
        ),
        # A month alone is still its first day.
        ("Try me again in September, it's hectic now.", date(2026, 9, 1)),
    ],
)
def test_a_pause_until_after_an_event_ends_when_the_event_does(reply: str, until: date) -> None:
    turn = read(request(reply))
    assert (turn.kind, turn.until) == ("pause", until)


def test_a_pause_names_the_event_in_the_reps_words_and_without_a_date_rests() -> None:
    turn = read(request("We're flat out until the fair. Please get back to me after our fair."))
    assert (turn.kind, turn.until) == ("pause", None)
    assert after_words(turn.after, "en", "neutral") == "after your fair"
    assert pause_when("", after_words(turn.after, "en", "neutral"), "en") == "after your fair"
    assert pause_when("", "", "fr") == "dans quelques semaines"
    assert after_words("nach unserer Messe", "de", "formal") == "nach Ihrer Messe"
    assert after_words("after our fair", "de", "formal") == ""  # another language than the draft


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Looping in Tomasz Nowak, our IT Director (cc'd), who signs off.", ("Tomasz Nowak",)),
        ("I'll bring our head of ops, Dana.", ("Dana",)),
        ("Je serai accompagné de notre DAF, Mme Lefèvre.", ("Mme Lefèvre",)),
        ("I've copied in Sarah.", ("Sarah",)),
        ("We are adding it to the agenda.", ()),
        ("Thanks, adding our team to the invite.", ()),
    ],
)
def test_people_brought_in_by_words_are_found(text: str, names: tuple[str, ...]) -> None:
    assert introduced(text) == names


def test_a_colleague_without_an_address_is_asked_for_and_one_on_record_is_used() -> None:
    bare = read(request("I'm not the right person for this, please speak to Priya Nair."))
    assert (bare.kind, bare.referred, bare.referred_email) == ("referral", "Priya Nair", "")
    on_cc = read(
        replace(
            request("Not my area, I'm afraid. I've copied the right person."),
            referred=(("", "raj.patel@northwind.test"),),
        )
    )
    assert (on_cc.referred, on_cc.referred_email) == ("Raj Patel", "raj.patel@northwind.test")


def test_a_lead_who_will_come_back_gets_no_date_from_us() -> None:
    turn = read(request("Spending is frozen, nobody knows until when. I'll come back to you."))
    assert (turn.kind, turn.until, turn.they_return) == ("freeze", None, True)


def test_the_country_code_of_a_signature_phone_gives_the_zone() -> None:
    assert lead_zone("Claire\nT +44 20 7946 0381", "", "claire@trust.example") == "Europe/London"
    assert lead_zone("Tel. +49 (30) 555", "", "x@y.example") == "Europe/Berlin"
    assert lead_zone("No number here", "", "x@y.example") == ""


def test_a_city_in_the_reply_gives_the_zone_and_utc_is_named_plainly() -> None:
    assert lead_zone("Je suis à Bordeaux toute la semaine.", "", "x@y.example") == "Europe/Paris"
    assert lead_zone("I'm in Manchester on Tuesday.", "", "x@y.example") == "Europe/London"
    offer = slots(date(2026, 12, 3), date(2026, 11, 26), lead_zone="", rep_zone="", lang="fr")
    assert offer.endswith("(UTC)") and "heure de UTC" not in offer


def test_a_request_for_material_is_read_and_a_refusal_of_it_is_not() -> None:
    assert ASKS_FOR_MATERIAL.search("Send me something that helps me build the case.")
    assert not ASKS_FOR_MATERIAL.search("Please don't send anything further until then.")
    assert not ASKS_FOR_MATERIAL.search("No need to send anything.")


@pytest.mark.parametrize(
    ("reply", "kinds"),
    [
        ("Do you have some training or session my shift chemists could join?", ("webinar",)),
        ("Is there any benchmark data I could point him to?", ("white_paper", "report")),
        ("Auriez-vous un outil qui permette d'estimer les économies ?", ("calculator",)),
        ("Do you have an example of a company like ours?", ("case_study",)),
        ("How much training do managers need?", ()),
        ("Is there a minimum term?", ()),
    ],
)
def test_the_kind_of_item_a_lead_asks_for_by_name_is_read(
    reply: str, kinds: tuple[str, ...]
) -> None:
    assert asked_kind(reply) == kinds


def test_a_lead_without_a_zone_on_record_is_placed_by_their_signature() -> None:
    signature = "Henrik Aalto\nProcess Chemist, Kymi Board Oy\nKouvola, Finland"
    assert lead_zone(signature, "", "henrik@kymiboard.test") == "Europe/Helsinki"
    assert lead_zone(signature, "Europe/Berlin", "henrik@kymiboard.test") == "Europe/Berlin"


@pytest.mark.parametrize(
    ("reply", "kind", "until"),
    [
        ("¿Le parece que lo retomemos a finales de marzo?", "pause", date(2027, 3, 31)),
        (
            "Head office has frozen all new software spend until the board signs off next"
            " year's budget on 15 February.",
            "freeze",
            date(2027, 2, 15),
        ),
        (
            "Für die Auswahl ist bei uns Herr Markus Keller zuständig. Bitte wenden Sie sich"
            " direkt an ihn: m.keller@praxis.test",
            "referral",
            None,
        ),
    ],
)
def test_turns_said_in_other_words_are_read(reply: str, kind: str, until: date | None) -> None:
    turn = read(request(reply))
    assert (turn.kind, turn.until) == (kind, until)


@pytest.mark.parametrize(
    "reply",
    [
        "Je ne suis pas intéressé. Merci de ne plus m'écrire et de supprimer mes coordonnées.",
        "Por favor, no me escriba más y borre mis datos.",
        "Bitte schreiben Sie mir nicht mehr.",
    ],
)
def test_an_opt_out_in_other_words_is_read(reply: str) -> None:
    assert find_opt_out(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Do you have customers in logistics with a similar volume?",
        "¿Tienen clientes del sector logístico con un volumen parecido al nuestro?",
        "Haben Sie Kunden aus der Logistik?",
    ],
)
def test_asking_for_customers_like_us_asks_for_a_case_study(reply: str) -> None:
    assert asked_kind(reply) == ("case_study",)


def test_why_bring_in_another_tool_asks_for_the_comparison() -> None:
    reply = "Our reseller says to switch on the add-on we have. Why would we bring in another tool?"
    assert asked_kind(reply) == ("comparison",)
    assert asked_kind("Why would we do that now?") == ()
