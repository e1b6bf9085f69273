"""Dates in mail text resolve against the given day, with the documented conventions."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.mail.dates import add_months, later_date, return_date

FEB_24 = date(2025, 2, 24)


@pytest.mark.parametrize(
    ("sentence", "month_first", "expected"),
    [
        ("I am back on 3 March.", False, date(2025, 3, 3)),
        ("Ich bin zurück am 03.03.", False, date(2025, 3, 3)),
        ("Je serai de retour le 3 mars.", False, date(2025, 3, 3)),
        ("Estaré fuera hasta el 7 de marzo.", False, date(2025, 3, 8)),
        ("vom 24.02. bis 07.03. nicht im Büro", False, date(2025, 3, 8)),
        ("out until Friday, March 7", True, date(2025, 3, 8)),
        ("back on 2025-03-10", True, date(2025, 3, 10)),
        ("We have 1.5 million users.", False, None),
        ("back in 3-4 weeks", True, None),
    ],
)
def test_return_dates(sentence: str, month_first: bool, expected: date | None) -> None:
    assert return_date(sentence, FEB_24, month_first=month_first) == expected


def test_a_weekday_decides_between_day_month_and_month_day() -> None:
    today = date(2025, 11, 24)
    tuesday = date(2025, 12, 2)
    assert return_date("I will return on Tuesday 12/2", today, month_first=False) == tuesday
    assert return_date("Je reviens le mardi 2/12", today, month_first=True) == tuesday


def test_a_day_and_month_long_past_means_next_year() -> None:
    assert return_date("back on 3 January", date(2025, 12, 20)) == date(2026, 1, 3)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("check back in Q3", date(2025, 7, 1)),
        ("Q1 2026 would be better", date(2026, 1, 1)),
        ("im dritten Quartal", date(2025, 7, 1)),
        ("next quarter", date(2025, 4, 1)),
        ("in six months", date(2025, 8, 24)),
        ("dans six mois", date(2025, 8, 24)),
        ("in a couple of weeks", date(2025, 3, 10)),
        ("in 6-8 weeks", date(2025, 4, 7)),
        ("nach Ostern", date(2025, 4, 22)),
        ("reach out in September", date(2025, 9, 1)),
        ("l'année prochaine", date(2026, 1, 1)),
        ("after the summer", date(2025, 9, 1)),
        ("I may be interested", None),
        ("after the holidays", None),
    ],
)
def test_come_back_dates(sentence: str, expected: date | None) -> None:
    assert later_date(sentence, FEB_24) == expected


def test_holidays_in_december_mean_early_january() -> None:
    assert later_date("after the holidays", date(2025, 12, 9)) == date(2026, 1, 7)


def test_the_current_quarter_means_soon_not_next_year() -> None:
    assert later_date("let's revisit in Q1", date(2025, 2, 10)) == date(2025, 2, 17)


def test_months_are_added_with_the_day_clamped() -> None:
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)


JULY_10 = date(2026, 7, 10)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Can you reach back out around mid-September?", date(2026, 9, 15)),
        ("Let's pick this up after Labor Day.", date(2026, 9, 8)),
        ("Budget is frozen through the end of Q1 2027.", date(2027, 3, 31)),
        ("Jusqu'à la fin du T1 2027, rien ne bouge.", date(2027, 3, 31)),
        ("Pourriez-vous me recontacter à la fin du premier trimestre ?", date(2027, 3, 31)),
        ("Please get back to me at the end of the second quarter.", date(2027, 6, 30)),
        ("Melden Sie sich bitte nach Ende des ersten Quartals.", date(2027, 3, 31)),
        ("Escríbame al final del primer trimestre.", date(2027, 3, 31)),
        ("Bis Ende Q1 haben wir kein Budget.", date(2027, 3, 31)),
        ("Bitte melden Sie sich nach den Sommerferien wieder.", date(2026, 9, 15)),
        ("Recontactez-moi fin mars.", date(2027, 3, 31)),
        ("Hablemos a finales de marzo de 2027.", date(2027, 3, 31)),
        ("Escríbame después de Semana Santa.", date(2027, 3, 30)),
        ("Mitte Oktober passt besser.", date(2026, 10, 15)),
        ("Write again mid-July.", date(2026, 7, 15)),
        ("Write again early July.", date(2027, 7, 1)),
        ("end of July would work", date(2026, 7, 31)),
        ("after Thanksgiving", date(2026, 11, 30)),
        ("check back in Q3", date(2026, 7, 17)),
        ("reach out in September", date(2026, 9, 1)),
        # After a quarter, or once it is over: the day after it ends.
        ("Please get in touch again once Q1 is over.", date(2027, 4, 1)),
        ("Let's talk after the first quarter.", date(2027, 4, 1)),
        ("Sobald Q1 vorbei ist, gerne wieder.", date(2027, 4, 1)),
        ("Recontactez-moi une fois le T1 terminé.", date(2027, 4, 1)),
        ("Escríbame después del primer trimestre.", date(2027, 4, 1)),
        ("Check back once Q3 2026 is over.", date(2026, 10, 1)),
    ],
)
def test_a_pause_lasts_to_the_end_of_the_period_named(sentence: str, expected: date) -> None:
    assert later_date(sentence, JULY_10) == expected
