"""`nurture doctor` on Dovecot, aiosmtpd and the Anthropic stand-in: working and broken."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from assistant.db import make_engine
from tests.nurture_cli import NURTURE
from tests.servers import free_port
from tests.servers.anthropic_standin import API_KEY, StandIn, text_answer
from tests.servers.dovecot import Dovecot, MailboxUser
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.slow

SMTP_LOGIN = ("ana-submit", "smtp-pass-123")


def _rep(
    index: int, user: MailboxUser, imap_security: str, smtp_port: int, smtp_security: str
) -> str:
    return f"""
[[reps]]
email = "rep{index}@acme.test"
name = "Rep {index}"
  [reps.imap]
  host = "{user.host}"
  port = {user.port}
  security = "{imap_security}"
  username = "{user.name}"
  password_env = "DOCTOR_IMAP_{index}"
  timeout_seconds = 10
  [reps.smtp]
  host = "127.0.0.1"
  port = {smtp_port}
  security = "{smtp_security}"
  username = "{SMTP_LOGIN[0]}"
  password_env = "DOCTOR_SMTP"
  timeout_seconds = 10
"""


def _config(folder: Path, db_url: str, base_url: str, reps: str) -> Path:
    path = folder / "nurture.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n'
        f'[llm]\nprovider = "anthropic"\nbase_url = "{base_url}"\napi_key_env = "DOCTOR_KEY"\n'
        f"max_retries = 0\n{reps}",
        encoding="utf-8",
    )
    return path


def _doctor(path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NURTURE, "--config", str(path), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=path.parent,
        timeout=300,  # catches a hang only
    )


def test_a_working_configuration_passes_every_check(
    tmp_path: Path,
    db_url: str,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    make_smtp_server: Callable[..., SmtpServer],
    anthropic_standin: StandIn,
) -> None:
    smtp = make_smtp_server(login=SMTP_LOGIN)
    path = _config(
        tmp_path,
        db_url,
        anthropic_standin.base_url,
        _rep(0, mailbox_user, "none", smtp.port, "none"),
    )
    env = {
        "DOCTOR_IMAP_0": mailbox_user.password,
        "DOCTOR_SMTP": SMTP_LOGIN[1],
        "DOCTOR_KEY": API_KEY,
    }
    assert _doctor(path, env, "init").returncode == 0
    anthropic_standin.script(text_answer("pong"))
    sent_before = len(dovecot.messages(mailbox_user.name, "Sent"))

    result = _doctor(path, env, "doctor")

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "All checks passed."
    assert all(line.startswith("✓ ") for line in lines[:-1])
    expected = [
        "configuration",
        "database",
        "schema at the newest revision",
        f"reps[0].imap: logged in as {mailbox_user.name}@",
        "reps[0].imap: IDLE offered",
        'reps[0].imap: Sent folder "Sent" marked \\Sent (SPECIAL-USE)',
        "reps[0].imap: test APPEND to Sent stored and deleted",
        f"reps[0].smtp: 127.0.0.1:{smtp.port}: EHLO 250, no TLS, logged in as {SMTP_LOGIN[0]}",
        "model: claude-sonnet-4-6 answered",
    ]
    checks = [line[2:] for line in lines[:-1]]
    assert len(checks) == len(expected), result.stdout
    for line, start in zip(checks, expected, strict=True):
        assert line.startswith(start), line
    assert len(dovecot.messages(mailbox_user.name, "Sent")) == sent_before  # the copy is gone
    [ping] = anthropic_standin.message_requests
    assert ping.body["max_tokens"] == 1
    assert "Error" not in result.stderr


def test_a_broken_configuration_names_each_failure_with_a_fix(
    tmp_path: Path,
    dovecot: Dovecot,
    make_smtp_server: Callable[..., SmtpServer],
    anthropic_standin: StandIn,
) -> None:
    wrong_password, plain_imap = dovecot.new_user(), dovecot.new_user()
    smtp = make_smtp_server(login=SMTP_LOGIN)
    closed = free_port()
    db_url = f"sqlite:///{tmp_path}/nurture.db"
    reps = _rep(0, wrong_password, "none", closed, "none") + _rep(
        1, plain_imap, "ssl", smtp.port, "ssl"
    )
    path = _config(tmp_path, db_url, anthropic_standin.base_url, reps)
    env = {
        "DOCTOR_IMAP_0": "not-the-password",
        "DOCTOR_IMAP_1": plain_imap.password,
        "DOCTOR_SMTP": SMTP_LOGIN[1],
        "DOCTOR_KEY": "sk-ant-wrong",
    }
    assert _doctor(path, env, "init").returncode == 0
    engine = make_engine(db_url)
    with engine.begin() as connection:  # as a newer release would leave it
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe9999'"))
    engine.dispose()

    result = _doctor(path, env, "doctor")

    assert result.returncode == 1
    out = result.stdout
    failed = [line for line in out.splitlines() if line.startswith("✗ ")]
    fixes = [line for line in out.splitlines() if line.startswith("  fix: ")]
    assert len(failed) == len(fixes) == 6, out
    assert out.splitlines()[-1] == "6 check(s) failed."
    assert "✗ the database is stamped with revision f00dcafe9999" in out
    assert "Install the release that wrote it" in out
    assert "Check reps[0].imap.username and the password in $DOCTOR_IMAP_0." in out
    assert (
        f"Nothing listens on 127.0.0.1:{closed}: check reps[0].smtp.host and reps[0].smtp.port."
        in out
    )
    assert "WRONG_VERSION_NUMBER" in out  # what the server did, then what to change:
    assert 'set reps[1].imap.security = "starttls"' in out
    assert 'set reps[1].smtp.security = "starttls"' in out
    assert "✗ model: the key in $DOCTOR_KEY was refused" in out
    assert "Traceback" not in result.stderr
    for secret_value in ("not-the-password", plain_imap.password, SMTP_LOGIN[1], "sk-ant-wrong"):
        assert secret_value not in out + result.stderr


def test_a_tick_over_tls_to_a_plain_port_names_the_key(
    tmp_path: Path,
    dovecot: Dovecot,
    mailbox_user: MailboxUser,
    make_smtp_server: Callable[..., SmtpServer],
) -> None:
    smtp = make_smtp_server(login=SMTP_LOGIN)
    path = _config(
        tmp_path,
        f"sqlite:///{tmp_path}/nurture.db",
        "http://127.0.0.1:9",
        _rep(0, mailbox_user, "ssl", smtp.port, "none"),
    )
    text_now = path.read_text(encoding="utf-8").replace('"anthropic"', '"offline"', 1)
    path.write_text(text_now, encoding="utf-8")
    env = {"DOCTOR_IMAP_0": mailbox_user.password, "DOCTOR_SMTP": SMTP_LOGIN[1]}

    result = _doctor(path, env, "tick")

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f'Error: reps[0].imap.security is "ssl", but the server on port {mailbox_user.port} '
        'answers in plain text: set reps[0].imap.security = "starttls" (or "none" on a trusted '
        "local link), or use the TLS port."
    )


def test_a_rep_added_at_run_time_is_checked_too(
    tmp_path: Path, sqlite_url: str, mailbox_user: MailboxUser
) -> None:
    path = tmp_path / "nurture.toml"
    path.write_text(f'[database]\nurl = "{sqlite_url}"\n', encoding="utf-8")
    env = {"DOCTOR_BOB": mailbox_user.password}
    added = _doctor(
        path, env, "reps", "add", "bob@acme.test", "--name", "Bob",
        "--imap-host", mailbox_user.host, "--imap-port", str(mailbox_user.port),
        "--imap-security", "none", "--imap-username", mailbox_user.name,
        "--imap-password-env", "DOCTOR_BOB",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    result = _doctor(path, env, "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"✓ rep bob@acme.test (database) imap: logged in as {mailbox_user.name}@" in (
        result.stdout
    )
    missing = _doctor(path, {}, "doctor")
    assert missing.returncode == 1
    assert (
        "✗ rep bob@acme.test (database) imap: environment variable DOCTOR_BOB is not set"
        in missing.stdout
    )
