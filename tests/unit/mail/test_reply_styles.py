"""Quoting styles and absence notices the real-mail set has too few of, one promise each."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.mail.classify import classify_bytes
from assistant.mail.reply import new_text

STYLES = [
    (
        "mac_outlook_header_with_a_wrapped_field",
        "Tuesday is fine.\n\n"
        "From:  Priya Raman <notifications@vendor.example>\n"
        "Reply-To:  Priya Raman via Vendor Notifications\n"
        "<notifications+d1ade2a36efcc9ebec8c2ab65ee5252a142e75c0@vend\n"
        "or.example>\n"
        "Date:  Monday, 4 August 2025 at 11:58\n"
        "To:  <ops@buyer.example>\n"
        "Subject:  Demo times\n\nWould Tuesday work?",
        "Tuesday is fine.",
    ),
    (
        "notes_forwarded_by_line_wrapped_before_its_dashes",
        "Please see the draft below.\n\n"
        "---------------------- Forwarded by Dana Whit/OPS/Northfield on 04/03/2025\n"
        "01:19 PM ---------------------------\n\n"
        '"Roe, Jane" <jane@xyz.example> on 04/03/2025 10:18:00 AM\n'
        "To: dana@northfield.example\n\nThe old text.",
        "Please see the draft below.",
    ),
    (
        "sup_excerpts_attribution",
        "Excerpts from Sam Lee's message of Thu Oct 15 10:23:40 -0700 2025:\n"
        "> Can you run it on 40 sites?\n\nYes, and on more.\n\n"
        "> And the price?\n\nSee the page I linked.",
        "Yes, and on more.\n\nSee the page I linked.",
    ),
    (
        "notes_html_header_table_as_text",
        "Geht klar, Donnerstag passt.\n"
        "Jana Krüger --- Angebot Wartung ---\n"
        'Von: "Jana Krüger" <jana@anbieter.example>\n'
        "An kunde@firma.example\n"
        "Datum: Di., 04.03.2025 09:00\n"
        "Betreff Angebot Wartung\n"
        "Hallo,\n\nanbei das Angebot.",
        "Geht klar, Donnerstag passt.",
    ),
    (
        "lotus_notes_forwarded_by",
        "Please see below.\n\n----- Forwarded by John Doe/ACME on 03/04/2025 10:15 AM -----\n\n"
        "From:\tJane Roe/XYZ@XYZ\nTo:\tJohn Doe/ACME@ACME\nDate:\t03/04/2025 09:00 AM\n"
        "Subject:\tdemo\n\nThe old text.",
        "Please see below.",
    ),
    (
        "lotus_notes_wrote_on",
        "Yes, Tuesday works.\n\nJohn Doe/ACME wrote on 03/04/2025 10:15:00 AM:\n\n> Can we meet?",
        "Yes, Tuesday works.",
    ),
    (
        "gmail_japanese_no_verb",
        "Thanks, that works.\n\n"
        "2020年4月3日(金) 12:32 Someone <someone@example.com>:\n\n> Lets see",
        "Thanks, that works.",
    ),
    (
        "gmail_chinese",
        "好的，谢谢。\n\n"
        "Someone <someone@example.com> 于2020年4月3日周五 下午12:32写道：\n\n> Lets see",
        "好的，谢谢。",
    ),
    (
        "outlook_japanese_header_block",
        "OK\n\n差出人: Taro <taro@example.jp>\n"
        "送信日時: 2020年4月3日 12:32\n宛先: Hanako\n件名: test\n\nold",
        "OK",
    ),
    (
        "mobile_without_my",
        "Yes, Tuesday works.\n\nSent from Samsung Mobile\n",
        "Yes, Tuesday works.",
    ),
    (
        "a_sentence_saying_sent_from",
        "We sent from the office a new order. It shipped.\n",
        "We sent from the office a new order. It shipped.",
    ),
    (
        "polish_outlook_with_closing",
        "Dzień dobry,\n\nproszę o ofertę.\n\nPozdrawiam\nJan Kowalski\n\n"
        "Od: Ana <ana@acme.test>\nWysłano: poniedziałek, 3 marca 2025 10:15\nDo: Jan\n"
        "Temat: demo\n\nold",
        "Dzień dobry,\n\nproszę o ofertę.",
    ),
    (
        "czech_gmail_with_closing",
        "Dobrý den,\n\nděkuji za nabídku.\n\nS pozdravem\nPetr\n\n"
        "po 3. 3. 2025 v 10:15 odesílatel Ana <ana@acme.test> napsal:\n\n> old",
        "Dobrý den,\n\nděkuji za nabídku.",
    ),
    (
        "inline_answer_is_not_a_name",
        "Hi Mark, answers inline.\n\n> Which CRM?\nDynamics.\n",
        "Hi Mark, answers inline.\n\nDynamics.",
    ),
]


@pytest.mark.parametrize(("name", "body", "expected"), STYLES, ids=[s[0] for s in STYLES])
def test_the_new_text_of_each_style(name: str, body: str, expected: str) -> None:
    assert new_text(body) == expected, name


def _mail(headers: str, body: str) -> bytes:
    head = "From: Lea Roth <lea@partner.example>\r\nTo: ana@acme.test\r\nSubject: Re: demo\r\n"
    return (head + headers + "\r\n" + body).encode()


def test_a_vacation_program_is_known_by_its_mailer_header() -> None:
    raw = _mail("X-Mailer: vacation 1.2\r\n", "Back next week.\r\n")
    assert classify_bytes(raw, today=date(2025, 1, 1))["kind"] == "auto_reply"


def test_an_absence_notice_without_headers_is_known_by_its_first_lines() -> None:
    raw = _mail("", "I am out of the office until 14 January 2025 with limited access.\r\n")
    got = classify_bytes(raw, today=date(2025, 1, 1))
    assert got["kind"] == "auto_reply" and got["return_date"] == "2025-01-15"


def test_a_person_mentioning_a_trip_is_still_a_person() -> None:
    for body in (
        "The office team liked the demo. Can we talk on Friday?\r\n",
        "I'm travelling this week but happy to chat on Monday.\r\n",
    ):
        raw = _mail("", body)
        assert classify_bytes(raw, today=date(2025, 1, 1))["kind"] == "human", body


@pytest.mark.parametrize(
    "body",
    [
        "Thanks, I've registered. I'm on annual leave from the 14th of December until after "
        "the new year. Could you drop me a line on Monday 11 January?\r\n",
        "Danke! Ich bin ab dem 14. Dezember bis zum 6. Januar nicht im Büro und ab dem 7. "
        "Januar wieder erreichbar.\r\n",
        "Merci ! Je suis absente à partir du 14 décembre, retour le 6 janvier.\r\n",
    ],
)
def test_leave_that_starts_later_is_a_person_writing_and_during_it_a_notice(body: str) -> None:
    raw = _mail("", body)
    before = classify_bytes(raw, today=date(2026, 11, 26))
    during = classify_bytes(raw, today=date(2026, 12, 20))
    assert (before["kind"], during["kind"]) == ("human", "auto_reply")


def test_a_read_receipt_is_machine_mail_not_a_reply() -> None:
    raw = _mail(
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"\r\n'
        "MIME-Version: 1.0\r\n",
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message was read on 4 March 2025.\r\n"
        "--b\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Final-Recipient: rfc822;lea@partner.example\r\n"
        "Disposition: automatic-action/MDN-sent-automatically; displayed\r\n--b--\r\n",
    )
    assert classify_bytes(raw, today=date(2025, 3, 4))["kind"] == "auto_reply"
