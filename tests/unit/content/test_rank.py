"""The ranker: never repeats or offers what is gone, follows the journey, explains itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.content.journey import journey_events
from assistant.content.library import ContentSpec, load_library
from assistant.content.rank import LeadContext, Ranker
from assistant.content.vocabulary import canonical_industry, personas_for, word_stems
from assistant.errors import InputError
from tests.content_specs import spec
from tests.paths import ROOT

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def items() -> list[ContentSpec]:
    return load_library(ROOT / "data" / "content")


@pytest.fixture(scope="module")
def ranker(items: list[ContentSpec]) -> Ranker:
    return Ranker(items)


def slugs(
    ranker: Ranker, lead: LeadContext, exclude: tuple[str, ...] = (), limit: int = 5
) -> list[str]:
    return [r.slug for r in ranker.rank(lead, exclude=exclude, today=TODAY, limit=limit)]


def test_a_question_gets_the_item_that_answers_it(ranker: Ranker) -> None:
    lead = LeadContext(
        title="IT Director",
        industry="Manufacturing",
        stage="consideration",
        reply="How does it connect to Salesforce, and what does it do to our API limits?",
        intent="question",
    )
    assert slugs(ranker, lead)[0] == "crm-integration-guide"


def test_excluded_items_are_never_returned(ranker: Ranker, items: list[ContentSpec]) -> None:
    lead = LeadContext(title="CTO", stage="consideration", reply="Tell me about security and SSO.")
    first = slugs(ranker, lead, limit=3)
    again = slugs(ranker, lead, exclude=tuple(first), limit=len(items))
    assert again and not set(first) & set(again)


def test_expired_and_retired_items_are_never_returned_even_when_asked_for(
    ranker: Ranker, items: list[ContentSpec]
) -> None:
    gone = {item.slug for item in items if not item.is_available(TODAY)}
    assert {"q3-implementation-offer", "forecasting-trends-2023"} <= gone
    for reply in (
        "Is the Q3 offer with the implementation fee waived still on?",
        "Do you still have the Sales Forecasting Trends 2023 report?",
    ):
        for stage in ("awareness", "decision"):
            lead = LeadContext(title="CFO", stage=stage, reply=reply, intent="question")
            assert not gone & set(slugs(ranker, lead, limit=len(items)))


def test_an_expiring_item_is_offered_until_its_last_day(items: list[ContentSpec]) -> None:
    offer = next(item for item in items if item.slug == "q3-implementation-offer")
    assert offer.expires is not None
    ranker = Ranker(items)
    lead = LeadContext(title="CFO", stage="decision", reply="Is the implementation fee waived?")
    found = ranker.rank(lead, exclude=(), today=offer.expires, limit=3)
    assert "q3-implementation-offer" in [r.slug for r in found]


@pytest.mark.parametrize(
    ("stage", "events", "intent", "had", "target"),
    [
        ("consideration", ("budget_freeze",), None, 0, "awareness"),
        ("decision", ("budget_freeze",), "not_now", 2, "consideration"),
        ("awareness", ("come_back_later",), "not_now", 0, "awareness"),
        ("consideration", (), "not_now", 2, "awareness"),
        ("awareness", (), "interested", 0, "awareness"),
        ("awareness", (), "interested", 1, "awareness"),
        ("awareness", (), "interested", 2, "consideration"),
        ("consideration", (), "question", 2, "decision"),
        ("consideration", (), "question", 1, "consideration"),
        ("awareness", ("ready_to_talk",), "ready", 0, "decision"),
        ("awareness", ("competitor",), None, 0, "consideration"),
        ("consideration", (), None, 3, "consideration"),
    ],
)
def test_the_target_stage_follows_the_journey(
    ranker: Ranker,
    items: list[ContentSpec],
    stage: str,
    events: tuple[str, ...],
    intent: str | None,
    had: int,
    target: str,
) -> None:
    """Engagement moves a lead on once it has had two items of its stage; a pause moves back."""
    lead = LeadContext(stage=stage, events=events, intent=intent)
    received = [item.slug for item in items if item.stage == stage][:had]
    assert ranker.target_stage(lead, exclude=received) == target


def test_an_engaged_lead_may_take_a_step_ahead_when_its_words_lead_there(ranker: Ranker) -> None:
    """Before moving on, the next stage stays a close second: a pricing question gets pricing."""
    lead = LeadContext(
        title="CFO", stage="awareness", reply="What would this cost us per user?", intent="question"
    )
    assert ranker.target_stage(lead) == "awareness"
    assert slugs(ranker, lead, limit=1) == ["pricing-and-packaging-guide"]


def test_a_budget_freeze_moves_back_to_lighter_content(
    ranker: Ranker, items: list[ContentSpec]
) -> None:
    stage_of = {item.slug: item.stage for item in items}
    engaged = LeadContext(title="VP Sales", industry="Manufacturing", stage="consideration")
    frozen = replace(
        engaged,
        reply="Budgets are frozen until Q2, so this is on hold. Stay in touch.",
        events=("budget_freeze",),
        intent="not_now",
    )
    assert stage_of[slugs(ranker, engaged)[0]] == "consideration"
    top = ranker.rank(frozen, exclude=(), today=TODAY)[0]
    assert top.stage == "awareness"
    assert any("lighter content" in reason for reason in top.reasons)


def test_every_recommendation_explains_itself_in_words(ranker: Ranker) -> None:
    lead = LeadContext(
        title="CFO",
        industry="Healthcare",
        stage="decision",
        reply="I need to show payback within a year to get this approved.",
    )
    found = ranker.rank(lead, exclude=(), today=TODAY)
    assert found
    for rec in found:
        assert rec.reasons and all(isinstance(r, str) and r for r in rec.reasons)
    top = found[0]
    assert top.slug in {"roi-calculator", "business-case-template"}
    assert top.reasons[0].startswith("reply mentions payback")
    assert "decision stage" in top.reasons
    assert any(r.startswith("finance") and "(CFO)" in r for r in top.reasons)


def test_a_webinar_says_whether_it_is_live_or_a_recording(ranker: Ranker) -> None:
    lead = LeadContext(
        title="VP Finance", stage="consideration", reply="Any live session on scenario planning?"
    )
    live = ranker.rank(lead, exclude=(), today=TODAY)[0]
    assert live.slug == "scenario-planning-live-webinar"
    assert "live webinar on 10 Dec 2026" in live.reasons
    later = ranker.rank(lead, exclude=(), today=date(2027, 1, 5))[0]
    assert "recording of the 10 Dec 2026 webinar" in later.reasons


def test_a_named_competitor_brings_comparison_content(ranker: Ranker) -> None:
    lead = LeadContext(
        title="RevOps Director",
        stage="consideration",
        reply="We currently use PipeIQ and it is up for renewal. What would switching involve?",
        events=("competitor",),
    )
    assert slugs(ranker, lead)[0] == "switching-from-legacy-tools"


def test_a_new_stakeholder_gets_content_for_their_role(ranker: Ranker) -> None:
    lead = LeadContext(
        title="VP Sales",
        stage="decision",
        reply="Looping in our CFO, who will need to sign off. Can you send her a summary?",
        events=("new_stakeholder",),
    )
    top = ranker.rank(lead, exclude=(), today=TODAY)[0]
    assert top.slug in {"executive-summary-one-pager", "roi-calculator", "business-case-template"}
    assert any("(the new stakeholder)" in reason for reason in top.reasons)


def test_replies_in_german_french_and_spanish_are_understood(ranker: Ranker) -> None:
    security = {"security-and-trust-overview", "security-questionnaire-pack"}
    cases = {
        "Wie sieht es mit der Sicherheit aus? Haben Sie SOC 2?": security,
        "Quel est le prix pour une équipe de 25 commerciaux ?": {"pricing-and-packaging-guide"},
        "¿Tienen algún caso de éxito en logística?": {"case-study-transvia-logistics"},
    }
    for reply, expected in cases.items():
        lead = LeadContext(stage="consideration", reply=reply, intent="question")
        assert slugs(ranker, lead)[0] in expected, reply


def test_the_managers_track_leads_a_silent_lead(items: list[ContentSpec]) -> None:
    track = ["territory-and-quota-planning", "deal-inspection-demo"]
    ranker = Ranker(items, tracks={"consideration": track})
    lead = LeadContext(title="VP Sales", stage="consideration")
    first = ranker.rank(lead, exclude=(), today=TODAY)[0]
    assert first.slug == track[0]
    assert "on the manager's consideration track" in first.reasons
    assert slugs(ranker, lead, exclude=(track[0],))[0] == track[1]


def test_a_track_naming_an_unknown_slug_or_stage_is_refused(items: list[ContentSpec]) -> None:
    with pytest.raises(InputError, match="'no-such-item'"):
        Ranker(items, tracks={"awareness": ["no-such-item"]})
    with pytest.raises(InputError, match="'later' is not a stage"):
        Ranker(items, tracks={"later": []})


def test_nothing_is_returned_when_the_library_is_exhausted(
    ranker: Ranker, items: list[ContentSpec]
) -> None:
    lead = LeadContext(title="CFO", stage="decision", reply="What does it cost?")
    assert ranker.rank(lead, exclude=[item.slug for item in items], today=TODAY) == []
    assert Ranker([]).rank(lead, exclude=(), today=TODAY) == []


def test_no_filler_from_far_stages_or_other_industries(items: list[ContentSpec]) -> None:
    """What is left is two stages away or for another industry, and nothing asks for it."""
    left = [
        item
        for item in items
        if item.stage == "decision" or (item.industries and "healthcare" not in item.industries)
    ]
    ranker = Ranker(left)
    lead = LeadContext(title="Marketing Manager", industry="Healthcare", stage="awareness")
    assert ranker.rank(lead, exclude=(), today=TODAY) == []
    asked = replace(
        lead, reply="What does it cost per user? Send me the pricing.", intent="question"
    )
    assert slugs(ranker, asked)[0] == "pricing-and-packaging-guide"


@pytest.mark.parametrize(
    ("title", "persona"),
    [
        ("CFO", "finance"),
        ("VP Finance", "finance"),
        ("Directeur financier", "finance"),
        ("CTO", "technical"),
        ("Head of Engineering", "technical"),
        ("IT Director", "technical"),
        ("IT-Leiter", "technical"),
        ("VP Sales", "sales_leader"),
        ("CRO", "sales_leader"),
        ("Leiter Vertrieb", "sales_leader"),
        ("Marketing Ops Manager", "marketing"),
        ("CMO", "marketing"),
        ("Director of Sales Operations", "operations"),
        ("Founder & CEO", "executive"),
    ],
)
def test_job_titles_map_to_personas(title: str, persona: str) -> None:
    assert persona in personas_for(title)


def test_sales_operations_and_vice_presidents_are_not_misread() -> None:
    assert "sales_leader" not in personas_for("Sales Operations Manager")
    assert "executive" not in personas_for("Vice President of Sales")
    assert personas_for("Head of Customer Success") == frozenset()


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Hospital & Health Care", "healthcare"),
        ("Banking", "financial_services"),
        ("financial_services", "financial_services"),
        ("SaaS", "software"),
        ("Maschinenbau", "manufacturing"),
        ("3PL / Freight", "logistics"),
        ("E-commerce", "retail"),
        ("Education", "education"),
        ("", None),
    ],
)
def test_industries_have_one_spelling(name: str, canonical: str | None) -> None:
    assert canonical_industry(name) == canonical


REPLIES = (
    "",
    "Thanks, interesting.",
    "How does the Salesforce integration work?",
    "What does it cost for 30 users?",
    "We're also looking at Forecastly.",
    "Budgets are frozen until next year.",
    "Looping in our CTO, he has security questions.",
    "Can you show me a case study from our industry?",
    "Wie sieht es mit dem Datenschutz aus?",
    "¿Cuánto tiempo lleva la implementación?",
)
ROUND = st.tuples(
    st.sampled_from(REPLIES),
    st.sampled_from(
        ((), ("budget_freeze",), ("competitor",), ("new_stakeholder",), ("scope_change",))
    ),
    st.sampled_from((None, "question", "interested", "not_now")),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.sampled_from(("CFO", "VP Sales", "IT Director", "CMO", "RevOps Manager", "")),
    industry=st.sampled_from(("Manufacturing", "Healthcare", "Retail", "Logistics", "Banking", "")),
    stage=st.sampled_from(("awareness", "consideration", "decision")),
    rounds=st.lists(ROUND, min_size=10, max_size=70),
)
def test_a_long_conversation_never_gets_the_same_item_twice(
    ranker: Ranker,
    title: str,
    industry: str,
    stage: str,
    rounds: list[tuple[str, tuple[str, ...], str | None]],
) -> None:
    delivered: list[str] = []
    for reply, events, intent in rounds:
        lead = LeadContext(
            title=title, industry=industry, stage=stage, reply=reply, events=events, intent=intent
        )
        found = ranker.rank(lead, exclude=set(delivered), today=TODAY)
        picked = [r.slug for r in found]
        assert len(picked) == len(set(picked))
        assert not set(picked) & set(delivered)
        if found:
            delivered.append(found[0].slug)
            # Journeys move on: the stage follows where the ranker was heading.
            stage = ranker.target_stage(lead)
    assert len(delivered) == len(set(delivered))


@pytest.mark.parametrize(
    ("reply", "persona"),
    [
        ("I've asked our head of sales to join the next call.", "sales_leader"),
        ("Ich habe unseren IT-Leiter in CC gesetzt.", "technical"),
        ("Unser neuer Finanzchef möchte eine kurze Zusammenfassung.", "finance"),
    ],
)
def test_a_newcomer_named_in_the_reply_is_seen_without_an_event(
    ranker: Ranker, reply: str, persona: str
) -> None:
    """The understand stage marks a new person only when they are on Cc; the words suffice."""
    lead = LeadContext(title="CFO" if persona != "finance" else "VP Sales", stage="consideration")
    top = ranker.rank(replace(lead, reply=reply), exclude=(), today=TODAY)[0]
    assert any("(the new stakeholder)" in reason for reason in top.reasons), top
    assert "new_stakeholder" in journey_events(replace(lead, reply=reply))


def test_a_product_named_in_a_question_is_not_a_competitor(ranker: Ranker) -> None:
    question = LeadContext(
        title="VP Revenue Operations",
        stage="consideration",
        reply="Does the tool write anything back into Salesforce? Our admins are nervous.",
        events=("competitor",),  # the understand stage flags every known vendor name
        intent="question",
    )
    assert "competitor" not in journey_events(question)
    weighing = replace(question, reply="We're also looking at Forecastly. Why pick you?")
    assert "competitor" in journey_events(replace(weighing, events=()))


def test_interest_in_words_the_classifier_missed_moves_the_lead_on(
    ranker: Ranker, items: list[ContentSpec]
) -> None:
    lead = LeadContext(stage="awareness", reply="Very relevant for us, happy to read more.")
    had = [item.slug for item in items if item.stage == "awareness"][:2]
    assert ranker.target_stage(replace(lead, intent="other"), exclude=had) == "consideration"
    noted = replace(lead, reply="Noted.", intent="other")
    assert ranker.target_stage(noted, exclude=had) == "awareness"


def test_the_understand_stages_event_names_are_understood(ranker: Ranker) -> None:
    meeting = LeadContext(stage="awareness", events=("meeting_request",))
    assert ranker.target_stage(meeting) == "decision"
    new_boss = LeadContext(stage="decision", events=("leadership_change",))
    assert "new_stakeholder" in journey_events(new_boss)


def test_coverage_names_the_words_no_available_item_has(
    ranker: Ranker, items: list[ContentSpec]
) -> None:
    words = word_stems("forecasting for nonprofits")
    found = ranker.coverage(words, TODAY)
    assert found.unknown == ("nonprofits",) and found.best_score > 0
    only_retired = word_stems("trends")
    retired = Ranker([i for i in items if i.slug == "forecasting-trends-2023"])
    assert retired.coverage(only_retired, TODAY).unknown == ("trends",)


def test_a_library_with_its_own_roles_matches_leads_by_their_titles() -> None:
    """Personas are the marketer's words: "fleet manager" meets a lead titled Fleet Manager."""
    items = [
        spec(slug, title, topics=("maintenance",), personas=personas)
        for slug, title, personas in (
            ("plant-guide", "Maintenance for Plant Managers", ("plant_manager",)),
            ("fleet-guide", "Maintenance for Fleet Managers", ("fleet_manager",)),
            ("it-guide", "Maintenance Data for IT", ("it",)),
        )
    ]
    ranker = Ranker(items)
    for title, slug in (
        ("Fleet Manager", "fleet-guide"),
        ("Head of Fleet Operations", "fleet-guide"),
        ("Plant Manager", "plant-guide"),
        ("IT Director", "it-guide"),
    ):
        top = ranker.rank(LeadContext(title=title), exclude=(), today=TODAY)[0]
        assert top.slug == slug, title
        assert any("persona" in reason for reason in top.reasons), top
