"""Pure calendar math for cadence: a lead's local time, working days, holidays, send windows.

Nothing here reads the clock or the database: every function takes the moment it reasons
about, so tests can ask about any date, time zone or daylight-saving change.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from assistant.config import WEEKDAYS
from assistant.errors import StateError
from assistant.rules import Cadence

# Country-code top-level domains that businesses of one country use, with the zone most of
# its people live in. Generic-looking ones (.co, .io, .ai, .me, .tv) are left out on purpose.
CCTLD_ZONES = {
    "ae": "Asia/Dubai",
    "ar": "America/Argentina/Buenos_Aires",
    "at": "Europe/Vienna",
    "au": "Australia/Sydney",
    "be": "Europe/Brussels",
    "bg": "Europe/Sofia",
    "br": "America/Sao_Paulo",
    "ca": "America/Toronto",
    "ch": "Europe/Zurich",
    "cl": "America/Santiago",
    "cn": "Asia/Shanghai",
    "cz": "Europe/Prague",
    "de": "Europe/Berlin",
    "dk": "Europe/Copenhagen",
    "ee": "Europe/Tallinn",
    "es": "Europe/Madrid",
    "fi": "Europe/Helsinki",
    "fr": "Europe/Paris",
    "gr": "Europe/Athens",
    "hk": "Asia/Hong_Kong",
    "hr": "Europe/Zagreb",
    "hu": "Europe/Budapest",
    "ie": "Europe/Dublin",
    "il": "Asia/Jerusalem",
    "in": "Asia/Kolkata",
    "it": "Europe/Rome",
    "jp": "Asia/Tokyo",
    "kr": "Asia/Seoul",
    "lt": "Europe/Vilnius",
    "lu": "Europe/Luxembourg",
    "lv": "Europe/Riga",
    "mx": "America/Mexico_City",
    "nl": "Europe/Amsterdam",
    "no": "Europe/Oslo",
    "nz": "Pacific/Auckland",
    "pl": "Europe/Warsaw",
    "pt": "Europe/Lisbon",
    "ro": "Europe/Bucharest",
    "se": "Europe/Stockholm",
    "sg": "Asia/Singapore",
    "si": "Europe/Ljubljana",
    "sk": "Europe/Bratislava",
    "tr": "Europe/Istanbul",
    "tw": "Asia/Taipei",
    "uk": "Europe/London",
    "us": "America/New_York",
    "za": "Africa/Johannesburg",
}
_TLD_COUNTRY = {"uk": "GB"}
_ZONE_TABLE = Path("/usr/share/zoneinfo/zone.tab")
SEARCH_DAYS = 3 * 366  # a window that stays shut longer than this is a rules mistake


@dataclass(frozen=True)
class LocalTime:
    """A lead's time zone, where it came from, and the country it suggests."""

    tz: tzinfo
    name: str
    source: str
    country: str = ""


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


@functools.lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO country, from the system's tz database (empty when it is missing)."""
    try:
        lines = _ZONE_TABLE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    table: dict[str, str] = {}
    for line in lines:
        parts = line.split("\t")
        if len(parts) >= 3 and not line.startswith("#"):
            table[parts[2]] = parts[0]
    return table


def country_of_zone(name: str) -> str:
    return _zone_countries().get(name, "")


def lead_local_time(
    lead_zone: str,
    lead_email: str,
    reply_offset_minutes: int | None,
    rep_zone: str,
    country: str = "",
) -> LocalTime:
    """The lead record's zone, else the domain's ccTLD, else their Date header, else the rep's."""
    if zone := _zone(lead_zone):
        return LocalTime(zone, lead_zone, "the lead record", country or country_of_zone(lead_zone))
    tld = lead_email.rpartition(".")[2].lower()
    if tld in CCTLD_ZONES and (zone := _zone(CCTLD_ZONES[tld])):
        code = country or _TLD_COUNTRY.get(tld, tld.upper())
        return LocalTime(zone, CCTLD_ZONES[tld], f"the company domain (.{tld})", code)
    if reply_offset_minutes is not None:
        sign = "+" if reply_offset_minutes >= 0 else "-"
        hours, minutes = divmod(abs(reply_offset_minutes), 60)
        return LocalTime(
            timezone(timedelta(minutes=reply_offset_minutes)),
            f"UTC{sign}{hours:02d}:{minutes:02d}",
            "the Date header of their last reply",
            country,
        )
    if zone := _zone(rep_zone):
        return LocalTime(zone, rep_zone, "the rep's time zone", country)
    return LocalTime(UTC, "UTC", "no time zone known for lead or rep", country)


@functools.lru_cache(maxsize=64)
def _holiday_calendar(code: str) -> holidays.HolidayBase:
    country, _, subdiv = code.partition("-")
    return holidays.country_holidays(country, subdiv=subdiv or None)


def _clock(text: str) -> time | None:
    """09:00 -> time(9); 24:00 -> None, meaning midnight at the end of the day."""
    hours, _, minutes = text.partition(":")
    return None if int(hours) == 24 else time(int(hours), int(minutes))


def _in_period(day: date, start: str, end: str) -> bool:
    if len(start) == 10:
        return start <= day.isoformat() <= end
    md = day.strftime("%m-%d")
    return start <= md <= end if start <= end else (md >= start or md <= end)


@dataclass(frozen=True)
class Calendar:
    """When mail may reach one lead: working days and hours in their time, less holidays."""

    local: LocalTime
    opens: time
    closes: time | None
    working_days: frozenset[int]
    holidays_country: str
    quiet: tuple[tuple[str, str, str], ...]

    def closed_because(self, day: date) -> str | None:
        """Why no mail goes out on this local day, or None when it is a sending day."""
        if day.weekday() not in self.working_days:
            return f"{WEEKDAYS[day.weekday()].capitalize()} is not a working day"
        if name := self.holiday(day):
            return f"{day:%d %b} is a holiday ({name})"
        for start, end, reason in self.quiet:
            if _in_period(day, start, end):
                return f"{day:%d %b} is in a quiet period{f' ({reason})' if reason else ''}"
        return None

    def holiday(self, day: date) -> str | None:
        if not self.holidays_country:
            return None
        name = _holiday_calendar(self.holidays_country).get(day)
        return str(name) if name else None

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and self.holiday(day) is None

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC instants [open, close) of the local day's window; None on a closed day."""
        if self.closed_because(day):
            return None
        start = _instant(day, self.opens, self.local.tz)
        end = (
            _instant(day + timedelta(days=1), time(0), self.local.tz)
            if self.closes is None
            else _instant(day, self.closes, self.local.tz)
        )
        return (start, end) if end > start else None

    def is_open(self, moment: datetime) -> bool:
        bounds = self.window(moment.astimezone(self.local.tz).date())
        return bounds is not None and bounds[0] <= moment < bounds[1]

    def next_open(self, moment: datetime) -> datetime:
        """The first instant at or after `moment` when mail may go out to this lead."""
        first = moment.astimezone(self.local.tz).date()
        for offset in range(SEARCH_DAYS):
            bounds = self.window(first + timedelta(days=offset))
            if bounds is not None and moment < bounds[1]:
                return max(moment.astimezone(UTC), bounds[0])
        raise StateError("The send window never opens: check working days and quiet periods.")

    def add_business_days(self, moment: datetime, days: int) -> datetime:
        """The same local clock time `days` working days (holidays skipped) later."""
        local = moment.astimezone(self.local.tz)
        day, added = local.date(), 0
        while added < days:
            day += timedelta(days=1)
            if self.is_business_day(day):
                added += 1
        return _instant(day, local.time(), self.local.tz)

    def business_days_between(self, start: datetime, end: datetime) -> int:
        day = start.astimezone(self.local.tz).date()
        last = end.astimezone(self.local.tz).date()
        count = 0
        while day < last:
            day += timedelta(days=1)
            count += self.is_business_day(day)
        return count

    def describe(self, moment: datetime) -> str:
        """'Thu 26 Nov 2026 11:00 Europe/Madrid', the way a rep reads a lead's time."""
        return f"{moment.astimezone(self.local.tz):%a %d %b %Y %H:%M} {self.local.name}"


def _instant(day: date, clock: time, tz: tzinfo) -> datetime:
    """A local wall-clock time as a UTC instant; a time skipped by DST moves forward."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def calendar_for(rules: Cadence, local: LocalTime) -> Calendar:
    country = rules.holidays_country
    if country == "lead":
        country = local.country.upper()
        if country and country not in holidays.list_supported_countries():
            country = ""
    return Calendar(
        local=local,
        opens=_clock(rules.window_start) or time(0),
        closes=_clock(rules.window_end),
        working_days=frozenset(WEEKDAYS.index(d) for d in rules.working_days),
        holidays_country=country,
        quiet=rules.quiet_periods,
    )


def follow_up_wait(rules: Cadence, unanswered: int) -> int:
    """Business days of silence before the next touch; grows with each unanswered one."""
    grown = rules.follow_up_after_business_days * rules.spacing_growth ** max(0, unanswered - 1)
    return math.ceil(grown - 1e-9)


def room(times: Sequence[datetime], moment: datetime, cap: int, span: timedelta) -> datetime:
    """The first moment from `moment` when one more mail keeps every `span` below `cap`.

    `times` may hold mail already scheduled after `moment`: a window counts what falls in it
    on either side, so a send never pushes a later week over the cap.
    """
    if len(times) < cap:
        return moment  # fewer mails in all than the cap: no window can be full
    ordered = sorted(times)
    candidates = [moment, *(t + span for t in ordered if t + span > moment)]
    for candidate in candidates:
        starts = [candidate, *(t for t in ordered if candidate - span < t <= candidate)]
        if all(sum(1 for t in ordered if w <= t < w + span) < cap for w in starts):
            return candidate
    return candidates[-1]
