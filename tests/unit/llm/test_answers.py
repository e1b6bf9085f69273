"""Questions answered from the key points: figures kept, the rep's topics left to the rep."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.content.library import load_library
from assistant.llm.answers import (
    answer_all,
    answering_slug,
    asked_in,
    clauses,
    questions,
    spoken_of,
)
from assistant.llm.base import ContentBrief
from assistant.llm.points import asked_kinds, fact_kinds, index, relevant_clauses, split_points
from tests.paths import ROOT


def library(folder: Path) -> tuple[ContentBrief, ...]:
    return tuple(
        ContentBrief(s.slug, s.title, s.type, s.url, s.summary, key_points=s.body)
        for s in load_library(folder)
    )


@pytest.fixture(scope="module")
def acme() -> tuple[ContentBrief, ...]:
    return library(ROOT / "data" / "content")


@pytest.fixture(scope="module")
def rotaplan() -> tuple[ContentBrief, ...]:
    return library(ROOT / "data" / "eval" / "drafting" / "rotaplan")


@pytest.mark.parametrize(
    ("question", "slug", "figure"),
    [
        ("How often does the Salesforce sync run?", "crm-integration-guide", "every 5 minutes"),
        ("How much of our API allowance does it use?", "crm-integration-guide", "under 2%"),
        ("Are you SOC 2 certified?", "security-and-trust-overview", "SOC 2 Type II"),
        ("Where is our data hosted?", "gdpr-and-data-residency", "Frankfurt and Dublin"),
        ("Wie lange dauert die Einführung?", "implementation-plan", "Week 7–8"),
        ("Où sont hébergées nos données ?", "gdpr-and-data-residency", "Frankfurt and Dublin"),
        ("¿Tienen certificación ISO 27001?", "security-questionnaire-pack", "ISO 27001"),
    ],
)
def test_a_question_is_answered_from_the_point_that_holds_the_figure(
    acme: tuple[ContentBrief, ...], question: str, slug: str, figure: str
) -> None:
    [found] = answer_all(question, acme)
    assert (found.status, found.slug) == ("answered", slug)
    assert figure in found.text


def test_a_plan_is_answered_with_its_first_and_last_step(acme: tuple[ContentBrief, ...]) -> None:
    [found] = answer_all("How long does implementation take?", acme)
    assert found.text.startswith("Week 1–2:")
    assert "Week 7–8: full rollout" in found.text


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("What would it cost per employee?", "€3 per employee per month"),
        ("Does it export to ADP for payroll?", "DATEV, Personio and ADP"),
        ("Does the app work offline?", "Works offline"),
        ("¿Cuánto tiempo se tarda en publicar el primer turno?", "10 working days"),
        ("L'application est-elle disponible en français ?", "12 languages"),
    ],
)
def test_a_second_library_answers_in_its_own_words(
    rotaplan: tuple[ContentBrief, ...], question: str, figure: str
) -> None:
    [found] = answer_all(question, rotaplan)
    assert found.status == "answered"
    assert figure in found.text


def test_a_question_nothing_answers_stays_open(acme: tuple[ContentBrief, ...]) -> None:
    [found] = answer_all("Do you support the Klingon language?", acme)
    assert found.status == "open"
    assert found.text == ""


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Can you give us 20% off for a three-year term?", "discounts"),
        ("Gibt es einen Rabatt für 40 Filialen?", "discounts"),
        ("What's the notice period if we cancel the contract?", "contract terms"),
        ("Which other customers are evaluating you right now?", "other customers"),
        ("Can you confirm your new bank details before we pay?", "payment"),
        ("Could you paste your internal notes on our account?", "internal notes"),
    ],
)
def test_what_only_the_rep_decides_is_never_answered_from_the_library(
    acme: tuple[ContentBrief, ...], question: str, topic: str
) -> None:
    [found] = answer_all(question, acme)
    assert (found.status, found.topic, found.text) == ("rep_only", topic, "")


def test_questions_are_found_with_a_mark_or_in_so_many_words() -> None:
    text = (
        "Hi Ana,\n\nThanks. Two things first: how often does it sync? "
        "I'd like to know where the data is hosted. We are 80 sellers.\n\nDana"
    )
    assert questions(text) == [
        "How often does it sync?",
        "I'd like to know where the data is hosted.",
    ]


def test_the_answering_item_is_the_one_whose_points_answer(acme: tuple[ContentBrief, ...]) -> None:
    assert answering_slug("Thanks! Are you SOC 2 certified?", acme) == "security-and-trust-overview"
    assert answering_slug("Thanks, that was useful.", acme) is None


def test_points_are_bullets_and_facts_have_kinds() -> None:
    body = "Intro line.\n\n- Live in 2–4 weeks.\n- $14 per sensor.\n- SOC 2 Type II.\n"
    assert split_points(body) == ["Live in 2–4 weeks.", "$14 per sensor.", "SOC 2 Type II."]
    assert "duration" in fact_kinds("Live in 2–4 weeks.")
    assert "price" in fact_kinds("$14 per sensor.")
    assert "standard" in fact_kinds("SOC 2 Type II.")
    assert "measure" in fact_kinds("down to −40 °C and 40%")
    assert "price" in asked_kinds("How much does it cost?")
    assert "duration" in asked_kinds("Wie lange dauert das?")


def test_a_point_answering_two_questions_is_given_once(rotaplan: tuple[ContentBrief, ...]) -> None:
    found = answer_all(
        "What would it cost for 300 employees? Do our store managers count as paid users?",
        rotaplan,
    )
    assert len(found) == 1
    assert "Managers and admins are free" in found[0].text


# A small library in another trade: the matcher must read what a question is about, not only
# its words ("shut the air down" is "no shutdown"; "fitting" is "installation").
SENSORS = (
    ContentBrief(
        "fitting-checklist",
        "Sensor installation checklist",
        "checklist",
        "https://example.test/fitting",
        "What you need on site to fit the sensors.",
        key_points=(
            "- Sensors are hot-tapped through a ball valve: no shutdown of the line for pipes"
            " DN15 to DN80.\n- Installation takes about 45 minutes per sensor.\n"
            "- Operating range: 0 to 16 bar, −20 °C to +70 °C."
        ),
        topics=("installation", "shutdown", "pipe size"),
    ),
    ContentBrief(
        "prices",
        "Plans and prices",
        "pricing_page",
        "https://example.test/prices",
        "Plans, prices and the pilot.",
        key_points=(
            "- Basic: €12 per sensor per month.\n"
            "- Annual billing: 2 months free.\n"
            "- Paid pilot: 60 days, €2,900 flat, credited against the first year if you go on."
        ),
        topics=("pricing", "pilot"),
    ),
    ContentBrief(
        "story",
        "How a bakery cut its energy bill",
        "case_study",
        "https://example.test/story",
        "One customer's results.",
        key_points="- 46 sensors installed in 4 days without stopping production.",
    ),
)


def test_a_question_is_matched_on_what_it_is_about_not_only_its_words() -> None:
    found = answer_all(
        "Do we have to shut the line down to fit them? How long does fitting take?", SENSORS
    )
    assert [(a.status, a.slug) for a in found] == [("answered", "fitting-checklist")] * 2
    assert "no shutdown of the line" in found[0].text
    assert found[1].text.startswith("Installation takes about 45 minutes")


def test_something_the_library_never_mentions_is_left_open() -> None:
    found = answer_all(
        "Are your sensors certified for ATEX Zone 2? Can they cope with 60 °C?", SENSORS
    )
    assert [a.status for a in found] == ["open", "answered"]
    assert "−20 °C to +70 °C" in found[1].text


def test_each_question_of_one_sentence_gets_its_own_answer() -> None:
    found = answer_all(
        "What is the price per sensor per month, and is there a discount for paying annually?",
        SENSORS,
    )
    texts = " ".join(a.text for a in found)
    assert "€12 per sensor per month" in texts
    assert "2 months free" in texts
    assert all(a.status == "answered" for a in found)


def test_a_published_discount_is_answered_and_a_price_match_is_left_to_the_rep() -> None:
    [published] = answer_all("Is there a discount if we pay annually?", SENSORS)
    assert (published.status, published.text) == ("answered", "Annual billing: 2 months free.")
    [match] = answer_all("A competitor quoted €9. Can you match that price?", SENSORS)
    assert (match.status, match.topic) == ("rep_only", "discounts")


def test_that_and_it_are_read_from_the_question_before() -> None:
    found = answer_all("Could we pilot it on one site first? What does that cost?", SENSORS)
    assert found[0].slug == "prices"
    assert "€2,900 flat" in found[0].text
    assert len(found) == 1  # one point answers both: it is given once


def test_an_answer_is_named_by_what_was_asked() -> None:
    found = answer_all("What is the price per sensor? How long does fitting take?", SENSORS)
    assert [a.label for a in found] == ["Pricing", "Timing"]


def test_a_question_in_german_finds_the_english_point() -> None:
    [found] = answer_all(
        "Müssen wir für die Montage der Sensoren die Leitung abschalten?", SENSORS, language="de"
    )
    assert found.slug == "fitting-checklist"
    assert "no shutdown" in found.text


def test_a_point_is_quoted_without_markdown_marks() -> None:
    assert split_points("- Accuracy **±0.5 °C**, `IP67`.\n- __Live__ only.") == [
        "Accuracy ±0.5 °C, IP67.",
        "Live only.",
    ]


def test_a_question_that_points_back_is_asked_by_the_sentence_before(
    acme: tuple[ContentBrief, ...],
) -> None:
    """ "Is this possible?" names nothing itself: the policy before it says what is asked."""
    reply = (
        "Our policy is that every tool must log in through our identity provider with SAML, and"
        " accounts are provisioned automatically. Is this possible with Acme?"
    )
    [found] = answer_all(reply, acme)
    assert found.status == "answered"
    assert "SSO with SAML and SCIM provisioning" in found.text


def test_a_one_word_question_asks_about_the_statement_before_it(
    acme: tuple[ContentBrief, ...],
) -> None:
    reply = "Our security team asks every vendor where customer data is hosted. Frankfurt?"
    [found] = answer_all(reply, acme)
    assert (found.status, found.slug) == ("answered", "gdpr-and-data-residency")
    assert "Frankfurt" in found.text


def test_an_item_the_thread_speaks_of_without_a_link_is_found(
    acme: tuple[ContentBrief, ...],
) -> None:
    """The rep's mail tells a customer's story; the lead asks about "the drop": that story."""
    rep = ["One of our freight customers now forecasts real shipped volume and ramp-up per lane."]
    reply = "You mentioned a freight company planning its capacity. How big was the gain?"
    near = spoken_of(rep, reply, acme)
    assert near and near[0] == "case-study-transvia-logistics"
    assert spoken_of(["Thanks for your time today."], "Sounds good.", acme) == []


def test_a_point_loses_its_clauses_about_other_named_products() -> None:
    point = (
        "Maintenance systems: native SAP PM connector creates notifications from alarms;"
        " IBM Maximo via REST; ServiceNow and other tools via webhooks only."
        " Data never leaves the EU."
    )
    shelf = (ContentBrief("guide", "Integration guide", "guide", "https://x.test/g", "", point),)
    found = relevant_clauses(point, "Does it raise the notification in SAP?", "", index(shelf))
    assert found == (
        "Maintenance systems: native SAP PM connector creates notifications from alarms."
        " Data never leaves the EU."
    )
    # Asked about Maximo, the Maximo clause stays; a question naming nothing gets it all.
    assert "IBM Maximo via REST" in relevant_clauses(point, "And Maximo?", "", index(shelf))
    assert relevant_clauses(point, "How does it connect?", "", index(shelf)) == point


def test_them_in_a_question_is_the_product_the_sentence_before_names() -> None:
    points = {
        "devices": "- Supported devices: Trakwell TW-200; Orbiq O5 (firmware 4.2+)."
        " Not supported: Orbiq O3 and any 2G/3G-only device.",
        "install": "- Hardware is fitted and installed by certified partners, 25 vans a day.",
        "contract": "- Minimum contract term is 12 months; the contract renews yearly.",
        "idle": "- Idling burns 2.5 litres of diesel an hour.",
        "routes": "- Routes re-planned when traffic changes.",
    }
    shelf = tuple(
        ContentBrief(slug, slug.title(), "guide", f"https://x.test/{slug}", slug, key_points=body)
        for slug, body in points.items()
    )
    [found] = answer_all(
        "Our 95 vans all have Orbiq O3 boxes fitted (installed 2020, contract runs out next"
        " year). Can you read them or do we have to replace them?",
        shelf,
    )
    assert found.slug == "devices" and "Not supported: Orbiq O3" in found.text


@pytest.mark.parametrize(
    "question",
    [
        "Pouvez-vous me transmettre leurs noms et un contact ?",
        "Could you send me their names and a contact e-mail?",
    ],
)
def test_asking_for_other_customers_names_and_contacts_is_the_rep_s(question: str) -> None:
    [found] = answer_all(question, ())
    assert (found.status, found.topic) == ("rep_only", "references")


@pytest.mark.parametrize(
    ("sentence", "asked"),
    [
        (
            "And if I get pulled into a meeting (happens a lot), is there a recording?",
            ["And if I get pulled into a meeting (happens a lot), is there a recording?"],
        ),
        (
            "What does it cost, and is there a discount?",
            ["What does it cost", "is there a discount?"],
        ),
    ],
)
def test_a_condition_stays_with_its_question(sentence: str, asked: list[str]) -> None:
    assert clauses(sentence) == asked


def test_a_clause_that_asks_more_of_the_same_thing_stays_with_it() -> None:
    assert clauses("How long do you keep invoice images, and can we change that?") == [
        "How long do you keep invoice images, and can we change that?"
    ]
    # A price asked of it is a question of its own.
    assert (
        len(clauses("Can staff log in with Microsoft, and is that extra on top of the licence?"))
        == 2
    )


def test_up_to_eight_questions_of_one_reply_are_answered() -> None:
    shelf = (
        ContentBrief(
            "security",
            "Security overview",
            "datasheet",
            "https://x.test/security",
            "Certifications, hosting, retention.",
            key_points="\n".join(
                [
                    "- ISO/IEC 27001:2022 certified since 2024.",
                    "- Hosting: AWS Frankfurt with backups in AWS Ireland.",
                    "- Single sign-on with Microsoft Entra ID on Growth and Enterprise.",
                    "- Retention: invoice images kept 10 years by default, configurable.",
                    "- Independent penetration test every year (latest: September 2026).",
                ]
            ),
        ),
    )
    reply = (
        "- Are you ISO 27001 certified?\n- Where would our data be hosted?\n"
        "- Can we log in with Entra ID?\n- How long do you keep invoice images?\n"
        "- Do you do regular external pen tests?"
    )
    found = answer_all(reply, shelf)
    assert [a.status for a in found] == ["answered"] * 5
    assert "penetration test every year" in found[-1].text


def test_items_of_a_list_of_questions_are_asked_unless_they_ask_in_a_sentence_of_their_own() -> (
    None
):
    reply = (
        "Procurement would like to see the following before the committee on the 14th:\n\n"
        "(a) the one-off implementation cost;\n(d) how S/4HANA is connected\n\n"
        "Two points first:\n\n1) Our data must stay in the EU. It is a must.\n"
        "2) Our patients ignore SMS. Can you send reminders by WhatsApp?\n\nRegards,\nSophie"
    )
    asked = [question for question, _ in asked_in(reply)]
    assert asked == [
        "The one-off implementation cost?",
        "How S/4HANA is connected?",
        "Can you send reminders by WhatsApp?",
    ]


def test_a_question_without_its_mark_and_with_a_smile_is_asked() -> None:
    reply = "And what accuracy can we expect on the line items, not the header number :)"
    assert [q for q, _ in asked_in(reply)] == [
        "And what accuracy can we expect on the line items, not the header number?"
    ]


def test_what_the_board_will_ask_after_a_colon_is_asked_but_a_fact_about_us_is_not() -> None:
    asked = [q for q, _ in asked_in("Our board will ask two things: what manual AP costs us.")]
    assert asked == ["What manual AP costs us?"]
    assert asked_in("A question first: our techs work with no signal half the time.") == []


def test_a_list_asked_for_in_french_spanish_or_german_is_asked_item_by_item() -> None:
    reply = (
        "Pourriez-vous me préciser :\n1) le coût annuel de l'abonnement ;\n"
        "2) où nos données seraient hébergées : en France, ou dans l'Union européenne ?\n\n"
        "Cordialement,\nCamille"
    )
    assert [q for q, _ in asked_in(reply)] == [
        "Le coût annuel de l'abonnement?",
        # The question word before the colon is the question: it stays.
        "où nos données seraient hébergées : en France, ou dans l'Union européenne ?",
    ]
    assert [q for q, _ in asked_in("¿Podría indicarme:\n- el plazo de implantación\n")] == [
        "El plazo de implantación?"
    ]


def test_a_point_headed_by_what_is_asked_answers_before_one_naming_it_in_passing(
    rotaplan: tuple[ContentBrief, ...],
) -> None:
    shelf = (
        *rotaplan,
        ContentBrief(
            "guide",
            "Rollout guide",
            "guide",
            "https://x.test/guide",
            "How a rollout runs.",
            key_points="- Data import: two weeks, with one pilot import and one final import.",
        ),
        ContentBrief(
            "pricing",
            "Plans and pricing",
            "pricing",
            "https://x.test/pricing",
            "Plans.",
            key_points="- 30-day pilot: €900 flat for up to 3 users with your own data.",
        ),
    )
    found = answer_all("Can we run a pilot first?", shelf, ["guide"])
    assert found[0].slug == "pricing" and found[0].text.startswith("30-day pilot")


SURVEYS = (
    ContentBrief(
        "pricing",
        "Survey prices",
        "pricing",
        "https://vendor.test/pricing",
        "Survey prices per site.",
        key_points=(
            "- Leak survey: £2,450 per site up to 400 kW; £3,900 per site above 400 kW.\n"
            "- Multi-site discount: 10% off every survey when 3 or more sites are ordered on one"
            " purchase order. Weekend surveys cost an extra £550 per site; this surcharge is not"
            " discounted.\n"
            "- Report: within 10 working days of the visit.\n"
        ),
    ),
    ContentBrief(
        "guide",
        "From survey to savings",
        "guide",
        "https://vendor.test/guide",
        "What happens on the day.",
        key_points="- Repairs: done by your own team or by us, quoted from the leak list.\n",
    ),
)


def test_a_published_volume_discount_answers_a_question_about_several_at_once() -> None:
    [found] = answer_all("Is there any discount for doing all four sites?", SURVEYS)
    assert (found.status, found.slug) == ("answered", "pricing")
    assert "10% off every survey" in found.text
    [kept] = answer_all("Can you do better than 10% off for us?", SURVEYS)
    assert kept.status == "rep_only"  # a price to negotiate stays the rep's


def test_a_saturday_is_the_weekend_and_a_short_question_after_a_dash_is_what_is_asked() -> None:
    reply = (
        "Corby runs flat out all week and nobody may go up on the pipe runs while the lines"
        " run, so that one would need doing on a Saturday – is that extra?"
    )
    [found] = answer_all(reply, SURVEYS)
    assert (found.status, found.slug) == ("answered", "pricing")
    assert "Weekend surveys cost an extra £550" in found.text


def test_a_lead_in_ending_in_a_colon_and_a_request_to_write_to_someone_are_no_questions() -> None:
    text = (
        "Hi Ana,\n\nCould you tell me:\n- is the online portal included or extra?\n"
        "- what does the install cost?\n\nCould you reply to both of us? And could you cc "
        "our CFO on the next one?\n\nThanks"
    )
    assert questions(text) == [
        "is the online portal included or extra?",
        "what does the install cost?",
    ]
