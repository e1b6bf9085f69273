"""Builds the real adapters from settings: IMAP and SMTP accounts, the drafter, the context."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import TypeVar

from sqlalchemy.engine import Engine

from assistant.clock import now
from assistant.config import RepSettings, Settings, secret
from assistant.db import open_database
from assistant.errors import ConfigError, ImapError
from assistant.llm.base import Drafter, ReplyClassifier
from assistant.llm.offline import OfflineDrafter
from assistant.mail import imap, smtp
from assistant.mail.hints import tls_mismatch
from assistant.oauth.providers import secret_warnings
from assistant.oauth.sources import TokenSources
from assistant.oauth.tokens import TokenSource
from assistant.pipeline import reconnect
from assistant.pipeline.context import Context
from assistant.roster import sync_reps

T = TypeVar("T")


def where(settings: Settings, rep: RepSettings, key: str) -> tuple[str, str]:
    """(file, key) naming a rep's setting: `reps[0].imap.port` in the file, else the database's."""
    for index, filed in enumerate(settings.reps):
        if filed.email == rep.email:
            return str(settings.path), f"reps[{index}].{key}"
    return f"the database (rep {rep.email})", key


def imap_account(
    settings: Settings, rep: RepSettings, tokens: TokenSources | None = None
) -> imap.ImapAccount:
    assert rep.imap is not None
    password = secret(*where(settings, rep, "imap.password_env"), rep.imap.password_env)
    return imap.ImapAccount(
        rep.imap.host,
        rep.imap.port,
        rep.imap.security,
        rep.imap.username,
        password or "",
        rep.imap.timeout_seconds,
        rep.imap.auth,
        _bearer(tokens, rep.email, rep.imap.auth, rep.imap.provider),
    )


def smtp_account(
    settings: Settings, rep: RepSettings, tokens: TokenSources | None = None
) -> smtp.SmtpAccount:
    assert rep.smtp is not None
    password = secret(*where(settings, rep, "smtp.password_env"), rep.smtp.password_env)
    return smtp.SmtpAccount(
        rep.smtp.host,
        rep.smtp.port,
        rep.smtp.security,
        rep.smtp.username,
        password,
        rep.smtp.timeout_seconds,
        rep.smtp.auth,
        _bearer(tokens, rep.email, rep.smtp.auth, rep.smtp.provider),
    )


def _bearer(
    tokens: TokenSources | None, email: str, auth: str, provider: str | None
) -> TokenSource | None:
    if auth == "password" or tokens is None or provider is None:
        return None
    return tokens.get(email, provider)


def drafter(settings: Settings) -> Drafter:
    """The offline drafter, or Claude with the offline drafter standing in when it is down."""
    drafting, _ = models(settings)
    return drafting


def models(
    settings: Settings, opened: list[Callable[[], Awaitable[None]]] | None = None
) -> tuple[Drafter, ReplyClassifier | None]:
    """The drafter and the reply classifier the `[llm]` section asks for.

    `opened` collects how to close each model API client made (its pooled connections), for
    the caller to await on the event loop that used them.
    """
    offline = OfflineDrafter()
    llm = settings.llm
    if llm.provider == "offline":
        return offline, None
    from assistant.llm.anthropic import AnthropicDrafter
    from assistant.llm.classifier import ClaudeClassifier
    from assistant.llm.client import ModelClient
    from assistant.llm.cost import configured_prices
    from assistant.llm.fallback import FallbackDrafter

    key = os.environ.get(llm.api_key_env)
    if not key:
        raise ConfigError(
            str(settings.path),
            "llm.api_key_env",
            f"provider is anthropic but environment variable {llm.api_key_env} is not set",
        )

    def client(model: str) -> ModelClient:
        made = ModelClient(
            model=model,
            api_key=key,
            base_url=llm.base_url,
            timeout_seconds=llm.timeout_seconds,
            max_retries=llm.max_retries,
            max_concurrency=llm.max_concurrency,
            prices=configured_prices(model, **llm.prices.model_dump()),
        )
        if opened is not None:
            opened.append(made.aclose)
        return made

    shared = client(llm.model)
    drafting = FallbackDrafter(AnthropicDrafter(shared), offline)
    if llm.classifier == "offline":
        return drafting, None
    reader = shared if llm.classifier_model in (None, llm.model) else client(llm.classifier_model)
    return drafting, ClaudeClassifier(reader)


def context(settings: Settings, engine: Engine | None = None) -> Context:
    """The context the daemon and `tick` run with, on real servers."""
    for rep in settings.reps:  # fail now, with the key's name, rather than mid-tick
        if rep.imap:
            imap_account(settings, rep)
        if rep.smtp:
            smtp_account(settings, rep)
    engine = engine or open_database(settings.database_url)
    sync_reps(engine, settings)

    async def owed_notices() -> None:
        """The "reconnect your mailbox" emails owed, each pass, until each has gone out."""
        if tokens.used:
            await reconnect.tell_owed(settings, tokens.store)

    async def reconnect_notice(email: str, reason: str) -> None:
        await owed_notices()

    tokens = TokenSources(settings, engine, on_revoked=reconnect_notice)
    for warning in secret_warnings(settings.oauth, now().date()):
        logging.getLogger("nurture").warning("%s", warning)

    @asynccontextmanager
    async def open_mailbox(rep: RepSettings) -> AsyncIterator[imap.Mailbox]:
        account = imap_account(settings, rep, tokens)
        try:
            async with imap.connect(account) as mailbox:
                yield mailbox
        except ImapError as exc:
            key = where(settings, rep, "imap.security")[1]
            hint = tls_mismatch(str(exc), key, account.security, account.port)
            if hint:
                raise ImapError(hint) from None
            raise

    async def submit(
        rep: RepSettings, sender: str, recipient: str | Sequence[str], raw: bytes
    ) -> smtp.SubmitResult:
        account = smtp_account(settings, rep, tokens)
        result = await smtp.submit(account, sender, recipient, raw)
        key = where(settings, rep, "smtp.security")[1]
        hint = tls_mismatch(result.detail, key, account.security, account.port)
        return replace(result, detail=hint) if hint else result

    closers: list[Callable[[], Awaitable[None]]] = []
    drafting, classifier = models(settings, closers)
    return Context(
        settings=settings,
        engine=engine,
        drafter=drafting,
        open_mailbox=open_mailbox,
        submit=submit,
        log=logging.getLogger("nurture"),
        classifier=classifier,
        after_pass=owed_notices,
        closers=closers,
    )


async def closing(ctx: Context, work: Awaitable[T]) -> T:
    """`work`'s result; then the context's connections are closed, on the same event loop (a
    command's single `asyncio.run`)."""
    try:
        return await work
    finally:
        await ctx.aclose()
