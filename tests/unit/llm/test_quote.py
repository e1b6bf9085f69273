"""A price worked out for the lead: their plan, their currency, their count, the arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.commands.draft_checks import _derived, _values
from assistant.llm import quote
from assistant.llm.answers import answer_all
from assistant.llm.base import ContentBrief
from assistant.llm.tiers import fitting
from assistant.llm.turns import lead_zone

PRICING = [
    "Starter (10–49 vehicles): €12 / £10 / $13 per vehicle per month, billed for a minimum of 10"
    " vehicles; rolling monthly contract, cancellable with 30 days' notice. EV charging management"
    " is an add-on at €4 / £3 / $4 per charge point per month.",
    "Fleet (50–249 vehicles): €16 / £14 / $17 per vehicle per month; 12-month minimum term.",
    "Enterprise (250+ vehicles): €14 / £12 / $15 per vehicle per month; 12- or 36-month terms.",
    "Annual prepay: 10% off the per-vehicle price when the full year is paid upfront — Fleet and"
    " Enterprise only (Starter is billed monthly).",
    "One-time onboarding fee: €1,500 / £1,300 / $1,600 on Starter and Fleet; included at no charge"
    " on Enterprise.",
    "All prices exclude VAT / sales tax.",
    "Free 30-day pilot for up to 15 vehicles with Fleet-plan features.",
]
LIBRARY = (
    ContentBrief(
        "pricing",
        "Plans and pricing",
        "pricing",
        "https://fleet.test/pricing",
        "Three plans priced per vehicle per month.",
        key_points="\n".join(f"- {p}" for p in PRICING),
        topics=("pricing", "free pilot"),
    ),
    ContentBrief(
        "security",
        "Security datasheet",
        "datasheet",
        "https://fleet.test/security",
        "Hosting and certifications.",
        key_points="- Hosted in Frankfurt with backups in Dublin; ISO 27001 certified.",
    ),
    *(
        ContentBrief(
            slug,
            title,
            "blog",
            f"https://fleet.test/{slug}",
            title,
            key_points="\n".join(f"- {p}" for p in points),
        )
        for slug, title, points in (
            (
                "idle",
                "Cutting idle time",
                ["Idling burns 2.5 litres of diesel an hour.", "Alerts after 5 minutes idle."],
            ),
            (
                "rollout",
                "Implementation plan",
                ["Most fleets are live in 6 weeks.", "Drivers need 20 minutes of training."],
            ),
            (
                "charging",
                "Depot charging",
                ["Load balancing across up to 40 charge points.", "OCPP 1.6J and 2.0.1."],
            ),
            (
                "tyres",
                "Tyre pressure monitoring",
                ["Sensors report pressure every 10 minutes.", "Works with 17 TPMS brands."],
            ),
            (
                "drivers",
                "Driver scoring",
                ["Harsh braking and speeding scored daily.", "Leaderboards per depot."],
            ),
            (
                "routes",
                "Route planning",
                ["Routes re-planned when traffic changes.", "Up to 300 stops per route."],
            ),
            (
                "fuel",
                "Fuel cards",
                ["Transactions matched to trips within an hour.", "Flags fills over tank size."],
            ),
        )
    ),
)


@pytest.mark.parametrize(
    ("reply", "zone", "offered", "expected"),
    [
        ("In pounds please, the partners read nothing else.", "", "€£$", "£"),
        ("What would it cost?", "Europe/London", "€£$", "£"),
        ("What would it cost?", "America/Chicago", "€£$", "$"),
        ("What would it cost?", "Europe/Madrid", "€£$", "€"),
        ("What would it cost?", "Europe/Zurich", "€£$", None),  # francs: not on the page
        ("What would it cost?", "Europe/London", "€$", None),
        ("What would it cost?", "", "€£$", None),
    ],
)
def test_the_currency_is_the_one_the_lead_asks_for_else_their_country_s(
    reply: str, zone: str, offered: str, expected: str | None
) -> None:
    assert quote.currency(reply, zone, list(offered)) == expected


def test_a_price_in_several_currencies_is_given_in_one() -> None:
    text = "Fleet: €16 / £14 / $17 per vehicle; fee €1,500 / £1,300 / $1,600."
    assert quote.in_currency(text, "£") == "Fleet: £14 per vehicle; fee £1,300."
    assert quote.in_currency(text, None) == text


@pytest.mark.parametrize(
    ("said", "plan", "billed", "total"),
    [
        ("We run 140 vans across 3 depots.", "Fleet", "140", "1960"),
        ("Small outfit here - 8 vans.", "Starter", "10", "100"),  # the plan's minimum
        ("We have 400 trucks on the road.", "Enterprise", "400", "4800"),
        ("Somos 55 furgonetas eléctricas.", "Fleet", "55", "770"),
    ],
)
def test_the_lead_s_count_falls_into_one_plan_in_their_own_words(
    said: str, plan: str, billed: str, total: str
) -> None:
    priced = quote.quote_for(PRICING, said, "£")
    assert priced is not None
    assert (priced.plan, priced.billed, priced.total) == (plan, Decimal(billed), Decimal(total))


def test_without_a_count_or_a_currency_nothing_is_worked_out() -> None:
    assert quote.quote_for(PRICING, "What does it cost?", "£") is None
    assert quote.quote_for(PRICING, "We run 140 vans.", None) is None
    # A tier of a pilot ("up to 15 vehicles") carries no price: it is no plan.
    assert quote.quote_for(PRICING[-1:], "We run 8 vans.", "£") is None


def test_word_numbers_and_other_names_for_the_priced_unit_fit_a_tier() -> None:
    points = [
        "Essentials: €149 / £129 per chair per month, for single practices.",
        "Group: €219 / £189 per chair per month, for groups of 2 to 24 locations.",
    ]
    fit = fitting(points, "We've got two practices, Morningside and Leith.")
    assert fit is not None and fit.text.startswith("Group") and fit.count == "two practices"


def test_the_plan_sentence_in_each_language_keeps_its_number_style() -> None:
    fleet = quote.quote_for(PRICING, "We run 140 vans.", "£")
    assert fleet is not None
    assert quote.plan_sentence(fleet, "en") == (
        "For your 140 vans, that is our Fleet plan (50–249 vehicles): £14 per vehicle per"
        " month, so £1,960 a month before VAT. 12-month minimum term."
    )
    starter = quote.quote_for(PRICING, "We have 38 service trucks.", "$")
    assert starter is not None
    assert "$494 a month before sales tax" in quote.plan_sentence(starter, "en")
    euros = quote.quote_for(PRICING, "Somos 55 furgonetas.", "€")
    assert euros is not None
    assert quote.plan_sentence(euros, "es") == (
        "Para 55 furgonetas corresponde nuestro plan Fleet: 16 € por vehículo al mes,"
        " es decir, 880 € al mes más IVA."
    )
    assert quote.money("€", Decimal("14460"), "de") == "14.460 €"
    assert quote.money("€", Decimal("14460"), "fr") == "14\u202f460 €"
    assert quote.money("£", Decimal("21168"), "en") == "£21,168"


def test_paying_up_front_is_worked_out_only_for_the_plans_it_is_offered_on() -> None:
    fleet = quote.quote_for(PRICING, "We run 140 vans.", "£")
    starter = quote.quote_for(PRICING, "We run 20 vans.", "£")
    assert fleet is not None and starter is not None
    assert quote.prepay_sentence(fleet, PRICING[3], "en") == (
        "Paying the year up front takes 10% off: £21,168 for the year instead of £23,520."
    )
    assert quote.prepay_sentence(starter, PRICING[3], "en") == (
        "The 10% discount for paying the year up front does not apply to Starter."
    )
    assert quote.prepaid(starter, PRICING[3]) is None


def test_the_one_time_fee_is_the_plan_s_own_and_none_where_it_is_waived() -> None:
    fleet = quote.quote_for(PRICING, "We run 75 vans.", "€")
    enterprise = quote.quote_for(PRICING, "We run 300 vans.", "€")
    assert fleet is not None and enterprise is not None
    assert quote.fee(fleet, PRICING[4]) == Decimal("1500")
    assert quote.fee(enterprise, PRICING[4]) is None
    prepaid = quote.prepaid(fleet, PRICING[3])
    assert quote.first_year_sentence(fleet, Decimal("1500"), "en", prepaid) == (
        "With the year paid up front and the onboarding fee, the first year comes to €14,460"
        " (€15,900 paying monthly)."
    )


def test_the_price_questions_of_a_reply_get_one_worked_out_answer_and_the_rest_their_own() -> None:
    reply = (
        "We run 140 vans across 3 depots. What would we actually be paying per month, and is"
        " there any saving if we pay for the year up front? Also is there a set up fee?"
        " And where is our data hosted?"
    )
    found = answer_all(reply, LIBRARY, zone="Europe/London")
    assert [a.slug for a in found] == ["pricing", "security"]
    priced = found[0]
    assert priced.own and priced.label == ""
    assert "£1,960 a month" in priced.text
    assert "£21,168 for the year instead of £23,520" in priced.text
    assert "one-time onboarding fee of £1,300" in priced.text
    assert "€" not in priced.text and "$" not in priced.text
    assert "Frankfurt" in found[1].text


def test_a_trial_question_beside_the_price_is_answered_by_the_pilot_not_by_a_plan() -> None:
    reply = "Small outfit here - 8 vans. What would it cost us a month? Could we run a pilot first?"
    found = answer_all(reply, LIBRARY, zone="Europe/London")
    assert "£100 a month" in found[0].text and "(billed for the minimum of 10)" in found[0].text
    assert any(a.text.startswith("Free 30-day pilot") for a in found[1:])


def test_without_the_lead_s_country_prices_stay_as_the_page_gives_them() -> None:
    found = answer_all("We run 140 vans. What would it cost per month?", LIBRARY)
    assert "€16 / £14 / $17" in found[0].text


@pytest.mark.parametrize(
    ("signature", "zone"),
    [
        ("Tom Ashworth\nTransport Manager\nUnited Kingdom", "Europe/London"),
        ("Ridgeline Heating & Air, Kansas City, MO\n(816) 555-0193", "America/Chicago"),
        ("Acme Inc.\nAustin, TX 78701", "America/Chicago"),
        ("Harrisburg, PA", "America/New_York"),
        ("We were in France last week.", ""),
    ],
)
def test_the_lead_s_zone_from_a_signature_s_country_or_state(signature: str, zone: str) -> None:
    assert lead_zone(signature, "", "someone@company.test") == zone


def test_the_eval_accepts_a_total_worked_out_from_the_thread_and_the_library() -> None:
    lead = _values("We run 140 vans.")
    library = _values(" ".join(PRICING))
    percents = {10.0}
    # A month, a year, a year paid up front, that plus the fee, in three number styles.
    for figure in ("1,960", "23,520", "21,168", "22,468", "1.960", "1 960"):
        assert _derived(figure, lead, library, percents), figure
    assert not _derived("2,345", lead, library, percents)


def test_a_plan_priced_in_another_unit_is_named_with_its_rate_and_no_made_up_total() -> None:
    points = [
        "Essentials: €149 / £129 per chair per month, for single practices.",
        "Group: €219 / £189 per chair per month, for groups of 2 to 24 locations.",
        "One-time implementation fee: €1,200 / £1,050 per location.",
    ]
    priced = quote.quote_for(points, "We've got two practices.", "£")
    assert priced is not None
    assert quote.plan_sentence(priced, "en") == (
        "For your two practices, that is our Group plan: £189 per chair per month."
    )
    assert quote.prepay_sentence(priced, "Paying annually in advance: 8% off.", "en") is None
    assert quote.fee_sentence(priced, Decimal("1050"), "en", points[2]) == (
        "There is also a one-time implementation fee of £1,050."
    )


def test_a_plan_s_own_point_answers_for_the_lead_s_count() -> None:
    shelf = (
        LIBRARY[0],
        ContentBrief(
            "rollout",
            "Implementation plan",
            "guide",
            "https://fleet.test/rollout",
            "Rollout by plan.",
            key_points="- Starter: rollout in 2 weeks, self-serve.\n- Fleet: rollout in 6 weeks,"
            " a pilot depot in week 4.\n- Enterprise: rollout in 10–12 weeks, with a project"
            " manager.",
        ),
        *(item for item in LIBRARY[1:] if item.slug != "rollout"),
    )
    found = answer_all("We have 180 vans. How long does the rollout take?", shelf)
    assert found[0].text.startswith("Fleet: rollout in 6 weeks")


@pytest.mark.parametrize(
    "reply",
    [
        "Antes de presentarlo a dirección necesito saber cuánto tarda la implantación.",
        "Before I take this to the board we need to know how long the rollout takes.",
    ],
)
def test_saying_what_one_needs_to_know_asks_as_a_question_does(reply: str) -> None:
    assert [a.status for a in answer_all(reply, LIBRARY)] != []


SEATS = (
    ContentBrief(
        "pricing",
        "Plans and pricing",
        "pricing",
        "https://contracts.test/pricing",
        "Three per-user plans billed annually in advance.",
        key_points="\n".join(
            f"- {p}"
            for p in (
                "Essentials: €29 / £25 / $32 per user per month, minimum 5 paid seats;"
                " self-serve onboarding with no implementation fee.",
                "Team: €49 / £42 / $54 per user per month, minimum 10 paid seats; approval"
                " workflows; one-time implementation fee €4,500 / £3,900 / $4,900.",
                "Billing: all plans are billed annually in advance. Prices exclude VAT.",
                "Standard discounts: 15% off Team subscription fees for accredited universities"
                " and schools (never applied to implementation fees); 10% off subscription fees"
                " for a 3-year commitment paid annually.",
            )
        ),
        topics=("pricing",),
    ),
)


def test_a_plan_the_lead_names_is_priced_for_their_count_with_what_the_page_gives_them() -> None:
    reply = (
        "We'd be 12 people actually drafting, plus 40 heads of department who only approve."
        " Can you give me a rough annual figure for Team for us? Do we get anything off as a uni?"
    )
    found = answer_all(reply, SEATS, zone="Europe/London")
    priced = found[0]
    assert priced.text.startswith("For your 12 people, that is our Team plan: £42 per user")
    assert "£6,048 a year, billed annually (£504 a month)" in priced.text
    # The university discount is worked out; the 3-year discount is no prepay discount.
    assert "15% discount for accredited universities and schools" in priced.text
    assert "£5,140.80 a year instead of £6,048" in priced.text
    assert "Paying the year up front" not in priced.text
    # The fee is Team's own, never the "no implementation fee" of Essentials.
    assert "one-time implementation fee of £3,900" in priced.text and "£25" not in priced.text
    assert all(a.status != "rep_only" for a in found)


INVOICES = [
    "Starter: €1.20 / US$1.30 / £1.05 per processed invoice; minimum 500 invoices per month;"
    " monthly or 12-month term.",
    "Growth: €0.95 / US$1.05 / £0.82 per processed invoice; minimum 2,000 invoices per month;"
    " 12-month term.",
    "Enterprise: €0.72 / US$0.80 / £0.63 per processed invoice; minimum 6,000 invoices per month.",
    "Annual prepay: 6% off the per-invoice price when the 12-month committed volume is paid"
    " upfront (Growth and Enterprise only).",
]


@pytest.mark.parametrize(
    ("said", "symbol", "lang", "sentence"),
    [
        (
            "We run about 2,600 invoices a month.",
            "$",
            "en",
            "For your 2,600 invoices a month, that is our Growth plan: $1.05 per processed"
            " invoice, so $2,730 a month.",
        ),
        (
            "Wir haben etwa 700 Eingangsrechnungen im Monat.",
            "€",
            "de",
            "Für 700 Eingangsrechnungen gilt unser Tarif Starter: 1,20 € pro Rechnung, also 840 €"
            " pro Monat.",
        ),
    ],
)
def test_a_price_per_use_is_worked_out_on_the_month_s_volume_and_its_plan(
    said: str, symbol: str, lang: str, sentence: str
) -> None:
    priced = quote.quote_for(INVOICES, said, symbol)
    assert priced is not None
    assert quote.plan_sentence(priced, lang).startswith(sentence[:-1])
    # "US$1.30 / £1.05" in pounds is "£1.05", never "US£1.05".
    assert quote.in_currency(INVOICES[0], "£").startswith("Starter: £1.05 per processed invoice")


def test_a_price_no_single_point_answers_is_worked_out_on_the_price_page() -> None:
    shelf = (
        ContentBrief(
            "roi-calculator",
            "ROI calculator",
            "calculator",
            "https://ap.test/roi",
            "Work out your savings.",
            key_points="- Outputs: annual savings, payback period in months, hours freed.",
        ),
        ContentBrief(
            "pricing",
            "Plans and pricing",
            "pricing",
            "https://ap.test/pricing",
            "Three plans priced per invoice.",
            key_points="\n".join(f"- {p}" for p in INVOICES),
        ),
    )
    reply = "We process 7,500 invoices a month. What would the annual cost be on Enterprise?"
    found = answer_all(reply, shelf, zone="Europe/London")
    assert found[0].slug == "pricing"
    assert found[0].text.startswith("For your 7,500 invoices a month, that is our Enterprise plan")
    assert "£4,725 a month (£56,700 a year)" in found[0].text
    assert "Outputs" not in found[0].text


# Plans listed in one point, and a fee by monthly volume on top of the seats.
LISTED = [
    "Two plans, priced per named user per month on annual billing: Core €40 / $44 / £35;"
    " Plus €70 / $77 / £61.",
    "Monthly billing: Core and Plus at €48 / $53 / £42 and €84 / $92 / £73 per user per month;"
    " cancellable with 30 days' notice. Annual plans are invoiced upfront.",
    "Tickets tier: a flat monthly fee added to the user fees on every plan. Up to 500"
    " tickets/month: included (€0). 501–3,000: €150 / $165 / £130. 3,001–10,000: €400 / $440 /"
    " £350. Above 10,000 tickets/month: custom quote.",
    "One-time setup fee: Core €900 / $990 / £790; Plus €2,000 / $2,200 / £1,750.",
    "Multi-year prepay: 2 years paid upfront = 5% off user and ticket fees. Not applicable to"
    " the setup fee.",
    "All prices exclude VAT and sales tax.",
]
HELPDESK = (
    ContentBrief(
        "pricing",
        "Plans and pricing",
        "pricing",
        "https://desk.test/pricing",
        "Two plans priced per user, with a tickets tier.",
        key_points="\n".join(f"- {p}" for p in LISTED),
    ),
)


def test_plans_listed_in_one_point_are_priced_each_as_its_own_line() -> None:
    assert quote.one_point_per_plan(LISTED[:1]) == [
        "Core: €40 / $44 / £35 per named user per month on annual billing.",
        "Plus: €70 / $77 / £61 per named user per month on annual billing.",
    ]
    assert quote.one_point_per_plan(LISTED[3:4]) == LISTED[3:4]  # fees, not plans per unit
    priced = quote.quote_for(LISTED, "We'd go for Plus; 9 of us need logins.", "£")
    assert priced is not None
    assert (priced.plan, priced.number, priced.unit_price) == ("Plus", Decimal(9), Decimal(61))


@pytest.mark.parametrize(
    ("reply", "wanted"),
    [
        (
            "Plus for 9 users, about 2,000 tickets a month. What does that come to per year, and"
            " what is the first-year cost with setup?",
            [
                "For your 9 users, that is our Plus plan: £61 per named user per month, so"
                " £6,588 a year, billed annually (£549 a month) before VAT.",
                "Your 2,000 tickets a month fall in the 501–3,000 band of the Tickets tier: £130"
                " a month on top, so £679 a month in all, £8,148 a year.",
                "There is also a one-time setup fee of £1,750.",
                "That makes £9,898 in the first year, including the setup fee.",
            ],
        ),
        (
            "What would Core cost for 4 of us? We do around 300 tickets a month.",
            [
                "For your 4 users, that is our Core plan: £35 per named user per month, so £1,680"
                " a year, billed annually (£140 a month) before VAT.",
                "Your 300 tickets a month are within the first 500 of the Tickets tier, included"
                " at no extra cost.",
            ],
        ),
    ],
)
def test_a_fee_by_monthly_volume_is_added_to_the_seats_for_the_lead_s_own_volume(
    reply: str, wanted: list[str]
) -> None:
    priced = answer_all(reply, HELPDESK, zone="Europe/London")[0]
    for sentence in wanted:
        assert sentence in priced.text
    # The bands and the multi-year discount are not pasted beside the worked-out figures.
    assert "Above 10,000" not in priced.text and "(€0)" not in priced.text
    assert "5% off" not in priced.text


def test_how_to_pay_beside_the_price_is_answered_by_its_own_point() -> None:
    reply = (
        "Plus for 9 users, about 2,000 tickets a month: what is the annual cost? Can we pay"
        " monthly rather than a full year upfront?"
    )
    found = answer_all(reply, HELPDESK, zone="Europe/London")
    assert "£6,588 a year" in found[0].text
    # The multi-year prepay is no discount for paying one year up front.
    assert "Paying the year up front" not in found[0].text
    assert any(a.text.startswith("Monthly billing: Core and Plus at £42 and £73") for a in found)


def test_paying_monthly_against_the_year_is_worked_out_with_the_difference() -> None:
    reply = (
        "We'd take Plus for 9 users, about 2,000 tickets a month. Finance wants to compare paying"
        " monthly against paying for the year up front. What's the difference over 12 months?"
    )
    priced = answer_all(reply, HELPDESK, zone="Europe/London")[0]
    assert "£8,148 a year" in priced.text  # (9 × £61 + £130) × 12
    assert (
        "Paying monthly instead, the Plus plan is £73 per named user a month: £787 a month,"
        " £9,444 over 12 months, £1,296 more than paying for the year."
    ) in priced.text


def test_a_price_objection_gets_the_least_expensive_plan_for_the_lead_s_count() -> None:
    reply = (
        "I'll be honest, £61 a user is more than we expected. There are 4 of us and we handle"
        " around 300 tickets a month. Unless you can do something on the price, we'll pass."
    )
    found = answer_all(reply, HELPDESK, zone="Europe/London")
    lower = next(a for a in found if a.topic == "objection")
    assert lower.text == (
        "If the price is the sticking point, there is a less expensive plan. For your 4 users,"
        " that is our Core plan: £35 per named user per month, so £1,680 a year, billed annually"
        " (£140 a month) before VAT. Your 300 tickets a month are within the first 500 of the"
        " Tickets tier, included at no extra cost."
    )
    # Already on the least expensive plan's price: nothing lower to offer.
    assert not [
        a
        for a in answer_all(reply.replace("£61", "£35"), HELPDESK, zone="Europe/London")
        if a.topic == "objection"
    ]
