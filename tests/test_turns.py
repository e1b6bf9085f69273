"""The journey's turns as the offline drafter reads them, meeting times and event times."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from assistant.llm.base import DraftRequest, LeadProfile, RepProfile, ToneRules, Turn
from assistant.llm.eventtime import event_time
from assistant.llm.turns import lead_zone, read, slots, when_words, window

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
        ("How often does the sync run?", "", None),
    ],
)
def test_a_reply_takes_the_turn_its_words_say(reply: str, kind: str, until: date | None) -> None:
    turn = read(request(reply))
    assert (turn.kind, turn.until) == (kind, until)


def test_a_referral_names_the_colleague_and_a_meeting_its_day() -> None:
    referral = read(request("I'm not the right person. Talk to Marta Lind, marta@northwind.test."))
    assert (referral.kind, referral.referred) == ("referral", "Marta Lind")
    assert read(request("Can we talk Thursday?")).day == date(2026, 7, 9)


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
    # Madrid rep 09:00-17:00 is 02:00-10:00 in Chicago: 08:00 and 09:00 are the times both share.
    offer = slots(
        date(2026, 7, 9),
        date(2026, 7, 8),
        lead_zone="America/Chicago",
        rep_zone="Europe/Madrid",
        hours="09:00-17:00",
    )
    assert offer == "Thursday at 08:00 or 09:00 (Chicago time)"
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
