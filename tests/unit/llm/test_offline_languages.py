"""The offline drafter in the lead's language, with library answers and the journey's turns."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from assistant.content.library import load_library
from assistant.llm import guardrails
from assistant.llm.base import (
    ContentBrief,
    DraftRequest,
    DraftResult,
    LeadProfile,
    RepProfile,
    ToneRules,
    Turn,
)
from assistant.llm.offline import OfflineDrafter
from tests.paths import ROOT

SENT = datetime(2026, 7, 6, 8, tzinfo=UTC)
REPLIED = datetime(2026, 7, 8, 9, 30, tzinfo=UTC)
REQUIRED = "Acme GmbH, Torstraße 1, Berlin"


@pytest.fixture(scope="module")
def shelf() -> dict[str, ContentBrief]:
    return {
        s.slug: ContentBrief(
            s.slug,
            s.title,
            s.type,
            s.url,
            s.summary,
            key_points=s.body,
            upcoming=s.event_date is not None,
            starts_at=s.event_date.isoformat() if s.event_date else "",
        )
        for s in load_library(ROOT / "data" / "content")
    }


def draft(
    shelf: dict[str, ContentBrief],
    reply: str,
    slug: str | None,
    *,
    lang: str = "en",
    name: str = "Dana Cole",
    title: str = "VP Sales",
    zone: str = "",
    **tone: object,
) -> tuple[DraftResult, DraftRequest]:
    request = DraftRequest(
        situation="reply",
        rep=RepProfile("Ana Ruiz", "ana@acme.test", "Ana Ruiz\nAcme", timezone="Europe/Berlin"),
        lead=LeadProfile(
            name,
            "lead@northwind.test",
            "Northwind",
            title,
            "consideration",
            language=lang,
            timezone=zone,
        ),
        subject="Forecasting",
        thread=(
            Turn("outbound", SENT, "Forecasting", "Hi, here is our article."),
            Turn("inbound", REPLIED, "Re: Forecasting", reply),
        ),
        latest_reply=reply,
        content=shelf[slug] if slug else None,
        tone=ToneRules(**{"required_lines": (REQUIRED,), **tone}),  # type: ignore[arg-type]
        library=tuple(shelf.values()),
    )
    return OfflineDrafter().render(request), request


def invented(result: DraftResult, request: DraftRequest) -> list[str]:
    allowed = guardrails.allowlists(request, request.library)
    flags = guardrails.draft_flags(
        result,
        request,
        allowed_urls=allowed.urls,
        allowed_addresses=allowed.addresses,
        library=request.library,
    )
    return [f for f in flags if f.startswith(("link not", "number not", "banned", "missing"))]


def test_an_english_answer_keeps_the_librarys_figures_and_defers_nothing(
    shelf: dict[str, ContentBrief],
) -> None:
    result, request = draft(
        shelf, "Thanks. How often does the Salesforce sync run?", "crm-integration-guide"
    )
    synced = "Acme syncs opportunities, accounts, activities and history every 5 minutes."
    assert synced in result.body
    assert "proper answer" not in result.body and "come back to you" not in result.body
    assert result.body.count(shelf["crm-integration-guide"].url) == 1
    assert not result.flags
    assert invented(result, request) == []


def test_an_open_question_is_said_once_and_flagged(shelf: dict[str, ContentBrief]) -> None:
    result, _ = draft(
        shelf, "Do you support Klingon? And does Klingon come with SLAs?", "crm-integration-guide"
    )
    assert result.body.count("I'll confirm those with our team") == 1
    assert any("does not answer" in flag for flag in result.flags)


def test_a_discount_is_left_to_the_rep_in_words(shelf: dict[str, ContentBrief]) -> None:
    result, _ = draft(shelf, "Can you do 20% off for three years?", "pricing-and-packaging-guide")
    assert "On the discount you asked about, I'll look at it myself" in result.body
    assert "20%" not in result.body  # neither granted nor quoted back
    assert any("discounts: only you can answer" in flag for flag in result.flags)
    # Beside a discount question only the published prices are worth a link; no other tip.
    assert result.content_slug == "pricing-and-packaging-guide"
    other, _ = draft(shelf, "Can you do 20% off for three years?", "roi-calculator")
    assert other.content_slug is None and "https://" not in other.body


def test_german_is_written_in_german_with_sie_and_a_german_sign_off(
    shelf: dict[str, ContentBrief],
) -> None:
    mail = (
        "Sehr geehrte Frau Ruiz,\n\nwie lange dauert die Einführung?\n\n"
        "Mit freundlichen Grüßen\nDr. Jörg Wittenberg"
    )
    result, request = draft(
        shelf,
        mail,
        "implementation-plan",
        lang="de",
        name="Jörg Wittenberg",
        title="Leiter Vertrieb",
        formality="formal",
    )
    lines = result.body.splitlines()
    assert lines[0] == "Sehr geehrter Herr Dr. Wittenberg,"
    # After a German greeting the first sentence starts in lower case.
    assert lines[2] in (
        "vielen Dank für Ihre Nachricht.",
        "danke für Ihre Rückmeldung.",
        "herzlichen Dank für Ihre Antwort.",
    )
    assert "„Week 1–2:" in result.body and "Week 7–8: full rollout" in result.body
    assert "Mit freundlichen Grüßen\nAna Ruiz" in result.body
    assert REQUIRED in result.body
    assert not any("this offline draft is in English" in f for f in result.flags)
    assert invented(result, request) == []


def test_french_and_spanish_leads_get_their_own_language(shelf: dict[str, ContentBrief]) -> None:
    french, _ = draft(
        shelf,
        "Bonjour, où sont hébergées nos données ?",
        "gdpr-and-data-residency",
        lang="fr",
        name="Claire Vasseur",
        title="Directrice financière",
    )
    assert french.body.startswith("Bonjour Madame Vasseur,")
    assert "Frankfurt and Dublin" in french.body and "Cordialement," in french.body
    spanish, _ = draft(
        shelf,
        "Hola, ¿tienen la certificación ISO 27001?",
        "security-and-trust-overview",
        lang="es",
        name="Carmen Ruiz",
        title="Directora de TI",
        formality="formal",
    )
    assert spanish.body.startswith("Estimada Sra. Ruiz:")
    assert "ISO 27001" in spanish.body and "Atentamente," in spanish.body


def test_a_language_without_templates_gets_english_with_the_flag(
    shelf: dict[str, ContentBrief],
) -> None:
    result, _ = draft(shelf, "Grazie, quanto costa?", "pricing-and-packaging-guide", lang="it")
    assert result.body.startswith("Hi Dana,")
    assert "the lead writes in Italian; this offline draft is in English" in result.flags


def test_the_word_limit_counts_the_body_alone(shelf: dict[str, ContentBrief]) -> None:
    result, request = draft(
        shelf, "How often does the Salesforce sync run?", "crm-integration-guide", max_words=60
    )
    body = result.body.replace(REQUIRED, " ").replace(request.rep.signature, " ")
    assert len(body.split()) <= 60


def test_a_pause_is_acknowledged_with_its_date_and_no_content(
    shelf: dict[str, ContentBrief],
) -> None:
    result, request = draft(
        shelf, "We're swamped. Can you reach back out around mid-September?", "implementation-plan"
    )
    assert "in mid-September" in result.body
    assert "http" not in result.body
    assert result.content_slug is None
    assert invented(result, request) == []


def test_a_freeze_gets_at_most_one_light_item(shelf: dict[str, ContentBrief]) -> None:
    heavy, _ = draft(
        shelf, "Budget is frozen through the end of Q1 2027.", "business-case-template"
    )
    assert "at the start of April 2027" in heavy.body and "http" not in heavy.body
    light, _ = draft(
        shelf,
        "Budget is frozen through the end of Q1 2027.",
        "live-product-tour-webinar",
        zone="America/Denver",
    )
    assert len(re.findall(r"https?://", light.body)) == 1
    assert "Thursday 14 January 2027, 09:00 (Denver time)" in light.body


def test_a_request_to_talk_gets_times_or_the_booking_link(shelf: dict[str, ContentBrief]) -> None:
    times, _ = draft(shelf, "Can we talk Thursday?", None, zone="Europe/London")
    assert "Thursday at 09:00 or 13:00 (UK time)" in times.body
    link, _ = draft(shelf, "Can we talk Thursday?", None, booking_link="https://meet.acme.test/ana")
    assert "https://meet.acme.test/ana" in link.body and "Thursday at" not in link.body


def test_a_referral_is_thanked_without_content(shelf: dict[str, ContentBrief]) -> None:
    result, _ = draft(
        shelf,
        "I'm not the right person. Talk to Marta Lind, marta@northwind.test.",
        "implementation-plan",
    )
    assert "Marta" in result.body and "http" not in result.body


def test_a_newcomer_on_cc_gets_a_line_of_their_own(shelf: dict[str, ContentBrief]) -> None:
    result, request = draft(
        shelf, "Adding Priya, our CFO. Is there anything on ROI?", "roi-calculator"
    )
    with_priya = OfflineDrafter().render(
        DraftRequest(**{**request.__dict__, "newcomers": ("Priya Nair",)})
    )
    assert "Priya, good to have you on the thread" in with_priya.body
    # Introduced in words ("Adding Priya"), she is greeted too; nobody is greeted otherwise.
    assert "Priya, good to have you on the thread" in result.body
    plain, _ = draft(shelf, "Is there anything on ROI?", "roi-calculator")
    assert "good to have you" not in plain.body
    german = OfflineDrafter().render(
        DraftRequest(
            **{
                **request.__dict__,
                "lead": LeadProfile("Jörg Wittenberg", "j@k.test", "K", "Leiter", "x", "de"),
                "newcomers": ("tom.berg@kraftwerk.test",),
            }
        )
    )
    assert "Tom, willkommen in der Runde" in german.body


def test_a_point_listing_one_offer_per_region_gives_the_leads_region(
    shelf: dict[str, ContentBrief],
) -> None:
    hosting = ContentBrief(
        "trust",
        "Trust centre",
        "security",
        "https://acme.test/trust",
        "Where your data lives.",
        "- Hosting in-region: UK South (London) for UK customers, Germany West Central "
        "(Frankfurt) for DACH, and West Europe (Amsterdam) for the rest of the EU. Data never "
        "leaves the chosen region.",
        topics=("hosting",),
    )
    result, _ = draft(
        {**shelf, "trust": hosting},
        "Where physically is the data hosted? It must stay in the UK.",
        "trust",
    )
    assert "UK South (London) for UK customers. Data never leaves the chosen region." in result.body
    assert "Frankfurt" not in result.body


def test_a_lead_who_asks_to_be_called_is_offered_a_call_not_an_invitation(
    shelf: dict[str, ContentBrief],
) -> None:
    result, _ = draft(shelf, "Could you call me on Thursday afternoon? I'm in Manchester.", None)
    assert "Happy to give you a call. Would Thursday at" in result.body
    assert "invite" not in result.body


@pytest.mark.parametrize(
    ("mail", "lang", "registered", "wishes"),
    [
        (
            "Thanks, I've registered for the webinar. I'm off until 11 January, could you drop "
            "me a line then? Have a good Christmas!",
            "en",
            "Thank you for registering.",
            "A merry Christmas to you as well.",
        ),
        (
            "Danke, ich habe mich angemeldet. Melden Sie sich bitte am 11. Januar wieder. Frohe "
            "Weihnachten!",
            "de",
            "schön, dass Sie sich angemeldet haben.",
            "Ihnen ebenfalls frohe Weihnachten!",
        ),
        (
            "Merci, je me suis inscrite. Écrivez-moi plutôt le 11 janvier. Bonnes fêtes !",
            "fr",
            "Merci pour votre inscription.",
            "Bonnes fêtes à vous aussi !",
        ),
        (
            "Gracias, me he inscrito. Escríbame el 11 de enero, por favor. ¡Feliz Navidad!",
            "es",
            "Gracias por su inscripción.",
            "¡Feliz Navidad a usted también!",
        ),
    ],
)
def test_a_pause_thanks_for_a_registration_and_returns_the_seasons_wishes(
    shelf: dict[str, ContentBrief], mail: str, lang: str, registered: str, wishes: str
) -> None:
    result, _ = draft(shelf, mail, None, lang=lang, formality="formal")
    assert registered in result.body and wishes in result.body
    assert result.body.index(registered) < result.body.index(wishes)


def test_wishes_a_required_line_already_returns_are_not_said_twice(
    shelf: dict[str, ContentBrief],
) -> None:
    result, _ = draft(
        shelf,
        "Please email me again on 11 January. Happy holidays!",
        None,
        required_lines=("Happy holidays, Dana.",),
    )
    assert "to you too" not in result.body and "Happy holidays, Dana." in result.body
