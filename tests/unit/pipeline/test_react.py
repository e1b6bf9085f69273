"""react(): what one reading means for its lead, as decisions (pure: no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from assistant.models import LeadStatus
from assistant.pipeline.react import Pause, react
from assistant.reading import StoredEvent, StoredReading

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def reading(*events: StoredEvent, intent: str = "not_now") -> StoredReading:
    return StoredReading(kind="human", intent=intent, events=events)


def test_a_dated_come_back_pauses_until_that_day() -> None:
    later = StoredEvent("come_back_later", "Try me in March.", date(2027, 3, 1))
    [pause] = react(reading(later), LeadStatus.active, NOW)
    assert isinstance(pause, Pause) and pause.until.date() == date(2027, 3, 1) and pause.asked


def test_not_now_without_a_date_rests_the_lead_for_the_cadences_days() -> None:
    later = StoredEvent("come_back_later", "Not right now, maybe later.")
    [pause] = react(reading(later), LeadStatus.active, NOW, undated_days=30)
    assert isinstance(pause, Pause) and pause.until.date() == date(2026, 12, 20)
    assert "no date given (30 days)" in pause.why


def test_the_cadences_days_are_looked_up_only_when_a_reply_asks_for_a_rest() -> None:
    asked: list[int] = []

    def days() -> int:
        asked.append(30)
        return 30

    assert react(reading(intent="question"), LeadStatus.active, NOW, days) == ()
    assert asked == []
    later = StoredEvent("come_back_later", "Not right now, maybe later.")
    [pause] = react(reading(later), LeadStatus.active, NOW, days)
    assert asked == [30] and pause.until.date() == date(2026, 12, 20)


def test_an_undated_freeze_rests_the_lead_too_but_never_a_lead_already_paused() -> None:
    freeze = StoredEvent("budget_freeze", "Spending is frozen, nobody knows until when.")
    assert isinstance(react(reading(freeze), LeadStatus.active, NOW)[0], Pause)
    assert react(reading(freeze), LeadStatus.paused, NOW) == ()


def test_a_plain_question_pauses_nobody() -> None:
    assert react(reading(intent="question"), LeadStatus.active, NOW) == ()
