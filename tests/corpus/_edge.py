"""Broken and unusual mail for the golden corpus: MIME damage, charsets, headers, limits."""

# ruff: noqa: E501

from __future__ import annotations

from typing import Any

from _machine import REP, machine, our_id
from _mailgen import Mail, at, b64, date_header, qp, token

WHEN = at("2025-03-04", "11:20")
LEAD = ("Jane Doe", "jane.doe@acme-corp.com")


def _base(
    name: str,
    subject: str = "Re: Your copy of the 2025 Pipeline Benchmark",
    sender: str | None = None,
) -> list[tuple[str, str]]:
    return [
        ("From", sender or f"{LEAD[0]} <{LEAD[1]}>"),
        ("To", f"{REP[0]} <{REP[1]}>"),
        ("Subject", subject),
        ("Date", date_header(WHEN)),
        ("Message-ID", f"<{token(name, 20)}@acme-corp.com>"),
        ("In-Reply-To", our_id(name)),
        ("MIME-Version", "1.0"),
    ]


def human(
    intent: str,
    *events: str,
    contains: tuple[str, ...] = (),
    excludes: tuple[str, ...] = (),
    **more: Any,
) -> dict[str, Any]:
    return machine(
        "human",
        intent=intent,
        events=sorted(events),
        reply_contains=list(contains),
        reply_excludes=list(excludes),
        today="2025-03-04",
        **more,
    )


def edge_cases() -> list[tuple[str, bytes, dict[str, Any]]]:
    out: list[tuple[str, bytes, dict[str, Any]]] = []

    def add(name: str, raw: bytes, exp: dict[str, Any]) -> None:
        out.append((name, raw, exp))

    quoted = "\n\nOn Mon, Mar 3, 2025 at 10:15 AM Mark Keller <mark.keller@lumenrise.io> wrote:\n> Would it help to compare notes?\n"

    name = "broken_missing_closing_boundary"
    body = f"--b1\nContent-Type: text/plain; charset=utf-8\n\nCan we set up a call on Thursday?{quoted}\n--b1\nContent-Type: text/html; charset=utf-8\n\n<div>Can we set up a call on Thursday?</div>\n"
    add(
        name,
        Mail(
            [*_base(name), ("Content-Type", 'multipart/alternative; boundary="b1"')], body
        ).render(),
        human(
            "ready_to_talk",
            "meeting_request",
            contains=("set up a call",),
            excludes=("compare notes",),
        ),
    )

    name = "broken_no_boundary_parameter"
    body = f"Is there a free trial for the forecasting module?{quoted}"
    add(
        name,
        Mail([*_base(name), ("Content-Type", "multipart/mixed")], body).render(),
        human("question", contains=("free trial",), excludes=("compare notes",)),
    )

    name = "broken_boundary_never_used"
    body = f"What integrations do you support?{quoted}"
    add(
        name,
        Mail(
            [*_base(name), ("Content-Type", 'multipart/alternative; boundary="never-used-0001"')],
            body,
        ).render(),
        human("question", contains=("What integrations",), excludes=("compare notes",)),
    )

    name = "charset_declared_utf8_is_latin1"
    body = (
        "Vielen Dank, das klingt interessant. Schicken Sie mir bitte die Studie.\n\nGrüße\nStefan\n"
    )
    raw = Mail(
        [
            *_base(name, sender="Stefan Hoffmann <s.hoffmann@mueller-maschinenbau.de>"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        "",
    ).render()
    add(
        name,
        raw + body.replace("\n", "\r\n").encode("latin-1"),
        human("interested", contains=("Schicken Sie mir bitte die Studie",)),
    )

    name = "charset_declared_ascii_is_utf8"
    body = "Très intéressant ! Pouvez-vous m'envoyer la présentation ?\n\nClaire\n"
    add(
        name,
        Mail(
            [
                *_base(name, sender="Claire Dubois <claire.dubois@groupe-atlas.fr>"),
                ("Content-Type", "text/plain; charset=us-ascii"),
            ],
            body,
        ).render(),
        human("question", contains=("Très intéressant",)),
    )

    name = "charset_unknown_name"
    body = "Sounds good, please send the case study.\n"
    add(
        name,
        Mail(
            [
                *_base(name),
                ("Content-Type", "text/plain; charset=x-mac-roman-unknown"),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp(body, "utf-8"),
        ).render(),
        human("interested", contains=("please send the case study",)),
    )

    name = "charset_windows1252_smart_quotes"
    body = "We\u2019re \u201cinterested\u201d \u2013 send the deck.\n"
    raw = Mail(
        [
            *_base(name),
            ("Content-Type", "text/plain; charset=windows-1252"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ],
        qp(body, "cp1252"),
    ).render()
    add(name, raw, human("interested", contains=("We\u2019re \u201cinterested\u201d",)))

    name = "charset_iso2022jp"
    body = "ありがとうございます。来週お電話できますか？\n"
    raw = Mail(
        [
            *_base(
                name,
                sender="=?ISO-2022-JP?B?GyRCOzNFRBsoQiAbJEJCQE86GyhC?= <taro.yamada@sakura-trading.co.jp>",
            ),
            ("Content-Type", 'text/plain; charset="ISO-2022-JP"'),
            ("Content-Transfer-Encoding", "7bit"),
        ],
        "",
    ).render()
    add(
        name,
        raw + body.replace("\n", "\r\n").encode("iso-2022-jp"),
        human(
            "question",
            contains=("来週お電話できますか",),
            headers={"from_name": "山田 太郎", "from_email": "taro.yamada@sakura-trading.co.jp"},
        ),
    )

    name = "encoded_words_subject_and_from"
    headers = _base(
        name,
        subject=f"=?UTF-8?B?{b64('Re: Auswahl der Lösung'.encode())}?= =?UTF-8?Q?_f=C3=BCr_2025?=",
        sender="=?iso-8859-1?q?Fran=E7ois_Lef=E8vre?= <f.lefevre@groupe-atlas.fr>",
    )
    add(
        name,
        Mail(
            [*headers, ("Content-Type", "text/plain; charset=utf-8")], "Merci, ça m'intéresse.\n"
        ).render(),
        human(
            "interested",
            headers={"subject": "Re: Auswahl der Lösung für 2025", "from_name": "François Lefèvre"},
        ),
    )

    name = "eight_bit_raw_headers_utf8"
    headers = _base(
        name,
        subject="Re: Ihr Exemplar: Leitfaden für Vertriebsplanung",
        sender="Jürgen Müller <j.mueller@hansa-logistik.de>",
    )
    add(
        name,
        Mail(
            [
                *headers,
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Transfer-Encoding", "8bit"),
            ],
            "Können wir nächste Woche telefonieren?\n",
        ).render(),
        human(
            "ready_to_talk",
            "meeting_request",
            headers={
                "subject": "Re: Ihr Exemplar: Leitfaden für Vertriebsplanung",
                "from_name": "Jürgen Müller",
            },
        ),
    )

    name = "eight_bit_raw_headers_latin1"
    headers = _base(
        name, subject="AW: Größe des Teams", sender="Björn Größl <b.groessl@hansa-logistik.de>"
    )
    raw = Mail(
        [
            *headers,
            ("Content-Type", "text/plain; charset=iso-8859-1"),
            ("Content-Transfer-Encoding", "8bit"),
        ],
        "",
    ).render()
    raw = raw.decode("utf-8").encode(
        "latin-1"
    ) + "Wir haben 40 Vertriebsmitarbeiter. Was kostet das?\r\n".encode("latin-1")
    add(
        name,
        raw,
        human("question", headers={"subject": "AW: Größe des Teams", "from_name": "Björn Größl"}),
    )

    name = "missing_message_id_and_date"
    headers = [h for h in _base(name) if h[0] not in ("Message-ID", "Date")]
    add(
        name,
        Mail(
            [*headers, ("Content-Type", "text/plain")],
            "Thanks - interested, please send pricing.\n",
        ).render(),
        human("interested", headers={"message_id": None}),
    )

    name = "header_injection_encoded_crlf"
    headers = _base(
        name,
        subject="=?utf-8?q?Re:_Hello=0D=0ABcc:_victim@example.com?=",
        sender="=?utf-8?q?Jane=0D=0ABcc:_x@evil.example?= <jane.doe@acme-corp.com>",
    )
    add(
        name,
        Mail([*headers, ("Content-Type", "text/plain")], "Sounds interesting.\n").render(),
        human(
            "interested",
            headers={
                "subject": "Re: Hello Bcc: victim@example.com",
                "from_email": "jane.doe@acme-corp.com",
                "no_header": "bcc",
            },
        ),
    )

    name = "base64_plain_body"
    text = (
        "Hi Mark,\n\nwe are not interested at this point, we chose another vendor.\n\nBest,\nJane\n"
    )
    add(
        name,
        Mail(
            [
                *_base(name),
                ("Content-Type", 'text/plain; charset="utf-8"'),
                ("Content-Transfer-Encoding", "base64"),
            ],
            b64(text.replace("\n", "\r\n").encode()),
        ).render(),
        human("not_interested", contains=("chose another vendor",)),
    )

    name = "qp_soft_line_breaks"
    text = (
        "Hi Mark, our procurement process requires a security review before any pilot can start, so could you send the SOC 2 report and your DPA? "
        * 2
    )
    add(
        name,
        Mail(
            [
                *_base(name),
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Transfer-Encoding", "quoted-printable"),
            ],
            qp(text + "\n", "utf-8"),
        ).render(),
        human("question", contains=("security review before any pilot can start",)),
    )

    name = "mbox_from_line_lf"
    mail = Mail(
        [*_base(name), ("Content-Type", "text/plain")],
        "Please take me off your list.\n",
        crlf=False,
    )
    add(
        name,
        b"From jane.doe@acme-corp.com Tue Mar  4 11:20:00 2025\n" + mail.render(),
        machine("human", intent="not_interested", opt_out=True, today="2025-03-04"),
    )

    name = "attachment_pdf_with_reply"
    boundary = "----=_NextPart_000_0012_01DB8C1A.5F0B7D40"
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    body = (
        f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\nAttached is our current RFP. Can you respond by Friday?{quoted}\n"
        f'--{boundary}\nContent-Type: application/pdf; name="Acme RFP 2025.pdf"\nContent-Transfer-Encoding: base64\n'
        f'Content-Disposition: attachment; filename="Acme RFP 2025.pdf"\n\n{b64(pdf)}\n--{boundary}--\n'
    )
    add(
        name,
        Mail(
            [*_base(name), ("Content-Type", f'multipart/mixed; boundary="{boundary}"')], body
        ).render(),
        human(
            "question",
            contains=("current RFP",),
            attachments=[
                {
                    "filename": "Acme RFP 2025.pdf",
                    "content_type": "application/pdf",
                    "size": len(pdf),
                }
            ],
        ),
    )

    name = "forwarded_message_attachment"
    inner = "From: Tom Becker <tom.becker@acme-corp.com>\nTo: Jane Doe <jane.doe@acme-corp.com>\nSubject: vendor shortlist\nMessage-ID: <inner-1@acme-corp.com>\n\nPlease remove Lumenrise from the shortlist? No - keep them.\n"
    body = (
        "--fw1\nContent-Type: text/plain; charset=utf-8\n\nSee the thread with my boss below - we are keen to go ahead.\n"
        f"--fw1\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n{inner}\n--fw1--\n"
    )
    add(
        name,
        Mail([*_base(name), ("Content-Type", 'multipart/mixed; boundary="fw1"')], body).render(),
        human("interested", opt_out=False, excludes=("shortlist",)),
    )

    name = "html_only_outlook_word"
    htmlbody = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>/* Font Definitions */ p.MsoNormal{margin:0cm}</style>'
        '<!--[if gte mso 9]><xml><o:shapedefaults v:ext="edit" spidmax="1026" /></xml><![endif]--></head><body>'
        "<div class=WordSection1><p class=MsoNormal>Mark,<o:p></o:p></p><p class=MsoNormal>We&#8217;re not the right team &#8211; "
        "please talk to Rachel Green (rachel.green@acme-corp.com).<o:p></o:p></p>"
        '<div id="divRplyFwdMsg"><hr><b>From:</b> Mark Keller &lt;mark.keller@lumenrise.io&gt;<br><b>Sent:</b> Monday, March 3, 2025 10:15 AM<br>'
        "<b>To:</b> Jane Doe &lt;jane.doe@acme-corp.com&gt;<br><b>Subject:</b> Your copy</div><p>Would it help to compare notes?</p></div></body></html>"
    )
    add(
        name,
        Mail([*_base(name), ("Content-Type", 'text/html; charset="us-ascii"')], htmlbody).render(),
        human(
            "wrong_person",
            "referral",
            contains=("Rachel Green",),
            excludes=("compare notes",),
            event_details=[{"type": "referral", "email": "rachel.green@acme-corp.com"}],
        ),
    )

    name = "quarantine_empty"
    add(name, b"", {"kind": "quarantined", "reason_contains": "empty", "today": "2025-03-04"})

    name = "quarantine_too_many_parts"
    parts = "".join(f"--p\nContent-Type: text/plain\n\npart {i}\n" for i in range(700))
    add(
        name,
        Mail(
            [*_base(name), ("Content-Type", 'multipart/mixed; boundary="p"')], parts + "--p--\n"
        ).render(),
        {"kind": "quarantined", "reason_contains": "MIME parts", "today": "2025-03-04"},
    )

    name = "quarantine_nested_too_deep"
    entity = "Content-Type: text/plain\n\nHi\n"
    for depth in range(39):
        entity = f'Content-Type: multipart/mixed; boundary="n{depth}"\n\n--n{depth}\n{entity}\n--n{depth}--\n'
    body = f"--n39\n{entity}\n--n39--\n"
    add(
        name,
        Mail([*_base(name), ("Content-Type", 'multipart/mixed; boundary="n39"')], body).render(),
        {"kind": "quarantined", "reason_contains": "nested", "today": "2025-03-04"},
    )

    name = "quarantine_header_flood"
    flood = [(f"X-Trace-{i}", token(str(i), 12)) for i in range(1200)]
    add(
        name,
        Mail([*_base(name), *flood, ("Content-Type", "text/plain")], "hello\n").render(),
        {"kind": "quarantined", "reason_contains": "header fields", "today": "2025-03-04"},
    )
    return out
