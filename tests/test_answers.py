"""Questions answered from the key points: figures kept, the rep's topics left to the rep."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.content.library import load_library
from assistant.llm.answers import answer_all, answering_slug, questions
from assistant.llm.base import ContentBrief
from assistant.llm.points import asked_kinds, fact_kinds, split_points

ROOT = Path(__file__).resolve().parents[1]


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
        ("¿Tienen certificación ISO 27001?", "security-and-trust-overview", "ISO 27001"),
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
