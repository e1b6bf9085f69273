"""The one in-process Nurture that tests build: a test database, one rep (Ana), her mailbox and
her outgoing mail, and the drafters built from settings exactly as the daemon builds them.

The mailbox is Dovecot (pass `dovecot=` and `user=`) or a folder of .eml files, the demo's, so
that a drafting test runs the whole tick in well under a second. Outgoing mail goes to aiosmtpd
(pass `smtp=`) or is kept in `World.sent`. The model is reached through the real SDK at the
stand-in server when `llm` says anthropic. Tests get worlds from the `make_world` fixture
(tests/conftest.py), which closes every world it made. The tests that start a `nurture` process
write the same settings (`settings_data`) to its file: tests/nurture_cli.py and
tests/integration/web/company.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import tomli_w
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.config import ContentSettings, RepSettings, Settings, parse
from assistant.content.store import import_library
from assistant.db import transaction
from assistant.imports import import_leads
from assistant.mail import smtp as smtp_mail
from assistant.mail.imap import Mailbox
from assistant.mail.localbox import LocalMailbox
from assistant.models import Draft, Lead, Rep
from assistant.pipeline import TickReport, send, tick
from assistant.pipeline import approve as approve_stage
from assistant.pipeline.context import Context
from assistant.runtime import context
from tests.mails import mail
from tests.paths import ROOT
from tests.servers.anthropic_standin import API_KEY, tool_name
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

T = TypeVar("T")
LIBRARY = ROOT / "data" / "content"
REP = "ana@acme.test"
LEAD = "maria@northwind.test"
LEADS = (
    "email,name,company,title,owner,stage,topics,timezone\n"
    f"{LEAD},María López,Northwind,CFO,{REP},consideration,crm;forecasting,Europe/Madrid\n"
    f"li.wei@contoso.test,Li Wei,Contoso,VP Sales,{REP},consideration,forecasting,Asia/Shanghai\n"
)
FIRST = "<first@acme.test>"
KEY_ENV = "TEST_ANTHROPIC_KEY"
PASSWORD_ENV = "TEST_IMAP_PASSWORD"


def server_table(host: str, port: int, timeout: float, **more: Any) -> dict[str, Any]:
    """A [reps.imap] or [reps.smtp] table for a test server on loopback, without TLS."""
    return {"host": host, "port": port, "security": "none", "timeout_seconds": timeout, **more}


def settings_data(
    db_url: str,
    user: MailboxUser | None,
    smtp: SmtpServer | None,
    cadence: dict[str, Any] | None = None,
    *,
    llm: dict[str, Any] | None = None,
    library: bool = False,
    timeout: float = 5,
    **rep: Any,
) -> dict[str, Any]:
    """Settings for Ana on the test servers: no mailbox server when `user` is None (the folder
    mailbox stands in), no SMTP when `smtp` is None; `rep` adds to her table."""
    imap: dict[str, Any] = {"host": "localbox", "username": "ana", "password_env": PASSWORD_ENV}
    if user is not None:
        imap = server_table(
            user.host, user.port, timeout, username=user.name, password_env=PASSWORD_ENV
        )
    ana: dict[str, Any] = {"email": REP, "name": "Ana Ruiz", "signature": "Ana Ruiz\nAcme"}
    ana.update(imap=imap, **rep)
    if smtp is not None:
        ana["smtp"] = server_table(smtp.host, smtp.port, timeout)
    elif user is None:
        ana["smtp"] = {"host": "localbox"}
    data: dict[str, Any] = {
        "database": {"url": db_url},
        "cadence": cadence or {},
        "llm": {"api_key_env": KEY_ENV, **(llm or {})},
        "reps": [ana],
    }
    if library:
        data["content"] = {"library": str(LIBRARY)}
    return data


def write_settings(
    folder: Path, data: dict[str, Any], sections: dict[str, dict[str, Any]] | None = None
) -> Path:
    """Settings data as the file a `nurture` process reads: folder/nurture.toml; `sections`
    add to (or add) tables, such as `daemon` or `web`."""
    for name, table in (sections or {}).items():
        data.setdefault(name, {}).update(table)
    path = folder / "nurture.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


@dataclass
class World:
    ctx: Context
    user: MailboxUser | None = None  # Ana's Dovecot account; None: a folder mailbox
    smtp: SmtpServer | None = None
    dovecot: Dovecot | None = None  # for delivering mail to `user`
    box: LocalMailbox | None = None
    sent: list[bytes] = field(default_factory=list)  # what was submitted, without SMTP
    # One event loop for the world's life, as the daemon has: the model client's
    # connections belong to it.
    loop: asyncio.AbstractEventLoop | None = None

    @property
    def engine(self) -> Engine:
        return self.ctx.engine

    @property
    def settings(self) -> Settings:
        return self.ctx.settings

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
        return self.loop.run_until_complete(work)

    def tick(self, now: datetime) -> TickReport:
        return self.run(tick(self.ctx, now))

    def send(self, now: datetime, **kwargs: Any) -> send.SendReport:
        return self.run(send.run(self.ctx, now, **kwargs))

    def close(self) -> None:
        """Stop the world: the model clients' connections first, then the loop, then the
        store's pooled connections."""
        if self.loop is not None and not self.loop.is_closed():
            self.run(self.ctx.aclose())
            self.loop.close()
        self.engine.dispose()

    # --- mail ----------------------------------------------------------------------------------

    def deliver(self, raw: bytes, folder: str = "INBOX") -> int:
        if self.box is not None:
            return self.box.deliver(folder, raw)
        assert self.dovecot is not None and self.user is not None
        return self.dovecot.deliver(self.user.name, raw, folder=folder)

    def first_touch(
        self,
        email: str,
        at: datetime,
        message_id: str = FIRST,
        *,
        name: str = "",
        subject: str = "Forecasting guide",
        body: str = "",
    ) -> None:
        """Our first email to a lead, as the rep sent it by hand (found in Sent)."""
        said = (
            f"Hi {name.split()[0]},\n\nThe guide: https://acme.test/x\n\nAna"
            if name
            else "Hi,\n\nThe guide we spoke about: https://acme.test/x\n\nAna"
        )
        self.deliver(
            mail(
                sender=f"Ana Ruiz <{REP}>",
                to=f"{name} <{email}>" if name else email,
                subject=subject,
                body=body or said,
                message_id=message_id,
                date=at,
            ),
            folder="Sent",
        )

    def reply(self, email: str, body: str, at: datetime, n: int = 1, parent: str = FIRST) -> None:
        """The lead's answer to our first email."""
        self.deliver(
            mail(
                sender=email,
                to=f"Ana Ruiz <{REP}>",
                subject="Re: Forecasting guide",
                body=body,
                message_id=f"<r{n}.{email}>",
                in_reply_to=parent,
                references=(parent,),
                date=at,
            )
        )

    # --- records -------------------------------------------------------------------------------

    def lead(self, email: str) -> Lead:
        with Session(self.engine) as session:
            return session.exec(select(Lead).where(Lead.email == email)).one()

    def add_lead(self, email: str, *, timezone: str = "Europe/Madrid", company: str = "") -> int:
        """A lead of Ana's, written straight into the store."""
        with transaction(self.engine) as session:
            rep = session.exec(select(Rep).where(Rep.email == REP)).one()
            lead = Lead(
                email=email,
                name=email.split("@")[0].title(),
                company=company,
                owner_id=rep.id,
                timezone=timezone,
            )
            session.add(lead)
            session.flush()
            assert lead.id is not None
            return lead.id

    def drafts(self, email: str | None = None) -> list[Draft]:
        with Session(self.engine) as session:
            query = select(Draft).order_by(col(Draft.id))
            if email is not None:
                lead = session.exec(select(Lead).where(Lead.email == email)).one()
                query = query.where(Draft.lead_id == lead.id)
            return list(session.exec(query).all())

    def draft(self, draft_id: int) -> Draft:
        with Session(self.engine) as session:
            found = session.get(Draft, draft_id)
            assert found is not None
            return found

    def pending(self, lead_email: str, now: datetime, *, situation: str = "reply") -> int:
        """A pending draft for the lead, as the draft stage would leave it."""
        with transaction(self.engine) as session:
            lead = session.exec(select(Lead).where(Lead.email == lead_email)).one()
            count = len(session.exec(select(Draft.id)).all())
            assert lead.id is not None and lead.owner_id is not None
            draft = Draft(
                trigger=f"test:{lead.id}:{count}",
                lead_id=lead.id,
                rep_id=lead.owner_id,
                situation=situation,
                subject=f"Re: question {count}",
                body=f"Hello {lead.name},\n\nAnswer number {count}.\n\nAna\n",
                created_at=now,
            )
            session.add(draft)
            session.flush()
            assert draft.id is not None
            return draft.id

    def approve(self, draft_id: int, now: datetime, **kwargs: Any) -> Draft:
        return approve_stage.approve(self.engine, self.settings, draft_id, REP, now, **kwargs)


def build_world(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    now: datetime,
    *,
    dovecot: Dovecot | None = None,
    user: MailboxUser | None = None,
    smtp: SmtpServer | None = None,
    llm: dict[str, Any] | None = None,
    cadence: dict[str, Any] | None = None,
    leads_csv: str | None = LEADS,
    library_at: datetime | None = None,
    timeout: float = 10,
    **rep: Any,
) -> World:
    """A world on `db_url`: the library and the leads imported at `library_at` (default
    `now`) unless `leads_csv` is None, which leaves the store with Ana alone."""
    monkeypatch.setenv(KEY_ENV, API_KEY)
    monkeypatch.setenv(PASSWORD_ENV, user.password if user else "unused")
    data = settings_data(
        db_url,
        user,
        smtp,
        cadence,
        llm=llm,
        library=leads_csv is not None,
        timeout=timeout,
        **rep,
    )
    settings = parse(data, tmp_path / "nurture.toml")
    ctx = context(settings)
    world = World(ctx, user=user, smtp=smtp, dovecot=dovecot)
    if user is None:
        world.box = _folder_mailbox(world, tmp_path / "mail")
    if leads_csv is not None:
        at = library_at or now
        csv = tmp_path / "leads.csv"
        csv.write_text(leads_csv, encoding="utf-8")
        import_library(ctx.engine, LIBRARY, ContentSettings(), "test", at)
        report = import_leads(ctx.engine, csv, at)
        assert not report.problems, report.problems
    return world


def _folder_mailbox(world: World, folder: Path) -> LocalMailbox:
    """Point the world's context at a folder mailbox, and keep what it submits."""
    box = LocalMailbox(folder)

    @asynccontextmanager
    async def open_mailbox(rep: RepSettings) -> AsyncIterator[Mailbox]:
        yield box

    async def submit(
        rep: RepSettings, sender: str, recipient: str | Sequence[str], raw: bytes
    ) -> smtp_mail.SubmitResult:
        world.sent.append(raw)
        return smtp_mail.SubmitResult("accepted", "250 2.0.0 queued", 250)

    world.ctx = dataclasses.replace(world.ctx, open_mailbox=open_mailbox, submit=submit)
    return box


_CHOSEN = re.compile(
    r'<chosen_content slug="([^"]+)">\ntitle: ([^\n]*)\n(?:url|attached file): (\S+)'
)
_FIRST_NAME = re.compile(r"^first name: (.+)$", re.MULTILINE)


def model_answers(body: dict[str, Any]) -> dict[str, Any]:
    """A well-behaved model for the stand-in: clean drafts, plain readings of replies."""
    if tool_name(body) == "record_understanding":
        return {
            "intent": "interested",
            "intent_evidence": None,
            "events": [],
            "opt_out": False,
            "opt_out_evidence": None,
        }
    prompt = body["messages"][0]["content"]
    chosen, first = _CHOSEN.search(prompt), _FIRST_NAME.search(prompt)
    slug, title, where = chosen.groups() if chosen else (None, "", "")
    name = first.group(1) if first else "there"
    offer = f"\n\n{title} should help: {where}" if chosen else ""
    return {
        "subject": "Your forecasting question",
        "body": f"Hi {name},\n\nThanks for your note.{offer}\n\nBest,\nAna Ruiz\nAcme",
        "content_slug": slug,
        "rationale": "Answers the lead with the chosen item.",
        "confidence": 0.9,
        "flags": [],
    }
