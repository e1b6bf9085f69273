"""Cadence on a frozen clock: time zones, daylight-saving changes, holidays, limits, stops."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.cadence import Calendar, LocalTime, calendar_for, follow_up_wait, lead_local_time
from assistant.pipeline.facts import OpenDraft, Snapshot, Touch
from assistant.pipeline.plan import next_step
from assistant.pipeline.schedule import slot
from assistant.pipeline.send import backoff
from assistant.rules import Cadence
from assistant.watch import reconnect_delay

MADRID = LocalTime(ZoneInfo("Europe/Madrid"), "Europe/Madrid", "the lead record", "ES")
NEW_YORK = LocalTime(ZoneInfo("America/New_York"), "America/New_York", "the lead record", "US")
RULES = Cadence()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def local(zone: LocalTime, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone.tz).astimezone(UTC)  # type: ignore[misc]


def cal(zone: LocalTime = MADRID, **rules: object) -> Calendar:
    return calendar_for(replace(RULES, **rules), zone)


def out(key: str, at: datetime) -> Touch:
    return Touch(key, "outbound", at)


def inbound(key: str, at: datetime, *, human: bool = True, pauses: bool = False) -> Touch:
    return Touch(key, "inbound", at, human, pauses)


def snap(*touches: Touch, zone: LocalTime = MADRID, **fields: object) -> Snapshot:
    base = Snapshot(status="active", paused_until=None, touches=tuple(touches), local=zone)
    return replace(base, **fields)


# --- where the lead is --------------------------------------------------------------------


def test_lead_time_zone_comes_from_record_then_domain_then_date_header_then_rep() -> None:
    record = lead_local_time("Asia/Tokyo", "kenji@firm.de", 60, "America/Chicago")
    assert (record.name, record.source, record.country) == ("Asia/Tokyo", "the lead record", "JP")
    domain = lead_local_time("", "kenji@firm.de", 540, "America/Chicago")
    assert (domain.name, domain.country) == ("Europe/Berlin", "DE")
    assert domain.source == "the company domain (.de)"
    header = lead_local_time("", "kenji@firm.com", 330, "America/Chicago")
    assert header.name == "UTC+05:30" and "Date header" in header.source
    rep = lead_local_time("", "kenji@firm.com", None, "America/Chicago")
    assert (rep.name, rep.source) == ("America/Chicago", "the rep's time zone")
    assert lead_local_time("", "kenji@firm.com", None, "").name == "UTC"
    assert lead_local_time("", "jo@shop.co.uk", None, "").country == "GB"


# --- windows, daylight saving, holidays ------------------------------------------------------


def test_friday_evening_waits_for_monday_morning_in_the_leads_zone() -> None:
    friday_evening = local(MADRID, 2026, 11, 27, 18, 0)
    assert cal().next_open(friday_evening) == local(MADRID, 2026, 11, 30, 9, 0)
    inside = local(MADRID, 2026, 11, 30, 12, 15)
    assert cal().next_open(inside) == inside
    assert not cal().is_open(local(MADRID, 2026, 11, 30, 17, 30))  # the end is exclusive


def test_the_same_utc_moment_is_open_for_one_lead_and_closed_for_another() -> None:
    moment = utc(2026, 11, 24, 15, 0)  # 16:00 in Madrid, 10:00 in New York
    assert cal(MADRID).is_open(moment) and cal(NEW_YORK).is_open(moment)
    late = utc(2026, 11, 24, 20, 0)  # 21:00 in Madrid, 15:00 in New York
    assert not cal(MADRID).is_open(late) and cal(NEW_YORK).is_open(late)
    assert cal(MADRID).next_open(late) == utc(2026, 11, 25, 8, 0)


def test_window_follows_daylight_saving_changes() -> None:
    # Europe moves to summer time on Sunday 29 March 2026: 09:00 is 08:00 UTC, then 07:00.
    assert cal().next_open(utc(2026, 3, 27, 0, 0)) == utc(2026, 3, 27, 8, 0)
    assert cal().next_open(utc(2026, 3, 28, 0, 0)) == utc(2026, 3, 30, 7, 0)
    # New York falls back on Sunday 1 November 2026: 09:00 is 13:00 UTC, then 14:00.
    assert cal(NEW_YORK).next_open(utc(2026, 10, 30, 0, 0)) == utc(2026, 10, 30, 13, 0)
    assert cal(NEW_YORK).next_open(utc(2026, 10, 31, 0, 0)) == utc(2026, 11, 2, 14, 0)


def test_a_window_start_skipped_by_daylight_saving_moves_forward() -> None:
    sunday = cal(working_days=("sun",), window_start="02:30", window_end="05:00")
    opens = sunday.next_open(utc(2026, 3, 28, 12, 0))  # 02:30 does not exist that night
    assert opens == utc(2026, 3, 29, 1, 30)  # 03:30 summer time
    assert sunday.is_open(opens)


def test_holidays_of_the_leads_country_close_the_window_and_skip_business_days() -> None:
    berlin = lead_local_time("", "lukas@kraft.de", None, "")
    german = cal(berlin, holidays_country="lead")
    assert german.closed_because(datetime(2026, 5, 1).date()) == "01 May is a holiday (Labor Day)"
    # Thursday 30 April + 3 business days: Friday 1 May is Labour Day, so Wednesday 6 May.
    thursday = local(berlin, 2026, 4, 30, 10, 0)
    assert german.add_business_days(thursday, 3) == local(berlin, 2026, 5, 6, 10, 0)
    assert cal(berlin).add_business_days(thursday, 3) == local(berlin, 2026, 5, 5, 10, 0)
    madrid = cal(holidays_country="ES-MD")
    assert madrid.next_open(local(MADRID, 2026, 12, 7, 18, 0)) == local(MADRID, 2026, 12, 9, 9, 0)


def test_quiet_periods_close_the_window_every_year_across_new_year() -> None:
    quiet = cal(quiet_periods=(("12-24", "01-02", "year-end freeze"),))
    opens = quiet.next_open(local(MADRID, 2026, 12, 23, 18, 0))
    assert opens == local(MADRID, 2027, 1, 4, 9, 0)  # 3 January is a Sunday
    reason = quiet.closed_because(datetime(2027, 1, 1).date())
    assert reason is not None and "year-end freeze" in reason
    once = cal(quiet_periods=(("2026-12-01", "2026-12-02", ""),))
    assert once.next_open(local(MADRID, 2026, 12, 1, 8, 0)) == local(MADRID, 2026, 12, 3, 9, 0)


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(["Europe/Madrid", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]),
    days=st.sets(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1),
    start=st.integers(0, 20),
    length=st.integers(1, 8),
)
def test_next_open_is_never_earlier_and_always_inside_the_window(
    moment: datetime, zone: str, days: set[str], start: int, length: int
) -> None:
    calendar = cal(
        LocalTime(ZoneInfo(zone), zone, "test"),
        working_days=tuple(sorted(days)),
        window_start=f"{start:02d}:00",
        window_end=f"{min(24, start + length):02d}:00",
        holidays_country="US",
    )
    opens = calendar.next_open(moment)
    assert opens >= moment
    assert calendar.is_open(opens)
    # The first open instant: every day before it is closed, or its window has passed. One
    # working day a week meeting two weekly holidays (Christmas and New Year on Mondays) is
    # the longest wait the US calendar allows: three weeks.
    assert opens - moment < timedelta(days=22)
    day = moment.astimezone(ZoneInfo(zone)).date()
    while day < opens.astimezone(ZoneInfo(zone)).date():
        bounds = calendar.window(day)
        assert bounds is None or bounds[1] <= moment
        day += timedelta(days=1)


def test_mondays_only_wait_past_christmas_and_new_year_on_mondays() -> None:
    mondays = cal(
        LocalTime(ZoneInfo("Europe/Madrid"), "Europe/Madrid", "test"),
        working_days=("mon",),
        holidays_country="US",
    )
    # 25 December 2028 and 1 January 2029 are both Mondays and both US holidays.
    opens = mondays.next_open(local(MADRID, 2028, 12, 24, 12, 0))
    assert opens == local(MADRID, 2029, 1, 8, 9, 0)


# --- next_step: what happens next -------------------------------------------------------------


def test_a_human_reply_is_answered_with_a_deadline_from_reply_within_hours() -> None:
    now = local(MADRID, 2026, 11, 27, 20, 0)  # Friday night
    step = next_step(
        snap(out("m1", now - timedelta(days=5)), inbound("m2", now - timedelta(hours=1))),
        now,
        replace(RULES, reply_within_hours=4),
    )
    assert (step.action, step.trigger, step.rule) == ("reply", "reply:m2", "reply_within_hours")
    assert step.deadline == now + timedelta(hours=3)
    assert any("after the 4-hour reply target" in n for n in step.notes)


def test_an_auto_reply_is_not_answered_and_does_not_reset_silence() -> None:
    sent = local(MADRID, 2026, 11, 23, 10, 0)
    step = next_step(
        snap(out("d1", sent), inbound("m2", sent + timedelta(hours=1), human=False)),
        local(MADRID, 2026, 11, 24, 10, 0),
        RULES,
    )
    assert step.action == "wait" and step.due == local(MADRID, 2026, 11, 26, 10, 0)


def test_follow_up_after_business_days_of_silence_in_the_leads_time() -> None:
    sent = local(NEW_YORK, 2026, 11, 25, 16, 0)  # Wednesday before Thanksgiving
    rules = replace(RULES, holidays_country="US")
    early = next_step(snap(out("d1", sent), zone=NEW_YORK), sent + timedelta(days=3), rules)
    # Thursday is Thanksgiving, then the weekend: Friday, Monday, Tuesday.
    assert early.action == "wait" and early.due == local(NEW_YORK, 2026, 12, 1, 16, 0)
    due = next_step(snap(out("d1", sent), zone=NEW_YORK), local(NEW_YORK, 2026, 12, 1, 16), rules)
    assert (due.action, due.trigger, due.touch_number) == ("follow_up", "follow_up:d1", 2)


def test_spacing_grows_after_each_unanswered_touch() -> None:
    rules = replace(RULES, spacing_growth=2.0, min_days_between_touches=0)
    assert [follow_up_wait(rules, n) for n in (1, 2, 3)] == [3, 6, 12]
    first = local(MADRID, 2026, 11, 2, 10, 0)
    second = local(MADRID, 2026, 11, 5, 10, 0)
    step = next_step(snap(out("d1", first), out("d2", second)), second, rules)
    assert step.action == "wait" and step.due == local(MADRID, 2026, 11, 13, 10, 0)


def test_max_touches_without_reply_stops_the_lead() -> None:
    start = local(MADRID, 2026, 10, 1, 10, 0)
    touches = [out(f"d{i}", start + timedelta(days=5 * i)) for i in range(3)]
    step = next_step(snap(*touches), start + timedelta(days=30), replace(RULES, max_touches=3))
    assert step.action == "stop" and step.rule == "max_touches"


def test_graceful_close_is_the_last_allowed_touch() -> None:
    start = local(MADRID, 2026, 10, 1, 10, 0)
    touches = [out(f"d{i}", start + timedelta(days=5 * i)) for i in range(2)]
    rules = replace(RULES, max_touches=3, graceful_close=True)
    step = next_step(snap(*touches), start + timedelta(days=30), rules)
    assert (step.action, step.situation, step.touch_number) == ("follow_up", "graceful_close", 3)


def test_min_days_between_touches_holds_a_follow_up_back() -> None:
    sent = local(MADRID, 2026, 11, 23, 10, 0)
    rules = replace(RULES, follow_up_after_business_days=1, min_days_between_touches=4)
    step = next_step(snap(out("d1", sent)), sent + timedelta(days=2), rules)
    assert step.rule == "min_days_between_touches" and step.due == sent + timedelta(days=4)


def test_company_weekly_cap_counts_mail_to_colleagues_across_reps() -> None:
    sent = local(MADRID, 2026, 11, 16, 10, 0)
    colleagues = tuple(local(MADRID, 2026, 11, d, 11, 0) for d in (17, 18, 19))
    rules = replace(RULES, company_weekly_cap=3)
    step = next_step(
        snap(out("d1", sent), company="Northwind", company_sends=colleagues),
        local(MADRID, 2026, 11, 19, 12, 0),
        rules,
    )
    # Colleagues get mail on 17, 18 and 19 November (the last one still scheduled): one
    # more on the 19th would make four within a week, so the follow-up waits for the 24th.
    assert step.action == "wait" and step.rule == "company_weekly_cap"
    assert step.due == colleagues[0] + timedelta(days=7)


def test_stop_conditions() -> None:
    for status, words in (
        ("opted_out", "opted out"),
        ("stopped", "stopped (not interested)"),
        ("sales_ready", "sales-ready"),
    ):
        step = next_step(
            snap(inbound("m1", utc(2026, 11, 20)), status=status, status_reason="not interested"),
            utc(2026, 11, 23),
            RULES,
        )
        assert step.action == "stop" and words in step.why


def test_a_pause_is_acknowledged_once_waits_then_re_engages_days_after_it_ends() -> None:
    sent = local(MADRID, 2026, 9, 1, 10, 0)
    hold = inbound("m2", local(MADRID, 2026, 9, 2, 10, 0), pauses=True)
    until = local(MADRID, 2026, 12, 1, 8, 0)
    paused = {"status": "paused", "paused_until": until, "status_reason": "Q4"}
    ack = next_step(snap(out("d1", sent), hold, **paused), local(MADRID, 2026, 9, 2, 11), RULES)
    assert (ack.action, ack.reply_to) == ("reply", "m2")  # "talk in Q4": said once, then quiet
    answered = out("d2", local(MADRID, 2026, 9, 2, 12, 0))
    during = next_step(
        snap(out("d1", sent), hold, answered, **paused), local(MADRID, 2026, 11, 1, 12, 0), RULES
    )
    assert during.action == "wait" and during.due == local(MADRID, 2026, 12, 3, 9, 0)
    after = next_step(
        snap(out("d1", sent), hold, answered, pause_ended_at=until),
        local(MADRID, 2026, 12, 3, 10, 0),
        RULES,
    )
    assert (after.action, after.situation) == ("follow_up", "re_engage")
    assert after.trigger == "re_engage@20261201:d2"


def test_an_out_of_office_pause_is_never_answered() -> None:
    sent = local(MADRID, 2026, 9, 1, 10, 0)
    away = Touch("m2", "inbound", local(MADRID, 2026, 9, 2, 10, 0), human=False, pauses=True)
    until = local(MADRID, 2026, 9, 20, 8, 0)
    step = next_step(
        snap(out("d1", sent), away, status="paused", paused_until=until),
        local(MADRID, 2026, 9, 2, 11),
        RULES,
    )
    assert step.action == "wait"


def test_a_human_reply_during_a_pause_is_answered() -> None:
    hold = inbound("m2", utc(2026, 11, 2, 10), pauses=True)
    step = next_step(
        snap(out("d1", utc(2026, 11, 1, 10)), hold, inbound("m3", utc(2026, 11, 4, 10))),
        utc(2026, 11, 4, 11),
        RULES,
    )
    assert step.action == "reply" and step.reply_to == "m3"
    paused = next_step(
        snap(
            out("d1", utc(2026, 11, 1, 10)),
            hold,
            inbound("m3", utc(2026, 11, 4, 10)),
            status="paused",
            paused_until=utc(2027, 1, 4, 8),
        ),
        utc(2026, 11, 4, 11),
        RULES,
    )
    assert paused.action == "reply" and paused.reply_to == "m3"


def test_a_newer_reply_overtakes_a_waiting_follow_up_but_not_a_send_in_flight() -> None:
    created = utc(2026, 11, 20, 9)
    follow = OpenDraft(7, "pending", "follow_up", created)
    touches = (out("d1", utc(2026, 11, 10, 9)), inbound("m2", utc(2026, 11, 20, 10)))
    step = next_step(snap(*touches, open_drafts=(follow,)), utc(2026, 11, 20, 11), RULES)
    assert step.action == "reply" and step.cancels == (7,)
    flying = OpenDraft(7, "sending", "follow_up", created)
    step = next_step(snap(*touches, open_drafts=(flying,)), utc(2026, 11, 20, 11), RULES)
    assert step.action == "none" and "is being sent" in step.why


# --- the send slot ------------------------------------------------------------------------------


def test_sends_of_one_mailbox_are_staggered_with_jitter_under_the_per_minute_throttle() -> None:
    rules = replace(RULES, per_minute_throttle=6)
    calendar = cal()
    rng = random.Random(1)
    now = local(MADRID, 2026, 11, 24, 10, 0)
    busy: list[datetime] = []
    for _ in range(12):
        busy.append(slot(calendar, rules, now, busy, rng=rng).at)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(busy)]
    assert min(gaps) >= 10 and max(gaps) <= 15  # 60 s / 6, stretched by up to half
    assert len(set(gaps)) > 3  # jittered, not machine-regular


def test_the_daily_cap_moves_a_send_to_the_next_day_window() -> None:
    rules = replace(RULES, daily_cap_per_mailbox=2)
    now = local(MADRID, 2026, 11, 24, 10, 0)
    busy = [now - timedelta(hours=2), now - timedelta(hours=1)]
    found = slot(cal(), rules, now, busy, rng=random.Random(0))
    assert found.at == local(MADRID, 2026, 11, 25, 9, 0)  # 24 h after 08:00, in the window
    assert "daily cap" in found.note
    late = [now + timedelta(hours=6), now + timedelta(hours=7)]  # 16:00 and 17:00
    evening = slot(cal(), rules, now + timedelta(hours=7, minutes=10), late, rng=random.Random(0))
    assert evening.at == local(MADRID, 2026, 11, 25, 16, 0)


def test_retry_backoff_and_reconnect_delay_are_capped_and_jittered() -> None:
    rng = random.Random(3)
    delays = [backoff(n, rng).total_seconds() for n in range(1, 10)]
    assert 24 <= delays[0] <= 36 and 48 <= delays[1] <= 72
    assert max(delays) <= 3600 * 1.2
    reconnects = [reconnect_delay(n, 30, rng) for n in range(1, 12)]
    assert 0.5 <= reconnects[0] <= 1 and all(d <= 30 for d in reconnects)
    assert reconnects[-1] >= 15
