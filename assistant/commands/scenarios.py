"""Drafting scenarios (JSON lines) read, and each run through the real pipeline offline.

Each scenario gets its own SQLite database (a copy of one with the library imported), a
folder mailbox holding its thread, and one tick at the time of the lead's last message:
ingest, understand, plan and draft, exactly as `nurture tick` runs them.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from assistant import rules
from assistant.config import ContentSettings, RepSettings, parse
from assistant.content.store import import_library
from assistant.db import open_database, transaction
from assistant.errors import InputError
from assistant.imports import import_leads
from assistant.mail import smtp
from assistant.mail.imap import Mailbox
from assistant.mail.localbox import LocalMailbox
from assistant.models import ContentItem, Draft, Lead
from assistant.pipeline import tick
from assistant.pipeline.context import Context
from assistant.roster import sync_reps
from assistant.runtime import models

REP_EMAIL = "rep@nurture-eval.test"
_REQUIRED = ("id", "rep", "lead", "thread")


@dataclass(frozen=True)
class Message:
    sender: str  # "rep" or "lead"
    at: datetime
    subject: str
    text: str
    cc: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    id: str
    line: int
    rep: dict[str, str]
    lead: dict[str, Any]
    thread: tuple[Message, ...]
    tone: dict[str, Any]
    content_slug: str | None
    must: tuple[str, ...]
    must_not: tuple[str, ...]
    expect: dict[str, Any] = field(default_factory=dict)  # optional turn checks
    acceptable: tuple[str, ...] = ()  # other items a careful marketer would also send


@dataclass
class Outcome:
    """What the pipeline made of a scenario."""

    draft: Draft | None
    content_slug: str | None
    lead: Lead
    proposed: list[str]  # addresses proposed as new leads
    library: dict[str, ContentItem]
    today: date


def _when(value: object, where: str, line: int) -> datetime:
    text = str(value or "").strip()
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        problem = f"'{text}' is not a date like 2026-07-10T09:00:00+02:00"
        raise InputError(where, problem, line) from None
    if len(text) == 10:
        found = datetime.combine(found.date(), time(9))
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def load(path: Path) -> list[Scenario]:
    """Every scenario of a JSON-lines file; the first bad line stops with its number."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    found: list[Scenario] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"not valid JSON ({exc.msg})", number) from None
        found.append(_scenario(data, str(path), number))
    if not found:
        raise InputError(str(path), "no scenarios in the file")
    return found


def _scenario(data: object, where: str, line: int) -> Scenario:
    if not isinstance(data, dict):
        raise InputError(where, "a scenario must be a JSON object", line)
    missing = [key for key in _REQUIRED if not data.get(key)]
    if missing:
        raise InputError(where, f"scenario has no '{missing[0]}'", line)
    lead = data["lead"]
    if not isinstance(lead, dict) or not lead.get("email"):
        raise InputError(where, "'lead' needs at least an 'email'", line)
    turns = []
    for turn in data["thread"]:
        if not isinstance(turn, dict) or turn.get("from") not in ("rep", "lead"):
            raise InputError(where, 'each thread entry needs "from": "rep" or "lead"', line)
        turns.append(
            Message(
                turn["from"],
                _when(turn.get("date"), where, line),
                str(turn.get("subject") or ""),
                str(turn.get("text") or ""),
                tuple(turn.get("cc") or ()),
            )
        )
    return Scenario(
        id=str(data["id"]),
        line=line,
        rep={k: str(v) for k, v in dict(data["rep"]).items()},
        lead=lead,
        thread=tuple(turns),
        tone=dict(data.get("tone_rules") or {}),
        content_slug=data.get("content_slug"),
        must=tuple(data.get("must") or ()),
        must_not=tuple(data.get("must_not") or ()),
        expect=dict(data.get("expect") or {}),
        acceptable=tuple(str(slug) for slug in data.get("acceptable_slugs") or ()),
    )


def tone_changes(tone: dict[str, Any]) -> dict[str, Any]:
    """The scenario's tone rules as the rules store takes them."""
    changes = {k: v for k, v in tone.items() if k != "required_line"}
    if tone.get("required_line"):
        changes["required_lines"] = [tone["required_line"]]
    return changes


class Runner:
    """Runs scenarios against one library; the library is imported once and copied."""

    def __init__(self, library: Path, work: Path) -> None:
        self.library, self.work = library, work
        self._template = work / "library.sqlite"
        engine = open_database(f"sqlite:///{self._template}")
        import_library(engine, library, ContentSettings(), "eval", datetime(2020, 1, 1, tzinfo=UTC))
        engine.dispose()

    def run(self, scenario: Scenario) -> Outcome:
        folder = self.work / f"s{scenario.line}"
        folder.mkdir()
        database = folder / "nurture.sqlite"
        shutil.copy(self._template, database)
        return asyncio.run(self._run(scenario, folder, database))

    async def _run(self, scenario: Scenario, folder: Path, database: Path) -> Outcome:
        rep = scenario.rep
        settings = parse(
            {
                "database": {"url": f"sqlite:///{database}"},
                "content": {"library": str(self.library)},
                "reps": [
                    {
                        "email": REP_EMAIL,
                        "name": rep.get("name", "Rep"),
                        "signature": rep.get("signature") or rep.get("name", "Rep"),
                        "timezone": rep.get("timezone", ""),
                        "imap": {"host": "localbox", "username": "rep", "password_env": "UNUSED"},
                        "smtp": {"host": "localbox"},
                    }
                ],
            },
            folder / "nurture.toml",
        )
        engine = open_database(settings.database_url)
        sync_reps(engine, settings)
        first = scenario.thread[0].at
        _leads_file(scenario, folder / "leads.csv")
        report = import_leads(engine, folder / "leads.csv", first - timedelta(days=30))
        if report.problems:
            raise InputError(f"scenario {scenario.id}", report.problems[0], scenario.line)
        if scenario.tone:
            with transaction(engine) as session:
                rules.set_rules(
                    session,
                    team="default",
                    kind="tone",
                    changes=tone_changes(scenario.tone),
                    actor="eval",
                    now=first,
                    source=f"scenario {scenario.id}",
                )
        box = LocalMailbox(folder / "mail")
        for index, message in enumerate(scenario.thread):
            sent = message.sender == "rep"
            box.deliver("Sent" if sent else "INBOX", _mail(scenario, index, message))

        @asynccontextmanager
        async def open_mailbox(_: RepSettings) -> AsyncIterator[Mailbox]:
            yield box

        async def submit(
            _: RepSettings, sender: str, to: str | Sequence[str], raw: bytes
        ) -> smtp.SubmitResult:
            return smtp.SubmitResult("accepted", "250 2.0.0 queued", 250)

        drafter, _ = models(settings)
        ctx = Context(settings, engine, drafter, open_mailbox, submit)
        now = _now(scenario)
        await tick(ctx, now)
        with Session(engine) as session:
            lead = session.exec(select(Lead).where(Lead.email == _lead_email(scenario))).one()
            draft = session.exec(
                select(Draft).where(Draft.lead_id == lead.id).order_by(col(Draft.id).desc())
            ).first()
            items = {i.slug: i for i in session.exec(select(ContentItem)).all()}
            slug = next((s for s, i in items.items() if draft and i.id == draft.content_id), None)
            proposed = [
                p.email
                for p in session.exec(select(Lead).where(Lead.referred_by_id == lead.id)).all()
            ]
        engine.dispose()
        return Outcome(draft, slug, lead, proposed, items, now.date())


def _lead_email(scenario: Scenario) -> str:
    return str(scenario.lead["email"]).strip().lower()


def _now(scenario: Scenario) -> datetime:
    last = scenario.thread[-1]
    if "now" in scenario.expect:
        return _when(scenario.expect["now"], f"scenario {scenario.id}", scenario.line)
    # A lead's reply is drafted at once; after our own last mail, a follow-up is due later.
    return last.at + (timedelta(hours=1) if last.sender == "lead" else timedelta(days=21))


def _leads_file(scenario: Scenario, path: Path) -> None:
    lead = scenario.lead
    topics = lead.get("topics") or []
    row = [
        _lead_email(scenario),
        str(lead.get("name", "")),
        str(lead.get("company", "")),
        str(lead.get("title", "")),
        REP_EMAIL,
        str(lead.get("stage") or "consideration"),
        ";".join(topics) if isinstance(topics, list) else str(topics),
        str(lead.get("timezone", "")),
        str(lead.get("industry", "")),
    ]
    quoted = ",".join('"' + value.replace('"', '""') + '"' for value in row)
    header = "email,name,company,title,owner,stage,topics,timezone,industry"
    path.write_text(f"{header}\n{quoted}\n", encoding="utf-8")


def _mail(scenario: Scenario, index: int, message: Message) -> bytes:
    lead = scenario.lead
    lead_address = f"{lead.get('name', '')} <{_lead_email(scenario)}>".strip()
    rep_address = f"{scenario.rep.get('name', 'Rep')} <{REP_EMAIL}>"
    ids = [f"<m{i}.{scenario.line}@nurture-eval.test>" for i in range(index + 1)]
    mail = EmailMessage()
    mail["From"] = rep_address if message.sender == "rep" else lead_address
    mail["To"] = lead_address if message.sender == "rep" else rep_address
    if message.cc:
        mail["Cc"] = ", ".join(message.cc)
    subject = message.subject or _subject(scenario, index)
    mail["Subject"] = subject
    mail["Date"] = format_datetime(message.at)
    mail["Message-ID"] = ids[-1]
    if index:
        mail["In-Reply-To"] = ids[-2]
        mail["References"] = " ".join(ids[:-1])
    mail.set_content(message.text)
    return mail.as_bytes()


def _subject(scenario: Scenario, index: int) -> str:
    first = next((m.subject for m in scenario.thread if m.subject), "Our conversation")
    return first if index == 0 else f"Re: {first.removeprefix('Re: ')}"


def lead_texts(scenario: Scenario) -> Iterator[str]:
    yield from (m.text for m in scenario.thread if m.sender == "lead")
