"""SMTP submission of frozen bytes, with the outcome told apart the way sending needs it.

Accepted (250), Deferred (4xx or no connection: safe to retry the same bytes later), Refused
(5xx: final) or Unknown (the link broke after the message data went out: it may have been
delivered, so it must never be retried blindly).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import aiosmtplib

from assistant.errors import MailError, SmtpError
from assistant.mail.imap import BearerTokens
from assistant.oauth import sasl

Outcome = Literal["accepted", "deferred", "refused", "unknown"]


@dataclass(frozen=True)
class SmtpAccount:
    host: str
    port: int
    security: str  # ssl | starttls | none
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    auth: str = "password"  # password | xoauth2 | oauthbearer
    tokens: BearerTokens | None = None


@dataclass(frozen=True)
class SubmitResult:
    outcome: Outcome
    detail: str
    code: int | None = None


async def submit(
    account: SmtpAccount, sender: str, recipient: str | Sequence[str], raw: bytes
) -> SubmitResult:
    """Offer the frozen bytes once; the outcome says whether a retry is safe.

    The first recipient is the one the message is for: its refusal decides the outcome. A
    copied address the server refuses is left out and noted in the result's detail.
    """
    first, *copied = [recipient] if isinstance(recipient, str) else list(recipient)
    client = aiosmtplib.SMTP(
        hostname=account.host,
        port=account.port,
        timeout=account.timeout,
        use_tls=account.security == "ssl",
        start_tls=account.security == "starttls",
        tls_context=ssl.create_default_context() if account.security != "none" else None,
    )
    where = f"{account.host}:{account.port}"
    try:
        try:
            await client.connect()
            if account.auth != "password":
                await _authenticate(client, account)
            elif account.username:
                await client.login(account.username, account.password or "")
        except aiosmtplib.SMTPResponseException as exc:
            # Greeting or login refused: a server or settings problem, not this message's.
            return SubmitResult("deferred", f"{where} answered {exc.code} {exc.message}", exc.code)
        except (aiosmtplib.SMTPException, MailError, OSError, TimeoutError) as exc:
            return SubmitResult("deferred", f"{where}: {exc}")
        refused = []
        try:
            await client.mail(sender)
            await client.rcpt(first)
            for address in copied:
                try:
                    await client.rcpt(address)
                except aiosmtplib.SMTPResponseException as exc:
                    refused.append(f"{address} refused ({exc.code} {exc.message})")
        except aiosmtplib.SMTPResponseException as exc:
            return _answered(exc.code, exc.message, where)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return SubmitResult("deferred", f"{where}: {exc}")
        try:
            response = await client.data(raw)
        except aiosmtplib.SMTPResponseException as exc:
            return _answered(exc.code, exc.message, where)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return SubmitResult(
                "unknown", f"{where}: connection lost after the message data: {exc}"
            )
        detail = f"{response.code} {response.message}" + "".join(f"; {r}" for r in refused)
        return SubmitResult("accepted", detail, response.code)
    finally:
        await _close(client)


async def _authenticate(client: aiosmtplib.SMTP, account: SmtpAccount) -> None:
    """SASL with a bearer token, refreshed and offered once more when refused (as for IMAP)."""
    assert account.tokens is not None and account.username, "an OAuth sender needs its tokens"
    mechanism = account.auth.upper()
    if client.last_ehlo_response is None:
        await client.ehlo()
    if mechanism.lower() not in client.server_auth_methods:
        raise SmtpError(f"SMTP server {account.host} does not offer AUTH {mechanism}")
    for attempt in range(2):
        token = await account.tokens.access_token()
        try:
            await _offer(client, account, mechanism, token)
            return
        except aiosmtplib.SMTPAuthenticationError:
            if attempt == 1:
                raise
            account.tokens.invalidate()


async def _offer(client: aiosmtplib.SMTP, account: SmtpAccount, mechanism: str, token: str) -> None:
    assert account.username
    if mechanism == "XOAUTH2":
        await client.auth_xoauth2(account.username, token)
        return
    # aiosmtplib has no OAUTHBEARER; on refusal the server sends an error challenge (334)
    # that an empty line answers before the final code.
    initial = sasl.oauthbearer(account.username, account.host, account.port, token)
    response = await client.execute_command(b"AUTH", b"OAUTHBEARER", initial.encode())
    if response.code == 334:
        response = await client.execute_command(b"")
    if response.code != 235:
        raise aiosmtplib.SMTPAuthenticationError(response.code, response.message)


def _answered(code: int, message: str, where: str) -> SubmitResult:
    outcome: Outcome = "refused" if 500 <= code < 600 else "deferred"
    return SubmitResult(outcome, f"{where} answered {code} {message}", code)


async def _close(client: aiosmtplib.SMTP) -> None:
    try:
        if client.is_connected:
            await asyncio.wait_for(client.quit(), 5)
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        pass
    finally:
        client.close()
