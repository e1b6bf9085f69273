"""The turn of the journey a lead's reply takes, as the offline drafter answers it.

A pause until a date, a budget freeze, a referral, a request to talk: each gets its own short
mail (an acknowledgement, thanks, a yes with times) instead of content. Dates and times are
written as words where the lead gave none ("in mid-September", "Thursday at 10:00, Berlin
time"), so that a draft names nothing the thread does not hold.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.llm.base import DraftRequest
from assistant.mail.intent import classify_intent

MONTH_NAMES = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
}
DAY_NAMES = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
}
_PARTS = {
    "en": ("at the start of {m}", "in mid-{m}", "at the end of {m}", "on {d} {m}"),
    "de": ("Anfang {m}", "Mitte {m}", "Ende {m}", "am {d}. {m}"),
    "fr": ("début {m}", "à la mi-{m}", "fin {m}", "le {d} {m}"),
    "es": ("a principios de {m}", "a mediados de {m}", "a finales de {m}", "el {d} de {m}"),
}
_OFFER = {
    "en": ("{day} at {t1} or {t2} ({z} time)", "{day} at {t1} or {day2} at {t2} ({z} time)"),
    "de": (
        "{day} um {t1} oder {t2} Uhr (Ortszeit {z})",
        "{day} um {t1} oder {day2} um {t2} Uhr (Ortszeit {z})",
    ),
    "fr": ("{day} à {t1} ou {t2} (heure de {z})", "{day} à {t1} ou {day2} à {t2} (heure de {z})"),
    "es": (
        "el {day} a las {t1} o a las {t2} (hora de {z})",
        "el {day} a las {t1} o el {day2} a las {t2} (hora de {z})",
    ),
}


@dataclass(frozen=True)
class Turn:
    kind: str  # "pause", "freeze", "referral", "meeting" or "" (an ordinary reply)
    until: date | None = None
    referred: str = ""  # the colleague the lead named
    day: date | None = None  # meeting: the day the lead asked for


def today_of(request: DraftRequest) -> date:
    """The day of the lead's latest message: the drafter's "today" for reading dates."""
    dated = [turn.at for turn in request.thread if turn.at is not None]
    return max(dated).date() if dated else datetime.now(UTC).date()


def read(request: DraftRequest) -> Turn:
    """The turn the lead's latest reply takes; replies of other situations take none."""
    if request.situation != "reply" or not request.latest_reply:
        return Turn("")
    today = today_of(request)
    intent, _, events = classify_intent(
        request.latest_reply, today, ignore_addresses=frozenset({request.rep.email.lower()})
    )
    kinds = {event.type: event for event in events}
    if intent == "ready_to_talk":
        meeting = kinds.get("meeting_request")
        return Turn("meeting", day=meeting.date if meeting else None)
    referral = kinds.get("referral")
    if intent == "wrong_person" and referral is not None:
        return Turn("referral", referred=referral.name or referral.email or "")
    later = kinds.get("come_back_later")
    until = later.date if later and later.date and later.date > today else None
    if "budget_freeze" in kinds:
        return Turn("freeze", until=until)
    if intent == "not_now" and until is not None:
        return Turn("pause", until=until)
    return Turn("")


def when_words(day: date, lang: str, today: date) -> str:
    """A pause's end as a person writes it: "in mid-September", "at the end of March 2027"."""
    month = MONTH_NAMES[lang].split()[day.month - 1]
    start, mid, end, exact = _PARTS[lang]
    last = calendar.monthrange(day.year, day.month)[1]
    pattern = {1: start, 15: mid, last: end}.get(day.day, exact)
    words = pattern.format(m=month, d=day.day)
    if day.year == today.year:
        return words
    return f"{words} de {day.year}" if lang == "es" else f"{words} {day.year}"


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def slots(
    day: date | None,
    today: date,
    *,
    lead_zone: str,
    rep_zone: str,
    hours: str = "09:00-17:00",
    lang: str = "en",
) -> str:
    """Two times inside the rep's working hours, written in the lead's time zone.

    On the day the lead asked for, else the next two working days; a time outside the lead's
    own 8:00-18:00 is passed over.
    """
    lead_tz = _zone(lead_zone) or _zone(rep_zone) or UTC
    rep_tz = _zone(rep_zone) or lead_tz
    start_text, _, end_text = hours.partition("-")
    start_hour, end_hour = int(start_text.split(":")[0]), int(end_text.split(":")[0] or 17)
    days = [day] if day else []
    probe = today
    while len(days) < 3:
        probe += timedelta(days=1)
        if probe.weekday() < 5 and probe not in days:
            days.append(probe)
    found: list[datetime] = []
    for when in days:
        # Mid-morning and mid-afternoon first, then any other hour both days share.
        preferred = [start_hour + 1, end_hour - 3]
        hours_left = [h for h in range(start_hour, end_hour) if h not in preferred]
        for hour in [*preferred, *hours_left]:
            at = datetime.combine(when, time(hour), tzinfo=rep_tz).astimezone(lead_tz)
            if 8 <= at.hour < 18 and at.date() == when and at not in found:
                found.append(at)
            if len(found) == 2:
                return _offer(found, lang, lead_zone or rep_zone or "UTC")
    return ""


def _offer(times: list[datetime], lang: str, zone: str) -> str:
    """Two times as one phrase: "Thursday at 14:00 or 15:00 (Berlin time)"."""
    names = DAY_NAMES[lang].split()
    one, two = sorted(times)
    same, other = _OFFER[lang]
    return (same if one.date() == two.date() else other).format(
        day=names[one.weekday()],
        day2=names[two.weekday()],
        t1=f"{one:%H:%M}",
        t2=f"{two:%H:%M}",
        z=zone.split("/")[-1].replace("_", " "),
    )
