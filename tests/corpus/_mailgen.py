"""Builders for the golden corpus: replies shaped like real mail clients write them."""

# ruff: noqa: E501

from __future__ import annotations

import base64
import hashlib
import html
import quopri
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

CRLF = "\r\n"
VENDOR = "lumenrise.io"

WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
    "nl": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
    "sv": "måndag tisdag onsdag torsdag fredag lördag söndag",
    "it": "lunedì martedì mercoledì giovedì venerdì sabato domenica",
    "pt": "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado domingo",
}
WEEKDAYS_SHORT = {
    "en": "Mon Tue Wed Thu Fri Sat Sun",
    "de": "Mo Di Mi Do Fr Sa So",
    "fr": "lun mar mer jeu ven sam dim",
    "es": "lun mar mié jue vie sáb dom",
    "nl": "ma di wo do vr za zo",
    "sv": "mån tis ons tors fre lör sön",
    "it": "lun mar mer gio ven sab dom",
    "pt": "seg ter qua qui sex sáb dom",
}
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}
MONTHS_SHORT = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "es": "ene feb mar abr may jun jul ago sept oct nov dic",
    "nl": "jan feb mrt apr mei jun jul aug sep okt nov dec",
    "it": "gen feb mar apr mag giu lug ago set ott nov dic",
    "pt": "jan fev mar abr mai jun jul ago set out nov dez",
    "sv": "jan. feb. mars apr. maj juni juli aug. sep. okt. nov. dec.",
}
DEVICE = {
    "en": "Sent from my iPhone",
    "de": "Von meinem iPhone gesendet",
    "fr": "Envoyé de mon iPhone",
    "es": "Enviado desde mi iPhone",
    "nl": "Verstuurd vanaf mijn iPhone",
    "sv": "Skickat från min iPhone",
    "it": "Inviato da iPhone",
    "pt": "Enviado do meu iPhone",
}
OUTLOOK_FIELDS = {
    "en": ("From", "Sent", "To", "Subject", "Cc"),
    "de": ("Von", "Gesendet", "An", "Betreff", "Cc"),
    "fr": ("De\u00a0", "Envoyé\u00a0", "À\u00a0", "Objet\u00a0", "Cc\u00a0"),
    "es": ("De", "Enviado el", "Para", "Asunto", "CC"),
    "nl": ("Van", "Verzonden", "Aan", "Onderwerp", "CC"),
    "sv": ("Från", "Skickat", "Till", "Ämne", "Kopia"),
    "it": ("Da", "Inviato", "A", "Oggetto", "Cc"),
    "pt": ("De", "Enviado", "Para", "Assunto", "Cc"),
}


def _w(lang: str, d: datetime, short: bool = False) -> str:
    return (WEEKDAYS_SHORT if short else WEEKDAYS)[lang].split()[d.weekday()]


def _m(lang: str, d: datetime, short: bool = False) -> str:
    table = MONTHS_SHORT if short and lang in MONTHS_SHORT else MONTHS
    return table[lang].split()[d.month - 1]


def _ampm(d: datetime) -> str:
    return f"{(d.hour - 1) % 12 + 1}:{d:%M} {'AM' if d.hour < 12 else 'PM'}"


def gmail_attribution(lang: str, d: datetime, rep: tuple[str, str], us: bool = True) -> str:
    name, mail = rep
    hm = f"{d:%H:%M}"
    if lang == "en" and us:
        return f"On {_w('en', d, True)}, {_m('en', d, True)} {d.day}, {d.year} at {_ampm(d)} {name} <{mail}> wrote:"
    forms = {
        "en": f"On {_w('en', d, True)}, {d.day} {_m('en', d, True)} {d.year} at {hm}, {name} <{mail}> wrote:",
        "de": f"Am {_w('de', d, True)}., {d.day}. {_m('de', d)} {d.year} um {hm} Uhr schrieb {name} <{mail}>:",
        "fr": f"Le {_w('fr', d, True)}. {d.day} {_m('fr', d)} {d.year} à {hm}, {name} <{mail}> a écrit :",
        "es": f"El {_w('es', d, True)}, {d.day} {_m('es', d, True)} {d.year} a las {hm}, {name} (<{mail}>) escribió:",
        "nl": f"Op {_w('nl', d, True)} {d.day} {_m('nl', d, True)} {d.year} om {hm} schreef {name} <{mail}>:",
        "sv": f"Den {_w('sv', d, True)} {d.day} {_m('sv', d, True)} {d.year} kl {hm} skrev {name} <{mail}>:",
        "it": f"Il giorno {_w('it', d, True)} {d.day} {_m('it', d, True)} {d.year} alle ore {hm} {name} <{mail}> ha scritto:",
        "pt": f"Em {_w('pt', d, True)}., {d.day} de {_m('pt', d, True)}. de {d.year} às {hm}, {name} <{mail}> escreveu:",
    }
    return forms[lang]


def apple_attribution(lang: str, d: datetime, rep: tuple[str, str]) -> str:
    name, mail = rep
    hm = f"{d:%H:%M}"
    forms = {
        "en": f"On {d.day} {_m('en', d, True)} {d.year}, at {hm}, {name} <{mail}> wrote:",
        "de": f"Am {d:%d.%m.%Y} um {hm} schrieb {name} <{mail}>:",
        "fr": f"Le {d.day} {_m('fr', d)} {d.year} à {hm}, {name} <{mail}> a écrit :",
        "es": f"El {d.day} {_m('es', d, True)} {d.year}, a las {hm}, {name} <{mail}> escribió:",
        "nl": f"Op {d.day} {_m('nl', d, True)} {d.year} om {hm} heeft {name} <{mail}> het volgende geschreven:",
        "sv": f"{d.day} {_m('sv', d, True)} {d.year} kl. {hm} skrev {name} <{mail}>:",
        "it": f"Il giorno {d.day} {_m('it', d, True)} {d.year}, alle ore {hm}, {name} <{mail}> ha scritto:",
        "pt": f"Em {d.day} de {_m('pt', d, True)}. de {d.year}, à(s) {hm}, {name} <{mail}> escreveu:",
    }
    return forms[lang]


def outlook_block(
    lang: str, d: datetime, rep: tuple[str, str], lead: tuple[str, str], subject: str
) -> str:
    f_from, f_sent, f_to, f_subject, _ = OUTLOOK_FIELDS[lang]
    when = {
        "en": f"{_w('en', d)}, {_m('en', d)} {d.day}, {d.year} {_ampm(d)}",
        "de": f"{_w('de', d)}, {d.day}. {_m('de', d)} {d.year} {d:%H:%M}",
        "fr": f"{_w('fr', d)} {d.day} {_m('fr', d)} {d.year} {d:%H:%M}",
        "es": f"{_w('es', d)}, {d.day} de {_m('es', d)} de {d.year} {d:%H:%M}",
        "nl": f"{_w('nl', d)} {d.day} {_m('nl', d)} {d.year} {d:%H:%M}",
        "sv": f"den {d.day} {_m('sv', d)} {d.year} {d:%H:%M}",
        "it": f"{_w('it', d)} {d.day} {_m('it', d)} {d.year} {d:%H:%M}",
        "pt": f"{_w('pt', d)}, {d.day} de {_m('pt', d)} de {d.year} {d:%H:%M}",
    }[lang]
    return (
        f"{f_from}: {rep[0]} <{rep[1]}>\n{f_sent}: {when}\n{f_to}: {lead[0]} <{lead[1]}>\n"
        f"{f_subject}: {subject}"
    )


def quote(text: str, prefix: str = "> ") -> str:
    return "\n".join(
        (prefix + line).rstrip() if line else prefix.rstrip() for line in text.split("\n")
    )


def wrap_attribution(line: str, width: int = 76) -> str:
    return "\n".join(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False))


def token(seed: str, n: int = 16, upper: bool = False) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()[:n]
    return digest.upper() if upper else digest


def qp(text: str, charset: str) -> str:
    raw = text.replace("\n", "\r\n").encode(charset)
    return quopri.encodestring(raw).decode("ascii").replace("\r\n", "\n").replace("=0D\n", "\n")


def b64(data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


def text_to_html(text: str) -> str:
    """Client-style HTML: paragraphs as divs, quoted lines as nested blockquotes."""
    out: list[str] = []
    depth = 0
    for line in text.split("\n"):
        level = 0
        while line.startswith(">"):
            line = line[1:].lstrip(" ")
            level += 1
        while depth < level:
            out.append(
                '<blockquote type="cite" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">'
            )
            depth += 1
        while depth > level:
            out.append("</blockquote>")
            depth -= 1
        out.append(f"<div>{html.escape(line) if line.strip() else '<br>'}</div>")
    out.extend("</blockquote>" for _ in range(depth))
    return "\n".join(out)


@dataclass
class Mail:
    """A message under construction: header list and body text (LF line ends)."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    body: str = ""
    crlf: bool = True

    def render(self) -> bytes:
        lines = [f"{k}: {v}" for k, v in self.headers]
        text = "\n".join(lines) + "\n\n" + self.body
        if self.crlf:
            text = text.replace("\r\n", "\n").replace("\n", CRLF)
        return text.encode("utf-8", "surrogateescape")


def alternative(
    boundary: str, plain: str, html_body: str, charset: str = "UTF-8", cte: str = "quoted-printable"
) -> str:
    def enc(text: str) -> str:
        if cte == "quoted-printable":
            return qp(text, charset)
        if cte == "base64":
            return b64(text.replace("\n", "\r\n").encode(charset))
        return text

    return (
        f'--{boundary}\nContent-Type: text/plain; charset="{charset}"\n'
        f"Content-Transfer-Encoding: {cte}\n\n{enc(plain)}\n"
        f'--{boundary}\nContent-Type: text/html; charset="{charset}"\n'
        f"Content-Transfer-Encoding: {cte}\n\n{enc(html_body)}\n--{boundary}--\n"
    )


def date_header(d: datetime) -> str:
    return format_datetime(d)


def at(day: str, hm: str = "10:15", offset_hours: int = 1) -> datetime:
    tz = timezone(timedelta(hours=offset_hours))
    return datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=tz)


def received(d: datetime, host: str, by: str, rcpt: str) -> str:
    return (
        f"from {host} ({host} [203.0.113.{int(token(host, 2), 16) % 250 + 1}])\n\tby {by} "
        f"with ESMTPS id {token(host + by, 12)}\n\tfor <{rcpt}>; {date_header(d)}"
    )


JSONish = dict[str, Any]
