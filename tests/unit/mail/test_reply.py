"""new_text on reply shapes beyond the corpus: other clients, languages and signatures."""

from __future__ import annotations

import pytest

from assistant.mail.reply import new_text

CASES = [
    (
        "outlook_original_message",
        (
            "Hi Mark,\n"
            "\n"
            "We'd like to see pricing for 60 seats.\n"
            "\n"
            "Regards,\n"
            "Kevin O'Brien\n"
            "IT Director | Harbor Dental Group\n"
            "Direct: 617-555-0134\n"
            "\n"
            "-----Original Message-----\n"
            "From: Mark Keller <mark.keller@lumenrise.io>\n"
            "Sent: Monday, March 3, 2025 10:15 AM\n"
            "To: Kevin O'Brien <kobrien@harbordental.com>\n"
            "Subject: Pipeline Benchmark\n"
            "\n"
            "Hi Kevin, would it help to compare notes?\n"
        ),
        ("pricing for 60 seats",),
        ("compare notes", "IT Director", "617-555"),
    ),
    (
        "zimbra_original",
        (
            "Sure, Thursday 2pm works.\n"
            "\n"
            "----- Original Message -----\n"
            'From: "Mark Keller" <mark.keller@lumenrise.io>\n'
            'To: "Ann Lee" <ann@lee-law.com>\n'
            "Sent: Monday, March 3, 2025 10:15:00 AM\n"
            "Subject: quick call?\n"
            "\n"
            "Are you free Thursday?\n"
        ),
        ("Thursday 2pm works",),
        ("Are you free",),
    ),
    (
        "outlook_mac",
        (
            "Thanks, I'll review it with the team.\n"
            "\n"
            "From: Mark Keller <mark.keller@lumenrise.io>\n"
            "Date: Monday, March 3, 2025 at 10:15 AM\n"
            "To: Dana White <dana@whiteco.com>\n"
            "Subject: Your copy\n"
            "\n"
            "Hi Dana, here's the case study.\n"
        ),
        ("review it with the team",),
        ("here's the case study",),
    ),
    (
        "outlook_mac_attribution",
        (
            "Sounds good to me.\n"
            "\n"
            'On 3/3/25, 10:15 AM, "Mark Keller" <mark.keller@lumenrise.io> wrote:\n'
            "\n"
            "    Hi Sam, shall we talk next week?\n"
        ),
        ("Sounds good",),
        ("shall we talk",),
    ),
    (
        "thunderbird_fr",
        (
            "Bonjour,\n"
            "\n"
            "Merci, je transmets à mon équipe.\n"
            "\n"
            "Le 03/03/2025 à 10:15, Mark Keller a écrit :\n"
            "> Bonjour, voici le guide.\n"
        ),
        ("je transmets",),
        ("voici le guide",),
    ),
    (
        "gmail_no_sig_delim",
        (
            "Not right now, thanks.\n"
            "\n"
            "On Mon, Mar 3, 2025 at 10:15 AM Mark Keller <\n"
            "mark.keller@lumenrise.io> wrote:\n"
            "\n"
            "> Hi, following up on my note.\n"
        ),
        ("Not right now",),
        ("following up on my note",),
    ),
    (
        "sent_from_ipad",
        (
            "Yes please send it.\n"
            "\n"
            "Sent from my iPad\n"
            "\n"
            "> On Mar 3, 2025, at 10:15, Mark Keller <mark.keller@lumenrise.io> wrote:\n"
            "> \n"
            "> Want the deck?\n"
        ),
        ("Yes please send it",),
        ("Sent from my iPad", "Want the deck"),
    ),
    (
        "mail_for_windows",
        (
            "Please call me tomorrow.\n"
            "\n"
            "Sent from Mail for Windows\n"
            "\n"
            "From: Mark Keller\n"
            "Sent: Monday, March 3, 2025 10:15\n"
            "To: Raj Patel\n"
            "Subject: follow up\n"
            "\n"
            "Hi Raj\n"
        ),
        ("Please call me tomorrow",),
        ("Sent from Mail", "Hi Raj"),
    ),
    (
        "double_dash_sig",
        (
            "Can you share a reference customer in healthcare?\n"
            "\n"
            "--\n"
            "Maria Gomez\n"
            "VP Operations, Sunrise Clinics\n"
            "(555) 010-7788\n"
        ),
        ("reference customer",),
        ("VP Operations", "010-7788"),
    ),
    (
        "inline_answers",
        (
            "Hi Mark, answers inline.\n"
            "\n"
            "> How many reps do you have?\n"
            "45 in the US, 12 in Canada.\n"
            "\n"
            "> Which CRM?\n"
            "Dynamics.\n"
            "\n"
            "Thanks\n"
            "Leo\n"
        ),
        ("45 in the US", "Dynamics."),
        ("How many reps", "Which CRM"),
    ),
    (
        "german_freundliche",
        (
            "Guten Tag Frau Vogel,\n"
            "\n"
            "danke, wir melden uns im April.\n"
            "\n"
            "Freundliche Grüße\n"
            "Martin Kaiser\n"
            "Kaiser Logistik GmbH\n"
            "Hauptstr. 5, 80331 München\n"
            "\n"
            "Von: Katrin Vogel [mailto:katrin.vogel@lumenrise.io]\n"
            "Gesendet: Montag, 3. März 2025 10:15\n"
            "An: Martin Kaiser\n"
            "Betreff: Leitfaden\n"
            "\n"
            "Hallo Herr Kaiser,\n"
        ),
        ("wir melden uns im April",),
        ("Hauptstr.", "Hallo Herr Kaiser"),
    ),
    (
        "spanish_gmail_wrapped",
        (
            "Perfecto, hablamos el jueves.\n"
            "\n"
            "El lun, 3 mar 2025 a las 10:15, Elena Ortiz (<elena.ortiz@lumenrise.io>)\n"
            "escribió:\n"
            "\n"
            "> Hola, ¿hablamos?\n"
        ),
        ("hablamos el jueves",),
        ("Hola, ¿hablamos?",),
    ),
    (
        "italian_outlook",
        (
            "Va bene, grazie.\n"
            "\n"
            "Da: Elena Ortiz <elena.ortiz@lumenrise.io>\n"
            "Inviato: lunedì 3 marzo 2025 10:15\n"
            "A: Paolo Ferri <p.ferri@ferri.it>\n"
            "Oggetto: Report\n"
            "\n"
            "Ciao Paolo,\n"
        ),
        ("Va bene",),
        ("Ciao Paolo",),
    ),
    (
        "portuguese_gmail",
        (
            "Combinado, obrigado!\n"
            "\n"
            "Em seg., 3 de mar. de 2025 às 10:15, Elena Ortiz <elena.ortiz@lumenrise.io>\n"
            "escreveu:\n"
            "\n"
            "> Olá, podemos conversar?\n"
        ),
        ("Combinado",),
        ("podemos conversar",),
    ),
    (
        "dutch_outlook",
        (
            "Prima, tot dan.\n"
            "\n"
            "Van: Mark Keller <mark.keller@lumenrise.io>\n"
            "Verzonden: maandag 3 maart 2025 10:15\n"
            "Aan: Joris Smit <j.smit@smit.nl>\n"
            "Onderwerp: Afspraak\n"
            "\n"
            "Hoi Joris,\n"
        ),
        ("Prima, tot dan",),
        ("Hoi Joris",),
    ),
    (
        "swedish_gmail",
        (
            "Låter bra, vi hörs.\n"
            "\n"
            "Den mån 3 mars 2025 kl 10:15 skrev Johan Berg <johan.berg@lumenrise.io>:\n"
            "\n"
            "> Hej, ska vi ses?\n"
        ),
        ("Låter bra",),
        ("ska vi ses",),
    ),
    (
        "norwegian",
        (
            "Det passer fint.\n"
            "\n"
            "man. 3. mar. 2025 kl. 10:15 skrev Johan Berg <johan.berg@lumenrise.io>:\n"
            "\n"
            "> Hei, passer torsdag?\n"
        ),
        ("Det passer fint",),
        ("passer torsdag",),
    ),
    (
        "signoff_cheers_name",
        (
            "Love it. Send the contract over.\n"
            "\n"
            "Cheers,\n"
            "Ted\n"
            "\n"
            "On Mon, 3 Mar 2025 at 10:15, Mark Keller <mark.keller@lumenrise.io> wrote:\n"
            "> Here's the proposal.\n"
        ),
        ("Send the contract over",),
        ("Cheers", "Here's the proposal"),
    ),
    (
        "thanks_not_signoff",
        ("Thanks\n\nI forwarded this to our CFO, she'll reach out next week.\n\nJen\n"),
        ("forwarded this to our CFO",),
        (),
    ),
    (
        "best_regards_long_tail",
        (
            "Let's do Tuesday.\n"
            "\n"
            "Best regards,\n"
            "Nina Novak\n"
            "Head of Revenue Operations\n"
            "Novak & Partners d.o.o.\n"
            "Trg republike 3, 1000 Ljubljana\n"
            "M +386 40 555 123\n"
            "www.novak-partners.si\n"
        ),
        ("Let's do Tuesday",),
        ("Head of Revenue", "Trg republike"),
    ),
    (
        "disclaimer_no_signoff",
        (
            "Please hold until after our audit in May.\n"
            "\n"
            "This email and any files transmitted with it are confidential and inte"
            "nded solely for the use of the individual to whom they are addressed.\n"
        ),
        ("hold until after our audit",),
        ("confidential and intended",),
    ),
    (
        "forward_with_note",
        (
            "Mark - looping in Carla who owns this.\n"
            "\n"
            "---------- Forwarded message ---------\n"
            "From: Mark Keller <mark.keller@lumenrise.io>\n"
            "Date: Mon, Mar 3, 2025 at 10:15 AM\n"
            "Subject: Benchmark\n"
            "To: <pat@acme.com>\n"
            "\n"
            "Hi Pat,\n"
        ),
        ("looping in Carla",),
        ("Hi Pat",),
    ),
    (
        "apple_begin_forwarded",
        (
            "FYI see below.\n"
            "\n"
            "Begin forwarded message:\n"
            "\n"
            "From: Mark Keller <mark.keller@lumenrise.io>\n"
            "Subject: Benchmark\n"
            "Date: 3 March 2025 at 10:15:00 GMT+1\n"
            "To: Pat <pat@acme.com>\n"
            "\n"
            "Hi Pat,\n"
        ),
        ("FYI see below",),
        ("Hi Pat",),
    ),
    (
        "bottom_post",
        (
            "On Mon, 3 Mar 2025 at 10:15, Mark Keller <mark.keller@lumenrise.io> wrote:\n"
            "> Would a demo help?\n"
            "\n"
            "Yes, a demo would help. Next Wednesday?\n"
            "\n"
            "Al\n"
        ),
        ("a demo would help",),
        ("Would a demo help?",),
    ),
    (
        "yahoo_dashes",
        (
            "I'll pass, thank you.\n"
            "\n"
            "    On Monday, March 3, 2025, 10:15:00 AM GMT+1, Mark Keller <mark.kel"
            "ler@lumenrise.io> wrote:  \n"
            " \n"
            " Hi there, checking in.\n"
        ),
        ("I'll pass",),
        ("checking in",),
    ),
    (
        "underscore_rule_outlook_web",
        (
            "Agreed.\n"
            "\n"
            "________________________________\n"
            "From: Mark Keller <mark.keller@lumenrise.io>\n"
            "Sent: Monday, March 3, 2025 10:15 AM\n"
            "To: Bo Lind <bo@lind.se>\n"
            "Subject: Proposal\n"
            "\n"
            "Hi Bo,\n"
        ),
        ("Agreed",),
        ("Hi Bo", "________"),
    ),
    (
        "sig_image_placeholder",
        (
            "Works for me.\n"
            "\n"
            "[cid:image001.png@01DB8C1A.5F0B7D40]\n"
            "Tom Reyes | Sales Manager\n"
            "\n"
            "From: Mark Keller <mark.keller@lumenrise.io>\n"
            "Sent: Monday, March 3, 2025 10:15 AM\n"
            "To: Tom Reyes\n"
            "Subject: Call\n"
            "\n"
            "Tuesday?\n"
        ),
        ("Works for me",),
        ("cid:image001", "Tuesday?"),
    ),
    (
        "french_envoye_iphone",
        (
            "Oui, avec plaisir.\n"
            "\n"
            "Envoyé de mon iPhone\n"
            "\n"
            "> Le 3 mars 2025 à 10:15, Mark Keller <mark.keller@lumenrise.io> a écrit :\n"
            "> \n"
            "> On en parle ?\n"
        ),
        ("avec plaisir",),
        ("Envoyé de mon iPhone", "On en parle"),
    ),
    (
        "german_outlook_original",
        (
            "Passt, danke.\n"
            "\n"
            "-----Ursprüngliche Nachricht-----\n"
            "Von: Katrin Vogel <katrin.vogel@lumenrise.io>\n"
            "Gesendet: Montag, 3. März 2025 10:15\n"
            "An: Uwe Brandt <u.brandt@brandt.de>\n"
            "Betreff: Termin\n"
            "\n"
            "Hallo Herr Brandt,\n"
        ),
        ("Passt, danke",),
        ("Hallo Herr Brandt", "Ursprüngliche"),
    ),
    (
        "get_outlook_android",
        (
            "Ok, let's talk Friday.\n"
            "\n"
            "Get Outlook for Android<https://aka.ms/AAb9ysg>\n"
            "________________________________\n"
            "From: Mark Keller <mark.keller@lumenrise.io>\n"
            "Sent: Monday, March 3, 2025 10:15:00 AM\n"
            "To: Gil Roth <gil@roth.io>\n"
            "Subject: Re: demo\n"
            "\n"
            "Friday?\n"
        ),
        ("let's talk Friday",),
        ("Get Outlook", "Friday?"),
    ),
]


@pytest.mark.parametrize(("name", "body", "kept", "dropped"), CASES, ids=[c[0] for c in CASES])
def test_new_text_keeps_the_reply_and_drops_history_and_signature(
    name: str, body: str, kept: tuple[str, ...], dropped: tuple[str, ...]
) -> None:
    text = new_text(body)
    for part in kept:
        assert part in text, name
    for part in dropped:
        assert part not in text, name


def test_crlf_and_cr_line_ends_are_handled() -> None:
    body = "Yes.\r\n\r\nOn Mon, 3 Mar 2025 at 10:15, A <a@b.c> wrote:\r\n> old\r\n"
    assert new_text(body) == "Yes."
    assert new_text(body.replace("\r\n", "\r")) == "Yes."


def test_a_reply_that_is_only_quoted_history_is_empty() -> None:
    assert new_text("On Mon, 3 Mar 2025 at 10:15, A <a@b.c> wrote:\n> old\n> text\n") == ""


def test_a_sentence_ending_in_wrote_is_not_an_attribution() -> None:
    body = "Here is what my manager wrote:\nWe need SSO first.\n"
    assert "We need SSO first." in new_text(body)
