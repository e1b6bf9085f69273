"""A price the lead can act on: their plan, in their currency, worked out for their count.

"We run 140 vans, what would we pay per month?" against "Fleet (50-249 vehicles): €16 / £14 /
$17 per vehicle per month" gives "For your 140 vans that is Fleet: £14 per vehicle per month,
£1,960 a month." A yearly prepayment discount and a one-time fee on the same page are worked out
for the same plan when the lead asks about them. Every figure comes from the page and the lead's
own count. The phrases are language data (`[quote]` in assistant/language/data).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assistant.language import phrases
from assistant.llm.points import concepts
from assistant.llm.tiers import Fit, fitting, lead_count, tier_units, units_of

# "€16 / £14 / $17": one price in several currencies.
_AMOUNT = r"(?:US)?[€£$]\s?\d[\d,]*(?:\.\d+)?"
_GROUP = re.compile(rf"{_AMOUNT}(?:\s*(?:/|or|\|)\s*{_AMOUNT})+")
_ONE = re.compile(r"(?:US)?([€£$])\s?(\d[\d,]*(?:\.\d+)?)")
_PER = re.compile(
    rf"({_AMOUNT})\s+(?:per|a|an|/)\s*([a-z][\w -]{{0,20}}?)\s*(?:per|a|/)\s*(month|year)\b", re.I
)
# "US$1.05 per processed invoice": a price per use, billed on the lead's volume in a period.
_PER_USE = re.compile(rf"({_AMOUNT})\s+per\s+([a-z][\w -]{{0,25}}?)\s*(?=[;,.)(]|$)", re.I)
_MONTHLY = re.compile(
    r"\b(?:a|per|each|every|/)\s*month\b|\bmonthly\b|pro monat|im monat|monatlich|par mois"
    r"|mensuel|al mes|por mes|mensual",
    re.I,
)
_MINIMUM = re.compile(
    r"\bminimum of (\d[\d,]*)\b|\b(?:at least|min(?:imum)?\.?) (\d[\d,]*)\b", re.I
)
_PERCENT_OFF = re.compile(r"(\d+(?:\.\d+)?)\s?%\s*(?:off|discount|reduction|less)", re.I)
_PREPAY = re.compile(
    r"prepa(?:y|id|yment)|up[- ]?front|in advance|paid annually|annual(?:ly)? (?:billing|payment)",
    re.I,
)
_YEARS = re.compile(r"\b(?:\d+|two|three|four|five)[- ]years?\b|multi-?year", re.I)
_FEE = re.compile(
    r"\b(?:onboarding|set-?up|implementation|installation|one-?(?:time|off))\b[^.;]{0,20}\bfees?\b",
    re.I,
)
_FEE_NAME = re.compile(r"\b(onboarding|set-?up|implementation|installation|activation)\b", re.I)
_ONLY = re.compile(
    r"([A-Z][\w-]*(?:(?:,| and| or|/) [A-Z][\w-]*)*) only\b|\bonly (?:on|for) ([^.;()]+)"
)
_HEAD = re.compile(r"^([A-Z][\w&+ -]{0,30}?)\s*(?:\(([^)]{1,40})\))?\s*:\s*")
_TERM = re.compile(r"\b(?:term|contract|cancel\w*|notice|commitment)\b", re.I)

# The lead's currency: what they ask for, else where they are.
_ASKED = (
    (re.compile(r"\b(?:pounds?|sterling|gbp)\b|£", re.I), "£"),
    (re.compile(r"\b(?:us )?dollars?\b|\busd\b|\$", re.I), "$"),
    (re.compile(r"\beuros?\b|\beur\b|€", re.I), "€"),
)
_EURO_CITIES = (
    "Dublin Berlin Vienna Paris Brussels Amsterdam Madrid Lisbon Rome Helsinki Luxembourg"
    " Athens Tallinn Riga Vilnius Bratislava Ljubljana Zagreb Valletta Nicosia"
)
_EURO_ZONES = frozenset(f"Europe/{city}" for city in _EURO_CITIES.split(" "))

_TAX = re.compile(r"\bexclud\w* (?:vat|sales tax)|\bexcl\.? vat\b|\bplus vat\b|\+ ?vat\b", re.I)


@dataclass(frozen=True)
class Quote:
    """One plan priced for the lead: the figures each sentence below is built from."""

    plan: str  # "Fleet"
    count: str  # "140 vans"
    number: Decimal  # 140, the lead's own count; 0 when the plan is priced in another unit
    symbol: str  # "£"
    unit_price: Decimal  # 14
    unit: str  # "vehicle", as the page prices it
    period: str  # "month"
    billed: Decimal  # 140, or the minimum when the count is below it
    minimum: Decimal | None
    segment: str  # the plan's whole point, in the lead's currency
    span: str = ""  # "50–249 vehicles", the plan's range as the page gives it
    kinds: frozenset[str] = frozenset()
    untaxed: bool = False  # the page's prices exclude VAT or sales tax
    usage: bool = False  # priced per use ("per processed invoice"), the count being a month's

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.billed

    @property
    def yearly(self) -> Decimal:
        return self.total * 12 if self.period == "month" else self.total


def currency(reply: str, zone: str, offered: Sequence[str]) -> str | None:
    """The symbol to quote in: the one the lead names, else their zone's, if the page has it."""
    asked = [symbol for pattern, symbol in _ASKED if pattern.search(reply)]
    if len(asked) == 1 and asked[0] in offered:
        return asked[0]
    if zone in ("Europe/London", "Europe/Belfast"):
        local = "£"
    elif zone.startswith("America/"):
        local = "$"
    elif zone in _EURO_ZONES:
        local = "€"
    else:
        return None
    return local if local in offered else None


def in_currency(text: str, symbol: str | None) -> str:
    """Each "€16 / £14 / $17" in the text as the one price in `symbol`."""
    if symbol is None:
        return text

    def one(match: re.Match[str]) -> str:
        found = [m.group(0) for m in _ONE.finditer(match.group(0)) if m.group(1) == symbol]
        return found[0] if found else match.group(0)

    return _GROUP.sub(one, text)


def plan_for(points: Sequence[str], said: str) -> str:
    """The plan whose priced tier holds the lead's count, in any currency; "" for none."""
    fit = fitting([p for p in points if _PER.search(p) or _PER_USE.search(p)], said)
    head = _HEAD.match(fit.text) if fit else None
    return head.group(1).strip() if head else ""


def plan_named(point: str) -> str:
    """The plan a point is about when it opens with one: "Fleet: 6 weeks ..." -> "Fleet"."""
    head = _HEAD.match(point)
    return head.group(1).strip() if head and len(head.group(1).split()) <= 2 else ""


def prices_a_plan(sentence: str) -> bool:
    """ "Fleet (50–249 vehicles): £14 per vehicle per month; 12-month minimum term."."""
    if len(one_point_per_plan([sentence])) > 1:
        return True  # "Three plans, priced per user per month: Essentials €59; Pro €89"
    return bool(_HEAD.match(sentence) and (_PER.search(sentence) or _PER_USE.search(sentence)))


# "Monthly billing ... at $76 (Essentials) and $116 (Professional) per user per month", or
# "Monthly billing: Core and Plus at £42 and £73 per user per month": each plan's monthly rate.
_MONTHLY_BILLING = re.compile(r"\bmonthly (?:billing|plans?|payment)|\bbilled monthly\b", re.I)


def plan_rates(points: Sequence[str], symbol: str | None) -> dict[str, Decimal]:
    """Each plan's price per unit in the lead's currency, as the page's plan lines give it."""
    rates: dict[str, Decimal] = {}
    for point in one_point_per_plan(points):
        head = _HEAD.match(point)
        priced = in_currency(point, symbol) if symbol else ""
        per = _PER.search(priced)
        if head and per and not _ADDED.search(point) and _symbol(per.group(1)) == symbol:
            rates.setdefault(head.group(1).strip(), _amount(per.group(1)))
    return rates


def monthly_rate(points: Sequence[str], quote: Quote) -> Decimal | None:
    """The lead's plan's price per unit when billed month by month, where the page gives one
    beside a price billed by the year."""
    for point in points:
        if not _MONTHLY_BILLING.search(point):
            continue
        priced = in_currency(point, quote.symbol)
        plan = re.escape(quote.plan)
        beside = re.search(rf"({_AMOUNT})\s*\({plan}\)", priced)
        if beside and _symbol(beside.group(1)) == quote.symbol:
            return _amount(beside.group(1))
        listed = re.search(
            rf"\b((?:[A-Z][\w&+-]*)(?:(?:,| and) [A-Z][\w&+-]*)+) at ((?:{_AMOUNT})(?:(?:,| and) "
            rf"{_AMOUNT})+)",
            priced,
        )
        if listed:
            plans = re.split(r",\s*|\s+and\s+", listed.group(1))
            amounts = re.findall(_AMOUNT, listed.group(2))
            if quote.plan in plans and len(plans) == len(amounts):
                return _amount(amounts[plans.index(quote.plan)])
    return None


def monthly_sentence(quote: Quote, rate: Decimal, lang: str, added: Decimal = Decimal(0)) -> str:
    """What paying month by month comes to over a year, beside paying for the year."""
    words = phrases("quote", lang)
    month = rate * quote.billed + added
    year = month * 12
    return words["monthly_instead"].format(
        plan=_plan(quote.plan, lang),
        unit=_unit_name(quote, lang),
        price=money(quote.symbol, rate, lang),
        monthly=money(quote.symbol, month, lang),
        year=money(quote.symbol, year, lang),
        more=money(quote.symbol, year - (quote.yearly + added * 12), lang),
    )


def band_of(sentence: str) -> bool:
    """ "Up to 1,000 samples/month: included": one band of a fee by volume."""
    return bool(_BAND.search(sentence)) or bool(
        re.search(r"^(?:above|over) \d[\d,]*\b", sentence, re.I)
    )


def adds_by_volume(sentence: str) -> bool:
    """ "A flat monthly fee added to the user fees on every plan": what `added_fee` prices."""
    return bool(_ADDED.search(sentence))


def symbols(points: Sequence[str]) -> list[str]:
    """The currencies the page prices in."""
    return list(dict.fromkeys(m.group(1) for p in points for m in _ONE.finditer(p)))


# "Three plans, priced per named user per month on annual billing: Essentials €59 / $65;
# Professional €89 / $99": the plans listed in one point, their unit said once before them.
_LISTED_HEAD = re.compile(r"^(?P<head>[^:]{0,120}?\b(?P<per>per\s[^:]{3,80}))\s*:\s*(?P<list>.+)$")
_LISTED_PLAN = re.compile(
    rf"^(?P<name>[A-Z][\w&+-]*(?: [A-Z][\w&+-]*){{0,2}})\s*:?\s+"
    rf"(?P<price>{_AMOUNT}(?:\s*(?:/|or|\|)\s*{_AMOUNT})*)$"
)


def one_point_per_plan(points: Sequence[str]) -> list[str]:
    """Each plan of a listed point as its own point ("Professional: €89 / $99 per named user
    per month on annual billing"), so a plan is priced the way a plan's own line is."""
    found: list[str] = []
    for point in points:
        head = _LISTED_HEAD.match(point.rstrip("."))
        items = re.split(r";\s*", head.group("list")) if head else []
        plans = [m for item in items if (m := _LISTED_PLAN.match(item.strip()))]
        if head is None or len(plans) < 2 or len(plans) != len(items):
            found.append(point)
            continue
        per = head.group("per").strip().rstrip(",")
        found += [f"{m.group('name')}: {m.group('price')} {per}." for m in plans]
    return found


def quote_for(points: Sequence[str], said: str, symbol: str | None) -> Quote | None:
    """The plan the lead's count falls into, priced per unit and period in their currency."""
    if symbol is None:
        return None
    points = one_point_per_plan(points)
    # A fee by volume on top of the plan is no plan of its own (`added_fee` prices it).
    plans = [p for p in points if (_PER.search(p) or _PER_USE.search(p)) and not _ADDED.search(p)]
    fit = fitting(plans, said)
    if fit is None:
        return None
    point = next((p for p in points if fit.text in p), fit.text)
    segment = in_currency(point, symbol)
    head = _HEAD.match(segment)
    priced_in = in_currency(fit.text, symbol)
    prices = [m for m in _PER.finditer(priced_in) if _symbol(m[1]) == symbol]
    # "2,600 invoices a month" at "US$1.05 per processed invoice": the month's volume.
    usage = not prices and bool(_MONTHLY.search(f"{fit.count} {said}"))
    if usage:
        prices = [m for m in _PER_USE.finditer(priced_in) if _symbol(m[1]) == symbol]
    priced = next((m for m in prices if _same_unit(m.group(2), fit)), None)
    # "Two practices" on a plan priced per chair: the plan and its rate, no total.
    counted = priced is not None
    priced = priced or next(iter(prices), None)
    if head is None or priced is None:
        return None
    number = Decimal(str(fit.number)) if counted else Decimal(0)
    minimum = next(
        (Decimal((m.group(1) or m.group(2)).replace(",", "")) for m in _MINIMUM.finditer(fit.text)),
        None,
    )
    return Quote(
        plan=head.group(1).strip(),
        count=fit.count,
        number=number,
        symbol=symbol,
        unit_price=_amount(priced.group(1)),
        unit=priced.group(2).strip(),
        period="month" if usage else priced.group(3).lower(),
        usage=usage,
        billed=max(number, minimum) if minimum is not None else number,
        minimum=minimum,
        segment=segment,
        span=(head.group(2) or "").strip(),
        kinds=fit.kinds,
        untaxed=any(_TAX.search(p) for p in points),
    )


# "Sample-volume tier: a flat monthly fee added to the user fees ... 1,001–5,000: £340": a fee
# by the lead's monthly volume, on top of what their plan costs.
_ADDED = re.compile(
    r"\b(?:added to|on top of|in addition to)\b[^.;]{0,40}\b(?:users?|seats?|licen[cs]es?|plans?"
    r"|subscriptions?)\b",
    re.I,
)
_BAND = re.compile(
    r"(?:\b(?P<upto>up to)\s+)?(?P<low>\d[\d,]*)(?:\s*(?:–|-|—)\s*(?P<high>\d[\d,]*))?"
    rf"(?:\s+[a-z][\w/-]*)?\s*:\s*(?P<price>included|free|no charge|{_AMOUNT})",
    re.I,
)


@dataclass(frozen=True)
class AddOn:
    name: str  # "Sample-volume tier", as the page calls it
    band: str  # "1,001–5,000"
    count: str  # the lead's words: "3,000 samples"
    monthly: Decimal  # 340; 0 when the lead's band is included
    upto: bool = False  # the first band, "up to 1,000"


def added_fee(points: Sequence[str], said: str, symbol: str) -> AddOn | None:
    """The monthly fee a lead's volume adds to their plan, from the band their count falls in."""
    for point in points:
        if not (_ADDED.search(point) and _MONTHLY.search(point)):
            continue
        priced = in_currency(point, symbol)
        found = lead_count(said, tier_units(priced))
        if found is None:
            continue
        count, number = found
        for band in _BAND.finditer(priced):
            low = Decimal(0) if band["upto"] else Decimal(band["low"].replace(",", ""))
            top = band["low"] if band["upto"] else band["high"] or band["low"]
            high = Decimal(top.replace(",", ""))
            price = band["price"]
            if not low <= Decimal(str(number)) <= high:
                continue
            if price[0].isalpha():
                amount = Decimal(0)
            elif _symbol(price) == symbol:
                amount = _amount(price)
            else:
                continue
            head = _HEAD.match(priced)
            name = head.group(1).strip() if head else ""
            text = f"{band['low']}–{band['high']}" if band["high"] else band["low"]
            return AddOn(name, text, count, amount, upto=bool(band["upto"]))
    return None


def addon_sentence(quote: Quote, addon: AddOn, lang: str) -> str:
    """Where the lead's volume falls and what it adds: the month's and the year's total."""
    words = phrases("quote", lang)
    band = addon.band if lang == "en" else _local_digits(addon.band, lang)
    if not addon.monthly:
        form = "addon_first" if addon.upto else "addon_included"
        return words[form].format(count=addon.count, band=band, name=addon.name)
    monthly = quote.total + addon.monthly
    return words["addon"].format(
        count=addon.count,
        band=band,
        name=addon.name,
        fee=money(quote.symbol, addon.monthly, lang),
        monthly=money(quote.symbol, monthly, lang),
        yearly=money(quote.symbol, monthly * 12, lang),
    )


def _local_digits(text: str, lang: str) -> str:
    """ "1,001–5,000" as German (1.001–5.000), French and Spanish write it."""
    sep = "." if lang in ("de", "es") else "\u202f"
    return re.sub(r"(?<=\d),(?=\d{3})", sep, text)


def _symbol(amount: str) -> str:
    """ "US$1.05" is in "$"."""
    found = _ONE.match(amount)
    return found.group(1) if found else ""


def _same_unit(words: str, fit: Fit) -> bool:
    return bool(units_of(words) & fit.kinds)


def _amount(text: str) -> Decimal:
    return Decimal(_ONE.search(text).group(2).replace(",", ""))  # type: ignore[union-attr]


def money(symbol: str, amount: Decimal, lang: str) -> str:
    """£1,960 in English; 1960 € / 14.460 € in German, 14 460 € in French and Spanish."""
    value = amount.quantize(Decimal("1") if amount == amount.to_integral() else Decimal("0.01"))
    value = value.quantize(value, rounding=ROUND_HALF_UP)
    whole, _, cents = f"{value:,}".partition(".")
    if lang == "en" or symbol != "€":
        return f"{symbol}{whole}{'.' + cents if cents else ''}"
    digits = whole.replace(",", "")
    if len(digits) > 4:
        sep = "." if lang == "de" else "\u202f"
        digits = f"{int(digits):,}".replace(",", sep)
    return f"{digits}{',' + cents if cents else ''} €"


def plan_sentence(quote: Quote, lang: str, *, yearly: bool = False, annual: bool = False) -> str:
    """The plan and its total (and the year's, when asked or billed by the year), with the
    plan's contract term when the page gives one."""
    words = phrases("quote", lang)
    unit = _unit_name(quote, lang)
    form = "plan_usage" if quote.usage else "plan" if quote.billed else "plan_rate"
    if annual and form == "plan" and quote.period == "month":
        form, yearly = "plan_annual", False  # billed by the year: the year's figure first
    text = words[form].format(
        count=quote.count,
        plan=_plan(quote.plan, lang),
        range=f" ({quote.span})" if quote.span and lang == "en" else "",
        price=money(quote.symbol, quote.unit_price, lang),
        unit=unit,
        period=words[quote.period],
        total=money(quote.symbol, quote.total, lang),
        yearly=money(quote.symbol, quote.yearly, lang),
        year=words["per_year"].format(yearly=money(quote.symbol, quote.yearly, lang))
        if yearly and quote.billed and quote.period == "month"
        else "",
        tax=(words["tax_usd"] if quote.symbol == "$" else words["tax"]) if quote.untaxed else "",
    )
    if quote.minimum is not None and quote.billed > quote.number > 0:
        text += words["minimum"].format(minimum=f"{quote.minimum:,}")
    text += "" if text.endswith(".") else "."
    term = term_of(quote)
    if term and lang == "en":
        text += " " + _capital(term) + "."
    return text


def term_of(quote: Quote) -> str:
    """The plan's contract term as the page gives it: "12-month minimum term"."""
    return next(
        (c.strip().rstrip(".") for c in re.split(r";|\. ", quote.segment)[1:] if _TERM.search(c)),
        "",
    )


def _year_up_front(point: str) -> re.Match[str] | None:
    """The percentage in the clause that speaks of paying the year up front: "15% off for
    universities; 10% off for a 3-year commitment paid annually" has none."""
    clause = next(
        (
            c
            for c in re.split(r";|(?<=\.)\s", point)
            if _PERCENT_OFF.search(c) and _PREPAY.search(c) and not _YEARS.search(c)
        ),
        None,
    )
    return _PERCENT_OFF.search(clause) if clause else None


def prepay_sentence(quote: Quote, point: str, lang: str) -> str | None:
    """What paying the year up front comes to on the lead's plan, or that it does not apply."""
    off = _year_up_front(point)
    if off is None or not quote.billed:
        return None
    words = phrases("quote", lang)
    percent = Decimal(off.group(1))
    if not _applies(point, quote.plan):
        return words["no_prepay"].format(percent=_plain(percent), plan=quote.plan)
    discounted = quote.yearly * (100 - percent) / 100
    return words["prepay"].format(
        percent=_plain(percent),
        discounted=money(quote.symbol, discounted, lang),
        yearly=money(quote.symbol, quote.yearly, lang),
    )


# "15% off Team and Enterprise subscription fees for accredited universities, schools and
# non-profit hospitals (never ...)": who the discount is for, in the page's words.
_FOR_WHOM = re.compile(r"\bfor ([a-z][\w ,'-]{3,90}?)\s*(?:\(|;|\.|$)", re.I)


def segment_sentence(quote: Quote, point: str, asked: frozenset[str], lang: str) -> str | None:
    """The discount the page gives who the lead says they are ("anything off as a uni?"),
    worked out on their plan. English only: who it is for is said in the page's own words."""
    if lang != "en" or not quote.billed:
        return None
    words = phrases("quote", lang)
    for clause in point.split(";"):
        off, whom = _PERCENT_OFF.search(clause), _FOR_WHOM.search(clause)
        if off is None or whom is None or _YEARS.search(clause) or _PREPAY.search(clause):
            continue
        if not (concepts(clause) - {"@discount", "@price", "@billing"}) & asked:
            continue
        percent, who = Decimal(off.group(1)), whom.group(1)
        if quote.plan.lower() not in clause.lower() and re.search(
            r"\b[A-Z][a-z]+ and [A-Z]", clause
        ):
            return words["no_segment"].format(percent=_plain(percent), who=who, plan=quote.plan)
        discounted = quote.yearly * (100 - percent) / 100
        return words["segment"].format(
            percent=_plain(percent),
            who=who,
            discounted=money(quote.symbol, discounted, lang),
            yearly=money(quote.symbol, quote.yearly, lang),
        )
    return None


def fee(quote: Quote, point: str) -> Decimal | None:
    """The one-time fee on the lead's plan, when the point gives one and it is charged."""
    named = plan_named(point)
    if not _FEE.search(point) or (named and named.lower() != quote.plan.lower()):
        return None  # "Essentials: £25 per user ...; no implementation fee" is not Team's fee
    priced = in_currency(point, quote.symbol)
    plan = quote.plan.lower()
    for clause in re.split(r";|\. ", priced):
        # "...: £4,300 for Starter and Growth; £8,300 for Enterprise": the clause naming the
        # plan, or the fee's own clause where the page names no plan; in the plan's own point,
        # the clause that speaks of the fee.
        fee_words = bool(_FEE.search(clause))
        if named:
            wanted = fee_words
        else:
            wanted = plan in clause.lower() or (fee_words and plan not in priced.lower())
        if not wanted:
            continue
        if re.search(r"\b(?:no charge|waived|included|free|no)\b", clause, re.I):
            return None
        amount = _ONE.search(clause)
        if amount and amount.group(1) == quote.symbol:
            return Decimal(amount.group(2).replace(",", ""))
    return None


def fee_sentence(quote: Quote, amount: Decimal, lang: str, point: str = "") -> str:
    """The one-time fee, called what the page calls it ("implementation fee") in English."""
    words = phrases("quote", lang)
    text = words["fee"].format(fee=money(quote.symbol, amount, lang))
    return _fee_named(text, point, lang)


def _fee_named(text: str, point: str, lang: str) -> str:
    """ "Onboarding fee" called what the page calls it ("implementation fee"), in English."""
    named = _FEE_NAME.search(point)
    if lang == "en" and named:
        return text.replace("onboarding fee", f"{named.group(1).lower()} fee")
    return text


def _unit_name(quote: Quote, lang: str) -> str:
    """The priced unit in the lead's language where the language names it, else the page's."""
    local = phrases("quote.units", lang)
    return next((local[k] for k in sorted(quote.kinds) if k in local), quote.unit)


def first_year_sentence(
    quote: Quote,
    amount: Decimal,
    lang: str,
    prepaid: Decimal | None,
    added: Decimal = Decimal(0),
    point: str = "",
) -> str:
    """The first year's cost with the one-time fee (and a monthly fee the lead's volume adds);
    prepaid and monthly when both are open."""
    words = phrases("quote", lang)
    monthly = money(quote.symbol, quote.yearly + added * 12 + amount, lang)
    if prepaid is None:
        text = words["first_year"].format(first=monthly)
    else:
        first = money(quote.symbol, prepaid + added * 12 + amount, lang)
        text = words["first_prepaid"].format(first=first, monthly=monthly)
    return _fee_named(text, point, lang)


def prepaid(quote: Quote, point: str) -> Decimal | None:
    """The year's price paid up front on the lead's plan, when the point offers it for that plan."""
    off = _year_up_front(point)
    if off is None or not _applies(point, quote.plan):
        return None
    if not quote.billed:
        return None
    return quote.yearly * (100 - Decimal(off.group(1))) / 100


def _plan(name: str, lang: str) -> str:
    """ "Fleet plan", but "Hospital plan" as the page names it, in English."""
    return (
        name
        if lang != "en" or name.lower().endswith(("plan", "edition", "tier"))
        else f"{name} plan"
    )


def _applies(point: str, plan: str) -> bool:
    """ "Fleet and Enterprise only (Starter is billed monthly)": not for Starter."""
    only = _ONLY.search(point)
    if only is None:
        return True
    named = only.group(1) or only.group(2) or ""
    return plan.lower() in named.lower()


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
