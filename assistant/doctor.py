"""`nurture doctor`: checks the configuration, database, mailboxes, SMTP and model, one by one."""

from __future__ import annotations

import asyncio
import ssl
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import aiosmtplib
from sqlalchemy import text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from assistant import config, roster
from assistant.config import RepSettings, Settings, secret
from assistant.db import is_current, known_revisions, make_engine, schema_revisions
from assistant.errors import ConfigError, ImapError, NurtureError
from assistant.mail import imap
from assistant.mail.hints import tls_mismatch
from assistant.runtime import imap_account, smtp_account, where


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str
    fix: str = ""


def _fix_for_connection(detail: str, key: str, security: str, host: str, port: int) -> str:
    """The advice for a server that could not be reached or refused us."""
    if tls_mismatch(detail, f"{key}.security", security, port):
        return (
            f"The server on port {port} speaks plain text first: set {key}.security = "
            '"starttls" (or "none" on a trusted local link), or use its TLS port.'
        )
    lowered = detail.lower()
    if "errno 111" in lowered or "connection refused" in lowered:
        return f"Nothing listens on {host}:{port}: check {key}.host and {key}.port."
    if "timed out" in lowered:
        return f"{host}:{port} does not answer: check {key}.host, {key}.port and the firewall."
    if "certificate" in lowered:
        return f"The server's certificate is not trusted: check {key}.host names the server."
    return f"Check {key}.host, {key}.port and {key}.security."


def _database(settings: Settings) -> list[Check]:
    url = settings.database_url
    try:
        engine = make_engine(url)
    except NurtureError as exc:
        return [Check(False, str(exc), _URL_FIX)]
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        return [Check(False, f"database.url cannot be used: {exc}", _URL_FIX)]
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current, head = schema_revisions(engine)
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return [
            Check(
                False,
                f"database {shown} cannot be reached: {detail}",
                "Check database.url and that the database server runs.",
            )
        ]
    finally:
        engine.dispose()
    checks = [Check(True, f"database {shown} answers")]
    if current == head:
        checks.append(Check(True, f"schema at the newest revision ({head})"))
    elif current is None:
        checks.append(Check(False, "the database has no schema yet", "Run `nurture init`."))
    elif current not in known_revisions():
        checks.append(
            Check(
                False,
                f"the database is stamped with revision {current}, which this release does "
                "not know (a newer release wrote it)",
                "Install the release that wrote it, or restore a backup made with this one.",
            )
        )
    else:
        checks.append(
            Check(False, f"schema at revision {current}, not {head}", "Run `nurture init`.")
        )
    return checks


_URL_FIX = "Use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB for database.url."


def _probe(rep: RepSettings) -> tuple[str, bytes]:
    """A small test message and its Message-ID."""
    message = EmailMessage()
    message["From"] = message["To"] = rep.email
    message["Subject"] = "Nurture doctor: test copy (deleted at once)"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = f"<doctor-{uuid.uuid4().hex}@{rep.email.split('@')[1]}>"
    message.set_content("A test APPEND by `nurture doctor`; it deletes this copy right away.\n")
    return message["Message-ID"], bytes(message)


def _key(settings: Settings, rep: RepSettings, section: str) -> str:
    """How a check names a rep's section: `reps[0].imap` in the file, else the database's."""
    path, key = where(settings, rep, section)
    return key if path == str(settings.path) else f"rep {rep.email} (database) {section}"


def _database_reps(settings: Settings) -> list[RepSettings]:
    """Reps on the floor that the database holds and the file does not (added at run time);
    none when the database cannot be read, which its own check reports."""
    in_file = {rep.email for rep in settings.reps}
    engine = make_engine(settings.database_url)
    try:
        if not is_current(engine):
            return []
        return [r for r in roster.reps(engine, roster.ON_FLOOR) if r.email not in in_file]
    except (NurtureError, SQLAlchemyError):
        return []
    finally:
        engine.dispose()


async def _mailbox(settings: Settings, rep: RepSettings) -> AsyncIterator[Check]:
    assert rep.imap is not None
    key = _key(settings, rep, "imap")
    try:
        account = imap_account(settings, rep)
    except ConfigError as exc:
        yield Check(False, f"{key}: {exc.problem}", f"Set the variable {rep.imap.password_env}.")
        return
    where = f"{account.username}@{account.host}:{account.port}"
    try:
        async with imap.connect(account) as box:
            yield Check(True, f"{key}: logged in as {where}")
            yield Check(
                box.supports_idle,
                f"{key}: IDLE " + ("offered" if box.supports_idle else "not offered"),
                "" if box.supports_idle else "Set daemon.idle = false: the daemon polls instead.",
            )
            folders = await box.folders()
            special = next((name for name, flags in folders.items() if "\\Sent" in flags), None)
            configured = rep.imap.sent_folder
            if special is not None and special != configured:
                yield Check(
                    False,
                    f'{key}.sent_folder is "{configured}" but the server marks "{special}" '
                    "as the Sent folder (SPECIAL-USE)",
                    f'Set {key}.sent_folder = "{special}".',
                )
            elif configured not in folders:
                yield Check(
                    False,
                    f'{key}.sent_folder "{configured}" does not exist',
                    f"Set {key}.sent_folder to one of: {', '.join(sorted(folders))}.",
                )
            else:
                how = "marked \\Sent (SPECIAL-USE)" if special else "found (no SPECIAL-USE mark)"
                yield Check(True, f'{key}: Sent folder "{configured}" {how}')
                if rep.imap.append_to_sent:
                    yield await _append(box, key, configured, *_probe(rep))
    except ImapError as exc:
        detail = str(exc)
        if "login" in detail.lower() and "refused" in detail.lower():
            fix = f"Check {key}.username and the password in ${rep.imap.password_env}."
        else:
            fix = _fix_for_connection(detail, key, account.security, account.host, account.port)
        yield Check(False, f"{key}: {detail}", fix)


async def _append(
    box: imap.ImapMailbox, key: str, folder: str, message_id: str, raw: bytes
) -> Check:
    try:
        await box.append(folder, raw)
        deleted = await box.delete_message_id(folder, message_id)
    except ImapError as exc:
        return Check(
            False,
            f"{key}: a test APPEND to {folder} failed: {exc}",
            f"Allow the account to write to {folder}, or set {key}.append_to_sent = false "
            "if the provider files sent mail itself.",
        )
    if deleted != 1:
        return Check(
            False,
            f"{key}: the test copy in {folder} was found {deleted} time(s), not once",
            f"Check that the account may search and delete in {folder}.",
        )
    return Check(True, f"{key}: test APPEND to {folder} stored and deleted")


async def _smtp(settings: Settings, rep: RepSettings) -> Check:
    assert rep.smtp is not None
    key = _key(settings, rep, "smtp")
    try:
        account = smtp_account(settings, rep)
    except ConfigError as exc:
        return Check(False, f"{key}: {exc.problem}", f"Set the variable {rep.smtp.password_env}.")
    where = f"{account.host}:{account.port}"
    client = aiosmtplib.SMTP(
        hostname=account.host,
        port=account.port,
        timeout=account.timeout,
        use_tls=account.security == "ssl",
        start_tls=account.security == "starttls",
        tls_context=ssl.create_default_context() if account.security != "none" else None,
    )
    try:
        await client.connect()
        response = await client.ehlo()
        # aiosmtplib has already refused to go on if the TLS asked for failed.
        said = [f"EHLO {response.code}", "no TLS" if account.security == "none" else "TLS"]
        if account.username:
            await client.login(account.username, account.password or "")
            said.append(f"logged in as {account.username}")
        return Check(True, f"{key}: {where}: " + ", ".join(said))
    except aiosmtplib.SMTPAuthenticationError as exc:
        return Check(
            False,
            f"{key}: {where} refused the login as {account.username}: {exc.code} {exc.message}",
            f"Check {key}.username and the password in ${rep.smtp.password_env}.",
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        detail = str(exc) or type(exc).__name__
        fix = _fix_for_connection(detail, key, account.security, account.host, account.port)
        return Check(False, f"{key}: {where}: {detail}", fix)
    finally:
        if client.is_connected:
            try:
                await asyncio.wait_for(client.quit(), 5)
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()


def _model(settings: Settings) -> Check:
    llm = settings.llm
    if llm.provider == "offline":
        return Check(True, "model: the offline drafter (no key needed)")
    try:
        key = secret(str(settings.path), "llm.api_key_env", llm.api_key_env)
    except ConfigError as exc:
        return Check(False, f"llm.api_key_env: {exc.problem}", f"Set {llm.api_key_env}.")
    import anthropic  # only when the configuration uses it: the import is not free

    client = anthropic.Anthropic(
        api_key=key, base_url=llm.base_url, timeout=llm.timeout_seconds, max_retries=0
    )
    try:
        client.messages.create(
            model=llm.model, max_tokens=1, messages=[{"role": "user", "content": "ping"}]
        )
    except anthropic.AuthenticationError:
        return Check(
            False,
            f"model: the key in ${llm.api_key_env} was refused",
            f"Put a valid API key in ${llm.api_key_env}.",
        )
    except anthropic.NotFoundError:
        return Check(False, f"model: {llm.model} is not there", "Check llm.model.")
    except anthropic.APIError as exc:
        return Check(
            False,
            f"model: {llm.base_url or 'the Anthropic API'} failed: {exc}",
            "Check llm.base_url and the network.",
        )
    finally:
        client.close()
    return Check(True, f"model: {llm.model} answered with the key in ${llm.api_key_env}")


async def checks(path: Path) -> AsyncIterator[Check]:
    """Every check in order; the configuration first, since the others need it."""
    try:
        settings = config.load(path)
    except ConfigError as exc:
        yield Check(False, f"configuration: {exc}", "Fix that key and run `nurture doctor` again.")
        return
    yield Check(True, f"configuration {path} reads ({len(settings.reps)} rep(s))")
    database = await asyncio.to_thread(_database, settings)
    for check in database:
        yield check
    added = await asyncio.to_thread(_database_reps, settings) if all(c.ok for c in database) else []
    for rep in [*settings.reps, *added]:
        if rep.imap is not None:
            async for check in _mailbox(settings, rep):
                yield check
        if rep.smtp is not None:
            yield await _smtp(settings, rep)
    yield await asyncio.to_thread(_model, settings)
