"""Messages per second on one core: bare stdlib parsing vs parse_message + understand.

    .venv/bin/python bench/understand.py [--count 10000] [--seed 7]

Generates varied messages (replies from eight mail clients in eight languages, out-of-office
replies, bounces, some with attachments), then times both paths on the same bytes in one run.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from email import message_from_bytes
from email.policy import compat32
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "corpus")]

from _clients import Reply, render  # noqa: E402
from _machine import OOO, bounce_cases, ooo_mail  # noqa: E402
from _mailgen import at, b64  # noqa: E402

from assistant.mail.classify import understand  # noqa: E402
from assistant.mail.parse import parse_message  # noqa: E402
from assistant.mail.reply import new_text  # noqa: E402
from assistant.mail.scoring import load_cases, normalised  # noqa: E402

SENTENCES = {
    "en": [
        "Thanks for sending this over.",
        "How does pricing work for a team of about 40 reps?",
        "Can we set up a call next week?",
        "We're heads-down on a CRM migration, please check back in Q3.",
        "Our budget has been frozen until next year.",
        "I'm not the right person - talk to Sam Lee (sam.lee@example-buyer.com).",
        "We already use HubSpot and the team is happy.",
        "Please send the case study.",
        "Please remove me from your list.",
        "Looks useful, I will share it with my manager.",
    ],
    "de": [
        "Vielen Dank für die Unterlagen.",
        "Können wir nächste Woche telefonieren?",
        "Aktuell nicht, melden Sie sich nach Ostern wieder.",
        "Das klingt interessant.",
        "Bitte keine E-Mails mehr.",
    ],
    "fr": [
        "Merci pour votre message.",
        "Pouvons-nous organiser un appel jeudi ?",
        "Pas pour le moment, recontactez-moi dans six mois.",
        "Le sujet m'intéresse.",
    ],
    "es": [
        "Gracias por la información.",
        "¿Podemos agendar una llamada?",
        "Ahora no, más adelante.",
    ],
    "nl": ["Bedankt voor de informatie.", "Kunnen we volgende week bellen?", "Op dit moment niet."],
    "sv": ["Tack för informationen.", "Kan vi boka ett möte?", "Inte just nu tyvärr."],
    "it": ["Grazie per le informazioni.", "Possiamo fissare una call?", "Non ora, più avanti."],
    "pt": ["Obrigado pelas informações.", "Podemos agendar uma reunião?", "Agora não, obrigado."],
}
CLIENTS = [
    "gmail",
    "gmail_html",
    "android",
    "outlook",
    "owa",
    "outlook_ios",
    "outlook_html",
    "apple",
    "apple_old",
    "iphone",
    "thunderbird",
    "yahoo",
]
FIRST = ["Jane", "Tom", "Priya", "David", "Laura", "Stefan", "Claire", "Lucía", "Pieter", "Erik"]
LAST = ["Doe", "Becker", "Raman", "Chen", "Mitchell", "Hoffmann", "Dubois", "Costa", "Berg"]
DOMAINS = ["acme-corp.com", "northgate.co.uk", "hansa-logistik.de", "groupe-atlas.fr", "nordhav.se"]


def _reply(rng: random.Random, i: int) -> bytes:
    lang = rng.choice(list(SENTENCES))
    first, last = rng.choice(FIRST), rng.choice(LAST)
    lead = (f"{first} {last}", f"{first.lower()}.{last.lower()}{i}@{rng.choice(DOMAINS)}")
    new = " ".join(rng.sample(SENTENCES[lang], k=min(3, len(SENTENCES[lang]))))
    client = rng.choice(CLIENTS)
    day = (date(2025, 1, 6) + timedelta(days=rng.randrange(300))).isoformat()
    cc = (
        ((f"{rng.choice(FIRST)} Cc", f"cc{i}@{lead[1].split('@')[1]}"),)
        if rng.random() < 0.2
        else ()
    )
    reply = Reply(
        name=f"bench-{i}",
        client=client,
        lang=lang,
        lead=lead,
        new=new,
        when=at(day, f"{rng.randrange(7, 19):02d}:{rng.randrange(60):02d}"),
        expect={},
        signoff=rng.choice(["Best,", "Thanks,", "", "Viele Grüße", "Cordialement,"]),
        card=rng.choice(["", f"{first} {last}\nHead of Operations\n+1 555 0100"]),
        cc=cc,
        original=rng.randrange(3),
    )
    raw = render(reply)
    if rng.random() < 0.1:
        pdf = b64(bytes(rng.randrange(256) for _ in range(rng.randrange(2_000, 40_000))))
        head = raw.partition(b"\r\n\r\n")[0]
        head = b"\r\n".join(
            line for line in head.split(b"\r\n") if not line.lower().startswith(b"content-")
        )
        raw = (
            head
            + b'\r\nContent-Type: multipart/mixed; boundary="bench-mixed"\r\n\r\n'
            + b"--bench-mixed\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            + new.encode()
            + b"\r\n--bench-mixed\r\nContent-Type: application/pdf\r\n"
            + b'Content-Disposition: attachment; filename="deck.pdf"\r\n'
            + b"Content-Transfer-Encoding: base64\r\n\r\n"
            + pdf.replace("\n", "\r\n").encode()
            + b"\r\n--bench-mixed--\r\n"
        )
    return raw


def generate(count: int, seed: int) -> list[bytes]:
    """`count` varied messages: 85% replies, 10% out-of-office, 5% bounces."""
    rng = random.Random(seed)
    bounces = [raw for _, raw, _ in bounce_cases()]
    out: list[bytes] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.10:
            case = list(rng.choice(OOO))
            case[0] = f"{case[0]}-{i}"
            out.append(ooo_mail(tuple(case))[1])
        elif roll < 0.15:
            out.append(rng.choice(bounces).replace(b"2025", str(2020 + i % 6).encode(), 1))
        else:
            out.append(_reply(rng, i))
    return out


def bare(raw: bytes) -> None:
    for part in message_from_bytes(raw, policy=compat32).walk():
        if not part.is_multipart():
            part.get_payload(decode=True)


def full(raw: bytes) -> None:
    understand(parse_message(raw), today=date(2025, 6, 1))


def rate(fn: Callable[[bytes], None], messages: list[bytes], rounds: int) -> float:
    """Best messages-per-second of `rounds` passes over the messages."""
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for raw in messages:
            fn(raw)
        best = max(best, len(messages) / (time.perf_counter() - started))
    return best


def _quotequail(text: str) -> str:
    import quotequail

    return "\n".join(part for shown, part in quotequail.quote(text) if shown)


def _email_reply_parser(text: str) -> str:
    from email_reply_parser import EmailReplyParser

    return str(EmailReplyParser.parse_reply(text))


def _mail_parser_reply(text: str) -> str:
    from mailparser_reply import EmailReplyParser

    languages = ["en", "de", "fr", "es", "nl", "it", "sv", "da", "pl"]
    return str(EmailReplyParser(languages=languages).parse_reply(text))


def compare(folder: Path) -> None:
    """New text right per reader, on the labelled replies of a folder, and where they differ."""
    readers: dict[str, Callable[[str], str]] = {
        "nurture": new_text,
        "email-reply-parser": _email_reply_parser,
        "quotequail": _quotequail,
        "mail-parser-reply": _mail_parser_reply,
    }
    cases = [c for c in load_cases(folder) if c.new_text is not None]
    right = dict.fromkeys(readers, 0)
    only_others: list[str] = []
    for case in cases:
        body = parse_message(case.raw).text
        ok = {}
        for name, read in readers.items():
            try:
                ok[name] = normalised(read(body)) == normalised(case.new_text or "")
            # A reader that fails on a message is wrong on it, like one that misreads it.
            except Exception:
                ok[name] = False
            right[name] += ok[name]
        if not ok["nurture"] and any(ok.values()):
            only_others.append(case.name)
    print(f"{len(cases)} labelled replies in {folder}")
    for name, count in right.items():
        print(f"  {name:<20} {100 * count / len(cases):5.1f}%  ({count} of {len(cases)})")
    print(f"right elsewhere, wrong in nurture: {', '.join(only_others) or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="time a folder of .eml files instead")
    parser.add_argument("--compare", type=Path, help="score the reply parsers on a folder")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare)
        return
    if args.dir:
        messages = [path.read_bytes() for path in sorted(args.dir.glob("*.eml"))]
    else:
        messages = generate(args.count, args.seed)
    megabytes = sum(map(len, messages)) / 2**20
    print(f"{len(messages)} messages, {megabytes:.1f} MiB")
    full(messages[0])
    a = rate(bare, messages, args.rounds)
    b = rate(full, messages, args.rounds)
    print(f"(a) stdlib compat32 parse + walk:   {a:8.0f} messages/s")
    print(f"(b) parse_message + understand:     {b:8.0f} messages/s")
    print(f"ratio b/a: {b / a:.2f} (target >= 0.33)")


if __name__ == "__main__":
    main()
