"""Dates written in mail (en de fr es nl sv it pt), resolved against a given `today`.

Explicit dates ("3 March", "03.03.", "Monday 12/1") and relative ones ("in six months",
"Q3", "after the holidays", "nach Ostern"). Conventions: a day-month without a year is the
next such day not more than two weeks past; "until X" gives the day after X; a quarter or
month gives its first day, but the end of one ("end of Q1 2027", "through March", "fin mars")
its last day and "mid-September" the 15th; "after the holidays" gives 7 January.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from dateutil.easter import easter

_MONTH_NAMES = {
    1: "january jan januar jän janvier janv enero ene januari gennaio genn gen janeiro",
    2: "february feb februar février fevrier févr fevr febrero februari febbraio fevereiro fev",
    3: "march mar märz maerz mars marzo mrt maart marzo março marco",
    4: "april apr avril avr abril abr aprile",
    5: "may mai mayo mei maj maggio mag maio",
    6: "june jun juni juin junio giugno giu junho",
    7: "july jul juli juillet juil julio luglio lug julho",
    8: "august aug août aout agosto ago augustus augusti",
    9: "september sep sept septembre septiembre setiembre settembre sett setembro",
    10: "october oct oktober octobre octubre okt ottobre ott outubro out",
    11: "november nov novembre noviembre novembro",
    12: "december dec dez dezember décembre decembre déc diciembre dic dicembre dezembro",
}
_WEEKDAY_NAMES = {
    0: "monday mon montag mo lundi lunes maandag måndag lunedì lunedi segunda-feira",
    1: "tuesday tue tues dienstag di mardi martes dinsdag tisdag martedì martedi terça-feira",
    2: "wednesday wed mittwoch mi mercredi miércoles miercoles woensdag onsdag mercoledì "
    "mercoledi quarta-feira",
    3: "thursday thu thurs donnerstag do jeudi jueves donderdag torsdag giovedì giovedi "
    "quinta-feira",
    4: "friday fri freitag fr vendredi viernes vrijdag fredag venerdì venerdi sexta-feira",
    5: "saturday sat samstag sa samedi sábado sabado zaterdag lördag sabato",
    6: "sunday sun sonntag so dimanche domingo zondag söndag domenica",
}
_NUMBER_NAMES = {
    1: "one a an ein einen einem einer un une uno una een ett en uma um",
    2: "two couple zwei deux dos twee två due dois duas",
    3: "three few drei trois tres drie tre três",
    4: "four vier quatre cuatro fyra quattro quatro",
    5: "five fünf cinq cinco vijf fem cinque",
    6: "six sechs seis zes sex sei",
    8: "eight acht huit ocho åtta otto oito",
    9: "nine neun neuf nueve negen nio nove",
    10: "ten zehn dix diez tien tio dieci dez",
    12: "twelve zwölf douze doce twaalf tolv dodici",
}


def _table(names: dict[int, str]) -> dict[str, int]:
    return {word: key for key, words in names.items() for word in words.split()}


MONTHS = _table(_MONTH_NAMES)
WEEKDAYS = _table(_WEEKDAY_NAMES)
NUMBERS = _table(_NUMBER_NAMES)


def _alternation(words: dict[str, int]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH = _alternation(MONTHS)
_WEEKDAY = _alternation({w: 0 for w in WEEKDAYS if len(w) > 2})
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|e|º|°)?\.?\s+(?:de\s+|of\s+)?({_MONTH})\b\.?"
    rf"(?:\s+(?:de\s+)?(\d{{4}}))?",
)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b,?(?:\s+(\d{{4}}))?")
_NUMERIC = re.compile(
    r"(?<![\d.:/-])(\d{1,2})([./])(\d{1,2})(?:\2(\d{4}|\d{2}))?(\.?)"
    r"(?![\d:]|\.\d|\s*(?:uhr|h\b|am\b|pm\b))",
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WEEKDAY_WORD = re.compile(rf"\b({_WEEKDAY})\b")
_TOMORROW = re.compile(r"\b(tomorrow|morgen|demain|mañana|imorgon|domani|amanhã)\b")
_UNTIL = re.compile(
    rf"\b(?:until|till|through|thru|to|bis(?: einschließlich| zum| zu)?|jusqu'?au|jusqu'?à|au|"
    rf"hasta(?: el)?|al|tot en met|t/m|tot|till och med|t\.o\.m\.|fino al|fino a|até)\s*"
    rf"(?:(?:the|le|el|den|il|o|dem|de)\s+)?(?:(?:{_WEEKDAY})\.?,?\s*)?$",
)
_QUARTER = re.compile(r"\b[qtk]([1-4])\b(?:\s*[/']?\s*(\d{4}|\d{2})\b)?")
_ORDINAL_QUARTER = re.compile(
    r"\b(first|1st|ersten|premier|primer|primero|eerste|första|primo|primeiro|second|2nd|"
    r"zweiten|deuxième|segundo|tweede|andra|secondo|third|3rd|dritten|troisième|tercer|tercero|"
    r"derde|tredje|terzo|terceiro|fourth|4th|vierten|quatrième|cuarto|vierde|fjärde|quarto)\s+"
    r"(?:quarter|quartal|trimestre|kwartaal|kvartalet|kvartal)",
)
_ORDINAL = _table(
    {
        1: "first 1st ersten premier primer primero eerste första primo primeiro",
        2: "second 2nd zweiten deuxième segundo tweede andra secondo",
        3: "third 3rd dritten troisième tercer tercero derde tredje terzo terceiro",
        4: "fourth 4th vierten quatrième cuarto vierde fjärde quarto",
    }
)
_IN_PERIOD = re.compile(
    rf"\b(?:in|within|after|nach|dans|d'ici|en|dentro de|over|om|tra|fra|daqui a|em|about|"
    rf"ungefähr|etwa)\s+(?:(?:a|an|ein|einem|einen|un|une|uno|una|een|ett|en|um|uma)\s+)?"
    rf"(\d{{1,2}}|{_alternation(NUMBERS)})(?:\s*(?:-|–|to|or|bis|à|a|o|of)\s*\d{{1,2}})?\s*"
    r"(?:of\s+)?(?:more\s+)?"
    r"(days?|tagen?|jours?|días?|dias?|dagen?|dagar|giorni|weeks?|wochen?|semaines?|semanas?|"
    r"weken|veckor|vecka|settimane?|months?|monaten?|monat|mois|meses|mes|maanden|maand|"
    r"månader|månad|mesi|mese|years?|jahren?|jahr|ans?|années?|años?|jaar|jaren|år|anni|anno|anos?|"
    r"quarters?)\b",
)
_HALF_YEAR = re.compile(
    r"\b(?:half a year|halben jahr|halbes jahr|six mois|medio año|half jaar|halvår|sei mesi|"
    r"seis meses)\b",
)
_NEXT = re.compile(
    r"\b(?:next|nächste[nsr]?|prochaine?|próxim[oa]|volgende?|nästa|prossim[oa])\s+"
    r"(week|woche|semaine|semana|vecka|settimana|month|monat|mois|mes|mês|maand|månad|mese|"
    r"quarter|quartal|trimestre|kwartaal|kvartal|year|jahr|année|año|ano|jaar|år|anno)\b|"
    r"\b(?:la |le |l')?(semaine|mois|année|trimestre) prochaine?\b|"
    r"\b(?:la |el |o )?(semana|mes|año|ano|trimestre) que vem\b|"
    r"\b(?:la |el )?(semana|mes|año) que viene\b|\b(?:l'|il )?(anno) prossimo\b",
)
_UNIT = {
    **dict.fromkeys(["week", "woche", "semaine", "semana", "vecka", "settimana"], "week"),
    **dict.fromkeys(["month", "monat", "mois", "mes", "mês", "maand", "månad", "mese"], "month"),
    **dict.fromkeys(["quarter", "quartal", "trimestre", "kwartaal", "kvartal"], "quarter"),
    **dict.fromkeys(["year", "jahr", "année", "año", "ano", "jaar", "år", "anno"], "year"),
}
_HOLIDAYS = re.compile(
    r"\b(?:after|past|over) (?:the )?(?:holidays|christmas|new year)|\bin the new year|"
    r"\bnach (?:den feiertagen|weihnachten|neujahr|dem jahreswechsel)|\bim neuen jahr|"
    r"\baprès les fêtes|\baprès noël|\bdespués de (?:las fiestas|navidad|año nuevo)|"
    r"\bna de (?:feestdagen|kerst)|\bna nieuwjaar|\befter (?:helgerna|jul|nyår)|"
    r"\bdopo (?:le feste|natale|capodanno)|\bdepois (?:das festas|do natal|do ano novo)",
)
_SUMMER = re.compile(
    r"\b(?:after the summer|in the (?:fall|autumn)|im herbst|à l'automne|en otoño|in het najaar|"
    r"på hösten|in autunno|no outono|nach dem sommer|nach den sommerferien|après l'été|"
    r"après les vacances|"
    r"después del verano|na de zomer|efter sommaren|dopo l'estate|depois do verão)\b",
)
_EASTER = re.compile(
    r"\b(?:after easter|nach ostern|après pâques|después de semana santa|después de pascua|"
    r"na pasen|efter påsk|dopo pasqua|depois da páscoa)\b",
)
_IN_MONTH = re.compile(
    rf"\b(?:(?i:in|im|en|em|early|mid|late|end of|beginning of|anfang|mitte|ende|début|fin|"
    rf"principios de|mediados de|finales de|begin|eind|början av|slutet av|inizio|metà|fine|"
    rf"início de|meados de|final de)|(?-i:i|a|ad))\s+(?:de\s+|di\s+)?(?i:({_MONTH}))\b(?!\s*\d)"
)


_END_WORDS = (
    r"(?:(?:by |until |till |through |to )?(?:the )?end of|through|thru|"
    r"(?:bis )?(?:zum )?ende(?: des)?|(?:jusqu'à |à )?(?:la )?fin(?: de| du)?|"
    r"(?:a |hasta )?(?:finales|fines|final) de(?:l)?|eind|slutet av|fine)"
)
_QUARTER_END = re.compile(
    rf"\b{_END_WORDS}\s+(?:the\s+|le\s+)?[qtk]([1-4])\b(?:\s*[/']?\s*(\d{{4}}|\d{{2}})\b)?"
)
_MONTH_PART = re.compile(
    r"\b(?:(early|beginning of|start of|anfang|début|principios de|comienzos de)|"
    r"(mid|middle of|mitte|mi|mediados de)|(late|end of|the end of|through|thru|ende|fin|"
    rf"finales de|fines de|final de))[\s-]+(?:de\s+|d'|of\s+)?({_MONTH})\b\.?(?:\s+(\d{{4}}))?"
)
_PART_DAY = {1: 1, 2: 15, 3: 0}  # 0: the month's last day
_US_HOLIDAY = re.compile(r"\bafter (labor day|labour day|memorial day|thanksgiving)\b")
_SOMMERFERIEN = re.compile(r"\bnach den sommerferien\b")


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` of a month; n = -1 for the last one."""
    days = [
        d
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    return date(year, month, days[n if n < 0 else n - 1])


def _us_holiday_after(name: str, year: int) -> date:
    """The working day after a US holiday: Labor Day, Memorial Day, Thanksgiving (its Monday)."""
    if name.startswith(("labor", "labour")):
        return _nth_weekday(year, 9, 0, 1) + timedelta(days=1)
    if name == "memorial day":
        return _nth_weekday(year, 5, 0, -1) + timedelta(days=1)
    return _nth_weekday(year, 11, 3, 4) + timedelta(days=4)


def period_end(sentence: str, today: date) -> date | None:
    """The date a named part of a period ends: "end of Q1 2027" -> 31 March 2027.

    None when the sentence names no such part. A pause is held to this day, not the
    period's first day.
    """
    low = sentence.lower()
    if m := _QUARTER_END.search(low):
        quarter, year = int(m.group(1)), m.group(2)
        full = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
        end = add_months(_quarter_start(quarter, full), 3) - timedelta(days=1)
        return end if year or end >= today else date(end.year + 1, end.month, end.day)
    if m := _MONTH_PART.search(low):
        part = next(i for i in (1, 2, 3) if m.group(i))
        month, year = MONTHS[m.group(4)], m.group(5)
        full = int(year) if year else today.year
        day = _PART_DAY[part] or calendar.monthrange(full, month)[1]
        found = date(full, month, day)
        if not year and found <= today:
            last = calendar.monthrange(full + 1, month)[1]
            found = date(full + 1, month, min(_PART_DAY[part] or last, last))
        return found
    if m := _US_HOLIDAY.search(low):
        found = _us_holiday_after(m.group(1), today.year)
        return found if found > today else _us_holiday_after(m.group(1), today.year + 1)
    if _SOMMERFERIEN.search(low):
        # School summer holidays run into mid-September in the southern states.
        found = date(today.year, 9, 15)
        return found if found > today else date(today.year + 1, 9, 15)
    return None


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year_for(month: int, day: int, year: str | None, today: date) -> date | None:
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _safe(full, month, day)
    found = _safe(today.year, month, day)
    if found is not None and found < today - timedelta(days=14):
        found = _safe(today.year + 1, month, day)
    return found


def add_months(start: date, months: int) -> date:
    """`start` moved by whole months, the day clamped to the month's length."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _weekday_before(text: str, pos: int) -> int | None:
    match = _WEEKDAY_WORD.search(text[max(0, pos - 16) : pos])
    return WEEKDAYS[match.group(1).lower()] if match else None


def explicit_dates(text: str, today: date, *, month_first: bool) -> list[tuple[int, date]]:
    """Every explicit date in `text` with its position; `month_first` reads 12/1 as December 1."""
    text = text.lower()
    found: list[tuple[int, date]] = []
    for m in _ISO.finditer(text):
        if (d := _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))) is not None:
            found.append((m.start(), d))
    for m in _DAY_MONTH.finditer(text):
        d = _year_for(MONTHS[m.group(2).lower()], int(m.group(1)), m.group(3), today)
        if d is not None:
            found.append((m.start(), d))
    for m in _MONTH_DAY.finditer(text):
        d = _year_for(MONTHS[m.group(1).lower()], int(m.group(2)), m.group(3), today)
        if d is not None:
            found.append((m.start(), d))
    for m in _NUMERIC.finditer(text):
        a, b = int(m.group(1)), int(m.group(3))
        padded = len(m.group(1)) == len(m.group(3)) == 2
        if m.group(2) == "." and not (m.group(4) or m.group(5) or padded):
            continue
        orders = [(b, a), (a, b)] if month_first else [(a, b), (b, a)]
        options = [_year_for(mo, dy, m.group(4), today) for dy, mo in orders]
        weekday = _weekday_before(text, m.start())
        choice = next((d for d in options if d and weekday in (None, d.weekday())), None)
        if choice is not None:
            found.append((m.start(), choice))
    if not found:
        for m in _TOMORROW.finditer(text):
            found.append((m.start(), today + timedelta(days=1)))
    if not found:
        for m in _WEEKDAY_WORD.finditer(text):
            ahead = (WEEKDAYS[m.group(1).lower()] - today.weekday() - 1) % 7 + 1
            found.append((m.start(), today + timedelta(days=ahead)))
    return found


def return_date(sentence: str, today: date, *, month_first: bool = False) -> date | None:
    """The first day someone is back, from a sentence of an out-of-office reply."""
    sentence = sentence.lower()
    found = explicit_dates(sentence, today, month_first=month_first)
    if not found:
        return None
    pos, latest = max(found, key=lambda item: item[1])
    if _UNTIL.search(sentence[:pos]):
        latest += timedelta(days=1)
    return latest


def _quarter_start(quarter: int, year: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def _next_quarter(quarter: int, today: date, year: str | None) -> date:
    if year:
        return _quarter_start(quarter, int(year) + (2000 if len(year) == 2 else 0))
    start = _quarter_start(quarter, today.year)
    if start > today:
        return start
    if add_months(start, 3) > today:
        return today + timedelta(days=7)
    return _quarter_start(quarter, today.year + 1)


def _after_period(count: int, unit: str, today: date) -> date:
    unit = unit.lower()
    if unit.startswith(("day", "tag", "jour", "día", "dia", "dag", "giorn")):
        return today + timedelta(days=count)
    if unit.startswith(
        ("week", "woche", "semaine", "semana", "vecka", "veckor", "weken", "settiman")
    ):
        return today + timedelta(weeks=count)
    if unit.startswith("quarter"):
        return add_months(today, 3 * count)
    if unit.startswith(("mo", "mes", "mê", "maand", "mån", "mois")):
        return add_months(today, count)
    return add_months(today, 12 * count)


def _next_unit(unit: str, today: date) -> date:
    kind = _UNIT.get(unit.lower(), "year")
    if kind == "week":
        return today + timedelta(days=7 - today.weekday())
    if kind == "month":
        return add_months(today.replace(day=1), 1)
    if kind == "quarter":
        return add_months(today.replace(day=1), 3 - (today.month - 1) % 3)
    return date(today.year + 1, 1, 1)


def later_date(sentence: str, today: date, *, month_first: bool = False) -> date | None:
    """The date a "come back later" sentence points to, or None when it names none."""
    original, sentence = sentence, sentence.lower()
    if (end := period_end(sentence, today)) is not None:
        return end
    if m := _QUARTER.search(sentence):
        return _next_quarter(int(m.group(1)), today, m.group(2))
    if m := _ORDINAL_QUARTER.search(sentence):
        return _next_quarter(_ORDINAL[m.group(1).lower()], today, None)
    if m := _NEXT.search(sentence):
        return _next_unit(next(g for g in m.groups() if g), today)
    if _HALF_YEAR.search(sentence):
        return add_months(today, 6)
    if m := _IN_PERIOD.search(sentence):
        word = m.group(1).lower()
        count = int(word) if word.isdigit() else NUMBERS[word]
        return _after_period(count, m.group(2), today) if count else None
    if _HOLIDAYS.search(sentence):
        after = date(today.year + (1 if today.month >= 7 else 0), 1, 7)
        return after if after > today else None
    if _SUMMER.search(sentence):
        return date(today.year + (1 if today.month >= 9 else 0), 9, 1)
    if _EASTER.search(sentence):
        tuesday = easter(today.year) + timedelta(days=2)
        return tuesday if tuesday > today else easter(today.year + 1) + timedelta(days=2)
    if m := _IN_MONTH.search(original):
        month = MONTHS[m.group(1).lower()]
        year = today.year if month > today.month else today.year + 1
        return date(year, month, 1)
    found = explicit_dates(sentence, today, month_first=month_first)
    return max(d for _, d in found) if found else None
