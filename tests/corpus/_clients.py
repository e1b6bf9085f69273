"""Human replies as Gmail, Outlook, Apple Mail, iOS, Android and Thunderbird write them."""

# ruff: noqa: E501

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from _mailgen import (
    DEVICE,
    VENDOR,
    Mail,
    alternative,
    apple_attribution,
    at,
    date_header,
    gmail_attribution,
    outlook_block,
    qp,
    quote,
    received,
    text_to_html,
    token,
    wrap_attribution,
)

REPS = {
    "en": ("Mark Keller", f"mark.keller@{VENDOR}"),
    "de": ("Katrin Vogel", f"katrin.vogel@{VENDOR}"),
    "fr": ("Mark Keller", f"mark.keller@{VENDOR}"),
    "es": ("Elena Ortiz", f"elena.ortiz@{VENDOR}"),
    "nl": ("Mark Keller", f"mark.keller@{VENDOR}"),
    "sv": ("Johan Berg", f"johan.berg@{VENDOR}"),
    "it": ("Elena Ortiz", f"elena.ortiz@{VENDOR}"),
    "pt": ("Elena Ortiz", f"elena.ortiz@{VENDOR}"),
}
SUBJECTS = {
    "en": [
        "Your copy of the 2025 Pipeline Benchmark",
        "Following up on the RevOps webinar",
        "Territory planning one-pager",
    ],
    "de": ["Ihr Exemplar: Leitfaden Vertriebsplanung 2025"],
    "fr": ["Votre guide : prévisions commerciales 2025"],
    "es": ["Tu guía de previsión de ventas 2025"],
    "nl": ["Jouw exemplaar van de Pipeline Benchmark 2025"],
    "sv": ["Din kopia av Pipeline-rapporten 2025"],
    "it": ["La tua copia del report Pipeline 2025"],
    "pt": ["Sua cópia do relatório Pipeline 2025"],
}
ORIGINALS = {
    "en": [
        'Hi {first},\n\nThanks for downloading "The 2025 Pipeline Benchmark". A lot of sales leaders tell\n'
        "us the section on forecast accuracy is the one they end up sharing with their team.\n\n"
        "If it's useful, here's a short case study on how Brightline cut their forecast prep\n"
        "from two days to two hours: https://lumenrise.io/customers/brightline\n\n"
        "Would it help to compare notes on how your team runs pipeline reviews today?\n\n"
        "Best,\nMark\n\nMark Keller | Account Executive | Lumenrise\n+1 (415) 555-0142",
        "Hi {first},\n\nFollowing up on the RevOps webinar last week. Teams moving off Salesforce\n"
        "forecasting often start with our pipeline health dashboard; here's a 3-minute\n"
        "walkthrough: https://lumenrise.io/video/pipeline-health\n\n"
        "Are you free for a quick call next Tuesday? If the timing isn't right, I'm happy\n"
        "to check back in Q3.\n\n"
        "And if you'd rather not hear from me, just reply \"unsubscribe\" and I'll stop.\n\n"
        "Cheers,\nMark",
        "Hi {first},\n\nI put together a one-page summary of how teams like yours use Lumenrise for\n"
        "territory planning. There's also an ROI calculator here: https://lumenrise.io/roi\n\n"
        "Would it be worth a 20-minute conversation? Let's talk whenever suits you.\n\nMark",
    ],
    "de": [
        "Hallo {title},\n\nvielen Dank für Ihr Interesse an unserem Leitfaden zur Vertriebsplanung.\n"
        "Viele Vertriebsleiter nutzen vor allem das Kapitel zur Forecast-Genauigkeit.\n\n"
        "Hätten Sie nächste Woche Zeit für ein kurzes Gespräch? Falls Sie keine weiteren\n"
        'E-Mails wünschen, antworten Sie einfach mit "abmelden".\n\n'
        "Viele Grüße\nKatrin Vogel\nLumenrise GmbH | Account Executive DACH",
    ],
    "fr": [
        "Bonjour {first},\n\nMerci d'avoir téléchargé notre guide sur les prévisions commerciales.\n"
        "Souhaitez-vous que nous en parlions lors d'un court appel ? Si vous ne souhaitez\n"
        'plus recevoir mes messages, répondez simplement "désabonner".\n\n'
        "Bien cordialement,\nMark Keller\nLumenrise",
    ],
    "es": [
        "Hola {first}:\n\nGracias por descargar nuestra guía de previsión de ventas. ¿Te vendría bien\n"
        "una llamada breve la semana que viene? Si prefieres no recibir más correos, responde\n"
        '"baja".\n\nUn saludo,\nElena Ortiz\nLumenrise',
    ],
    "nl": [
        "Hoi {first},\n\nBedankt voor het downloaden van de Pipeline Benchmark. Zullen we volgende\n"
        "week even bellen om je resultaten te bespreken?\n\nGroet,\nMark Keller\nLumenrise",
    ],
    "sv": [
        "Hej {first},\n\nTack för att du laddade ner Pipeline-rapporten. Har du tid för ett kort\n"
        "samtal nästa vecka?\n\nVänliga hälsningar\nJohan Berg\nLumenrise",
    ],
    "it": [
        "Ciao {first},\n\ngrazie per aver scaricato il report Pipeline 2025. Ti andrebbe una breve\n"
        "call la prossima settimana?\n\nUn saluto,\nElena Ortiz\nLumenrise",
    ],
    "pt": [
        "Olá {first},\n\nObrigada por baixar o relatório Pipeline 2025. Podemos conversar rapidamente\n"
        "na próxima semana?\n\nAbraços,\nElena Ortiz\nLumenrise",
    ],
}


@dataclass
class Reply:
    """A lead's reply to one of the rep's emails."""

    name: str
    client: str
    lang: str
    lead: tuple[str, str]
    new: str
    when: datetime
    expect: dict[str, object]
    signoff: str = ""
    card: str = ""
    cc: tuple[tuple[str, str], ...] = ()
    original: int = 0
    subject: str | None = None
    title: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    charset: str = "UTF-8"
    crlf: bool = True
    us: bool = True
    full_body: str | None = None
    headers_only_note: str = ""
    attachments: tuple[tuple[str, str, bytes], ...] = field(default_factory=tuple)

    @property
    def rep(self) -> tuple[str, str]:
        return REPS[self.lang]

    @property
    def first(self) -> str:
        return self.lead[0].split()[0]

    @property
    def sent(self) -> datetime:
        return self.when - timedelta(days=1, hours=3, minutes=7)

    @property
    def original_subject(self) -> str:
        return SUBJECTS[self.lang][self.original % len(SUBJECTS[self.lang])]

    @property
    def original_id(self) -> str:
        return f"<{self.sent:%Y%m%d%H%M%S}.{token(self.name, 10)}@{VENDOR}>"

    def original_text(self) -> str:
        text = ORIGINALS[self.lang][self.original % len(ORIGINALS[self.lang])]
        return text.format(first=self.first, title=self.title or self.first)

    def reply_subject(self) -> str:
        if self.subject is not None:
            return self.subject
        prefix = {"de": "AW", "sv": "SV", "nl": "RE", "it": "R", "pt": "RE", "es": "RE"}
        if self.client.startswith("outlook"):
            return f"{prefix.get(self.lang, 'RE')}: {self.original_subject}"
        return f"Re: {self.original_subject}"

    def signed(self, card: bool = True) -> str:
        parts = [self.new]
        if self.signoff:
            parts.append(self.signoff + ("\n" + self.card if card and self.card else ""))
        return "\n\n".join(parts)


def _common(r: Reply, message_id: str, mailer: list[tuple[str, str]]) -> list[tuple[str, str]]:
    lead_domain = r.lead[1].split("@", 1)[1]
    headers = [
        ("Return-Path", f"<{r.lead[1]}>"),
        (
            "Received",
            received(
                r.when, f"mail-{token(lead_domain, 4)}.{lead_domain}", f"mx.{VENDOR}", r.rep[1]
            ),
        ),
        ("From", f"{r.lead[0]} <{r.lead[1]}>"),
        ("To", f"{r.rep[0]} <{r.rep[1]}>"),
    ]
    if r.cc:
        headers.append(("Cc", ", ".join(f"{n} <{e}>" if n else e for n, e in r.cc)))
    headers += [
        ("Subject", r.reply_subject()),
        ("Date", date_header(r.when)),
        ("Message-ID", message_id),
        ("In-Reply-To", r.original_id),
        ("References", r.original_id),
        ("MIME-Version", "1.0"),
        *mailer,
        *r.extra,
    ]
    return headers


def gmail(r: Reply, html_only: bool = False, android: bool = False) -> Mail:
    attribution = gmail_attribution(r.lang, r.sent, r.rep, r.us)
    if android:
        attribution = f"On {r.sent:%a}, {r.sent.day} {r.sent:%b} {r.sent.year}, {r.sent:%H:%M} {r.rep[0]}, <{r.rep[1]}> wrote:"
    sig = f"\n\n-- \n{r.lead[0]}\n{r.card}" if r.card and not r.signoff else ""
    plain = f"{r.signed()}{sig}\n\n{wrap_attribution(attribution)}\n\n{quote(r.original_text())}\n"
    mid = f"<CA{token(r.name, 22)}+{token(r.name + 'g', 8)}@mail.gmail.com>"
    new_html = "".join(
        f"<div>{html.escape(line)}</div>" if line else "<div><br></div>"
        for line in r.signed().split("\n")
    )
    html_body = (
        f'<div dir="ltr">{new_html}</div><br><div class="gmail_quote gmail_quote_container">'
        f'<div dir="ltr" class="gmail_attr">{attribution.replace("<", "&lt;").replace(">", "&gt;")}<br></div>'
        f'<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid '
        f'rgb(204,204,204);padding-left:1ex">{text_to_html(r.original_text())}</blockquote></div>\n'
    )
    boundary = f"000000000000{token(r.name, 16)}"
    mailer = [("X-Gm-Message-State", f"AOJu0Y{token(r.name, 20)}==")]
    mail = Mail(_common(r, mid, mailer))
    if html_only:
        mail.headers.append(("Content-Type", 'text/html; charset="UTF-8"'))
        mail.headers.append(("Content-Transfer-Encoding", "quoted-printable"))
        mail.body = qp(html_body, "utf-8")
    else:
        mail.headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
        mail.body = alternative(boundary, plain, html_body)
    return mail


def outlook(r: Reply, variant: str = "desktop") -> Mail:
    block = outlook_block(r.lang, r.sent, r.rep, r.lead, r.original_subject)
    rule = "________________________________\n" if variant in ("owa", "ios") else ""
    footer = "\n\nGet Outlook for iOS<https://aka.ms/o0ukef>" if variant == "ios" else ""
    plain = f"{r.signed()}{footer}\n\n{rule}{block}\n\n{r.original_text()}\n"
    mid = f"<{token(r.name, 8, True)}{token(r.name + 'o', 24, True)}@{token(r.name, 6, True)}PR03MB1234.eurprd03.prod.outlook.com>"
    mailer = [
        ("Thread-Topic", r.original_subject),
        ("Thread-Index", f"AQH{token(r.name, 24)}=="),
        ("Accept-Language", f"{r.lang}-{r.lang.upper() if r.lang != 'en' else 'US'}, en-US"),
        ("Content-Language", f"{r.lang}-{r.lang.upper() if r.lang != 'en' else 'US'}"),
        ("X-MS-Has-Attach", ""),
        ("X-MS-TNEF-Correlator", ""),
    ]
    mail = Mail(_common(r, mid, mailer))
    new_html = "".join(
        f'<p class="MsoNormal">{html.escape(line) or "&nbsp;"}</p>'
        for line in r.signed().split("\n")
    )
    header_html = "<br>".join(
        f"<b>{line.split(':', 1)[0]}:</b>{line.split(':', 1)[1].replace('<', '&lt;').replace('>', '&gt;')}"
        for line in block.split("\n")
    )
    html_body = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={r.charset}">'
        f"<style><!-- p.MsoNormal {{margin:0cm;font-size:11.0pt;font-family:Calibri}} --></style></head>"
        f'<body lang="{r.lang.upper()}"><div class="WordSection1">{new_html}'
        f'<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        f'<p class="MsoNormal">{header_html}</p></div><p class="MsoNormal">&nbsp;</p>'
        f"{text_to_html(r.original_text())}</div></body></html>\n"
    )
    if variant == "html":
        mail.headers.append(("Content-Type", f'text/html; charset="{r.charset.lower()}"'))
        mail.headers.append(("Content-Transfer-Encoding", "quoted-printable"))
        mail.body = qp(html_body, r.charset)
        return mail
    boundary = f"_000_{token(r.name, 30, True)}_"
    mail.headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    mail.body = alternative(boundary, plain, html_body, r.charset)
    return mail


def apple(r: Reply, iphone: bool = False, quoted_attribution: bool = True) -> Mail:
    attribution = apple_attribution(r.lang, r.sent, r.rep)
    original = quote(r.original_text())
    if iphone:
        body = f"{r.signed(card=False)}\n\n{DEVICE[r.lang]}\n\n> {attribution}\n> \n{original}\n"
        mailer = [("X-Mailer", "iPhone Mail (22D72)")]
    elif quoted_attribution:
        body = f"{r.signed()}\n\n> {attribution}\n> \n{original}\n"
        mailer = [("X-Mailer", "Apple Mail (2.3826.400.131.1.6)")]
    else:
        us = f"On {r.sent:%b} {r.sent.day}, {r.sent.year}, at {r.sent:%-I:%M %p}, {r.rep[0]} <{r.rep[1]}> wrote:"
        body = f"{r.signed()}\n\n{us}\n\n{original}\n"
        mailer = [("X-Mailer", "Apple Mail (2.3731.700.6)")]
    mid = f"<{token(r.name, 8, True)}-{token(r.name, 4, True)}-{token(r.name + 'a', 4, True)}-{token(r.name + 'b', 12, True)}@{r.lead[1].split('@')[1]}>"
    mail = Mail(_common(r, mid, mailer))
    if iphone:
        boundary = f"Apple-Mail-{token(r.name, 8, True)}-{token(r.name + 'c', 4, True)}"
        mail.headers.append(("Content-Type", f"multipart/alternative; boundary={boundary}"))
        mail.body = alternative(
            boundary, body, f'<html><body dir="auto">{text_to_html(body)}</body></html>'
        )
    else:
        mail.headers.append(("Content-Type", "text/plain; charset=utf-8"))
        mail.headers.append(("Content-Transfer-Encoding", "quoted-printable"))
        mail.body = qp(body, "utf-8")
    return mail


def thunderbird(r: Reply) -> Mail:
    if r.lang == "de":
        attribution = f"Am {r.sent:%d.%m.%y} um {r.sent:%H:%M} schrieb {r.rep[0]}:"
    else:
        attribution = f"On {r.sent:%d/%m/%Y} {r.sent:%H:%M}, {r.rep[0]} wrote:"
    if r.full_body is not None:
        body = r.full_body.replace("{attribution}", attribution)
    else:
        body = f"{r.signed()}\n\n{attribution}\n{quote(r.original_text())}\n"
    mid = f"<{token(r.name, 8)}-{token(r.name, 4)}-{token(r.name + 't', 4)}@{r.lead[1].split('@')[1]}>"
    mailer = [("User-Agent", "Mozilla Thunderbird"), ("Content-Language", r.lang)]
    mail = Mail(_common(r, mid, mailer))
    mail.headers.append(("Content-Type", f"text/plain; charset={r.charset}; format=flowed"))
    mail.headers.append(("Content-Transfer-Encoding", "8bit"))
    mail.body = body
    return mail


def yahoo(r: Reply) -> Mail:
    attribution = (
        f"On {r.sent:%A}, {r.sent:%B} {r.sent.day}, {r.sent.year} at {r.sent:%-I:%M:%S %p} GMT+1, "
        f"{r.rep[0]} <{r.rep[1]}> wrote:"
    )
    body = f"{r.signed()}\n\n\n{attribution}\n\n\n{r.original_text()}\n"
    mid = f"<{token(r.name, 10)}.{token(r.name + 'y', 7)}@mail.yahoo.com>"
    mailer = [("X-Mailer", "WebService/1.1.23187 YMailNorrin")]
    mail = Mail(_common(r, mid, mailer))
    boundary = f"----=_Part_{token(r.name, 6)}_{token(r.name + 'p', 9)}"
    mail.headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    html_body = (
        f'<html><body><div class="ydp{token(r.name, 6)}yahoo-style-wrap">{text_to_html(r.signed())}</div>'
        f'<div class="yahoo_quoted"><div>{attribution.replace("<", "&lt;").replace(">", "&gt;")}</div>'
        f"<blockquote>{text_to_html(r.original_text())}</blockquote></div></body></html>"
    )
    mail.body = alternative(boundary, body, html_body)
    return mail


def render(r: Reply) -> bytes:
    builders = {
        "gmail": lambda: gmail(r),
        "gmail_html": lambda: gmail(r, html_only=True),
        "android": lambda: gmail(r, android=True),
        "outlook": lambda: outlook(r),
        "owa": lambda: outlook(r, "owa"),
        "outlook_ios": lambda: outlook(r, "ios"),
        "outlook_html": lambda: outlook(r, "html"),
        "apple": lambda: apple(r),
        "apple_old": lambda: apple(r, quoted_attribution=False),
        "iphone": lambda: apple(r, iphone=True),
        "thunderbird": lambda: thunderbird(r),
        "yahoo": lambda: yahoo(r),
    }
    mail = builders[r.client]()
    mail.crlf = r.crlf
    return mail.render()


def sample_when(day: str, hm: str = "09:42", offset: int = 1) -> datetime:
    return at(day, hm, offset)
