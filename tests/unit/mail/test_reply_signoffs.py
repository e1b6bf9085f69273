"""Closings, sign-offs, device lines, forwards and quote headers in many languages."""

from __future__ import annotations

import pytest

from assistant.mail.reply import new_text

QUOTE = "\n\nOn Tue, Jan 7, 2025 at 9:00 AM Rep <rep@ours.example> wrote:\n> Would a demo help?\n"
CLOSINGS = [
    "Hilsen",
    "Mvh",
    "Venlig hilsen",
    "Venlige hilsner",
    "Med vennlig hilsen",
    "Hälsningar,",
    "Med vänlig hälsning",
    "Vänliga hälsningar",
    "Üdvözlettel:",
    "Udvozlettel,",
    "Terveisin",
    "Ystävällisin terveisin",
    "Kiitos ja terveisin",
    "Groeten",
    "Groetjes",
    "Met vriendelijke groet",
    "Met vriendelijke groeten,",
    "Met vriendelijke groet / Kind regards,",
    "Pozdrawiam",
    "Pozdrawiam serdecznie",
    "S pozdravem,",
    "Cu stimă,",
    "Με εκτίμηση,",
    "Saygılarımla.",
    "İyi çalışmalar,",
    "С уважением,",
    "Спасибо!",
    "以上、よろしくお願いいたします。",
    "よろしくお願いします",
    "以上です。",
    "谢谢",
    "此致",
    "Danke und Gruß",
    "Vielen Dank und viele Grüße",
    "Beste Grüße aus Berlin",
    "Thanks & regards",
    "Thank you and best regards,",
    "Kindest regards,",
    "Yours faithfully,",
    "Un cordial saludo",
    "Tschüss",
    "Lp,",
    "S poštovanjem,",
]


@pytest.mark.parametrize("closing", CLOSINGS)
def test_a_closing_and_the_name_under_it_are_cut(closing: str) -> None:
    body = f"Thursday works for us.\n\n{closing}\nAlex Smith{QUOTE}"
    assert new_text(body) == "Thursday works for us."


@pytest.mark.parametrize("closing", ["Hilsen", "Mvh,", "Pozdrawiam", "С уважением"])
def test_a_closing_with_no_name_under_it_is_cut(closing: str) -> None:
    assert new_text(f"Thursday works for us.\n\n{closing}{QUOTE}") == "Thursday works for us."


@pytest.mark.parametrize(
    "sentence",
    [
        "Hilsen fra Oslo, vi ses på messen i morgen.",
        "Groeten uit Amsterdam en tot morgen op de beurs.",
        "Thanks for the demo, it helped a lot with the budget.",
        "Regards to the team and see you at the fair.",
    ],
)
def test_a_sentence_starting_with_a_closing_word_is_kept(sentence: str) -> None:
    body = f"Short note first.\n\n{sentence}{QUOTE}"
    assert new_text(body) == f"Short note first.\n\n{sentence}"


@pytest.mark.parametrize("signoff", ["-Maarten de Jong", "/B", "– J", "—Sam", "-- Jo", "- JD"])
def test_a_dash_or_slash_and_a_name_is_a_sign_off(signoff: str) -> None:
    assert new_text(f"Sounds good, Tuesday it is.\n\n{signoff}{QUOTE}") == (
        "Sounds good, Tuesday it is."
    )


def test_the_last_item_of_a_list_is_not_a_sign_off() -> None:
    body = f"We need three things:\n- Pricing\n- Security review\n- SSO{QUOTE}"
    assert new_text(body) == "We need three things:\n- Pricing\n- Security review\n- SSO"


@pytest.mark.parametrize(
    "tag",
    [
        "Sent from my iPhone",
        "Sent from my iPhone, please excuse typos",
        "Sent from Outlook for Android",
        "Sent from Yahoo Mail on Android",
        "Sent from a magnificent torch of pixels",
        "Gesendet von meinem iPad",
    ],
)
def test_a_device_tag_is_cut(tag: str) -> None:
    assert new_text(f"Yes please.\n\n{tag}{QUOTE}") == "Yes please."


def test_a_sentence_about_where_it_was_sent_from_is_kept() -> None:
    body = f"Sent from my desk, is much easier than my mobile phone.\n\nTry it.{QUOTE}"
    assert new_text(body) == ("Sent from my desk, is much easier than my mobile phone.\n\nTry it.")


@pytest.mark.parametrize(
    "separator",
    [
        "-------- Пересылаемое сообщение --------",
        "-------- Перенаправленное сообщение --------",
        "---------- Forwarded message ---------",
        "----- Forwarded Message -----",
        "Original Message processed by david®",
    ],
)
def test_a_forwarded_block_is_cut(separator: str) -> None:
    body = f"Please have a look.\n\n{separator}\n07.01.2025, 09:00, Rep <rep@ours.example>:\n\nold"
    assert new_text(body) == "Please have a look."


def test_a_message_that_is_only_a_forward_has_no_new_text() -> None:
    body = (
        "---------- Forwarded message ---------\nFrom: Rep <rep@ours.example>\n"
        "Date: Tue, Jan 7, 2025 at 9:00 AM\nSubject: Demo\nTo: <lee@corp.example>\n\nold\n"
    )
    assert new_text(body) == ""


@pytest.mark.parametrize("gap", ["\t", "        "])
def test_a_notes_header_block_without_colons_is_cut(gap: str) -> None:
    body = (
        f"Bitte rufen Sie mich an.\n\nVon{gap}Rep <rep@ours.example>\nAn{gap}hans@firma.de\n"
        f"Datum{gap}07.01.2025 09:00\nBetreff{gap}Demo\n\nold"
    )
    assert new_text(body) == "Bitte rufen Sie mich an."


ANSWER = "Yes, Thursday works."
QUOTED_HISTORY = [
    "Rep <rep@ours.example> ezt írta (időpont: 2025. jan. 7., K, 9:00):\n> hi",
    "Feladó: Rep <rep@ours.example>\nElküldve: 2025. január 7. 9:00\n"
    "Címzett: Peter <p@ceg.hu>\nTárgy: Demo\n\nhi",
    "De la: Rep <rep@ours.example>\nTrimis: marți, 7 ianuarie 2025 09:00\n"
    "Către: Ion <ion@firma.ro>\nSubiect: Demo\n\nhi",
    "Από: Rep <rep@ours.example>\nΣτάλθηκε: Τρίτη, 7 Ιανουαρίου 2025 9:00 πμ\n"
    "Προς: Γιώργος <g@x.gr>\nΘέμα: Demo\n\nhi",
    "Kimden: Rep <rep@ours.example>\nGönderildi: 7 Ocak 2025 Salı 09:00\n"
    "Kime: Ahmet <a@x.com.tr>\nKonu: Demo\n\nhi",
    "Šalje: Rep <rep@ours.example>\nPoslano: utorak, 7. siječnja 2025. 09:00\n"
    "Prima: Ivan <i@x.hr>\nPredmet: Demo\n\nhi",
    "Dana 7. 1. 2025. u 09:00, Rep <rep@ours.example> je napisao:\n> hi",
    "Vào Th 3, 7 thg 1, 2025 vào lúc 09:00 Rep <rep@ours.example> đã viết:\n> hi",
    "Pada tanggal Sel, 7 Jan 2025 pukul 09.00 Rep <rep@ours.example> menulis:\n> hi",
    "Вторник, 7 января 2025, 9:00 +03:00 от Rep <rep@ours.example>:\n\n> hi",
]


@pytest.mark.parametrize("history", QUOTED_HISTORY)
def test_quoted_history_in_more_languages_is_cut(history: str) -> None:
    assert new_text(f"{ANSWER}\n\n{history}\n") == ANSWER


def test_a_long_business_card_under_a_closing_is_cut() -> None:
    card = (
        "John Doe\nSales Manager\nACME Corp\nMain Street 1\n12345 Springfield\nUSA\n"
        "Tel: +1 555 123 4567\nFax: +1 555 123 4568\nMobile: +1 555 999 0000\n"
        "www.acme.example\njohn@acme.example\nACME Corp is registered in Delaware"
    )
    assert new_text(f"Thursday works for us.\n\nBest regards,\n\n{card}{QUOTE}") == (
        "Thursday works for us."
    )


def test_a_closing_word_above_a_long_text_is_not_a_sign_off() -> None:
    body = "Thanks\n\n" + "\n".join(f"Point {n} is still open for us" for n in range(12))
    assert new_text(f"Quick notes.\n\n{body}{QUOTE}") == f"Quick notes.\n\n{body}"


def test_a_closing_phrase_above_a_dash_and_a_name_is_cut_too() -> None:
    body = f"The import worked on the second try.\n\nOnward and upward,\n\n-Priya{QUOTE}"
    assert new_text(body) == "The import worked on the second try."


def test_a_dash_and_a_name_keep_a_link_above_them() -> None:
    body = f"The spec is here:\n\nhttps://specs.example.org/v2\n\n-Priya{QUOTE}"
    assert new_text(body) == "The spec is here:\n\nhttps://specs.example.org/v2"


def test_a_dash_and_a_name_with_a_company_line_under_it_are_cut() -> None:
    body = f"Approved from our side.\n--Tomasz Wierzbicki\nNORTHFIELD LOGISTICS, LLC{QUOTE}"
    assert new_text(body) == "Approved from our side."


def test_a_list_of_names_is_not_a_sign_off_with_a_card() -> None:
    body = f"Attendees so far:\n- Alice\n- Bob\n- Carol{QUOTE}"
    assert new_text(body) == "Attendees so far:\n- Alice\n- Bob\n- Carol"


@pytest.mark.parametrize(
    "postscript",
    [
        "PS. The invoice went out yesterday.",
        "P.S. The invoice went out yesterday.",
        "PS: the invoice went out yesterday.",
        "[1] The invoice went out yesterday.",
    ],
)
def test_a_postscript_under_the_sign_off_is_kept_and_the_sign_off_goes(postscript: str) -> None:
    for closing in ("-Dana", "Best regards,\nDana Whitfield"):
        body = f"Friday works for us.\n\n{closing}\n\n{postscript}{QUOTE}"
        assert new_text(body) == f"Friday works for us.\n\n{postscript}", closing


def test_a_postscript_with_no_sign_off_above_it_is_left_as_it_is() -> None:
    body = f"Friday works for us.\n\nPS. Bring the floor plans.{QUOTE}"
    assert new_text(body) == "Friday works for us.\n\nPS. Bring the floor plans."


@pytest.mark.parametrize("closing", ["Mfg jens", "Thanks everyone", "Adios ...", "Cheers mate"])
def test_a_closing_with_a_bare_word_after_it_is_cut(closing: str) -> None:
    body = f"We will sign next week.\n\n{closing}{QUOTE}"
    assert new_text(body) == "We will sign next week."


@pytest.mark.parametrize(
    "banner",
    [
        "[EXTERNAL]",
        "[External Email]",
        "*EXTERNAL EMAIL*",
        "[EXTERN]",
        "CAUTION: This email originated from outside of the organization. Do not click links\n"
        "or open attachments unless you recognize the sender and know the content is safe.",
        "You don't often get email from lea@partner.example. Learn why this is important",
        "ACHTUNG: Diese E-Mail stammt von außerhalb der Organisation. Klicken Sie nicht auf Links.",
        "ATTENTION : Ce courriel provient de l'extérieur de l'organisation.",
        "PRECAUCIÓN: Este correo electrónico se originó fuera de la organización.",
        "[EXTERNAL]\nCAUTION: This email originated from outside your organisation.",
    ],
)
def test_an_external_sender_banner_above_the_text_is_not_the_sender_s_text(banner: str) -> None:
    body = f"{banner}\n\nHi Ana,\n\nThe pilot can start in March.{QUOTE}"
    assert new_text(body) == "Hi Ana,\n\nThe pilot can start in March."


def test_a_message_that_says_external_in_a_sentence_keeps_it() -> None:
    body = f"External auditors need read access.\n\nCan you set that up?{QUOTE}"
    assert new_text(body) == "External auditors need read access.\n\nCan you set that up?"


def test_a_body_of_nothing_but_banners_has_no_new_text_and_no_deep_recursion() -> None:
    assert new_text("[EXTERNAL]\n" * 50_000) == ""
