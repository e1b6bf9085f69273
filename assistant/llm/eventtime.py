"""A live event's start as a lead reads it: in their own time zone and language.

An event whose front matter gives only a date is stored at midnight UTC and written as a
date, never as "00:00 UTC".
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.llm.turns import DAY_NAMES, MONTH_NAMES

_DATE = {
    "en": "{w} {d} {m} {y}",
    "de": "{w}, {d}. {m} {y}",
    "fr": "{w} {d} {m} {y}",
    "es": "el {w} {d} de {m} de {y}",
}
_AT = {
    "en": "{date}, {t} ({z} time)",
    "de": "{date}, {t} Uhr ({z})",
    "fr": "{date} à {t} (heure de {z})",
    "es": "{date} a las {t} (hora de {z})",
}
_AT_UTC = {
    "en": "{date}, {t} UTC",
    "de": "{date}, {t} Uhr UTC",
    "fr": "{date} à {t} UTC",
    "es": "{date} a las {t} UTC",
}


def is_date_only(start: datetime) -> bool:
    return start.utcoffset() == UTC.utcoffset(None) and (start.hour, start.minute) == (0, 0)


def event_time(starts_at: str, lead_zone: str, lang: str = "en") -> str:
    """ "Thursday 14 January 2027, 17:00 (Berlin time)"; a date alone for a date-only event."""
    start = datetime.fromisoformat(starts_at)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    if is_date_only(start.astimezone(UTC)):
        local, zone = start.astimezone(UTC), ""
    else:
        try:
            tz = ZoneInfo(lead_zone) if lead_zone else UTC
        except (ZoneInfoNotFoundError, ValueError):
            tz = UTC
        local = start.astimezone(tz)
        zone = lead_zone.split("/")[-1].replace("_", " ") if tz is not UTC else "UTC"
    day = _DATE[lang].format(
        w=DAY_NAMES[lang].split()[local.weekday()],
        d=local.day,
        m=MONTH_NAMES[lang].split()[local.month - 1],
        y=local.year,
    )
    if not zone:
        return day
    return (_AT_UTC if zone == "UTC" else _AT)[lang].format(date=day, t=f"{local:%H:%M}", z=zone)
