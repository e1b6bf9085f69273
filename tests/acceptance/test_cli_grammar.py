"""One grammar: `nurture drafts VERB` and `nurture leads VERB`, the old verbs kept as aliases."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.cli import ALIASES, COMMANDS
from assistant.commands.lazy import load as load_command
from assistant.config import load
from assistant.content.store import import_library
from assistant.imports import import_leads
from assistant.pipeline import tick
from assistant.runtime import context
from tests.bounds import HANG_SECONDS
from tests.mails import mail
from tests.nurture_cli import NURTURE, Nurture, write_config
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

NOW = "2026-11-23T10:00:00+00:00"
LEADS = {
    "maria@northwind.test": "María López",
    "tom@contoso.test": "Tom Berg",
}
HEAVY = ("sqlalchemy", "sqlmodel", "numpy", "starlette", "alembic", "pydantic")


def _help(*args: str) -> str:
    result = subprocess.run(
        [*NURTURE, *args, "--help"], capture_output=True, text=True, timeout=HANG_SECONDS
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_lists_what_each_command_says_of_itself() -> None:
    for name, (target, line) in COMMANDS.items():
        assert load_command(target).get_short_help_str(limit=500) == line, name


def test_help_lists_the_noun_groups_and_the_old_verbs_as_aliases() -> None:
    text = _help()
    for name in COMMANDS:
        assert f"\n  {name} " in text
    aliases = text.split("Aliases:", 1)[1]
    assert "queue       nurture drafts list" in aliases
    assert "approve     nurture drafts approve" in aliases
    for verb, (group, target) in ALIASES.items():
        # An alias is the group's verb itself: the same options, the same help.
        assert _help(verb).split("\n", 1)[1] == _help(group, target).split("\n", 1)[1]


def test_help_loads_no_database_web_or_ranker_module() -> None:
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(' '.join(sorted({m.split('.')[0] for m in sys.modules}))))\n"
        "from assistant.cli import main\n"
        "main()\n"
    )
    for args in ([], ["leads"], ["drafts"]):
        result = subprocess.run(
            [NURTURE[0], "-c", probe, *args, "--help"],
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS,
        )
        assert result.returncode == 0, result.stderr
        loaded = set(result.stdout.split("\n")[-2].split())
        assert "assistant" in loaded and "click" in loaded
        assert not loaded & set(HEAVY), (args, loaded & set(HEAVY))


def _two_drafts(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    user: MailboxUser,
    smtp: SmtpServer,
) -> tuple[Nurture, dict[str, int]]:
    """Two leads who each answered the rep's email, and a pending draft for each.

    Made in this process (the commands that import and tick have their own tests); only
    the verbs under test run as `nurture` commands.
    """
    app = Nurture(write_config(tmp_path, db_url, user, smtp), user.password, now=NOW)
    settings = load(app.config)
    monkeypatch.setenv("TEST_IMAP_PASSWORD", user.password)
    ctx = context(settings)
    now = datetime.fromisoformat(NOW)
    library = settings.resolve(settings.content.library)
    import_library(ctx.engine, library, settings.content, "test", now)
    rows = "".join(
        f"{email},{name},Co,CFO,ana@acme.test,decision\n" for email, name in LEADS.items()
    )
    (tmp_path / "leads.csv").write_text(
        "email,name,company,title,owner,stage\n" + rows, encoding="utf-8"
    )
    assert import_leads(ctx.engine, tmp_path / "leads.csv", now).added == len(LEADS)
    for n, (email, name) in enumerate(LEADS.items()):
        sent, reply = f"<s{n}@acme.test>", f"<r{n}@{email.split('@')[1]}>"
        dovecot.deliver(
            user.name,
            mail(
                sender="Ana Ruiz <ana@acme.test>",
                to=f"{name} <{email}>",
                subject="Forecasting",
                body=f"Hi {name},\n\nThe guide we spoke about.\n\nAna",
                message_id=sent,
                date=datetime(2026, 11, 16, 9, tzinfo=UTC),
            ),
            folder="Sent",
        )
        dovecot.deliver(
            user.name,
            mail(
                sender=f"{name} <{email}>",
                to="Ana Ruiz <ana@acme.test>",
                subject="Re: Forecasting",
                body=f"Thanks. What would it cost for 40 users?\n\n{name}",
                message_id=reply,
                in_reply_to=sent,
                references=(sent,),
                date=datetime(2026, 11, 20, 9, tzinfo=UTC),
            ),
        )
    try:
        asyncio.run(tick(ctx, now))
    finally:
        ctx.engine.dispose()
    drafts = {d["lead"]["email"]: d["id"] for d in app.json("drafts", "list")}
    assert set(drafts) == set(LEADS)
    return app, drafts


@pytest.mark.slow
def test_drafts_verbs_act_through_the_approve_stage_and_the_old_verbs_still_work(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    app, drafts = _two_drafts(monkeypatch, tmp_path, db_url, dovecot, mailbox_user, smtp_server)
    maria, tom = drafts["maria@northwind.test"], drafts["tom@contoso.test"]
    assert app.json("queue") == app.json("drafts", "list")
    assert app.json("show", str(maria)) == app.json("drafts", "show", str(maria))

    app.run("drafts", "regenerate", str(maria), "--instruction", "shorter")
    assert app.json("drafts", "show", str(maria))["state"] == "pending"
    assert "version 3" in app.run("regenerate", str(maria), "--instruction", "more formal").stdout

    app.run("drafts", "reject", str(tom), "--reason", "not this week")
    assert app.json("drafts", "show", str(tom))["state"] == "rejected"
    again = app.run("drafts", "reject", str(tom), "--reason", "twice", check=False)
    assert again.returncode == 1 and "Traceback" not in again.stderr

    out = app.run("drafts", "approve", str(maria)).stdout
    assert out.startswith(f"Approved draft #{maria} to maria@northwind.test")
    assert app.json("drafts", "show", str(maria))["state"] == "approved"
    assert app.json("drafts", "list") == []

    unsettled = app.run("drafts", "resolve", str(maria), "--delivered", check=False)
    assert unsettled.returncode == 1
    assert (
        unsettled.stderr.strip() == f"Error: Draft {maria} is approved, not waiting for a decision."
    )


@pytest.mark.slow
def test_leads_verbs_pause_resume_stop_and_confirm(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    app, drafts = _two_drafts(monkeypatch, tmp_path, db_url, dovecot, mailbox_user, smtp_server)

    def status(email: str) -> tuple[str, str | None]:
        [lead] = [lead for lead in app.json("leads", "list") if lead["email"] == email]
        return lead["status"], lead["paused_until"]

    out = app.run("leads", "pause", "tom@contoso.test", "--until", "2027-01-11").stdout
    assert out == "Paused tom@contoso.test until 2027-01-11.\n"
    assert status("tom@contoso.test") == ("paused", "2027-01-11T08:00:00+00:00")
    # Pausing cancels the lead's open draft; the other lead's stays in the queue.
    assert [d["id"] for d in app.json("drafts", "list")] == [drafts["maria@northwind.test"]]

    app.run("leads", "resume", "tom@contoso.test")
    assert status("tom@contoso.test") == ("active", None)

    app.run("leads", "stop", "maria@northwind.test", "--reason", "bought elsewhere")
    assert status("maria@northwind.test") == ("stopped", None)
    assert app.json("drafts", "list") == []
    again = app.run("leads", "stop", "maria@northwind.test", check=False)
    assert again.returncode == 1
    assert again.stderr.strip() == (
        "Error: maria@northwind.test is stopped now; nothing was changed."
    )

    past = app.run("leads", "pause", "tom@contoso.test", "--until", "2020-01-01", check=False)
    assert past.returncode == 1 and past.stderr.strip() == "Error: A pause must end in the future."
    for verb in ("pause", "resume", "stop", "confirm"):
        extra = ["--until", "2027-01-11"] if verb == "pause" else []
        missing = app.run("leads", verb, "nobody@nowhere.test", *extra, check=False)
        assert missing.returncode == 1
        assert missing.stderr.strip() == "Error: There is no lead nobody@nowhere.test."
    assert app.run("leads", "confirm", "tom@contoso.test").stdout.startswith(
        "Confirmed tom@contoso.test"
    )
