"""Machine mail of the golden corpus: out-of-office replies, bulk mail and bounces."""

# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from _mailgen import VENDOR, Mail, at, date_header, qp, received, token

REP = ("Mark Keller", f"mark.keller@{VENDOR}")


def machine(kind: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": kind,
        "intent": None,
        "events": [],
        "opt_out": False,
        "return_date": None,
        "bounce": None,
        "reply_contains": [],
        "reply_excludes": [],
        "event_details": [],
    }
    base.update(fields)
    return base


def our_id(seed: str) -> str:
    return f"<20250303{token(seed, 6, True)}.{token(seed + 'm', 10)}@{VENDOR}>"


# name, language, sender, day, subject, headers, body, expected return date
OOO: list[tuple[str, str, tuple[str, str], str, str, list[tuple[str, str]], str, str | None]] = [
    (
        "ooo_en_exchange",
        "en",
        ("Tom Becker", "tom.becker@acme-corp.com"),
        "2025-03-04",
        "Automatic reply: Your copy of the 2025 Pipeline Benchmark",
        [
            ("Auto-Submitted", "auto-replied"),
            ("X-MS-Exchange-Inbox-Rules-Loop", "tom.becker@acme-corp.com"),
            ("X-Auto-Response-Suppress", "All"),
        ],
        "Thank you for your email. I am out of the office until Friday, March 7 with limited access\nto email. I will respond to your message when I return on Monday, March 10.\n\nFor urgent matters please contact sales-ops@acme-corp.com.\n\nTom",
        "2025-03-10",
    ),
    (
        "ooo_en_gmail_vacation_us",
        "en",
        ("Laura Mitchell", "laura.mitchell@keystonefreight.com"),
        "2025-11-24",
        "Re: Following up on the RevOps webinar",
        [("Auto-Submitted", "auto-replied"), ("Precedence", "bulk"), ("X-Autoreply", "yes")],
        "Thanks for your email. I'm on PTO for Thanksgiving week and will return on Monday 12/1.\nI'll reply as soon as I can.\n\nLaura",
        "2025-12-01",
    ),
    (
        "ooo_en_no_date",
        "en",
        ("David Chen", "dchen@brightwater-health.com"),
        "2025-03-04",
        "Out of Office: Territory planning one-pager",
        [("Auto-Submitted", "auto-replied")],
        "I'm currently travelling with limited access to email. I'll get back to you as soon as\npossible.",
        None,
    ),
    (
        "ooo_en_parental_leave_uk",
        "en",
        ("Priya Raman", "priya.raman@northgate.co.uk"),
        "2025-03-04",
        "Away from the office",
        [("Auto-Submitted", "auto-replied (zimbra; vacation)"), ("Precedence", "bulk")],
        "Hello,\n\nI am on parental leave until 15 June 2025. For anything urgent please contact\nsales@northgate.co.uk.\n\nKind regards,\nPriya",
        "2025-06-16",
    ),
    (
        "ooo_en_cpanel_until_monday",
        "en",
        ("Greg Olsen", "greg@olsen-roofing.com"),
        "2025-03-05",
        "Autoresponse: Your copy of the 2025 Pipeline Benchmark",
        [("X-Autorespond", "Your copy of the 2025 Pipeline Benchmark")],
        "Your message has been received. I'm out of the office until Monday.",
        "2025-03-11",
    ),
    (
        "ooo_en_us_slash",
        "en",
        ("Kim Park", "kim.park@summitdental.com"),
        "2025-03-05",
        "Out of office",
        [("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes")],
        "I'm away from the office through 3/14 and will be checking email intermittently.",
        "2025-03-15",
    ),
    (
        "ooo_de_exchange",
        "de",
        ("Stefan Hoffmann", "s.hoffmann@mueller-maschinenbau.de"),
        "2025-02-24",
        "Automatische Antwort: Ihr Exemplar: Leitfaden Vertriebsplanung 2025",
        [
            ("Auto-Submitted", "auto-replied"),
            ("X-MS-Exchange-Inbox-Rules-Loop", "s.hoffmann@mueller-maschinenbau.de"),
        ],
        "Sehr geehrte Damen und Herren,\n\nvielen Dank für Ihre Nachricht. Ich bin vom 24.02. bis einschließlich 07.03.2025 nicht\nim Büro und ab dem 10.03. wieder erreichbar. In dringenden Fällen wenden Sie sich bitte an\nvertrieb@mueller-maschinenbau.de.\n\nMit freundlichen Grüßen\nStefan Hoffmann",
        "2025-03-10",
    ),
    (
        "ooo_de_subject_only",
        "de",
        ("Anna Schmidt", "anna.schmidt@hansa-logistik.de"),
        "2025-04-02",
        "Abwesenheitsnotiz",
        [],
        "Guten Tag,\n\nich bin bis zum 14. April im Urlaub und lese meine E-Mails nicht.\n\nViele Grüße\nAnna Schmidt",
        "2025-04-15",
    ),
    (
        "ooo_de_zurueck_am",
        "de",
        ("Jonas Weber", "j.weber@stadtwerke-nord.de"),
        "2025-02-26",
        "Abwesend: AW: Leitfaden Vertriebsplanung 2025",
        [("Auto-Submitted", "auto-replied")],
        "Ich bin zurück am 03.03. und melde mich dann bei Ihnen.",
        "2025-03-03",
    ),
    (
        "ooo_fr_exchange",
        "fr",
        ("Claire Dubois", "claire.dubois@groupe-atlas.fr"),
        "2025-03-04",
        "Réponse automatique : Votre guide : prévisions commerciales 2025",
        [("Auto-Submitted", "auto-replied")],
        "Bonjour,\n\nJe suis absente du bureau jusqu'au 7 mars inclus. Je serai de retour le lundi 10 mars.\n\nCordialement,\nClaire Dubois",
        "2025-03-10",
    ),
    (
        "ooo_fr_de_retour",
        "fr",
        ("Julien Martin", "j.martin@vertalis.fr"),
        "2025-02-25",
        "Absent du bureau",
        [("Auto-Submitted", "auto-replied"), ("Precedence", "auto_reply")],
        "Je suis en déplacement, de retour le 3 mars. Je vous répondrai dès que possible.",
        "2025-03-03",
    ),
    (
        "ooo_es_exchange",
        "es",
        ("Lucía Fernández", "lucia.fernandez@iberlogistica.es"),
        "2025-04-07",
        "Respuesta automática: Tu guía de previsión de ventas 2025",
        [("Auto-Submitted", "auto-replied")],
        "Hola,\n\nEstaré fuera de la oficina hasta el 14 de abril. Regreso el martes 15 de abril.\n\nSaludos,\nLucía",
        "2025-04-15",
    ),
    (
        "ooo_es_vacaciones",
        "es",
        ("Javier Morales", "jmorales@iberlogistica.es"),
        "2025-04-21",
        "Fuera de la oficina",
        [("X-Autoreply", "yes"), ("Auto-Submitted", "auto-replied")],
        "Me encuentro de vacaciones. Volveré el 2 de mayo.",
        "2025-05-02",
    ),
    (
        "ooo_nl_exchange",
        "nl",
        ("Pieter de Vries", "p.devries@vandijk-logistiek.nl"),
        "2025-03-10",
        "Automatisch antwoord: Jouw exemplaar van de Pipeline Benchmark 2025",
        [("Auto-Submitted", "auto-replied")],
        "Beste afzender,\n\nIk ben afwezig tot en met 21 maart en vanaf maandag 24 maart weer bereikbaar.\n\nMet vriendelijke groet,\nPieter de Vries",
        "2025-03-24",
    ),
    (
        "ooo_nl_terug",
        "nl",
        ("Sanne Bakker", "sanne.bakker@vandijk-logistiek.nl"),
        "2025-04-28",
        "Afwezig",
        [("Precedence", "bulk")],
        "Ik ben met vakantie en terug op 12 mei.",
        "2025-05-12",
    ),
    (
        "ooo_sv_exchange",
        "sv",
        ("Erik Lindqvist", "erik.lindqvist@nordhav.se"),
        "2025-07-21",
        "Automatiskt svar: Din kopia av Pipeline-rapporten 2025",
        [("Auto-Submitted", "auto-replied")],
        "Hej,\n\nJag är på semester till och med 11 augusti och tillbaka den 12 augusti.\n\nMvh Erik",
        "2025-08-12",
    ),
    (
        "ooo_sv_franvaro",
        "sv",
        ("Karin Nilsson", "karin.nilsson@nordhav.se"),
        "2025-02-26",
        "Frånvaro",
        [("Auto-Submitted", "auto-replied")],
        "Jag är borta till 3 mars.",
        "2025-03-04",
    ),
    (
        "ooo_it_exchange",
        "it",
        ("Luca Bianchi", "luca.bianchi@fratelli-conti.it"),
        "2025-03-04",
        "Risposta automatica: La tua copia del report Pipeline 2025",
        [("Auto-Submitted", "auto-replied")],
        "Buongiorno,\n\nsono fuori ufficio fino al 7 marzo. Rientrerò in ufficio lunedì 10 marzo.\n\nCordiali saluti\nLuca Bianchi",
        "2025-03-10",
    ),
    (
        "ooo_it_assente",
        "it",
        ("Giulia Rossi", "g.rossi@fratelli-conti.it"),
        "2025-04-14",
        "Fuori sede",
        [("Auto-Submitted", "auto-replied")],
        "Sarò assente fino a venerdì 18 aprile.",
        "2025-04-19",
    ),
    (
        "ooo_pt_exchange",
        "pt",
        ("Beatriz Costa", "beatriz.costa@solaris.com.br"),
        "2025-03-10",
        "Resposta automática: Sua cópia do relatório Pipeline 2025",
        [("Auto-Submitted", "auto-replied")],
        "Olá,\n\nEstou fora do escritório até 14 de março. Retorno no dia 17 de março.\n\nAtenciosamente,\nBeatriz",
        "2025-03-17",
    ),
    (
        "ooo_pt_ausente",
        "pt",
        ("Mariana Alves", "mariana.alves@solaris.com.br"),
        "2025-04-25",
        "Ausente: Sua cópia do relatório Pipeline 2025",
        [],
        "Estarei ausente até 2 de maio.",
        "2025-05-03",
    ),
    (
        "ooo_da_autosvar",
        "da",
        ("Mette Hansen", "mette.hansen@nordlys.dk"),
        "2025-07-21",
        "Autosvar: Your copy of the 2025 Pipeline Benchmark",
        [("Auto-Submitted", "auto-replied")],
        "Jeg er på ferie og tilbage den 4. august.",
        "2025-08-04",
    ),
    (
        "ooo_fi_poissa",
        "fi",
        ("Mikko Virtanen", "mikko.virtanen@pohjola-tech.fi"),
        "2025-03-04",
        "Automaattinen vastaus: Your copy of the 2025 Pipeline Benchmark",
        [("Auto-Submitted", "auto-replied")],
        "Olen lomalla ja luen sähköpostiani satunnaisesti.",
        None,
    ),
    (
        "ooo_pl_poza_biurem",
        "pl",
        ("Anna Kowalska", "a.kowalska@wisla-trade.pl"),
        "2025-03-04",
        "Automatyczna odpowiedź: Your copy of the 2025 Pipeline Benchmark",
        [],
        "Jestem poza biurem. W pilnych sprawach proszę o kontakt z biuro@wisla-trade.pl.",
        None,
    ),
]


def ooo_mail(case: tuple[Any, ...]) -> tuple[str, bytes, dict[str, Any]]:
    name, _lang, sender, day, subject, extra, body, back = case
    when = at(day, "07:03")
    domain = sender[1].split("@")[1]
    headers = [
        ("Return-Path", f"<{sender[1]}>"),
        ("Received", received(when, f"mail.{domain}", f"mx.{VENDOR}", REP[1])),
        ("From", f"{sender[0]} <{sender[1]}>"),
        ("To", f"{REP[0]} <{REP[1]}>"),
        ("Subject", subject),
        ("Date", date_header(when)),
        ("Message-ID", f"<{token(name, 24)}@{domain}>"),
        ("In-Reply-To", our_id(name)),
        ("MIME-Version", "1.0"),
        *extra,
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "quoted-printable"),
    ]
    exp = machine("auto_reply", return_date=back, reply_contains=[body.split()[0]], today=day)
    return name, Mail(headers, qp(body + "\n", "utf-8")).render(), exp


def bulk_cases() -> list[tuple[str, bytes, dict[str, Any]]]:
    when = at("2025-03-04", "06:00")
    out = []
    newsletter = Mail(
        [
            (
                "Return-Path",
                "<bounce-mc.us21_1234.5678-mark.keller=lumenrise.io@mail185.suw11.mcsv.net>",
            ),
            ("From", "Keystone Freight News <news@keystonefreight.com>"),
            ("To", f"<{REP[1]}>"),
            ("Subject", "March update: new lanes to Denver and Salt Lake City"),
            ("Date", date_header(when)),
            ("Message-ID", f"<{token('news', 20)}@mail185.suw11.mcsv.net>"),
            ("Precedence", "bulk"),
            (
                "List-Unsubscribe",
                "<https://keystonefreight.us21.list-manage.com/unsubscribe?u=1&id=2>",
            ),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        "Hi there,\n\nThis month we opened two new lanes. Unsubscribe at any time using the link below.\n",
    )
    out.append(
        (
            "bulk_newsletter_precedence",
            newsletter.render(),
            machine("auto_reply", today="2025-03-04"),
        )
    )
    listmail = Mail(
        [
            ("From", "Jane Doe <jane.doe@acme-corp.com>"),
            ("To", "revops-community@groups.example.org"),
            ("Subject", "[revops] Anyone using forecast tools with Dynamics?"),
            ("Date", date_header(when)),
            ("Message-ID", f"<{token('list', 20)}@acme-corp.com>"),
            ("Precedence", "list"),
            ("List-Id", "RevOps Community <revops-community.groups.example.org>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        "Can we set up a call to compare notes? Please remove me if this is off-topic.\n",
    )
    out.append(("bulk_mailing_list", listmail.render(), machine("auto_reply", today="2025-03-04")))
    calendar = Mail(
        [
            ("From", "Acme Calendar <calendar-noreply@acme-corp.com>"),
            ("To", f"<{REP[1]}>"),
            ("Subject", "Reminder: Lumenrise demo @ Thu Mar 6, 2025 3pm"),
            ("Date", date_header(when)),
            ("Message-ID", f"<{token('cal', 20)}@acme-corp.com>"),
            ("Auto-Submitted", "auto-generated"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        "This is a reminder for the following event. Let's talk at 3pm.\n",
    )
    out.append(
        ("auto_generated_reminder", calendar.render(), machine("auto_reply", today="2025-03-04"))
    )
    nullpath = Mail(
        [
            ("Return-Path", "<>"),
            ("From", "Helpdesk <support@brightwater-health.com>"),
            ("To", f"<{REP[1]}>"),
            ("Subject", "Ticket #48213 received"),
            ("Date", date_header(when)),
            ("Message-ID", f"<{token('null', 20)}@brightwater-health.com>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        "We have received your request and will get back to you within 2 business days.\n",
    )
    out.append(
        ("null_return_path_ticket", nullpath.render(), machine("auto_reply", today="2025-03-04"))
    )
    human = Mail(
        [
            ("From", "Jane Doe <jane.doe@acme-corp.com>"),
            ("To", f"{REP[0]} <{REP[1]}>"),
            ("Subject", "Re: Territory planning one-pager"),
            ("Date", date_header(when)),
            ("Message-ID", f"<{token('asno', 20)}@acme-corp.com>"),
            ("Auto-Submitted", "no"),
            ("X-Auto-Response-Suppress", "DR, RN, NRN, OOF, AutoReply"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
        ],
        "Could you send me the ROI calculator?\n\nJane\n",
    )
    exp = machine("human", intent="question", reply_contains=["ROI calculator"], today="2025-03-04")
    out.append(("human_auto_submitted_no", human.render(), exp))
    return out


def _dsn_mail(
    name: str,
    sender: str,
    subject: str,
    when: str,
    parts: list[tuple[str, str]],
    lead: str,
    mid_in_copy: bool = True,
) -> bytes:
    boundary = f"{token(name, 10).upper()}.{int(token(name, 6), 16)}/mx.{VENDOR}"
    body = "This is a MIME-encapsulated message.\n\n"
    for ctype, content in parts:
        body += f"--{boundary}\nContent-Type: {ctype}\n"
        if ctype.startswith("message/delivery-status"):
            body += "Content-Description: Delivery report\n"
        body += f"\n{content}\n"
    body += f"--{boundary}--\n"
    d = at(when, "10:16")
    headers = [
        ("Return-Path", "<>"),
        ("Received", received(d, f"mx.{VENDOR}", f"mx.{VENDOR}", REP[1])),
        ("From", sender),
        ("To", REP[1]),
        ("Subject", subject),
        ("Date", date_header(d)),
        ("Message-Id", f"<{token(name, 12)}.{token(name + 'x', 8)}@mx.{VENDOR}>"),
        ("Auto-Submitted", "auto-replied"),
        ("MIME-Version", "1.0"),
        (
            "Content-Type",
            f'multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"',
        ),
    ]
    return Mail(headers, body).render()


def returned(name: str, lead: str, with_id: bool = True, headers_only: bool = False) -> str:
    lines = [
        f"Return-Path: <{REP[1]}>",
        f"Received: by mx.{VENDOR} (Postfix, from userid 1001)\n\tid 4Z7Kx21Qm9z9sXy; Mon,  3 Mar 2025 10:15:02 +0100 (CET)",
        f"From: {REP[0]} <{REP[1]}>",
        f"To: <{lead}>",
        "Subject: Your copy of the 2025 Pipeline Benchmark",
        "Date: Mon, 3 Mar 2025 10:15:00 +0100",
    ]
    if with_id:
        lines.append(f"Message-ID: {our_id(name)}")
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    text = "\n".join(lines)
    return (
        text
        if headers_only
        else text + "\n\nHi,\n\nThanks for downloading the benchmark.\n\nMark\n"
    )


def bounce_cases() -> list[tuple[str, bytes, dict[str, Any]]]:
    out: list[tuple[str, bytes, dict[str, Any]]] = []

    def add(
        name: str,
        raw: bytes,
        recipients: list[str],
        hard: bool,
        status: str | None,
        with_id: bool = True,
    ) -> None:
        bounce = {
            "recipients": recipients,
            "hard": hard,
            "status": status,
            "original_message_id": our_id(name) if with_id else None,
        }
        out.append((name, raw, machine("bounce", bounce=bounce, today="2025-03-03")))

    lead = "jane.doe@acme-corp.com"
    postfix_text = (
        f"This is the mail system at host mx.{VENDOR}.\n\nI'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\nFor further assistance, please send mail to postmaster.\n\n"
        "If you do so, please include this problem report. You can\ndelete your own text from the attached returned message.\n\n"
        "                   The mail system\n\n"
        f"<{lead}>: host mx1.acme-corp.com[203.0.113.10] said: 550 5.1.1\n    <{lead}>: Recipient address rejected: User unknown in virtual mailbox\n    table (in reply to RCPT TO command)"
    )
    status = (
        f"Reporting-MTA: dns; mx.{VENDOR}\nX-Postfix-Queue-ID: 4Z7Kx21Qm9z9sXy\nX-Postfix-Sender: rfc822; {REP[1]}\n"
        "Arrival-Date: Mon,  3 Mar 2025 10:15:02 +0100 (CET)\n\n"
        f"Final-Recipient: rfc822; {lead}\nOriginal-Recipient: rfc822;{lead}\nAction: failed\nStatus: 5.1.1\n"
        "Remote-MTA: dns; mx1.acme-corp.com\nDiagnostic-Code: smtp; 550 5.1.1 <jane.doe@acme-corp.com>: Recipient address\n    rejected: User unknown in virtual mailbox table"
    )
    sender = f"MAILER-DAEMON@mx.{VENDOR} (Mail Delivery System)"
    name = "bounce_postfix_hard_5_1_1"
    add(
        name,
        _dsn_mail(
            name,
            sender,
            "Undelivered Mail Returned to Sender",
            "2025-03-03",
            [
                ("text/plain; charset=us-ascii", postfix_text),
                ("message/delivery-status", status),
                ("message/rfc822", returned(name, lead)),
            ],
            lead,
        ),
        [lead],
        True,
        "5.1.1",
    )

    lead2 = "laura.mitchell@keystonefreight.com"
    name = "bounce_postfix_delayed"
    delayed = (
        f"Reporting-MTA: dns; mx.{VENDOR}\nX-Postfix-Queue-ID: 4Z7Kx21Qm9z9sXz\nArrival-Date: Mon,  3 Mar 2025 10:15:02 +0100 (CET)\n\n"
        f"Final-Recipient: rfc822; {lead2}\nAction: delayed\nStatus: 4.4.1\nDiagnostic-Code: X-Postfix; connect to\n    mx.keystonefreight.com[198.51.100.20]:25: Connection timed out\nWill-Retry-Until: Mon, 8 Mar 2025 10:15:02 +0100 (CET)"
    )
    add(
        name,
        _dsn_mail(
            name,
            sender,
            "Delayed Mail (still being retried)",
            "2025-03-03",
            [
                (
                    "text/plain; charset=us-ascii",
                    "This is the mail system at host mx.lumenrise.io.\n\n####################################################################\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n####################################################################\n\nYour message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.",
                ),
                ("message/delivery-status", delayed),
                ("text/rfc822-headers", returned(name, lead2, headers_only=True)),
            ],
            lead2,
        ),
        [lead2],
        False,
        "4.4.1",
    )

    name = "bounce_postfix_two_recipients"
    two = status.replace("Reporting-MTA", "Reporting-MTA", 1) + (
        "\n\nFinal-Recipient: rfc822; tom.becker@acme-corp.com\nAction: failed\nStatus: 5.2.1\nDiagnostic-Code: smtp; 550 5.2.1 mailbox disabled"
    )
    add(
        name,
        _dsn_mail(
            name,
            sender,
            "Undelivered Mail Returned to Sender",
            "2025-03-03",
            [
                ("text/plain; charset=us-ascii", postfix_text),
                ("message/delivery-status", two),
                ("message/rfc822", returned(name, lead)),
            ],
            lead,
        ),
        [lead, "tom.becker@acme-corp.com"],
        True,
        "5.1.1",
    )

    name = "bounce_exim_text_hard"
    exim = (
        "This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n  tom.becker@acme-corp.com\n"
        "    host mx.acme-corp.com [198.51.100.7]\n    SMTP error from remote mail server after RCPT TO:<tom.becker@acme-corp.com>:\n"
        "    550 5.1.1 User unknown\n\n------ This is a copy of the message, including all the headers. ------\n\n"
        + returned(name, "tom.becker@acme-corp.com")
    )
    d = at("2025-03-03", "10:16")
    raw = Mail(
        [
            ("Return-path", "<>"),
            ("Envelope-to", REP[1]),
            ("Delivery-date", date_header(d)),
            (
                "Received",
                f"from mail by smtp.{VENDOR} with local (Exim 4.97)\n\tid 1tXyZ-000abc-12\n\tfor {REP[1]}; {date_header(d)}",
            ),
            ("X-Failed-Recipients", "tom.becker@acme-corp.com"),
            ("Auto-Submitted", "auto-replied"),
            ("From", f"Mail Delivery System <Mailer-Daemon@smtp.{VENDOR}>"),
            ("To", REP[1]),
            ("Content-Type", "text/plain; charset=us-ascii"),
            ("Subject", "Mail delivery failed: returning message to sender"),
            ("Message-Id", f"<E1tXyZ-000abc-12@smtp.{VENDOR}>"),
            ("Date", date_header(d)),
        ],
        exim,
    ).render()
    add(name, raw, ["tom.becker@acme-corp.com"], True, "5.1.1")

    name = "bounce_exim_delay_warning"
    warn = (
        "This message was created automatically by mail delivery software.\n\nA message that you sent has not yet been delivered to one or more of its\n"
        f"recipients after more than 24 hours on the queue on smtp.{VENDOR}.\n\nThe message identifier is:     1tXyZ-000abc-13\n"
        "The subject of the message is: Your copy of the 2025 Pipeline Benchmark\n\nThe address to which the message has not yet been delivered is:\n\n"
        "  erik.lindqvist@nordhav.se\n    Delay reason: SMTP error from remote mail server after RCPT TO:<erik.lindqvist@nordhav.se>:\n"
        "    451 4.7.1 Greylisted, please try again later\n\nNo action is required on your part. Delivery attempts will continue for\n"
        "some time, and this warning may be repeated at intervals if the message\nremains undelivered. Eventually the mail delivery software will give up,\n"
        "and when that happens, the message will be returned to you.\n\n------ This is a copy of the message's headers. ------\n\n"
        + returned(name, "erik.lindqvist@nordhav.se", headers_only=True)
    )
    raw = Mail(
        [
            ("Return-path", "<>"),
            ("X-Failed-Recipients", "erik.lindqvist@nordhav.se"),
            ("Auto-Submitted", "auto-replied"),
            ("From", f"Mail Delivery System <Mailer-Daemon@smtp.{VENDOR}>"),
            ("To", REP[1]),
            ("Subject", "Warning: message 1tXyZ-000abc-13 delayed 24 hours"),
            ("Date", date_header(d)),
            ("Message-Id", f"<E1tXyZ-000abc-14@smtp.{VENDOR}>"),
            ("Content-Type", "text/plain; charset=us-ascii"),
        ],
        warn,
    ).render()
    add(name, raw, ["erik.lindqvist@nordhav.se"], False, "4.7.1")

    name = "bounce_qmail"
    qmail = (
        "Hi. This is the qmail-send program at mail.oldhost.example.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n<p.jansen@vandijk-logistiek.nl>:\n"
        "203.0.113.55 does not like recipient.\nRemote host said: 550 5.1.1 <p.jansen@vandijk-logistiek.nl>... User unknown\n"
        "Giving up on 203.0.113.55.\n\n--- Below this line is a copy of the message.\n\n"
        + returned(name, "p.jansen@vandijk-logistiek.nl")
    )
    raw = Mail(
        [
            ("Return-Path", "<>"),
            ("Date", date_header(d)),
            ("From", "MAILER-DAEMON@mail.oldhost.example"),
            ("To", REP[1]),
            ("Subject", "failure notice"),
            ("Message-ID", f"<{token(name, 14)}.qmail@mail.oldhost.example>"),
        ],
        qmail,
    ).render()
    add(name, raw, ["p.jansen@vandijk-logistiek.nl"], True, "5.1.1")

    name = "bounce_exchange_online"
    lead3 = "s.hoffmann@mueller-maschinenbau.de"
    ndr_html = (
        '<html><body><div style="font-family:\'Segoe UI\'"><p><b><font color="#000000" size="3">Your message to '
        f"{lead3} couldn't be delivered.</font></b></p><p>{lead3.split('@')[0]} wasn't found at mueller-maschinenbau.de.</p>"
        "<table><tr><td>Mark</td><td>Office 365</td><td>s.hoffmann</td></tr><tr><td>Action Required</td><td></td><td>Recipient</td></tr></table>"
        "<p><b>Unknown To address</b></p></div></body></html>"
    )
    status_ex = (
        "Reporting-MTA: dns;AM0PR03MB6123.eurprd03.prod.outlook.com\nReceived-From-MTA: dns;mx.lumenrise.io\n"
        "Arrival-Date: Mon, 3 Mar 2025 09:15:05 +0000\n\n"
        f"Original-Recipient: rfc822;{lead3}\nFinal-Recipient: rfc822;{lead3}\nAction: failed\nStatus: 5.1.10\n"
        "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
    )
    inner = f"b{token(name, 8)}"
    human_part = (
        f'multipart/alternative; differences=Content-Type;\n\tboundary="{inner}"',
        f'--{inner}\nContent-Type: text/plain; charset="us-ascii"\nContent-Transfer-Encoding: quoted-printable\n\n'
        f"Your message to {lead3} couldn't be delivered.\n\n{lead3.split('@')[0]} wasn't found at mueller-maschinenbau.de.\n\n"
        f'--{inner}\nContent-Type: text/html; charset="us-ascii"\nContent-Transfer-Encoding: quoted-printable\n\n{qp(ndr_html, "ascii")}\n--{inner}--',
    )
    raw = _dsn_mail(
        name,
        "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@lumenrise.io>",
        "Undeliverable: Ihr Exemplar: Leitfaden Vertriebsplanung 2025",
        "2025-03-03",
        [
            human_part,
            ("message/delivery-status", status_ex),
            ("text/rfc822-headers", returned(name, lead3, headers_only=True)),
        ],
        lead3,
    )
    add(name, raw, [lead3], True, "5.1.10")

    name = "bounce_exchange_text_ndr"
    lead4 = "claire.dubois@groupe-atlas.fr"
    ndr = (
        f"Delivery has failed to these recipients or groups:\n\n{lead4}\nThe e-mail address you entered couldn't be found. "
        "Please check the recipient's e-mail address and try to resend the message. If the problem continues, please contact your helpdesk.\n\n\n\n\n\n"
        f"Diagnostic information for administrators:\n\nGenerating server: EX01.{VENDOR}\n\n{lead4}\n#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n\n"
        "Original message headers:\n\n" + returned(name, lead4, headers_only=True)
    )
    raw = Mail(
        [
            ("From", f"postmaster@{VENDOR}"),
            ("To", REP[1]),
            ("Date", date_header(d)),
            ("Subject", "Undeliverable: Votre guide : prévisions commerciales 2025"),
            ("Content-Type", "text/plain; charset=us-ascii"),
            ("Auto-Submitted", "auto-replied"),
            ("Message-ID", f"<{token(name, 16)}@EX01.{VENDOR}>"),
            ("X-MS-Exchange-Message-Is-Ndr", ""),
        ],
        ndr,
    ).render()
    add(name, raw, [lead4], True, "5.1.1")

    name = "bounce_gmail_address_not_found"
    lead5 = "lucia.fernandez@iberlogistica.es"
    gtext = (
        f"\n** Address not found **\n\nYour message wasn't delivered to {lead5} because the address couldn't be found, "
        "or is unable to receive mail.\n\nLearn more here: https://support.google.com/mail/?p=NoSuchUser\n\n"
        "The response from the remote server was:\n550 5.1.1 The email account that you tried to reach does not exist."
    )
    gstatus = (
        "Reporting-MTA: dns; googlemail.com\nArrival-Date: Mon, 03 Mar 2025 01:15:02 -0800 (PST)\nX-Original-Message-ID: "
        + our_id(name)
        + f"\n\nFinal-Recipient: rfc822; {lead5}\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; aspmx.l.google.com. (142.250.102.27, the server for the domain iberlogistica.es.)\n"
        "Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.\nLast-Attempt-Date: Mon, 03 Mar 2025 01:15:03 -0800 (PST)"
    )
    galt = f"000000000000{token(name, 12)}"
    raw = _dsn_mail(
        name,
        "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        "Delivery Status Notification (Failure)",
        "2025-03-03",
        [
            (
                f'multipart/alternative; boundary="{galt}"',
                f'--{galt}\nContent-Type: text/plain; charset="UTF-8"\n\n{gtext}\n--{galt}\nContent-Type: text/html; charset="UTF-8"\n\n<html><p>Address not found</p></html>\n--{galt}--',
            ),
            ("message/delivery-status", gstatus),
            ("message/rfc822", returned(name, lead5)),
        ],
        lead5,
    )
    add(name, raw, [lead5], True, "5.1.1")

    name = "bounce_gmail_delay"
    gdelay = (
        gstatus.replace("Action: failed", "Action: delayed")
        .replace("Status: 5.1.1", "Status: 4.4.7")
        .replace(
            "550-5.1.1 The email account that you tried to reach does not exist.",
            "421-4.4.7 Message temporarily deferred",
        )
    )
    raw = _dsn_mail(
        name,
        "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        "Delivery Status Notification (Delay)",
        "2025-03-03",
        [
            (
                "text/plain; charset=UTF-8",
                "** Message not delivered yet **\n\nThere was a temporary problem delivering your message. Gmail will retry for 45 more hours.",
            ),
            (
                "message/delivery-status",
                gdelay.replace(our_id("bounce_gmail_address_not_found"), our_id(name)),
            ),
            ("text/rfc822-headers", returned(name, lead5, headers_only=True)),
        ],
        lead5,
    )
    add(name, raw, [lead5], False, "4.4.7")

    name = "bounce_sendmail_mailbox_full"
    lead6 = "luca.bianchi@fratelli-conti.it"
    sm_status = (
        "Reporting-MTA: dns; relay.fratelli-conti.it\nReceived-From-MTA: DNS; mx.lumenrise.io\nArrival-Date: Mon, 3 Mar 2025 10:15:04 +0100\n\n"
        f"Final-Recipient: RFC822; {lead6}\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: SMTP; 552 5.2.2 Mailbox full\nLast-Attempt-Date: Mon, 3 Mar 2025 10:15:09 +0100"
    )
    raw = _dsn_mail(
        name,
        "Mail Delivery Subsystem <MAILER-DAEMON@relay.fratelli-conti.it>",
        "Returned mail: see transcript for details",
        "2025-03-03",
        [
            (
                "text/plain",
                f"The original message was received at Mon, 3 Mar 2025 10:15:04 +0100\n\n   ----- The following addresses had permanent fatal errors -----\n<{lead6}>\n    (reason: 552 5.2.2 Mailbox full)",
            ),
            ("message/delivery-status", sm_status),
            ("message/rfc822", returned(name, lead6)),
        ],
        lead6,
    )
    # A full mailbox is a living address: a soft bounce, as in real mail servers' reports.
    add(name, raw, [lead6], False, "5.2.2")

    name = "bounce_no_message_id"
    raw = _dsn_mail(
        name,
        sender,
        "Undelivered Mail Returned to Sender",
        "2025-03-03",
        [
            ("text/plain; charset=us-ascii", postfix_text),
            ("message/delivery-status", status),
            ("text/rfc822-headers", returned(name, lead, with_id=False, headers_only=True)),
        ],
        lead,
    )
    add(name, raw, [lead], True, "5.1.1", with_id=False)

    name = "bounce_german_exchange"
    lead7 = "anna.schmidt@hansa-logistik.de"
    raw = _dsn_mail(
        name,
        "postmaster@hansa-logistik.de",
        "Unzustellbar: Ihr Exemplar: Leitfaden Vertriebsplanung 2025",
        "2025-03-03",
        [
            (
                "text/plain; charset=utf-8",
                f"Die Nachricht konnte nicht an {lead7} zugestellt werden.\n\nDie E-Mail-Adresse wurde nicht gefunden.",
            ),
            (
                "message/delivery-status",
                status.replace(lead, lead7).replace("jane.doe@acme-corp.com", lead7),
            ),
            ("message/rfc822", returned(name, lead7)),
        ],
        lead7,
    )
    add(name, raw, [lead7], True, "5.1.1")

    name = "bounce_yahoo_style_no_code"
    yahoo = (
        "Sorry, we were unable to deliver your message to the following address.\n\n<greg.olsen@yahoo.com>:\n"
        "No mx record found for domain=yahoo.co\n\n--- Below this line is a copy of the message.\n\n"
        + returned(name, "greg.olsen@yahoo.com")
    )
    raw = Mail(
        [
            ("From", "MAILER-DAEMON@yahoo.com"),
            ("To", REP[1]),
            ("Date", date_header(d)),
            ("Subject", "Failure Notice"),
            ("Message-ID", f"<{token(name, 14)}@yahoo.com>"),
        ],
        yahoo,
    ).render()
    add(name, raw, ["greg.olsen@yahoo.com"], True, None)

    name = "dsn_success_relayed"
    success = status.replace("Action: failed", "Action: delivered").replace(
        "Status: 5.1.1", "Status: 2.0.0"
    )
    raw = _dsn_mail(
        name,
        sender,
        "Successful Mail Delivery Report",
        "2025-03-03",
        [
            (
                "text/plain; charset=us-ascii",
                "Your message was successfully delivered to the destination(s) listed below.",
            ),
            ("message/delivery-status", success),
            ("text/rfc822-headers", returned(name, lead, headers_only=True)),
        ],
        lead,
    )
    out.append((name, raw, machine("auto_reply", today="2025-03-03")))
    return out


def machine_cases() -> list[tuple[str, bytes, dict[str, Any]]]:
    return [ooo_mail(c) for c in OOO] + bulk_cases() + bounce_cases()
