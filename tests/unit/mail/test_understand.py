"""understand(): the classification promises of RELIABILITY.md, one behaviour per test."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.language import entries
from assistant.mail.classify import classify_bytes, understand
from assistant.mail.intent import classify_intent, named_by_address
from assistant.mail.parse import parse_message

TODAY = date(2025, 3, 4)
HEAD = (
    "From: Jane Doe <jane.doe@acme-corp.com>\r\nTo: Mark Keller <mark.keller@lumenrise.io>\r\n"
    "Subject: Re: Benchmark\r\nMessage-ID: <r1@acme-corp.com>\r\n"
)


def _msg(body: str, extra: str = "") -> bytes:
    return (HEAD + extra + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()


def test_opt_out_in_quoted_history_is_ignored() -> None:
    raw = _msg(
        "Thanks, looks useful.\r\n\r\nOn Mon, 3 Mar 2025 at 10:15, Mark <mark.keller@lumenrise.io>"
        " wrote:\r\n> Reply unsubscribe to stop these emails.\r\n"
    )
    found = understand(parse_message(raw), today=TODAY)
    assert found.kind == "human" and not found.opt_out


def test_opt_out_is_found_with_its_sentence() -> None:
    found = understand(parse_message(_msg("Hi. Please take me off your list.")), today=TODAY)
    assert found.opt_out
    assert found.opt_out_evidence == "Please take me off your list."


def test_negated_opt_out_is_not_an_opt_out() -> None:
    raw = _msg("I do not want to unsubscribe, just send less often.")
    assert not understand(parse_message(raw), today=TODAY).opt_out


def test_auto_response_suppress_alone_marks_nothing() -> None:
    raw = _msg("Can we talk on Thursday?", "X-Auto-Response-Suppress: All\r\n")
    found = understand(parse_message(raw), today=TODAY)
    assert (found.kind, found.intent) == ("human", "ready_to_talk")


def test_auto_submitted_marks_machine_mail_with_no_intent() -> None:
    raw = _msg("I am back on 10 March.", "Auto-Submitted: auto-replied\r\n")
    found = understand(parse_message(raw), today=TODAY)
    assert (found.kind, found.intent, found.return_date) == ("auto_reply", None, date(2025, 3, 10))


def test_the_word_outreach_is_not_the_competitor_outreach() -> None:
    found = understand(parse_message(_msg("Thanks for the outreach, send pricing.")), today=TODAY)
    assert not [e for e in found.events if e.type == "competitor"]


def test_configured_competitors_replace_the_defaults() -> None:
    raw = _msg("We are also talking to Gong and HubSpot.")
    found = understand(parse_message(raw), today=TODAY, competitors=("Gong",))
    assert [e.name for e in found.events if e.type == "competitor"] == ["Gong"]


def test_known_lead_addresses_are_not_new_stakeholders() -> None:
    raw = _msg("Adding Ana.", "Cc: Ana <ana@acme-corp.com>, Bo <bo@acme-corp.com>\r\n")
    found = understand(
        parse_message(raw), today=TODAY, lead_addresses=frozenset({"ANA@acme-corp.com"})
    )
    assert [e.email for e in found.events if e.type == "new_stakeholder"] == ["bo@acme-corp.com"]


def test_a_bounce_without_our_message_id_names_no_original() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example\r\nTo: mark.keller@lumenrise.io\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n\r\n"
        b"<jane.doe@acme-corp.com>: host mx said: 550 5.1.1 User unknown\r\n"
        b"I also wrote to tom@acme-corp.com about this.\r\n"
    )
    bounce = understand(parse_message(raw), today=TODAY).bounce
    assert bounce is not None
    assert bounce.original_message_id is None
    assert bounce.recipients == ("jane.doe@acme-corp.com",)
    assert (bounce.hard, bounce.status) == (True, "5.1.1")


def test_classify_bytes_reports_quarantine_with_a_reason() -> None:
    result = classify_bytes(b"", today=TODAY)
    assert result["kind"] == "quarantined" and "empty" in result["reason"]
    assert result["events"] == [] and result["bounce"] is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Not the right time for us - we're in peak season until mid-January.", "not_now"),
        ("Honestly we have other priorities this year. Maybe next year.", "not_now"),
        ("Try us next quarter.", "not_now"),
        ("Nobody can look at anything new until the audit is done.", "not_now"),
        (
            "Danke. Wir haben gerade andere Prioritäten, vielleicht im nächsten Jahr wieder.",
            "not_now",
        ),
        ("Merci, mais ce n'est pas le bon moment pour nous.", "not_now"),
        ("Gracias, ahora tenemos otras prioridades.", "not_now"),
        # "next year" as a plan, not a postponement.
        (
            "How is this priced? We'd add benefits next year, maybe benefits next year too?",
            "question",
        ),
        ("We plan to roll out next year. How long does it take?", "question"),
        (
            "We're running a formal procurement, so I can't discuss anything with suppliers"
            " outside the tender portal until the tender closes at the end of February. Happy"
            " to hear from you after that.",
            "not_now",
        ),
        (
            "Allerdings gilt bei uns derzeit eine interne Budgetsperre bis Ende Januar. Gern"
            " können wir danach wieder sprechen.",
            "not_now",
        ),
        (
            "No podré valorar ninguna propuesta hasta que esté aprobado. Le ruego que vuelva a"
            " escribirme en marzo.",
            "not_now",
        ),
        # Not putting anything off: the language they write in, a later order.
        (
            "We're an international team so I write in English, hope that's ok. Can you connect"
            " to our archive?",
            "question",
        ),
        ("Und falls wir später bestellen: Können Sie in CHF fakturieren?", "question"),
        # "can we do month to month" asks about the contract, not for a call.
        ("What's the monthly cost, and can we do month to month?", "question"),
        ("Can we talk Thursday afternoon?", "ready_to_talk"),
    ],
)
def test_putting_things_off_is_read_in_its_many_phrasings(text: str, intent: str) -> None:
    assert classify_intent(text, date(2026, 11, 22))[0] == intent


def test_a_freeze_named_as_a_spending_block_pauses_to_its_end() -> None:
    _, _, events = classify_intent(
        "Bei uns gilt eine interne Budgetsperre bis Ende Januar.", date(2026, 11, 22)
    )
    assert [e.type for e in events] == ["budget_freeze", "come_back_later"]
    assert events[1].date == date(2027, 1, 31)


def test_a_colleague_copied_instead_is_the_referral_not_a_newcomer() -> None:
    raw = _msg(
        "I'm not the right person for this; I've copied Priya, who owns the budget.",
        "Cc: Priya Nair <priya.nair@acme-corp.com>\r\n",
    )
    found = understand(parse_message(raw), today=TODAY)
    assert found.intent == "wrong_person"
    assert [(e.type, e.email, e.name) for e in found.events] == [
        ("referral", "priya.nair@acme-corp.com", "Priya Nair")
    ]


@pytest.mark.parametrize(
    ("sentence", "address", "name"),
    [
        ("Adding Marco Ferri (cc), our CFO.", "marco.ferri@nordvik.test", "Marco Ferri"),
        ("Looping in Jane Smith here.", "j.smith@acme-corp.com", "Jane Smith"),
        ("Our Head of Patient Flow (priya.raman@x.test)", "priya.raman@x.test", ""),
    ],
)
def test_a_person_is_named_as_the_address_spells_them(
    sentence: str, address: str, name: str
) -> None:
    assert named_by_address(sentence, address) == name


def test_a_colleague_named_in_the_signature_is_the_referral() -> None:
    raw = _msg(
        "Thanks. My colleague on the energy side will need to take a look first. Please "
        "coordinate with him directly.\r\n\r\n--\r\nJane Doe\r\nHead of Procurement\r\n"
        "Technical contact: Raj Patel, Energy Manager - raj.patel@acme-corp.com\r\n"
        "Our supplier desk: suppliers@vendor.example\r\n"
    )
    found = understand(parse_message(raw), today=TODAY)
    assert found.intent == "wrong_person"
    referrals = [(e.email, e.name) for e in found.events if e.type == "referral"]
    assert referrals == [("raj.patel@acme-corp.com", "Raj Patel")]


@pytest.mark.parametrize(
    "body",
    [
        "Je m'occupe uniquement de l'infrastructure ; le choix d'un LIMS relève de notre "
        "responsable qualité, Madame Claire Dubois. Je vous invite à la contacter "
        "directement : claire.dubois@lwa-namur.test",
        "Die Entscheidung liegt bei unserer Qualitätsleiterin, Frau Claire Dubois. "
        "Schreiben Sie bitte direkt an claire.dubois@lwa-namur.test",
        "La elección del sistema corresponde a nuestra directora de calidad. Le ruego que "
        "contacte con Claire Dubois: claire.dubois@lwa-namur.test",
    ],
)
def test_a_referral_is_read_as_people_write_it_in_french_german_and_spanish(body: str) -> None:
    found = understand(parse_message(_msg(body)), today=TODAY)
    assert found.intent == "wrong_person"
    referrals = [e.email for e in found.events if e.type == "referral"]
    assert referrals == ["claire.dubois@lwa-namur.test"]


@pytest.mark.parametrize(
    "body",
    [
        "Cheers for the info but I'm the wrong bloke, I just keep the compressors running. "
        "Anything to do with energy spend goes through our energy manager, Harriet Cole "
        "(harriet.cole@acme-corp.com).",
        "Contracts aren't decided at my level. Please work with Harriet Cole, our Plant "
        "Engineering Manager, at harriet.cole@acme-corp.com; she owns the budget.",
    ],
)
def test_a_referral_written_plainly_is_read(body: str) -> None:
    found = understand(parse_message(_msg(body)), today=TODAY)
    assert found.intent == "wrong_person"
    assert [e.email for e in found.events if e.type == "referral"] == ["harriet.cole@acme-corp.com"]


def test_back_on_a_day_and_a_line_then_is_a_pause_to_that_day() -> None:
    _, _, events = classify_intent(
        "Honestly there's no point talking before the new year. We're all back on Monday "
        "11 January, drop me a line then and we'll sort a date for the survey.",
        date(2026, 11, 27),
    )
    assert [(e.type, e.date) for e in events] == [("come_back_later", date(2027, 1, 11))]


def test_an_offer_lying_with_management_is_no_referral() -> None:
    raw = _msg(
        "danke für das Angebot, das schaut gut aus und liegt jetzt bei der Geschäftsführung. "
        "Wie lange ist die Lieferzeit für die ca. 200 Sensoren?"
    )
    assert understand(parse_message(raw), today=TODAY).intent != "wrong_person"


def test_a_signature_address_is_no_referral_when_the_lead_refers_nobody() -> None:
    raw = _msg("Thanks, useful.\r\n\r\n--\r\nJane\r\nAssistant: tom@acme-corp.com\r\n")
    assert not [e for e in understand(parse_message(raw), today=TODAY).events]


def test_a_period_that_runs_through_a_month_pauses_to_its_end() -> None:
    _, _, events = classify_intent(
        "Danach kommt die Inventur, die sich erfahrungsgemäß durch den ganzen Januar zieht."
        " Melden Sie sich gern wieder, wenn die durch ist.",
        date(2026, 11, 26),
    )
    assert [(e.type, e.date) for e in events] == [("come_back_later", date(2027, 1, 31))]


@pytest.mark.parametrize(
    "text",
    [
        "We're commissioning the new line and I won't look at anything new until that's done,"
        " end of Q2 realistically.",
        "Ping me then.",
    ],
)
def test_putting_off_anything_new_until_a_date_is_not_now(text: str) -> None:
    assert classify_intent(text, TODAY)[0] == "not_now"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "We're not interested in batteries at this stage, just panels.\n"
            "- roughly what would a system that size cost us to buy?",
            "question",
        ),
        ("Not interested in this, thanks. Why did you email me?", "not_interested"),
        (
            "Our finance team models everything over 25 years and they've come back with "
            "questions I can't answer. What warranties come with the panels?",
            "question",
        ),
    ],
)
def test_declining_one_part_or_coming_back_with_questions_is_no_refusal_or_pause(
    text: str, intent: str
) -> None:
    found, _, events = classify_intent(text, TODAY)
    assert found == intent
    assert not [e for e in events if e.type == "come_back_later"]


def test_a_date_years_away_is_no_time_to_come_back() -> None:
    _, _, events = classify_intent("Not now. We plan over 25 years, check back later.", TODAY)
    assert [e.date for e in events if e.type == "come_back_later"] == [None]


_CUES = (
    "meeting",
    "wrong_person",
    "not_now",
    "not_interested",
    "interested",
    "budget",
    "partial_refusal",
    "scope",
    "leadership",
    "colleague",
)


@pytest.mark.parametrize("cue", _CUES)
def test_every_alternative_of_a_cue_opens_at_a_word_boundary(cue: str) -> None:
    """Every language's alternatives of a cue are searched as one pattern; when each opens
    with \\b the regular-expression engine tries them only where a word starts. One that
    opened with ^ made the whole "not now" search ten times slower."""
    assert all(pattern.startswith(r"\b") for pattern in entries(f"intent.{cue}"))


@pytest.mark.parametrize(
    ("text", "paused"),
    [
        ("We are closed over the holidays. Ping me then.", True),
        ("Ping me then.\nWe are closed until March.", True),
        ("I'll ping you then about the pilot.", False),
    ],
)
def test_ping_me_then_opens_its_sentence_wherever_the_sentence_is(text: str, paused: bool) -> None:
    _, _, events = classify_intent(text, TODAY)
    assert any(e.type == "come_back_later" for e in events) is paused


def test_a_colleague_to_leave_out_is_no_referral_whatever_dots_their_name_has() -> None:
    text = (
        "I'm not the right person: Marta Lind (marta@northwind.test) decides. Please don't "
        "copy J. Berg (j.berg@northwind.test), he is away."
    )
    _, _, events = classify_intent(text, TODAY)
    assert [e.email for e in events if e.type == "referral"] == ["marta@northwind.test"]
