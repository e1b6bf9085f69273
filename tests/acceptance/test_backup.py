"""`nurture backup PATH`: a copy that opens as the database and runs a pass."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.mails import mail
from tests.nurture_cli import Nurture, write_config
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

NOW = "2026-11-23T10:00:00+00:00"


@pytest.mark.slow
def test_a_restored_backup_is_the_database_and_a_tick_runs_on_it(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    smtp_server: SmtpServer,
) -> None:
    live = tmp_path / "live"
    live.mkdir()
    app = Nurture(
        write_config(live, sqlite_url, mailbox_user, smtp_server), mailbox_user.password, now=NOW
    )
    app.run("init")
    app.run("content", "import")
    (live / "leads.csv").write_text(
        "email,name,company,title,owner,stage\n"
        "maria@northwind.test,María López,Northwind,CFO,ana@acme.test,decision\n",
        encoding="utf-8",
    )
    app.run("leads", "import", "leads.csv")
    copy = tmp_path / "backups" / "nurture.db"
    copy.parent.mkdir()

    out = app.run("backup", str(copy)).stdout
    assert out.startswith(f"Backed up the database to {copy} (") and out.endswith(" pages).\n")
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # What happens after the backup stays out of it.
    (live / "more.csv").write_text(
        "email,name,company,title,owner,stage\n"
        "tom@contoso.test,Tom Berg,Contoso,CTO,ana@acme.test,awareness\n",
        encoding="utf-8",
    )
    app.run("leads", "import", "more.csv")
    refused = app.run("backup", str(copy), check=False)
    assert refused.returncode == 1
    assert (
        refused.stderr.strip() == f"Error: {copy} already exists; name a new file for the backup."
    )

    restored_folder = tmp_path / "restored"
    restored_folder.mkdir()
    restored = Nurture(
        write_config(restored_folder, f"sqlite:///{copy}", mailbox_user, smtp_server),
        mailbox_user.password,
        now=NOW,
    )
    assert [lead["email"] for lead in restored.json("leads", "list")] == ["maria@northwind.test"]
    dovecot.deliver(
        mailbox_user.name,
        mail(
            sender="Ana Ruiz <ana@acme.test>",
            to="María López <maria@northwind.test>",
            subject="Forecasting",
            body="Hi María,\n\nThe guide we spoke about.\n\nAna",
            message_id="<s1@acme.test>",
            date=datetime(2026, 11, 16, 9, tzinfo=UTC),
        ),
        folder="Sent",
    )
    dovecot.deliver(
        mailbox_user.name,
        mail(
            sender="María López <maria@northwind.test>",
            to="Ana Ruiz <ana@acme.test>",
            subject="Re: Forecasting",
            body="Thanks. What would it cost for 40 users?\n\nMaría",
            message_id="<r1@northwind.test>",
            in_reply_to="<s1@acme.test>",
            references=("<s1@acme.test>",),
            date=datetime(2026, 11, 20, 9, tzinfo=UTC),
        ),
    )
    assert "drafted 1," in restored.run("tick").stdout
    [draft] = restored.json("drafts", "list")
    assert draft["lead"]["email"] == "maria@northwind.test"
    assert len(app.json("content", "list")) == len(restored.json("content", "list"))


def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    config = tmp_path / "nurture.toml"
    config.write_text(
        '[database]\nurl = "postgresql+psycopg://nurture@127.0.0.1:1/nurture"\n', encoding="utf-8"
    )
    result = Nurture(config, "").run("backup", str(tmp_path / "copy.sql"), check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: nurture backup copies SQLite databases; back up PostgreSQL with pg_dump "
        "(README.md, Backups)."
    )
    assert not (tmp_path / "copy.sql").exists()


def test_backup_names_a_missing_database_and_a_missing_folder(tmp_path: Path) -> None:
    config = tmp_path / "nurture.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "none.db"}"\n', encoding="utf-8")
    app = Nurture(config, "")
    missing = app.run("backup", str(tmp_path / "copy.db"), check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        f"Error: database.url: there is no SQLite database at '{tmp_path / 'none.db'}' to back up."
    )
    sqlite3.connect(tmp_path / "none.db").close()
    nowhere = app.run("backup", str(tmp_path / "no" / "copy.db"), check=False)
    assert nowhere.returncode == 1
    assert nowhere.stderr.strip() == (
        f"Error: {tmp_path / 'no'} is not a folder; the backup cannot be written there."
    )
